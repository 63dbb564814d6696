"""Drafting a ballot (票决 or 满意度测评): its definition, candidates in order, scrutineers.

A ballot can be changed only while it is a draft: once opened, its definition is committed to
and published (see docs/formats.md). Every function here raises `WrongState` (409) on any other
state and `InvalidRequest` (400, `field=` naming the form field) on bad input, and changes
nothing then. The caller commits.
"""

from decimal import Decimal

from flask_babel import gettext as _

from voting.errors import InvalidRequest, NotFound, WrongState
from voting.extensions import db
from voting.models import Ballot, BallotCandidate, BallotScrutineer, CongressSession, Project, User
from voting.models.ballots import KINDS, THRESHOLD_BASES

# Projects a ballot may list: a selection vote picks from the library, an evaluation rates
# projects already chosen and built.
ELIGIBLE_STATUSES = {
    "selection": ("library", "candidate"),
    "evaluation": ("selected", "in_progress", "completed"),
}


def get_draft_ballot(ballot_id: int) -> Ballot:
    """The ballot, if it is still a draft. Raises NotFound (404) or WrongState (409)."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound()
    ensure_draft(ballot)
    return ballot


def ensure_draft(ballot: Ballot) -> None:
    if ballot.state != "draft":
        raise WrongState(_("该表决已不是草稿，不能再修改：开启后的表决内容已向全体代表公开承诺。"))


def save_ballot(ballot: Ballot | None, *, session: CongressSession, kind: str, title: str,
                seats: int | None, threshold_base: str = "roster", threshold_num: int = 1,
                threshold_den: int = 2, rules_text: str = "", colour: str = "#c8102e",
                rectify_below_rate: Decimal | None = None) -> Ballot:
    """Create a draft ballot (ballot None) or change a draft's definition.

    A selection ballot needs seats (应选数) ≥ 1 and, once it has candidates, no more seats than
    candidates (差额 M > N, or 等额 M = N). An evaluation ballot has no seats.
    """
    if ballot is not None:
        ensure_draft(ballot)
    if kind not in KINDS:
        raise InvalidRequest(_("表决类型无效。"), field="kind")
    if threshold_base not in THRESHOLD_BASES:
        raise InvalidRequest(_("通过基数无效。"), field="threshold_base")
    if not 0 < threshold_num < threshold_den:
        raise InvalidRequest(_("通过比例无效。"), field="threshold")
    if ballot is not None and ballot.candidates and ballot.session_id != session.id \
            and ballot.session.jurisdiction is not session.jurisdiction:
        raise InvalidRequest(_("已有候选项目，不能改到其他行政区的会议。"), field="session")
    if kind == "selection":
        if not seats or seats < 1:
            raise InvalidRequest(_("项目票决必须填写应选数（至少为1）。"), field="seats")
        count = len(ballot.candidates) if ballot is not None else 0
        if count and seats > count:
            raise InvalidRequest(
                _("应选数（%(n)d）不能多于候选项目数（%(m)d）。", n=seats, m=count), field="seats")
        rectify_below_rate = None
    else:
        seats = None
    values = {"session": session, "kind": kind, "title": title.strip(), "seats": seats,
              "threshold_base": threshold_base, "threshold_num": threshold_num,
              "threshold_den": threshold_den, "rules_text": rules_text.strip(), "colour": colour,
              "rectify_below_rate": rectify_below_rate}
    if ballot is None:
        ballot = Ballot(state="draft", **values)
        db.session.add(ballot)
    else:
        for key, value in values.items():
            setattr(ballot, key, value)
    db.session.flush()
    return ballot


def eligible_projects(ballot: Ballot) -> list[Project]:
    """Projects of the ballot's jurisdiction it may list, those already listed first."""
    listed = [c.project for c in ballot.candidates]
    others = db.session.scalars(
        db.select(Project)
        .filter(Project.jurisdiction_id == ballot.session.term.jurisdiction_id,
                Project.status.in_(ELIGIBLE_STATUSES[ballot.kind]),
                Project.id.not_in([p.id for p in listed] or [0]))
        .order_by(Project.year.desc(), Project.id)
    )
    return listed + list(others)


def set_candidates(ballot: Ballot, project_ids: list[int]) -> None:
    """Replace the candidate list by `project_ids`, in that order (position 1, 2, …).

    A selection ballot's projects become `candidate`; those taken off and on no other
    ballot go back to the library.
    """
    ensure_draft(ballot)
    if len(set(project_ids)) != len(project_ids):
        raise InvalidRequest(_("同一个项目不能重复列入。"), field="candidates")
    allowed = {p.id: p for p in eligible_projects(ballot)}
    unknown = [pid for pid in project_ids if pid not in allowed]
    if unknown:
        raise InvalidRequest(_("所选项目不能列入本次表决。"), field="candidates")
    if ballot.kind == "selection" and ballot.seats and len(project_ids) < ballot.seats:
        raise InvalidRequest(
            _("候选项目（%(m)d个）不能少于应选数（%(n)d个）：差额票决需多于应选数，等额票决需相等。",
              m=len(project_ids), n=ballot.seats), field="candidates")
    removed = [c.project for c in ballot.candidates if c.project_id not in project_ids]
    ballot.candidates.clear()
    db.session.flush()
    list_in_order(ballot, [allowed[pid] for pid in project_ids])
    for pid in project_ids:
        if ballot.kind == "selection" and allowed[pid].status == "library":
            allowed[pid].status = "candidate"
    db.session.flush()
    for project in removed:
        if project.status == "candidate" and not _listed_elsewhere(project, ballot):
            project.status = "library"
    db.session.flush()


def list_in_order(ballot: Ballot, projects: list[Project]) -> None:
    """Append `projects` to the ballot's candidates numbered 1, 2, … in that order: the one
    numbering rule, for the clerks' form and for the demo's ballots alike. Checks nothing."""
    for position, project in enumerate(projects, start=1):
        ballot.candidates.append(BallotCandidate(project=project, position=position))


def _listed_elsewhere(project: Project, ballot: Ballot) -> bool:
    return db.session.scalar(
        db.select(BallotCandidate.ballot_id)
        .filter(BallotCandidate.project_id == project.id, BallotCandidate.ballot_id != ballot.id)
        .limit(1)
    ) is not None


def set_scrutineers(ballot: Ballot, users: list[User], chief: User | None) -> None:
    """The 监票人 of the ballot (staff accounts of role scrutineer) and their 总监票人."""
    ensure_draft(ballot)
    if any(u.role != "scrutineer" for u in users):
        raise InvalidRequest(_("监票人必须是监票人角色的账号。"), field="users")
    if len({u.id for u in users}) != len(users):
        raise InvalidRequest(_("同一位监票人不能重复指定。"), field="users")
    if users and chief is None:
        raise InvalidRequest(_("请在监票人中指定一位总监票人。"), field="chief")
    if chief is not None and chief not in users:
        raise InvalidRequest(_("总监票人必须是本次表决的监票人之一。"), field="chief")
    ballot.scrutineers.clear()
    db.session.flush()
    for user in users:
        ballot.scrutineers.append(BallotScrutineer(user=user, chief=user is chief))
    db.session.flush()


def delete_ballot(ballot: Ballot) -> None:
    """A draft with no minted tokens can be thrown away; its projects go back to the library."""
    from voting.models import Token

    ensure_draft(ballot)
    if db.session.scalar(db.select(Token.hash).filter_by(ballot_id=ballot.id).limit(1)):
        raise WrongState(_("该表决已生成选票凭证，不能删除。"))
    projects = [c.project for c in ballot.candidates]
    db.session.delete(ballot)
    db.session.flush()
    for project in projects:
        if project.status == "candidate" and not _listed_elsewhere(project, ballot):
            project.status = "library"
    db.session.flush()


def readiness(ballot: Ballot) -> list[str]:
    """What still keeps a draft from being opened (empty list: ready)."""
    problems = []
    count = len(ballot.candidates)
    if not count:
        problems.append(_("还没有候选项目。"))
    if ballot.kind == "selection" and ballot.seats and count and count < ballot.seats:
        problems.append(_("候选项目少于应选数。"))
    if not ballot.scrutineers:
        problems.append(_("还没有指定监票人。"))
    elif not any(s.chief for s in ballot.scrutineers):
        problems.append(_("还没有指定总监票人。"))
    if not ballot.rules_text.strip():
        problems.append(_("还没有填写票决办法。"))
    return problems


def threshold_now(ballot: Ballot) -> tuple[int, int] | None:
    """(base figure, "for" votes needed) with today's roster or sign-in; None for a base of
    ballots cast, known only at the close. Needed = floor(base × num / den) + 1."""
    from voting.services.roster import turnout

    if ballot.kind != "selection" or ballot.threshold_base == "cast":
        return None
    figures = turnout(ballot.session)
    base = figures.roster if ballot.threshold_base == "roster" else figures.present
    return base, base * ballot.threshold_num // ballot.threshold_den + 1


def contest_label(ballot: Ballot) -> str:
    """差额 12选10 / 等额 15选15, or the evaluation's project count."""
    count = len(ballot.candidates)
    if ballot.kind != "selection":
        return _("测评项目%(m)d个", m=count)
    if not count or not ballot.seats:
        return _("应选%(n)s个", n=ballot.seats or "—")
    if count == ballot.seats:
        return _("等额 %(m)d选%(n)d", m=count, n=ballot.seats)
    return _("差额 %(m)d选%(n)d", m=count, n=ballot.seats)
