"""Open data (公开数据): the public projects as records, for `/api/v1/projects` (JSON and CSV).

Which projects are public: exactly those with a page on the portal (`portal.public_clause`):
status 票决入选, 未入选, 实施中 or 已完成, and 候选 while on a ballot (whose definition is public).
Entries of the project library (入库) are the clerks' working list and stay out.

A record holds the contract's fields (CONTRACT.md) and a few more, never fewer:

    {"id": 27, "title": "县城第三小学扩建工程", "category": "education", "unit": "县教育局",
     "budget_wan": "5600",            # 万元, a decimal string as in /api/v1/ballots/<id>
     "year": 2026, "status": "in_progress", "progress": 78,   # percent, 0–100
     "ballot_id": 7,                  # the selection ballot that decided it (else the one it
                                      # is a candidate on), or null
     "evaluation": null or {"satisfied", "basically_satisfied", "dissatisfied", "abstain",
                            "rate" (0–1), "grade", "rectify", "ballot_id"},
     # extensions:
     "jurisdiction": "青川县", "jurisdiction_id": 1, "category_label": "教育",
     "status_label": "实施中", "funds_spent_wan": "4310", "delayed": true,
     "rectification": false,          # 整改 under way (ordered, not yet confirmed complete)
     "rectification_status": null or "under_way" or "completed",
     "rectification_progress": null or 0–100,   # percent of the 整改 reported by the unit
     "rectified_on": null or "2026-09-30",      # 整改完成, as confirmed by a clerk
     "completion": null,
     "votes": null or {"for", "against", "abstain", "threshold", "rank", "selected"},
     "url": "https://…/projects/27"}  # when the caller gives `base_url`

Filters (`parse_filters`): `year` (a year, e.g. 2026), `status` (one or several codes of
`PUBLIC_STATUSES`, comma-separated), `jurisdiction` (an id, or the exact name such as 青川县;
that jurisdiction only, not its towns). Anything else answers 400 with a message in the
user's language.
"""

import csv
import io
import json
from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from voting.errors import InvalidRequest, NotFound
from voting.extensions import db
from voting.models import Ballot, BallotCandidate, Jurisdiction, ProgressUpdate, Project
from voting.office.labels import CATEGORY, PROJECT_STATUS
from voting.services.ballots import decimal_text
from voting.services.outcomes import evaluation_figures, selection_figures
from voting.services.portal import public_clause
from voting.services.progress import rectification_status

PUBLIC_STATUSES = ("candidate", "selected", "not_selected", "in_progress", "completed")
YEARS = range(1949, 2200)  # a filter outside these is a typo, not a question

# The same words as the office and the portal use (one list of labels).
CATEGORY_LABELS = CATEGORY
STATUS_LABELS = PROJECT_STATUS
EVALUATION_KEYS = ("satisfied", "basically_satisfied", "dissatisfied", "abstain", "rate")


# ---------------------------------------------------------------- filters


def parse_filters(args: Mapping[str, str]) -> dict:
    """{"year": int|None, "status": tuple|None, "jurisdiction": Jurisdiction|None} from the
    query string. Raises InvalidRequest (400) for a value that is not a filter."""
    return {"year": _year(args.get("year")), "status": _statuses(args.get("status")),
            "jurisdiction": find_jurisdiction(args.get("jurisdiction"))}


def _year(text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and int(text) in YEARS):
        raise InvalidRequest(_("年度应为四位数字的年份，例如 2026。"), field="year")
    return int(text)


def _statuses(text: str | None) -> tuple[str, ...] | None:
    if text is None or text.strip() == "":
        return None
    wanted = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not wanted or any(code not in PUBLIC_STATUSES for code in wanted):
        raise InvalidRequest(_("状态只能是 %(codes)s 之一（可用逗号分隔多个）。",
                               codes=", ".join(PUBLIC_STATUSES)), field="status")
    return wanted


def find_jurisdiction(text: str | None) -> Jurisdiction | None:
    """The jurisdiction named by `text`: its id (digits) or its exact name; None when `text`
    is empty. Raises InvalidRequest when there is no such jurisdiction."""
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    found = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found = db.session.get(Jurisdiction, int(text))
    elif len(text) <= 80:
        found = db.session.scalar(select(Jurisdiction).filter_by(name=text))
    if found is None:
        raise InvalidRequest(_("没有这个行政区：请填写行政区的编号或全称，例如“青川县”。"),
                             field="jurisdiction")
    return found


# ---------------------------------------------------------------- the records


def public_projects(*, year: int | None = None, status: tuple[str, ...] | None = None,
                    jurisdiction: Jurisdiction | None = None) -> list[Project]:
    """The public projects matching the filters, newest year first, then in library order."""
    query = (select(Project).where(public_clause(), Project.status.in_(status or PUBLIC_STATUSES))
             .options(selectinload(Project.unit), selectinload(Project.jurisdiction),
                      selectinload(Project.milestones))
             .order_by(Project.year.desc(), Project.jurisdiction_id, Project.id))
    if year is not None:
        query = query.where(Project.year == year)
    if jurisdiction is not None:
        query = query.where(Project.jurisdiction_id == jurisdiction.id)
    return list(db.session.scalars(query))


def project_records(projects: list[Project], today: date,
                    base_url: str | None = None) -> list[dict]:
    """One record per project (module doc), in the given order; a few queries in all.
    With `base_url` (the site's root, ending in /), each record ends with its page's `url`."""
    ids = [p.id for p in projects]
    votes, ratings, ballots = selection_figures(ids), evaluation_figures(ids), _ballot_of(ids)
    records = [_record(p, today, votes.get(p.id), ratings.get(p.id), ballots.get(p.id))
               for p in projects]
    if base_url is not None:
        for record in records:
            record["url"] = f"{base_url}projects/{record['id']}"
    return records


def _record(project: Project, today: date, votes, rating, ballot_id) -> dict:
    evaluation = None
    if rating is not None:
        evaluation = {**{key: rating[key] for key in EVALUATION_KEYS},
                      "grade": rating["grade"], "rectify": rating["rectify"],
                      "ballot_id": rating["ballot_id"]}
    return {
        "id": project.id, "title": project.title, "category": project.category,
        "unit": project.unit.name if project.unit else "",
        "budget_wan": decimal_text(project.budget_wan), "year": project.year,
        "status": project.status, "progress": project.progress,
        "ballot_id": votes["ballot_id"] if votes else ballot_id,
        "evaluation": evaluation,
        "jurisdiction": project.jurisdiction.name, "jurisdiction_id": project.jurisdiction_id,
        "category_label": str(CATEGORY_LABELS.get(project.category, project.category)),
        "status_label": str(STATUS_LABELS.get(project.status, project.status)),
        "funds_spent_wan": decimal_text(project.funds_spent_wan),
        "delayed": project.is_delayed(today), "rectification": bool(project.rectification),
        "rectification_status": (state := rectification_status(project)),
        "rectification_progress": project.rectification_progress if state else None,
        "rectified_on": project.rectified_on.isoformat() if state == "completed" else None,
        "completion": project.completion,
        "votes": {key: votes[key] for key in ("for", "against", "abstain", "threshold", "rank",
                                              "selected")} if votes else None,
    }


def _ballot_of(ids: list[int]) -> dict[int, int]:
    """{project id: the latest selection ballot listing it}, whatever its state."""
    rows = db.session.execute(
        select(BallotCandidate.project_id, Ballot.id)
        .join(Ballot, Ballot.id == BallotCandidate.ballot_id)
        .where(Ballot.kind == "selection", BallotCandidate.project_id.in_(ids))
        .order_by(Ballot.id)
    ).all() if ids else []
    return dict(rows)  # later ballots overwrite earlier ones


# ---------------------------------------------------------------- CSV

# The default header row: the JSON record's keys in its order, the nested objects flattened
# ("evaluation.satisfied", "votes.for"; a null object gives empty cells). Cells as in the JSON:
# numbers as written there, true/false, null empty.
NESTED = {"evaluation": ("satisfied", "basically_satisfied", "dissatisfied", "abstain", "rate",
                         "grade", "rectify", "ballot_id"),
          "votes": ("for", "against", "abstain", "threshold", "rank", "selected")}
RECORD_KEYS = (
    "id", "title", "category", "unit", "budget_wan", "year", "status", "progress", "ballot_id",
    "evaluation", "jurisdiction", "jurisdiction_id", "category_label", "status_label",
    "funds_spent_wan", "delayed", "rectification", "rectification_status",
    "rectification_progress", "rectified_on", "completion", "votes", "url",
)
CSV_KEYS = tuple(column for key in RECORD_KEYS
                 for column in ([f"{key}.{sub}" for sub in NESTED[key]] if key in NESTED
                                else [key]))

# `?header=labels`: the people's spreadsheet, a header row in the caller's language, 是/否.
# (column, header): the column is a CSV_KEYS name.
CSV_COLUMNS = (
    ("id", _l("编号")), ("title", _l("项目名称")), ("category", _l("类别代码")),
    ("category_label", _l("类别")), ("unit", _l("承办单位")),
    ("budget_wan", _l("总投资（万元）")), ("year", _l("年度")), ("status", _l("状态代码")),
    ("status_label", _l("状态")), ("progress", _l("进度（%）")),
    ("funds_spent_wan", _l("已支付资金（万元）")), ("delayed", _l("是否滞后")),
    ("jurisdiction", _l("行政区")), ("ballot_id", _l("票决编号")),
    ("evaluation.satisfied", _l("满意票")), ("evaluation.basically_satisfied", _l("基本满意票")),
    ("evaluation.dissatisfied", _l("不满意票")), ("evaluation.abstain", _l("测评弃权票")),
    ("evaluation.rate", _l("满意率")), ("rectification", _l("是否整改")),
    ("rectified_on", _l("整改完成日期")),
)
HEADERS = ("keys", "labels")
FORMULA_MARKS = ("=", "+", "-", "@", "\t", "\r")


def csv_header(text: str | None) -> str:
    """`?header=`: "keys" (the default: the JSON keys) or "labels"; else InvalidRequest."""
    if text is None or text.strip() == "":
        return "keys"
    if text.strip() not in HEADERS:
        raise InvalidRequest(_("header 只能是 keys（默认：表头为JSON的字段名）"
                               "或 labels（表头为文字说明）。"), field="header")
    return text.strip()


def _guarded(text: str) -> str:
    """Text that a spreadsheet would read as a formula (= + - @ …) behind an apostrophe."""
    return "'" + text if text.startswith(FORMULA_MARKS) else text


def csv_cell(value) -> str:
    """A value as Excel should show it and never run: None → "", booleans → 是/否, formulas
    guarded (`_guarded`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return _guarded(value) if isinstance(value, str) else str(value)


def csv_data_cell(value) -> str:
    """A value as the JSON writes it: None → "", true/false, numbers as in JSON; text as it is,
    formulas guarded."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return _guarded(str(value))


def csv_value(record: dict, column: str):
    """The record's value for a CSV_KEYS column ("evaluation.rate" looks inside)."""
    if "." in column:
        parent, key = column.split(".", 1)
        inner = record.get(parent)
        return inner[key] if inner else None
    return record.get(column)


def records_csv(records: list[dict], header: str = "keys") -> bytes:
    """The records as CSV for Excel: UTF-8 with BOM, CRLF. `header` "keys": every field, the
    JSON's keys as the header row; "labels": the usual columns under headers in the user's
    language, booleans as 是/否."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header == "labels":
        writer.writerow(str(label) for _column, label in CSV_COLUMNS)
        for record in records:
            writer.writerow(csv_cell(csv_value(record, column)) for column, _label in CSV_COLUMNS)
    else:
        writer.writerow(CSV_KEYS)
        for record in records:
            writer.writerow(csv_data_cell(csv_value(record, column)) for column in CSV_KEYS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- the progress feed


def latest_updates(*, jurisdiction: Jurisdiction | None = None, project: Project | None = None,
                   limit: int = 50) -> list[ProgressUpdate]:
    """The latest progress and rectification reports (进度、整改) of public projects, newest
    first; of one jurisdiction or one project when given."""
    query = (select(ProgressUpdate).join(Project, Project.id == ProgressUpdate.project_id)
             .where(public_clause())
             .options(selectinload(ProgressUpdate.project).selectinload(Project.unit),
                      selectinload(ProgressUpdate.project).selectinload(Project.jurisdiction))
             .order_by(ProgressUpdate.posted_at.desc(), ProgressUpdate.id.desc()).limit(limit))
    if jurisdiction is not None:
        query = query.where(Project.jurisdiction_id == jurisdiction.id)
    if project is not None:
        query = query.where(Project.id == project.id)
    return list(db.session.scalars(query))


def find_public_project(text: str | None) -> Project | None:
    """The public project whose id is `text`; None when `text` is empty. Raises InvalidRequest
    (400) for what is not an id, NotFound (404) for a project that is not public."""
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise InvalidRequest(_("项目编号应为数字。"), field="project")
    project = db.session.scalar(select(Project).where(Project.id == int(text), public_clause()))
    if project is None:
        raise NotFound(_("找不到该项目。"))
    return project
