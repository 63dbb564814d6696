"""The roster (代表名册) and the sign-in desk (签到).

The roster of a jurisdiction is its active deputies. Attendance records that a deputy is
present at a session and nothing else: never a slip, a token or a ballot. Reading and writing
roster files is in `roster_files`. The caller commits.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from voting.errors import InvalidRequest, NotFound, WrongState
from voting.extensions import db
from voting.models import Attendance, CongressSession, Delegation, Deputy, Jurisdiction

# Delegations (代表团) -----------------------------------------------------------------------------


def find_or_create_delegation(jurisdiction: Jurisdiction, name: str) -> Delegation | None:
    """The delegation of that name (created if new); None for an empty name."""
    name = name.strip()
    if not name:
        return None
    delegation = db.session.scalar(db.select(Delegation).filter_by(jurisdiction=jurisdiction,
                                                                   name=name))
    if delegation is None:
        delegation = Delegation(jurisdiction=jurisdiction, name=name)
        db.session.add(delegation)
        db.session.flush()
    return delegation


def rename_delegation(delegation: Delegation, name: str) -> None:
    name = name.strip()
    clash = db.session.scalar(db.select(Delegation).filter_by(
        jurisdiction_id=delegation.jurisdiction_id, name=name))
    if clash is not None and clash is not delegation:
        raise InvalidRequest(_("已有名为“%(name)s”的代表团。", name=name), field="name")
    delegation.name = name
    db.session.flush()


def delete_delegation(delegation: Delegation) -> None:
    if delegation.deputies:
        raise WrongState(_("代表团中还有代表，不能删除。"))
    db.session.delete(delegation)
    db.session.flush()


def delegations_with_counts(jurisdiction: Jurisdiction) -> list[tuple[Delegation, int]]:
    counts = dict(db.session.execute(
        db.select(Deputy.delegation_id, func.count())
        .filter_by(jurisdiction_id=jurisdiction.id, active=True)
        .group_by(Deputy.delegation_id)
    ).all())
    rows = db.session.scalars(db.select(Delegation).filter_by(jurisdiction=jurisdiction)
                              .order_by(Delegation.name))
    return [(d, counts.get(d.id, 0)) for d in rows]


# Deputies (代表) ----------------------------------------------------------------------------------

def save_deputy(deputy: Deputy | None, *, jurisdiction: Jurisdiction, delegation_name: str,
                name: str, gender: str = "", phone: str = "", occupation: str = "",
                active: bool = True) -> Deputy:
    """Create or update a deputy. The same name twice in one delegation is a duplicate."""
    name = name.strip()
    if not name:
        raise InvalidRequest(_("姓名不能为空。"), field="name")
    delegation = find_or_create_delegation(jurisdiction, delegation_name)
    existing = find_duplicate(jurisdiction, delegation, name)
    if existing is not None and existing is not deputy:
        raise InvalidRequest(
            _("%(delegation)s已有代表“%(name)s”。",
              delegation=delegation.name if delegation else _("本级名册"), name=name),
            field="name")
    values = {"jurisdiction_id": jurisdiction.id, "delegation": delegation, "name": name,
              "gender": gender, "phone": phone.strip(), "occupation": occupation.strip(),
              "active": active}
    if deputy is None:
        deputy = Deputy(**values)
        db.session.add(deputy)
    else:
        for key, value in values.items():
            setattr(deputy, key, value)
    db.session.flush()
    return deputy


def find_duplicate(jurisdiction: Jurisdiction, delegation: Delegation | None,
                   name: str) -> Deputy | None:
    query = db.select(Deputy).filter_by(jurisdiction_id=jurisdiction.id, name=name)
    query = query.filter(Deputy.delegation_id.is_(None)) if delegation is None or \
        delegation.id is None else query.filter_by(delegation_id=delegation.id)
    return db.session.scalar(query.limit(1))


def delete_deputy(deputy: Deputy) -> None:
    """A deputy who signed in somewhere stays on record: deactivate them instead."""
    if db.session.scalar(db.select(Attendance.id).filter_by(deputy_id=deputy.id).limit(1)):
        raise WrongState(_("该代表已有签到记录，不能删除；如已不再担任代表，请编辑并取消“在册”。"))
    db.session.delete(deputy)
    db.session.flush()


def search_deputies(jurisdiction: Jurisdiction, text: str = "", delegation_id: int | None = None,
                    include_inactive: bool = False):
    """A select() of deputies whose name, delegation or occupation contains `text`."""
    query = (db.select(Deputy).outerjoin(Deputy.delegation)
             .filter(Deputy.jurisdiction_id == jurisdiction.id)
             .order_by(Delegation.name, Deputy.name, Deputy.id))
    if not include_inactive:
        query = query.filter(Deputy.active.is_(True))
    if delegation_id:
        query = query.filter(Deputy.delegation_id == delegation_id)
    text = text.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.filter(db.or_(Deputy.name.like(pattern, escape="\\"),
                                    Delegation.name.like(pattern, escape="\\"),
                                    Deputy.occupation.like(pattern, escape="\\")))
    return query


def roster_count(jurisdiction: Jurisdiction) -> int:
    return db.session.scalar(db.select(func.count()).select_from(Deputy)
                             .filter_by(jurisdiction_id=jurisdiction.id, active=True))


# Sign-in (签到) -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Turnout:
    """应到/实到 of a session; quorum = more than two thirds of the roster present."""

    present: int
    roster: int

    @property
    def quorum(self) -> bool:
        return self.present * 3 > self.roster * 2

    @property
    def needed(self) -> int:
        """How many must be present for a quorum: floor(2/3 × roster) + 1."""
        return self.roster * 2 // 3 + 1

    def as_dict(self) -> dict:
        return {"present": self.present, "roster": self.roster, "quorum": self.quorum,
                "needed": self.needed}


def turnout(session: CongressSession) -> Turnout:
    # Counted as the tally counts it (services.ballots.present_count): every sign-in row.
    present = db.session.scalar(
        db.select(func.count()).select_from(Attendance).filter_by(session_id=session.id))
    return Turnout(present=present, roster=roster_count(session.term.jurisdiction))


def attendance_of(session: CongressSession) -> dict[int, Attendance]:
    """deputy id → attendance row, for the desk's table."""
    rows = db.session.scalars(db.select(Attendance).filter_by(session_id=session.id))
    return {a.deputy_id: a for a in rows}


def sign_in(session: CongressSession, deputy: Deputy) -> bool:
    """Mark the deputy present; False (and no change) when already signed in."""
    _check_on_roster(session, deputy)
    exists = db.session.scalar(db.select(Attendance.id).filter_by(session_id=session.id,
                                                                  deputy_id=deputy.id))
    if exists:
        return False
    try:
        # Two desks clicking at once: the unique (session, deputy) row decides, not a 500.
        with db.session.begin_nested():
            db.session.add(Attendance(session=session, deputy=deputy,
                                      signed_in_at=datetime.now()))
    except IntegrityError:
        return False
    return True


def undo_sign_in(session: CongressSession, deputy: Deputy) -> bool:
    """Take back a mistaken sign-in; False when the deputy was not signed in."""
    _check_on_roster(session, deputy)
    row = db.session.scalar(db.select(Attendance).filter_by(session_id=session.id,
                                                            deputy_id=deputy.id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def _check_on_roster(session: CongressSession, deputy: Deputy) -> None:
    if deputy.jurisdiction_id != session.term.jurisdiction_id or not deputy.active:
        raise InvalidRequest(_("%(name)s不在本次会议的代表名册中。", name=deputy.name))


def find_deputy_for_sign_in(session: CongressSession, name: str,
                            delegation: str | None = None) -> Deputy:
    """The one active deputy of that exact name (and delegation) on the session's roster."""
    query = (db.select(Deputy).outerjoin(Deputy.delegation)
             .filter(Deputy.jurisdiction_id == session.term.jurisdiction_id,
                     Deputy.active.is_(True), Deputy.name == name.strip()))
    if delegation:
        query = query.filter(Delegation.name == delegation.strip())
    found = list(db.session.scalars(query))
    if not found:
        raise NotFound(_("名册中找不到代表“%(name)s”。", name=name))
    if len(found) > 1:
        groups = "、".join(d.delegation.name if d.delegation else "—" for d in found)
        raise InvalidRequest(_("有多位代表名为“%(name)s”（%(groups)s），请指定代表团。",
                               name=name, groups=groups))
    return found[0]
