"""Building the demo rows from the texts in `data.py`, `history.py` and `roster.py`.

Each `add_*` function adds rows to the session and returns what the next step needs; nothing here
commits (`load_demo` does, once, at the end).
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from voting.demo import data, history, photos
from voting.demo.roster import county_roster, town_roster
from voting.extensions import db
from voting.models import (
    Ballot,
    BallotScrutineer,
    CongressSession,
    Delegation,
    Deputy,
    Jurisdiction,
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    Proposal,
    ResponsibleUnit,
    SupervisionNote,
    Term,
    User,
)
from voting.services import drafting
from voting.services import photos as site_photos
from voting.services.accounts import create_user
from voting.services.proposals import tracking_code

DIGITS = "零一二三四五六七八九"
SELECTION_COLOUR = "#c8102e"  # red slips for the vote on projects
EVALUATION_COLOUR = "#1f5fa8"  # blue slips for the evaluation, at the same sitting


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals, as in 第十八届, 第六次."""
    tens, ones = divmod(n, 10)
    if not tens:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def session_title(jurisdiction: str, term: int, number: int) -> str:
    return f"{jurisdiction}第{chinese_number(term)}届人民代表大会第{chinese_number(number)}次会议"


def add_roster(jurisdiction: Jurisdiction, people) -> None:
    """Delegations (代表团/代表小组) and deputies, in the order the roster lists them."""
    db.session.add(jurisdiction)
    db.session.flush()  # a deputy refers to its jurisdiction by id only
    delegations = {}
    for person in people:
        if person.group not in delegations:
            delegations[person.group] = Delegation(jurisdiction=jurisdiction, name=person.group)
            db.session.add(delegations[person.group])
        db.session.add(Deputy(jurisdiction_id=jurisdiction.id, delegation=delegations[person.group],
                              name=person.name, gender=person.gender, phone=person.phone,
                              occupation=person.occupation))


def add_county() -> tuple[Jurisdiction, CongressSession, dict[str, ResponsibleUnit], list]:
    """The county, its term and sessions, its 150-deputy roster and its responsible units."""
    county = Jurisdiction(name=data.COUNTY, level="county")
    term = Term(jurisdiction=county, **data.TERM)
    for number, starts_on, ends_on in data.COUNTY_SESSIONS:
        db.session.add(CongressSession(term=term, number=number, starts_on=starts_on,
                                       ends_on=ends_on, venue=data.COUNTY_VENUE,
                                       title=session_title(data.COUNTY, term.number, number)))
    people = county_roster()
    add_roster(county, people)
    units = {name: ResponsibleUnit(jurisdiction=county, name=name) for name in data.COUNTY_UNITS}
    db.session.add_all([county, term, *units.values()])
    db.session.flush()
    return county, term.sessions[-1], units, people


def add_towns(county: Jurisdiction, county_people) -> list[Jurisdiction]:
    """Two towns, each with its roster, current session, units and five candidate projects."""
    towns = []
    for spec in data.TOWNS:
        town = Jurisdiction(name=spec["name"], level="town", parent=county)
        term = Term(jurisdiction=town, number=spec["term"], start_year=2022, end_year=2027)
        db.session.add(CongressSession(
            term=term, number=spec["session"], starts_on=spec["starts_on"],
            ends_on=spec["starts_on"] + timedelta(days=1), venue=spec["venue"],
            title=session_title(spec["name"], spec["term"], spec["session"])))
        add_roster(town, town_roster(spec["place"], spec["groups"], spec["seed"], county_people))
        units = {name: ResponsibleUnit(jurisdiction=town, name=name) for name in spec["units"]}
        for title, category, unit, budget, location, summary, description in \
                data.TOWN_CANDIDATES[spec["name"]]:
            db.session.add(Project(
                jurisdiction=town, year=2027, title=title, category=category, unit=units[unit],
                budget_wan=Decimal(budget), funding_source="镇级财政+县级补助", location=location,
                summary=summary, description=description, planned_start=date(2027, 3, 1),
                planned_finish=date(2027, 10, 31), source="public", status="candidate"))
        db.session.add_all([town, term, *units.values()])
        towns.append(town)
    db.session.flush()
    return towns


def add_accounts(accounts, units: dict[str, ResponsibleUnit]) -> dict[str, User]:
    """The demo's staff accounts; scrutineers get their sealed signing keys from `create_user`."""
    users = {}
    for account in accounts:
        users[account.username] = create_user(
            account.username, account.role, account.password, display_name=account.display_name,
            unit=units.get(account.unit) if account.unit else None)
    db.session.flush()
    return users


def add_candidates(county: Jurisdiction, units: dict[str, ResponsibleUnit]) -> list[Project]:
    """The twelve 2027 candidates, in the order the ballot lists them."""
    projects = []
    for spec in data.COUNTY_CANDIDATES:
        projects.append(Project(
            jurisdiction=county, year=2027, title=spec["title"], category=spec["category"],
            unit=units[spec["unit"]], budget_wan=Decimal(spec["budget"]),
            funding_source=spec["funding"], location=spec["location"], summary=spec["summary"],
            description=spec["description"], planned_start=spec["start"],
            planned_finish=spec["finish"], source=spec["source"], status="candidate"))
    db.session.add_all(projects)
    db.session.flush()
    return projects


def add_ballots(session: CongressSession, candidates: list[Project], last_year: list[Project],
                scrutineers: list[tuple[User, bool]]) -> tuple[Ballot, Ballot]:
    """The selection ballot (12 for 10, more than half the roster) and the evaluation, as drafts."""
    selection = Ballot(session=session, kind="selection", title=data.SELECTION_TITLE, seats=10,
                       threshold_base="roster", threshold_num=1, threshold_den=2,
                       rules_text=data.SELECTION_RULES, colour=SELECTION_COLOUR, state="draft")
    evaluation = Ballot(session=session, kind="evaluation", title=data.EVALUATION_TITLE,
                        seats=None, rules_text=data.EVALUATION_RULES, colour=EVALUATION_COLOUR,
                        rectify_below_rate=Decimal(data.RECTIFY_BELOW_RATE), state="draft")
    for ballot, projects in ((selection, candidates), (evaluation, last_year)):
        drafting.list_in_order(ballot, projects)
        for user, chief in scrutineers:
            ballot.scrutineers.append(BallotScrutineer(user=user, chief=chief))
    db.session.add_all([selection, evaluation])
    db.session.flush()
    return selection, evaluation


def add_history(county: Jurisdiction, units: dict[str, ResponsibleUnit], authors: dict[str, User],
                clerk: User, today: date, uploads: Path, written: list[Path]) -> list[Project]:
    """Last year's eight projects with milestones, progress reports, photos and notes.

    `authors` maps a unit's name to its account (reports of other units have no author);
    every photo file written is appended to `written`, so that a failed load can remove it.
    """
    anchor = history.history_anchor(today)
    rng = random.Random(history.YEAR)  # noqa: S311 -- repeatable report times, not a secret
    projects = []
    for index, spec in enumerate(history.PROJECTS_2026):
        last = spec["updates"][-1]
        project = Project(
            jurisdiction=county, year=history.YEAR, title=spec["title"], category=spec["category"],
            unit=units[spec["unit"]], budget_wan=Decimal(spec["budget"]),
            funding_source=spec["funding"], location=spec["location"], summary=spec["summary"],
            description=spec["description"], planned_start=date(history.YEAR, 3, 1),
            planned_finish=date(history.YEAR, 12, 31), source="department",
            status=spec["status"], progress=last[1], funds_spent_wan=Decimal(last[2]))
        for title, due, done in spec["milestones"]:
            if done is None:  # not met yet: counted from today, so it stays due (or overdue)
                project.milestones.append(Milestone(title=title,
                                                    due_on=today + timedelta(days=due)))
            else:
                project.milestones.append(Milestone(title=title,
                                                    due_on=anchor + timedelta(days=due),
                                                    done_on=anchor + timedelta(days=done)))
        for days, percent, funds, narrative, photo in spec["updates"]:
            posted = datetime.combine(anchor - timedelta(days=days),
                                      time(rng.randint(9, 17), rng.randint(0, 59)))
            update = ProgressUpdate(posted_at=posted, percent=percent, narrative=narrative,
                                    funds_spent_wan=Decimal(funds),
                                    author=authors.get(spec["unit"]))
            if photo:
                update.photos.append(make_photo(photo, posted, index * 10 + percent, uploads,
                                                written))
            project.updates.append(update)
        for days, group, text in spec["notes"]:
            project.notes.append(SupervisionNote(inspected_on=anchor - timedelta(days=days),
                                                 group=group, text=text,
                                                 recorded_by_id=clerk.id))
        projects.append(project)
    db.session.add_all(projects)
    db.session.flush()
    return projects


def make_photo(photo: tuple[str, str], posted: datetime, seed: int, uploads: Path,
               written: list[Path]) -> Photo:
    """Draw and save one site photo (taken the day before its report) and return its row."""
    scene, caption = photo
    taken = (posted - timedelta(days=1)).replace(hour=10, minute=seed % 60)
    image = photos.draw_site_photo(scene, taken, seed)
    # The same re-encoding and thumbnail as an uploaded photo (services/photos.py).
    stored = site_photos.write_photos([site_photos.photo_from_pixels(image, caption)], uploads)[0]
    written.extend(stored.paths)
    return Photo(filename=stored.filename, width=stored.width, height=stored.height,
                 caption=caption)


def add_proposals(county: Jurisdiction, projects: list[Project], today: date) -> list[Proposal]:
    """Public proposals from the autumn call, in their different states, with tracking codes."""
    anchor = history.history_anchor(today)
    by_title = {project.title: project for project in projects}
    rows: dict[str, Proposal] = {}
    codes: set[str] = set()
    for spec in data.PROPOSALS:
        code = tracking_code()
        while code in codes:
            code = tracking_code()
        codes.add(code)
        submitted = datetime.combine(anchor - timedelta(days=spec["days_ago"]), time(20, 15))
        row = Proposal(
            jurisdiction=county, tracking_code=code, title=spec["title"],
            description=spec["description"], location=spec["location"],
            category=spec["category"], contact=spec["contact"], submitted_at=submitted,
            status=spec["status"], reply=spec["reply"],
            project=by_title.get(spec.get("project", "")))
        rows[spec["key"]] = row
        db.session.add(row)
    db.session.flush()
    for spec in data.PROPOSALS:
        if spec.get("merged_into"):
            rows[spec["key"]].merged_into_id = rows[spec["merged_into"]].id
    db.session.flush()
    return list(rows.values())
