"""What the public portal shows: which projects are public, this year's projects and their sums,
the searchable list, one project's page, the ballots of the current sitting, the site photos.

No Flask here apart from the database session. `today` is passed in (a date), so that "delayed"
is decided the same way on every page and in tests. Every list eager-loads what its cards show
(jurisdiction, unit, milestones), so a page costs a handful of queries whatever its length.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from voting.extensions import db
from voting.models import (
    Ballot,
    BallotCandidate,
    CongressSession,
    Jurisdiction,
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    ResponsibleUnit,
    Term,
)
from voting.models.projects import CATEGORIES
from voting.services.outcomes import evaluation_figures, selection_figures

# Decided by a published vote and being (or done) built: what the portal lists by default.
DECIDED = ("selected", "in_progress", "completed")
# Decided and not finished yet.
UNDER_WAY = ("selected", "in_progress")
# Every status whose project has a public page. A candidate has one only while it is on a
# ballot (the ballot's definition is public); a project only in the library has none.
PUBLIC = (*DECIDED, "not_selected")
# The list's status filter: a stored status, or "delayed".
STATUS_FILTERS = ("in_progress", "delayed", "completed", "selected", "not_selected", "candidate")

PER_PAGE = 20  # cards per page of the list
MAX_QUERY = 100  # characters of a search kept; a longer one is cut
PHOTO_NAME = re.compile(r"[0-9a-f]{32}(_thumb)?\.jpg")


# ------------------------------------------------------------------------------ what is delayed

def overdue_clause(today: date):
    """SQL: the project has a milestone whose date has passed unmet."""
    return Project.milestones.any(and_(Milestone.done_on.is_(None), Milestone.due_on < today))


def is_delayed(project: Project, today: date) -> bool:
    """Late: a milestone's date has passed unmet (`Project.is_delayed`), whatever the status,
    so that the portal, the open data and the feed always agree."""
    return project.is_delayed(today)


def on_a_ballot():
    return exists().where(BallotCandidate.project_id == Project.id)


def public_clause():
    """SQL: the project has a public page (see PUBLIC)."""
    return or_(Project.status.in_(PUBLIC), and_(Project.status == "candidate", on_a_ballot()))


def public_project_ids(ids: Iterable[int]) -> set[int]:
    """Those of `ids` whose project has a public page (a link to it is no dead end)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(db.session.scalars(select(Project.id).where(Project.id.in_(wanted),
                                                           public_clause())))


# ------------------------------------------------------------------------------ the list

@dataclass
class ProjectFilters:
    """The list's filters, as read from a query string; a value that makes no sense is ignored."""

    q: str = ""
    year: int | None = None
    jurisdiction: int | None = None
    category: str | None = None
    status: str | None = None  # one of STATUS_FILTERS
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "ProjectFilters":
        category = args.get("category") or None
        status = args.get("status") or None
        return cls(
            q=" ".join((args.get("q") or "").split())[:MAX_QUERY],
            year=_whole(args.get("year"), 1900, 9999),
            jurisdiction=_whole(args.get("jurisdiction"), 1, 2**31 - 1),
            category=category if category in CATEGORIES else None,
            status=status if status in STATUS_FILTERS else None,
            page=_whole(args.get("page"), 1, 10**6) or 1,
        )

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the page says so, and offers to clear it)."""
        return bool(self.q or self.year or self.jurisdiction or self.category or self.status)

    def query_args(self, **changes) -> dict:
        """The filters as query-string arguments (for a link), without the empty ones."""
        values = {"q": self.q, "year": self.year, "jurisdiction": self.jurisdiction,
                  "category": self.category, "status": self.status, **changes}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _whole(text: str | None, low: int, high: int) -> int | None:
    """The whole number in `text` if it is one between low and high, else None."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if low <= value <= high else None


def like_pattern(text: str) -> str:
    r"""`%text%` with LIKE's wildcards and the escape character taken literally (escape `\`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(q: str):
    """SQL: every word of `q` is in the title, summary, description, location or unit name."""
    clauses = []
    for word in q.split():
        pattern = like_pattern(word)
        clauses.append(or_(
            Project.title.ilike(pattern, escape="\\"),
            Project.summary.ilike(pattern, escape="\\"),
            Project.description.ilike(pattern, escape="\\"),
            Project.location.ilike(pattern, escape="\\"),
            Project.unit.has(ResponsibleUnit.name.ilike(pattern, escape="\\")),
        ))
    return and_(*clauses)


@dataclass
class Page:
    """One page of the list: its projects, and where it is among the pages."""

    items: list
    page: int
    per_page: int
    total: int
    delayed: set[int] = field(default_factory=set)  # ids of the delayed projects on this page
    ratings: dict[int, dict] = field(default_factory=dict)  # published evaluation figures, by id
    # "candidate" when nothing decided matched and the candidates of a coming vote are shown
    # instead; `ballots` are then the ballots listing them.
    fallback: str | None = None
    ballots: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_projects(filters: ProjectFilters, today: date, per_page: int = PER_PAGE) -> Page:
    """The projects matching `filters`, newest year first, the county before its towns.

    Without a status filter: the decided projects (DECIDED) — or, when none matches but
    candidates do (a year whose vote is still to come), those candidates, the page saying so
    (`Page.fallback`, with the ballots listing them). With one: that status, "delayed" being
    the projects with a milestone overdue on `today`.
    """
    conditions = _list_conditions(filters, today, filters.status)
    total = db.session.scalar(select(func.count(Project.id)).where(*conditions))
    fallback = None
    if not total and not filters.status:
        coming = _list_conditions(filters, today, "candidate")
        total = db.session.scalar(select(func.count(Project.id)).where(*coming))
        if total:
            conditions, fallback = coming, "candidate"
    items = db.session.scalars(
        _with_card_data(select(Project).where(*conditions))
        .order_by(Project.year.desc(), Project.jurisdiction_id, Project.id)
        .limit(per_page).offset((filters.page - 1) * per_page)
    ).all()
    return Page(items=list(items), page=filters.page, per_page=per_page, total=total,
                delayed={p.id for p in items if is_delayed(p, today)},
                ratings=evaluation_figures([p.id for p in items]), fallback=fallback,
                ballots=ballots_listing([p.id for p in items]) if fallback else [])


def _list_conditions(filters: ProjectFilters, today: date, status: str | None) -> list:
    conditions = [public_clause()]
    if status == "delayed":
        conditions.append(overdue_clause(today))
    elif status:
        conditions.append(Project.status == status)
    else:
        conditions.append(Project.status.in_(DECIDED))
    if filters.year:
        conditions.append(Project.year == filters.year)
    if filters.jurisdiction:
        conditions.append(Project.jurisdiction_id == filters.jurisdiction)
    if filters.category:
        conditions.append(Project.category == filters.category)
    if filters.q:
        conditions.append(search_clause(filters.q))
    return conditions


def ballots_listing(project_ids: list[int]) -> list[Ballot]:
    """The ballots (drafts included: a ballot's definition is public) that list any of these
    projects, oldest first."""
    if not project_ids:
        return []
    return list(db.session.scalars(
        select(Ballot).where(Ballot.id.in_(select(BallotCandidate.ballot_id).where(
            BallotCandidate.project_id.in_(project_ids)))).order_by(Ballot.id)))


def _with_card_data(query):
    return query.options(selectinload(Project.jurisdiction), selectinload(Project.unit),
                         selectinload(Project.milestones))


def filter_choices() -> dict:
    """What the list's filters offer: years, jurisdictions (county first, then its towns) and
    categories that have public projects."""
    rows = db.session.execute(
        select(Project.year, Project.jurisdiction_id, Project.category).where(public_clause())
        .distinct()
    ).all()
    years = sorted({r.year for r in rows}, reverse=True)
    used = {r.jurisdiction_id for r in rows}
    categories = [c for c in CATEGORIES if c in {r.category for r in rows}]
    return {"years": years, "jurisdictions": [j for j in jurisdictions_in_order() if j.id in used],
            "categories": categories}


def jurisdictions_in_order() -> list[Jurisdiction]:
    """Every jurisdiction, each followed by its towns: 青川县, 青川县城关镇, 青川县河口镇, …"""
    everyone = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.id)).all()
    by_id = {j.id: j for j in everyone}

    def path(j: Jurisdiction) -> tuple:
        chain, node, seen = [], j, set()
        while node is not None and node.id not in seen:  # a cycle would be a data error
            seen.add(node.id)
            chain.append(node.id)
            node = by_id.get(node.parent_id)
        return tuple(reversed(chain))

    return sorted(everyone, key=path)


# ------------------------------------------------------------------------------ the front page

def current_year() -> int | None:
    """The latest year with decided projects (this year's, once its selection is published)."""
    return db.session.scalar(select(func.max(Project.year)).where(Project.status.in_(DECIDED)))


@dataclass
class YearSummary:
    """A year's figures: how many projects, how much money (万元), how far along."""

    year: int
    projects: int = 0
    budget_wan: Decimal = Decimal(0)
    spent_wan: Decimal = Decimal(0)
    completed: int = 0
    in_progress: int = 0
    delayed: int = 0

    @property
    def spent_percent(self) -> int:
        """Funds spent as a whole percent of the budget, 0–100."""
        return percent_of(self.spent_wan, self.budget_wan)


def percent_of(part: Decimal, whole: Decimal) -> int:
    """`part` as a whole percent of `whole`, kept within 0–100 (for a bar)."""
    if not whole or whole <= 0:
        return 0
    return max(0, min(100, round(part * 100 / whole)))


def year_overview(year: int, today: date) -> dict:
    """One year's decided projects grouped by jurisdiction (county first), and its figures.

    {"summary": YearSummary, "groups": [(Jurisdiction, [Project, …]), …], "delayed": {ids},
     "ratings": {id: evaluation figures}, "categories": [codes present],
     "selections": [(ballot id, title), …]}
    """
    projects = db.session.scalars(
        _with_card_data(select(Project).where(Project.year == year, Project.status.in_(DECIDED)))
        .order_by(Project.id)
    ).all()
    delayed = {p.id for p in projects if is_delayed(p, today)}
    summary = YearSummary(year=year, projects=len(projects),
                          budget_wan=sum((p.budget_wan for p in projects), Decimal(0)),
                          spent_wan=sum((p.funds_spent_wan or 0 for p in projects), Decimal(0)),
                          completed=sum(p.status == "completed" for p in projects),
                          in_progress=sum(p.status in UNDER_WAY for p in projects),
                          delayed=len(delayed))
    order = {j.id: n for n, j in enumerate(jurisdictions_in_order())}
    groups: dict[int, tuple] = {}
    for project in sorted(projects, key=lambda p: (order.get(p.jurisdiction_id, 0), p.id)):
        groups.setdefault(project.jurisdiction_id, (project.jurisdiction, []))[1].append(project)
    figures = selection_figures([p.id for p in projects])
    selections = sorted({(f["ballot_id"], f["ballot_title"]) for f in figures.values()})
    return {"summary": summary, "groups": list(groups.values()), "delayed": delayed,
            "ratings": evaluation_figures([p.id for p in projects]),
            "categories": [c for c in CATEGORIES if any(p.category == c for p in projects)],
            "selections": selections}


def other_years(year: int | None) -> list[tuple[int, int]]:
    """(year, number of decided projects) for every year but `year`, newest first."""
    rows = db.session.execute(
        select(Project.year, func.count(Project.id)).where(Project.status.in_(DECIDED))
        .group_by(Project.year).order_by(Project.year.desc())
    ).all()
    return [(y, n) for y, n in rows if y != year]


def sitting_ballots() -> list[Ballot]:
    """The ballots of each jurisdiction's latest sitting that has any, county first.

    Drafts included: their candidate lists are the coming vote (a ballot's definition is
    public). Candidates and their units are loaded with them.
    """
    latest = (
        select(Term.jurisdiction_id, func.max(CongressSession.starts_on).label("starts_on"))
        .join(CongressSession, CongressSession.term_id == Term.id)
        .join(Ballot, Ballot.session_id == CongressSession.id)
        .group_by(Term.jurisdiction_id).subquery()
    )
    ballots = db.session.scalars(
        select(Ballot).join(CongressSession, Ballot.session_id == CongressSession.id)
        .join(Term, CongressSession.term_id == Term.id)
        .join(latest, and_(latest.c.jurisdiction_id == Term.jurisdiction_id,
                           latest.c.starts_on == CongressSession.starts_on))
        .options(selectinload(Ballot.session).selectinload(CongressSession.term)
                 .selectinload(Term.jurisdiction),
                 selectinload(Ballot.candidates).selectinload(BallotCandidate.project)
                 .selectinload(Project.unit))
        .order_by(Ballot.id)
    ).all()
    order = {j.id: n for n, j in enumerate(jurisdictions_in_order())}
    return sorted(ballots, key=lambda b: (order.get(b.session.term.jurisdiction_id, 0), b.id))


def front_page(today: date) -> dict:
    """Everything the portal's front page shows (see the template public/home.html)."""
    year = current_year()
    overview = year_overview(year, today) if year else None
    return {"year": year, "overview": overview, "other_years": other_years(year),
            "ballots": sitting_ballots(), "choices": filter_choices()}


# ------------------------------------------------------------------------------ one project

def public_project(project_id: int) -> Project | None:
    """The project with everything its page shows, or None when it has no public page."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id, public_clause())
        .options(selectinload(Project.jurisdiction), selectinload(Project.unit),
                 selectinload(Project.milestones), selectinload(Project.notes),
                 selectinload(Project.updates).selectinload(ProgressUpdate.photos))
    )


def milestone_state(milestone: Milestone, today: date) -> str:
    """done | overdue | upcoming."""
    if milestone.done_on is not None:
        return "done"
    return "overdue" if milestone.is_overdue(today) else "upcoming"


def project_page(project: Project, today: date) -> dict:
    """The project's page: the project, its state on `today`, how it was voted and rated."""
    return {
        "project": project,
        "delayed": is_delayed(project, today),
        "spent_percent": percent_of(project.funds_spent_wan or Decimal(0), project.budget_wan),
        "milestones": [(m, milestone_state(m, today)) for m in project.milestones],
        "selection": selection_figures([project.id]).get(project.id),
        "evaluation": evaluation_figures([project.id]).get(project.id),
        "ballots": candidate_ballots(project) if project.status == "candidate" else [],
    }


def candidate_ballots(project: Project) -> list[Ballot]:
    """The ballots that list this project as a candidate, newest first."""
    return db.session.scalars(
        select(Ballot).join(BallotCandidate).where(BallotCandidate.project_id == project.id)
        .order_by(Ballot.id.desc())
    ).all()


# ------------------------------------------------------------------------------ photos

def photo_is_public(name: str) -> bool:
    """Whether `name` is a site photo or its thumbnail, of a project with a public page.

    Only names of the upload pipeline's form (`<32 hex>.jpg`, `<32 hex>_thumb.jpg`) can be:
    nothing else in the uploads folder (roster imports…) is ever served.
    """
    if not PHOTO_NAME.fullmatch(name):
        return False
    filename = name.removesuffix("_thumb.jpg").removesuffix(".jpg") + ".jpg"
    return db.session.scalar(
        select(Photo.id).join(ProgressUpdate).join(Project)
        .where(Photo.filename == filename, public_clause())
    ) is not None
