"""群众提: public proposals (群众建议), their tracking codes, and what the clerks decide.

A proposal is `received` when submitted, then exactly one clerk decision moves it on, for good:

- `accept_into_library` → `accepted`: a new library project (status `library`, source `public`)
  made from the proposal and the clerk's edits, linked to it;
- `merge` → `merged`: it points at the proposal kept in its place (same jurisdiction, itself
  received or accepted), with a public reply (by default one naming the kept proposal);
- `decline` → `declined`, with a public reply (required).

There is no re-open: the reply is public the moment it is given and the proposer may already
have read it. An accepted proposal's project is corrected in the library like any other.

Every refusal is a `VotingError` with a message (and `field=` naming the form field at fault);
nothing is changed then. The caller commits. Texts stored here (folded descriptions, default
replies) are data for the public of the jurisdiction, so they are written in Chinese, not
translated for whoever happens to be signed in.
"""

import re
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Jurisdiction, Project, Proposal, ResponsibleUnit
from voting.models.projects import CATEGORIES
from voting.services import catalogue

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out over the phone
CODE_LENGTH = 8
STATUSES = ("received", "accepted", "merged", "declined")
SCREENED = ("accepted", "merged", "declined")  # decided on by a clerk: shown on the public list
DUPLICATE_WINDOW = timedelta(minutes=10)  # the same text again within this: one proposal

# Longest texts a proposer may send, in characters (the columns allow a little more).
LIMITS = {"title": 100, "description": 6000, "location": 200, "contact": 120}
REPLY_LIMIT = 2000


# Tracking codes -----------------------------------------------------------------------------------

def tracking_code() -> str:
    """8 characters from an alphabet with no look-alikes, e.g. 7KQ4MZ2H (31⁸ ≈ 8.5 × 10¹¹)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """What a person typed → the stored code, or None when it cannot be one.

    Case, spaces and dashes do not matter: " 7kq4-mz2h " is 7KQ4MZ2H.
    """
    code = re.sub(r"[\s\-‐‑–—_·.]", "", text or "").upper()
    if len(code) != CODE_LENGTH or any(c not in TRACKING_ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    """7KQ4MZ2H → 7KQ4-MZ2H, easier to copy down and read out."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def find_by_code(text: str) -> Proposal | None:
    """The proposal with that tracking code (any case, spaces or dashes), else None."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(db.select(Proposal).filter_by(tracking_code=code))


def _unused_code() -> str:
    for _attempt in range(20):
        code = tracking_code()
        if db.session.scalar(db.select(Proposal.id).filter_by(tracking_code=code)) is None:
            return code
    raise RuntimeError("no free tracking code after 20 draws")  # never, short of 10¹¹ rows


# Submitting ---------------------------------------------------------------------------------------

def compose_description(content: str, background: str = "", unit: str = "",
                        budget_wan: Decimal | None = None, funding_source: str = "") -> str:
    """The proposal form's parts (DOMAIN.md stage 1) folded into the one description column.

    Background, suggested responsible unit, estimated investment (万元) and funding source are
    optional; each present part gets its own heading line so that clerks can read them apart.
    """
    parts = []
    if background.strip():
        parts.append(f"【现状和理由】\n{background.strip()}")
    extra = []
    if unit.strip():
        extra.append(f"建议承办单位：{unit.strip()}")
    if budget_wan is not None:
        extra.append(f"估算投资：{budget_wan.normalize():f} 万元")
    if funding_source.strip():
        extra.append(f"资金来源建议：{funding_source.strip()}")
    headed = bool(parts or extra)
    parts.append(f"【建议内容】\n{content.strip()}" if headed else content.strip())
    if extra:
        parts.append("【其他】\n" + "\n".join(extra))
    return "\n\n".join(parts)


def submit(*, jurisdiction: Jurisdiction, title: str, description: str, category: str,
           location: str = "", contact: str = "", now: datetime | None = None
           ) -> tuple[Proposal, bool]:
    """Store a public proposal with a fresh tracking code; (proposal, stored_now).

    The same title and description to the same jurisdiction again within `DUPLICATE_WINDOW`
    (a double tap, a reload of the form) is not stored twice: the first one is returned.
    """
    now = now or datetime.now()
    values = {"title": title.strip(), "description": description.strip(),
              "location": location.strip(), "contact": contact.strip()}
    if not values["title"]:
        raise InvalidRequest(_("请填写建议名称。"), field="title")
    if not values["description"]:
        raise InvalidRequest(_("请填写建议内容。"), field="description")
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            raise InvalidRequest(_("不能超过%(n)d个字。", n=limit), field=name)
    if category not in CATEGORIES:
        raise InvalidRequest(_("请选择建议类别。"), field="category")
    earlier = db.session.scalar(
        db.select(Proposal).filter_by(jurisdiction_id=jurisdiction.id, title=values["title"],
                                      description=values["description"])
        .where(Proposal.submitted_at >= now - DUPLICATE_WINDOW).order_by(Proposal.id).limit(1))
    if earlier is not None:
        return earlier, False
    proposal = Proposal(jurisdiction=jurisdiction, tracking_code=_unused_code(),
                        category=category, submitted_at=now, status="received", **values)
    db.session.add(proposal)
    db.session.flush()
    return proposal, True


# Decisions ----------------------------------------------------------------------------------------

def accept_into_library(proposal: Proposal, *, jurisdiction: Jurisdiction,
                        unit: ResponsibleUnit | None, reply: str = "", **fields) -> Project:
    """Screen the proposal into the project library (初审入库): a new project, linked.

    `fields` are the project's (catalogue.PROJECT_FIELDS: year, title, category, budget_wan 万元,
    summary, location, dates…); the project is always `library` and `public`. An empty reply
    becomes the usual thank-you naming the project.
    """
    require_received(proposal)
    reply = _checked_reply(reply, required=False)
    fields = {**fields, "status": "library", "source": "public"}
    project = catalogue.save_project(None, jurisdiction=jurisdiction, unit=unit, **fields)
    proposal.status, proposal.project = "accepted", project
    proposal.reply = reply or default_accept_reply(project.title)
    db.session.flush()
    return project


def merge(proposal: Proposal, into: Proposal | None, reply: str = "") -> Proposal:
    """Merge the duplicate `proposal` into `into`, the proposal kept in its place, with a
    public reply; returns the merged (duplicate) proposal, not the kept one.

    An empty reply becomes the usual one naming the kept proposal.
    """
    require_received(proposal)
    if into is None or into.id == proposal.id:
        raise InvalidRequest(_("请选择另一条建议作为保留的建议。"), field="into")
    if into.jurisdiction_id != proposal.jurisdiction_id:
        raise InvalidRequest(_("只能合并到同一行政区的建议。"), field="into")
    if into.status not in ("received", "accepted"):
        raise WrongState(_("不能合并到已合并或不予采纳的建议，请选择保留的那一条。"), field="into")
    proposal.reply = _checked_reply(reply, required=False) or default_merge_reply(into)
    proposal.status, proposal.merged_into_id = "merged", into.id
    db.session.flush()
    return proposal


def decline(proposal: Proposal, reply: str) -> Proposal:
    """不予采纳, with the reason the public will read (required)."""
    require_received(proposal)
    proposal.reply = _checked_reply(reply, required=True)
    proposal.status = "declined"
    db.session.flush()
    return proposal


def require_received(proposal: Proposal) -> None:
    """WrongState unless the proposal still waits for a decision."""
    if proposal.status != "received":
        raise WrongState(_("这条建议已经处理过（%(status)s），不能再次处理。",
                           status=status_label(proposal.status)))


def _checked_reply(reply: str, *, required: bool) -> str:
    reply = (reply or "").strip()
    if required and not reply:
        raise InvalidRequest(_("请填写给建议人的公开答复。"), field="reply")
    if len(reply) > REPLY_LIMIT:
        raise InvalidRequest(_("不能超过%(n)d个字。", n=REPLY_LIMIT), field="reply")
    return reply


STATUS_LABELS = {"received": _l("已收到，待办理"), "accepted": _l("已纳入项目库"),
                 "merged": _l("已合并办理"), "declined": _l("不予采纳")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def default_accept_reply(project_title: str) -> str:
    return (f"感谢您的建议。经初审，您的建议已纳入民生实事项目库（“{project_title}”），"
            "是否列为候选项目，将由人大常委会研究确定后提请人民代表大会票决。")


def default_merge_reply(into: Proposal) -> str:
    return (f"感谢您的建议。该建议与群众提出的“{into.title}”内容相近，已合并办理，"
            "办理结果请见该建议的答复。")


# Reading ------------------------------------------------------------------------------------------

LARGEST_ID = 2**62  # larger numbers are no row, and overflow SQLite's integers


def sane_number(value: int | None, *, largest: int = LARGEST_ID) -> int | None:
    """A positive id or page number from a URL, else None (so that 10²⁰ is not a 500)."""
    return value if value is not None and 0 < value < largest else None


def kept_proposal(proposal: Proposal) -> Proposal | None:
    """Where a merged proposal ended up, following merges (at most a few hops)."""
    seen, current = {proposal.id}, proposal
    while current.merged_into_id is not None:
        current = db.session.get(Proposal, current.merged_into_id)
        if current is None or current.id in seen:
            return None
        seen.add(current.id)
    return current if current is not proposal else None


def counts_by_status(jurisdiction_id: int | None = None) -> dict[str, int]:
    """{status: number of proposals}, every status present (0 when none)."""
    query = db.select(Proposal.status, db.func.count()).group_by(Proposal.status)
    if jurisdiction_id:
        query = query.filter(Proposal.jurisdiction_id == jurisdiction_id)
    found = dict(db.session.execute(query).all())
    return {status: found.get(status, 0) for status in STATUSES}


def listing(*, status: str = "", category: str = "", jurisdiction_id: int | None = None,
            oldest_first: bool = False, words: str = "", screened_only: bool = False):
    """A select of proposals, filtered; unknown filter values are ignored.

    `words` (clerks only) finds a tracking code, or a piece of the title or location.
    `screened_only` (the public list) leaves out those no clerk has decided on yet
    (`received`): a title is public only once a clerk has read it.
    """
    order = (Proposal.submitted_at, Proposal.id) if oldest_first else \
        (Proposal.submitted_at.desc(), Proposal.id.desc())
    query = db.select(Proposal).order_by(*order)
    if screened_only:
        query = query.filter(Proposal.status.in_(SCREENED))
    if status in STATUSES:
        query = query.filter(Proposal.status == status)
    if category in CATEGORIES:
        query = query.filter(Proposal.category == category)
    if jurisdiction_id:
        query = query.filter(Proposal.jurisdiction_id == jurisdiction_id)
    if words.strip():
        text = words.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{text}%"
        query = query.filter(db.or_(Proposal.tracking_code == (normalise_code(words) or ""),
                                    Proposal.title.like(pattern, escape="\\"),
                                    Proposal.location.like(pattern, escape="\\")))
    return query


def title_tokens(text: str) -> set[str]:
    """Words of a Latin title and two-character pieces of a Chinese one, for similarity."""
    tokens = set()
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", text.lower()):
        if run.isascii():
            tokens.add(run)
        elif len(run) == 1:
            tokens.add(run)
        else:
            tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return tokens


def similarity(a: str, b: str) -> float:
    """Overlap of two titles' tokens (Jaccard, 0–1)."""
    left, right = title_tokens(a), title_tokens(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def possible_duplicates(proposal: Proposal, limit: int = 6,
                        threshold: float = 0.12) -> list[tuple[Proposal, float]]:
    """Other proposals of the same jurisdiction and category with a similar title, best first.

    Merged ones are left out: a duplicate is merged into the proposal that was kept.
    """
    others = db.session.scalars(
        db.select(Proposal).filter(Proposal.jurisdiction_id == proposal.jurisdiction_id,
                                   Proposal.category == proposal.category,
                                   Proposal.id != proposal.id, Proposal.status != "merged")
        .order_by(Proposal.submitted_at.desc()).limit(500))
    scored = [(other, similarity(proposal.title, other.title)) for other in others]
    scored = [(other, score) for other, score in scored if score >= threshold]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]
