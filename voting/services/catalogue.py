"""The clerk's catalogue: jurisdictions, terms and congress sessions, 承办单位, the project library.

Each function checks what needs the database (duplicates, rows still in use), raises
`InvalidRequest` (with `field=` naming the form field at fault) and changes nothing on error.
The caller commits.
"""

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import (
    Ballot,
    BallotCandidate,
    CongressSession,
    Jurisdiction,
    Project,
    Proposal,
    ResponsibleUnit,
    Term,
    User,
)

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """18 → 十八, 4 → 四, 21 → 二十一 (as in 第十八届…第四次会议); other numbers as digits."""
    if 0 <= n < 10:
        return DIGITS[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")
    return str(n)


def session_title(jurisdiction: Jurisdiction, term_number: int, number: int) -> str:
    """The usual name: 青川县第十八届人民代表大会第四次会议."""
    return (f"{jurisdiction.name}第{chinese_number(term_number)}届人民代表大会"
            f"第{chinese_number(number)}次会议")


# Jurisdictions (行政区) --------------------------------------------------------------------------

def save_jurisdiction(jurisdiction: Jurisdiction | None, *, name: str, level: str,
                      parent: Jurisdiction | None) -> Jurisdiction:
    """Create (jurisdiction None) or update a jurisdiction; names are unique."""
    name = name.strip()
    clash = db.session.scalar(db.select(Jurisdiction).filter_by(name=name))
    if clash is not None and clash is not jurisdiction:
        raise InvalidRequest(_("已有名为“%(name)s”的行政区。", name=name), field="name")
    if jurisdiction is not None and parent is not None and _is_within(parent, jurisdiction):
        raise InvalidRequest(_("上级行政区不能是它自己或它的下级。"), field="parent")
    if jurisdiction is None:
        jurisdiction = Jurisdiction(name=name, level=level, parent=parent)
        db.session.add(jurisdiction)
    else:
        jurisdiction.name, jurisdiction.level, jurisdiction.parent = name, level, parent
    db.session.flush()
    return jurisdiction


def _is_within(candidate: Jurisdiction, ancestor: Jurisdiction) -> bool:
    node = candidate
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def find_jurisdiction(name: str) -> Jurisdiction:
    """By exact name (the CLI's --jurisdiction)."""
    found = db.session.scalar(db.select(Jurisdiction).filter_by(name=name.strip()))
    if found is None:
        raise InvalidRequest(_("找不到行政区“%(name)s”。", name=name))
    return found


# Terms and sessions (届、会议) --------------------------------------------------------------------

def save_session(session: CongressSession | None, *, jurisdiction: Jurisdiction, term_number: int,
                 start_year: int, end_year: int, number: int, title: str, starts_on: date,
                 ends_on: date, venue: str = "") -> CongressSession:
    """Create or update a congress session, creating its term (届) when it is new.

    An empty title becomes the usual one (青川县第十八届人民代表大会第四次会议).
    """
    if end_year < start_year:
        raise InvalidRequest(_("届的结束年份不能早于开始年份。"), field="end_year")
    if ends_on < starts_on:
        raise InvalidRequest(_("闭幕日期不能早于开幕日期。"), field="ends_on")
    term = db.session.scalar(db.select(Term).filter_by(jurisdiction=jurisdiction,
                                                      number=term_number))
    if term is None:
        term = Term(jurisdiction=jurisdiction, number=term_number, start_year=start_year,
                    end_year=end_year)
        db.session.add(term)
    else:
        term.start_year, term.end_year = start_year, end_year
    clash = db.session.scalar(db.select(CongressSession).filter_by(term=term, number=number)) \
        if term.id else None
    if clash is not None and clash is not session:
        raise InvalidRequest(_("第%(term)s届已有第%(n)s次会议。", term=chinese_number(term_number),
                               n=chinese_number(number)), field="number")
    title = title.strip() or session_title(jurisdiction, term_number, number)
    if session is None:
        session = CongressSession(term=term, number=number, title=title, starts_on=starts_on,
                                  ends_on=ends_on, venue=venue.strip())
        db.session.add(session)
    else:
        session.term, session.number, session.title = term, number, title
        session.starts_on, session.ends_on, session.venue = starts_on, ends_on, venue.strip()
    db.session.flush()
    return session


def next_session_defaults(jurisdiction: Jurisdiction) -> dict:
    """The current term and the next session number, to prefill the form for a new session."""
    term = jurisdiction.terms[-1] if jurisdiction.terms else None
    if term is None:
        return {}
    last = max((s.number for s in term.sessions), default=0)
    return {"term_number": term.number, "start_year": term.start_year,
            "end_year": term.end_year, "number": last + 1}


def delete_session(session: CongressSession) -> None:
    """Only a session nobody signed in to and with no ballot can go."""
    if session.ballots or session.attendance:
        raise WrongState(_("该会议已有表决或签到记录，不能删除。"))
    db.session.delete(session)
    db.session.flush()


# Responsible units (承办单位) ---------------------------------------------------------------------

def save_unit(unit: ResponsibleUnit | None, *, jurisdiction: Jurisdiction,
              name: str) -> ResponsibleUnit:
    name = name.strip()
    clash = db.session.scalar(db.select(ResponsibleUnit).filter_by(jurisdiction=jurisdiction,
                                                                   name=name))
    if clash is not None and clash is not unit:
        raise InvalidRequest(_("%(j)s已有承办单位“%(name)s”。", j=jurisdiction.name, name=name),
                             field="name")
    if unit is None:
        unit = ResponsibleUnit(jurisdiction=jurisdiction, name=name)
        db.session.add(unit)
    else:
        unit.jurisdiction, unit.name = jurisdiction, name
    db.session.flush()
    return unit


def delete_unit(unit: ResponsibleUnit) -> None:
    """A unit with projects or staff accounts stays (their history points at it)."""
    in_use = db.session.scalar(db.select(Project.id).filter_by(unit=unit).limit(1)) or \
        db.session.scalar(db.select(User.id).filter_by(unit=unit).limit(1))
    if in_use:
        raise WrongState(_("该承办单位还有项目或账号，不能删除。"))
    db.session.delete(unit)
    db.session.flush()


# The project library (项目库) ---------------------------------------------------------------------

PROJECT_FIELDS = ("year", "title", "category", "budget_wan", "funding_source", "location",
                  "summary", "description", "planned_start", "planned_finish", "source", "status")


def save_project(project: Project | None, *, jurisdiction: Jurisdiction,
                 unit: ResponsibleUnit | None, **fields) -> Project:
    """Create or update a library entry. Budget in 万元, ≥ 0; finish not before start."""
    if unit is not None and unit.jurisdiction_id != jurisdiction.id:
        raise InvalidRequest(_("承办单位不属于%(j)s。", j=jurisdiction.name), field="unit")
    if fields.get("budget_wan") is not None and Decimal(fields["budget_wan"]) < 0:
        raise InvalidRequest(_("总投资不能为负数。"), field="budget_wan")
    start, finish = fields.get("planned_start"), fields.get("planned_finish")
    if start and finish and finish < start:
        raise InvalidRequest(_("计划完成日期不能早于计划开工日期。"), field="planned_finish")
    if project is not None and project.jurisdiction_id != jurisdiction.id and on_ballot(project):
        raise WrongState(_("项目已列入表决，不能改到其他行政区。"))
    values = {key: fields[key] for key in PROJECT_FIELDS if key in fields}
    values["title"] = values["title"].strip()
    if project is None:
        project = Project(jurisdiction=jurisdiction, unit=unit, **values)
        db.session.add(project)
    else:
        project.jurisdiction, project.unit = jurisdiction, unit
        for key, value in values.items():
            setattr(project, key, value)
    db.session.flush()
    return project


def on_ballot(project: Project) -> bool:
    return db.session.scalar(
        db.select(BallotCandidate.ballot_id).filter_by(project_id=project.id).limit(1)
    ) is not None


def delete_project(project: Project) -> None:
    """Only an entry on no ballot, with no progress history, can be removed from the library."""
    if on_ballot(project) or project.updates:
        raise WrongState(_("该项目已列入表决或已有进度记录，不能删除。"))
    if db.session.scalar(db.select(Proposal.id).filter_by(project_id=project.id).limit(1)):
        # The proposer's tracking page points to it: removing it would break that answer.
        raise WrongState(_("该项目由群众建议采纳而来，不能删除。"))
    db.session.delete(project)
    db.session.flush()


def sessions_by_date() -> list[CongressSession]:
    return list(db.session.scalars(
        db.select(CongressSession).order_by(CongressSession.starts_on.desc(), CongressSession.id)
    ))


def ballots_by_state() -> dict[str, list[Ballot]]:
    """Every ballot, grouped by state (draft first, as the dashboard lists them)."""
    from voting.models.ballots import STATES

    grouped: dict[str, list[Ballot]] = {state: [] for state in STATES}
    for ballot in db.session.scalars(db.select(Ballot).order_by(Ballot.id.desc())):
        grouped.setdefault(ballot.state, []).append(ballot)
    return grouped
