"""Fixtures for the public portal: a county and a town with projects in every state.

`portal` builds, relative to today (so "delayed" means what it means on the day the tests run):

- 2026, 青川县: `late` (in progress, a milestone 10 days overdue, two reports — the older with a
  real JPEG photo, the newer a 整改 report — and a supervision note), `done` (completed),
  `not_selected`; 青川县河口镇: `town` (in progress, on time).
- 2025: `old` (completed, rated in a published evaluation, sent back for 整改).
- 2027: `candidate` (on a draft selection ballot), `loose` (candidate on no ballot),
  `library` (only in the project library, with a report and photo of its own).
- a published selection ballot that selected `late`, `done` and `town` (counted by the real
  counting rules), and the published evaluation of `old`.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image

from voting.domain import counting
from voting.extensions import db
from voting.models import (
    Ballot,
    BallotCandidate,
    CongressSession,
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    SupervisionNote,
)
from voting.services.ballots import build_definition


def write_jpeg(folder: Path, colour=(90, 140, 200)) -> tuple[str, Path, Path]:
    """A real JPEG and its thumbnail as the upload pipeline names them: (name, full, thumb)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(16)
    full, thumb = folder / f"{stem}.jpg", folder / f"{stem}_thumb.jpg"
    Image.new("RGB", (64, 48), colour).save(full, "JPEG")
    Image.new("RGB", (32, 24), colour).save(thumb, "JPEG")
    return full.name, full, thumb


def uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def add_photo(update: ProgressUpdate, caption: str) -> Photo:
    name, _full, _thumb = write_jpeg(uploads())
    photo = Photo(filename=name, width=64, height=48, caption=caption)
    update.photos.append(photo)
    return photo


def publish(ballot: Ballot, marks: list[str], *, roster: int, present: int,
            rectify_below_rate=None) -> dict:
    """Count `marks` (one string per ballot, one letter per candidate: F for, A against,
    S satisfied, B basically satisfied, D dissatisfied, . abstain) with the real counting rules
    and store the result as published."""
    words = {"F": "for", "A": "against", "S": "satisfied", "B": "basically_satisfied",
             "D": "dissatisfied", ".": "abstain"}
    if rectify_below_rate is not None:
        ballot.rectify_below_rate = Decimal(rectify_below_rate)
    definition = build_definition(ballot)
    ids = [c["id"] for c in definition["candidates"]]
    cast = [{"id": secrets.token_hex(16),
             "choices": {cid: words[m] for cid, m in zip(ids, letters, strict=True)}}
            for letters in marks]
    result = counting.tally(definition, cast, roster=roster, present=present, issued=len(cast))
    ballot.definition = counting.canonical(definition).decode()
    ballot.result = counting.canonical(result).decode()
    ballot.state = "published"
    ballot.published_at = datetime.now()
    ballot.roster_count, ballot.present_count = roster, present
    db.session.flush()
    return result


@dataclass
class Portal:
    county: object
    town: object
    late: Project
    done: Project
    not_selected: Project
    town_project: Project
    old: Project
    candidate: Project
    loose: Project
    library: Project
    selection: Ballot
    evaluation: Ballot
    draft: Ballot
    photo: Photo
    library_photo: Photo


@pytest.fixture
def portal(make):
    today = date.today()
    county = make.jurisdiction(name="青川县")
    town = make.jurisdiction(name="青川县河口镇", level="town", parent=county)
    edu = make.unit(county, name="县教育局")
    health = make.unit(county, name="县卫生健康局")
    water = make.unit(town, name="河口镇村镇建设服务中心")

    late = make.project(
        county, year=2026, title="县城第三小学扩建工程", category="education", unit=edu,
        status="in_progress", budget_wan=Decimal("5600"), funds_spent_wan=Decimal("4310"),
        progress=78, location="城关镇北坝社区", summary="新建综合教学楼和风雨操场",
        description="项目新建综合教学楼1栋、风雨操场1座，建成后新增学位900个。",
        funding_source="县级财政", planned_start=date(2026, 3, 1),
        planned_finish=date(2026, 12, 31))
    late.milestones += [
        Milestone(title="完成施工招标", due_on=today - timedelta(days=200),
                  done_on=today - timedelta(days=203)),
        Milestone(title="室内装修完成", due_on=today - timedelta(days=10)),
        Milestone(title="竣工验收", due_on=today + timedelta(days=30)),
    ]
    first = ProgressUpdate(posted_at=datetime.now() - timedelta(days=100), percent=46,
                           funds_spent_wan=Decimal("2460"), narrative="主体施工至第四层。")
    second = ProgressUpdate(posted_at=datetime.now() - timedelta(days=5), percent=78,
                            kind="rectification", funds_spent_wan=Decimal("4310"),
                            narrative="按视察意见加快消防设计变更报审。")
    late.updates += [first, second]
    photo = add_photo(first, "综合教学楼主体施工")
    late.notes.append(SupervisionNote(inspected_on=today - timedelta(days=20),
                                      group="第二代表监督小组", text="建议尽快完成变更报审。"))

    done = make.project(county, year=2026, title="乡镇卫生院服务能力提升", category="health",
                        unit=health, status="completed", progress=100,
                        budget_wan=Decimal("1280"), funds_spent_wan=Decimal("1236"))
    done.milestones.append(Milestone(title="项目验收", due_on=today - timedelta(days=50),
                                     done_on=today - timedelta(days=48)))
    not_selected = make.project(county, year=2026, title="城区停车场建设", category="transport",
                                status="not_selected", budget_wan=Decimal("900"))
    town_project = make.project(town, year=2026, title="镇区供水管网改造", category="water",
                                unit=water, status="in_progress", progress=40,
                                budget_wan=Decimal("180"), funds_spent_wan=Decimal("60"),
                                location="河口镇柳湾村")
    town_project.milestones.append(Milestone(title="管网铺设完成",
                                             due_on=today + timedelta(days=20)))
    old = make.project(county, year=2025, title="农村生活污水处理设施建设",
                       category="environment", status="completed", progress=100,
                       budget_wan=Decimal("2100"), funds_spent_wan=Decimal("2050"),
                       rectification=True, completion="basically_met")
    candidate = make.project(county, year=2027, title="城区公办幼儿园建设项目",
                             category="education", unit=edu, status="candidate",
                             budget_wan=Decimal("4650"))
    loose = make.project(town, year=2027, title="镇区路灯更新", category="safety",
                         status="candidate")
    library = make.project(county, year=2026, title="仅在项目库中的项目", category="market",
                           status="library")
    hidden = ProgressUpdate(posted_at=datetime.now(), percent=5, narrative="不公开的报告。")
    library.updates.append(hidden)
    library_photo = add_photo(hidden, "不公开的照片")

    session = make.session(county, number=5, title="青川县第十八届人民代表大会第五次会议",
                           starts_on=date(2026, 1, 13), ends_on=date(2026, 1, 16))
    selection = make.ballot(session=session, candidates=0, title="青川县2026年民生实事项目票决",
                            seats=3)
    for position, project in enumerate((late, done, town_project, not_selected)):
        selection.candidates.append(BallotCandidate(project=project, position=position))
    publish(selection, ["FF.F"] * 2 + ["FFFA"] * 5 + ["FAFA", "FF.."], roster=10, present=9)
    evaluation = make.ballot(session=session, candidates=0, kind="evaluation", seats=None,
                             title="青川县2025年民生实事项目满意度测评")
    evaluation.candidates.append(BallotCandidate(project=old, position=0))
    publish(evaluation, ["S"] * 3 + ["B"] * 2 + ["D"] * 4, roster=10, present=9,
            rectify_below_rate="0.85")

    current = CongressSession(term=session.term, number=6, starts_on=date(2027, 1, 12),
                              ends_on=date(2027, 1, 15),
                              title="青川县第十八届人民代表大会第六次会议")
    draft = make.ballot(session=current, candidates=0, title="青川县2027年民生实事项目票决",
                        seats=1)
    draft.candidates.append(BallotCandidate(project=candidate, position=0))
    db.session.commit()
    return Portal(county, town, late, done, not_selected, town_project, old, candidate, loose,
                  library, selection, evaluation, draft, photo, library_photo)


def text_of(response) -> str:
    return response.get_data(as_text=True)
