"""`voting project note|delayed|update`: supervision notes, the overview, reports in bulk."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from tests.cli.conftest import database_rows, refused
from voting.extensions import db
from voting.models import Milestone, Project, SupervisionNote

TODAY = date.today()


@pytest.fixture
def county(make):
    return make.jurisdiction(name="青川县")


@pytest.fixture
def edu(make, county):
    return make.unit(county, name="县教育局")


@pytest.fixture
def school(make, county, edu):
    """县教育局's project, 40 % done, with a milestone due next month."""
    project = make.project(county, unit=edu, status="in_progress", year=2026, progress=40,
                           title="城区新建公办幼儿园2所", budget_wan=Decimal("4800"))
    project.milestones.append(Milestone(title="主体完工", due_on=TODAY + timedelta(days=30)))
    return project


@pytest.fixture
def clerk(make):
    return make.user("clerk", username="wangli")


def photo_file(folder, name="site.jpg") -> str:
    path = folder / name
    Image.new("RGB", (640, 480), (200, 120, 40)).save(path, "JPEG")
    return str(path)


def files_under(folder) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------------ notes

def test_note_records_a_supervision_groups_findings(run, school, clerk):
    result = run("project", "note", school.id, "--group", "第三代表监督小组",
                 "--date", (TODAY - timedelta(days=2)).isoformat(),
                 "--text", "施工围挡不规范，请整改。", "--as", "wangli")
    assert result.exit_code == 0, result.output
    assert "已记录第三代表监督小组的视察意见" in result.stdout
    note = db.session.scalar(db.select(SupervisionNote))
    assert (note.project_id, note.inspected_on, note.group, note.text, note.recorded_by_id) == \
        (school.id, TODAY - timedelta(days=2), "第三代表监督小组", "施工围挡不规范，请整改。",
         clerk.id)


def test_note_text_from_stdin_dated_today_by_default(run, school, clerk):
    result = run("project", "note", school.id, "--group", "第一代表监督小组", "--text-file", "-",
                 "--as", "wangli", input="一、进度正常。\n二、注意雨季安全。\n")
    assert result.exit_code == 0, result.output
    note = db.session.scalar(db.select(SupervisionNote))
    assert (note.inspected_on, note.text) == (TODAY, "一、进度正常。\n二、注意雨季安全。")


@pytest.mark.parametrize("args, message", [
    (["--date", (TODAY + timedelta(days=1)).isoformat()], "视察日期不能晚于今天。"),
    (["--date", "2026-13-01"], "--date: 日期格式不正确，应为“年-月-日”，如 2027-03-01。"),
    (["--as", "unit-edu"], "账号“unit-edu”的角色不能进行此操作。"),
    (["--as", "nobody"], "找不到用户“nobody”。"),
    (["--text", "  "], "--text: 请填写视察意见。"),
    (["--text", "意" * 4001], "--text: 不能超过4000个字。"),
    (["--text", "有\x00字"], "输入中含有不允许的字符。"),
])
def test_note_refusals_change_nothing(run, school, clerk, make, edu, args, message):
    make.user("unit", username="unit-edu", unit=edu)
    before = database_rows()
    # A repeated option counts with its last value: each case overrides one good value.
    assert refused(run("project", "note", school.id, "--group", "第一代表监督小组",
                       "--text", "进度正常。", "--as", "wangli", *args)) == message
    assert database_rows() == before


def test_no_note_on_a_project_not_decided_by_a_vote(run, make, county, clerk):
    library = make.project(county, status="library")
    before = database_rows()
    for project_id in (library.id, 99_999):
        assert refused(run("project", "note", project_id, "--group", "组", "--text", "意见",
                           "--as", "wangli")) == "找不到该项目，或该项目尚未经票决确定实施。"
    assert database_rows() == before


def test_note_text_from_a_file_with_a_nul_byte_is_refused(run, school, clerk):
    before = database_rows()
    assert refused(run("project", "note", school.id, "--group", "组", "--text-file", "-",
                       "--as", "wangli", input="意见\x00")) == "输入中含有不允许的字符。"
    assert database_rows() == before


# ------------------------------------------------------------------------------ overview

def test_delayed_lists_the_delayed_first(run, make, county, edu, school):
    late = make.project(county, unit=edu, status="in_progress", year=2026, progress=90,
                        title="乡镇卫生院改造")
    late.milestones.append(Milestone(title="设备安装", due_on=TODAY - timedelta(days=3)))
    make.project(county, status="in_progress", year=2025, title="去年的项目")
    make.project(county, status="library", year=2026, title="库里的项目")
    rows = json.loads(run("project", "delayed", "--json").stdout)
    assert [r["title"] for r in rows] == ["乡镇卫生院改造", "城区新建公办幼儿园2所"]
    assert rows[0]["delayed"] and rows[0]["overdue"] == [
        {"title": "设备安装", "due_on": (TODAY - timedelta(days=3)).isoformat()}]
    assert rows[1]["next_due"]["title"] == "主体完工" and not rows[1]["delayed"]
    only = json.loads(run("project", "delayed", "--show", "delayed", "--json").stdout)
    assert [r["id"] for r in only] == [late.id]
    every_year = run("project", "delayed", "--year", "all")
    assert "去年的项目" in every_year.stdout and "库里的项目" not in every_year.stdout
    assert "共3个项目，滞后1个。" in every_year.stdout


def test_delayed_refuses_a_year_that_is_no_year(run, school):
    for year in ("二〇二六", "２０２６", "1999", "99999999999999999999"):
        assert refused(run("project", "delayed", "--year", year)) == \
            "年度应为2000到2100之间的数字，或 all。"


# ------------------------------------------------------------------------------ reports

@pytest.fixture
def edu_account(make, edu):
    return make.user("unit", username="unit-edu", unit=edu)


def test_update_posts_a_report_with_photos_as_the_unit(run, school, edu_account, instance,
                                                       tmp_path):
    result = run("project", "update", school.id, "--percent", "55", "--funds", "2100.5",
                 "--narrative", "主体结构封顶。", "--photo", photo_file(tmp_path),
                 "--caption", "主体封顶", "--as", "unit-edu")
    assert result.exit_code == 0, result.output
    assert "已报告进度（55%，照片1张）" in result.stdout
    project = db.session.get(Project, school.id)
    update = project.updates[0]
    assert (project.progress, project.funds_spent_wan) == (55, Decimal("2100.50"))
    assert (update.author_id, update.narrative, update.kind) == \
        (edu_account.id, "主体结构封顶。", "progress")
    assert [p.caption for p in update.photos] == ["主体封顶"]
    assert {f"{update.photos[0].filename}"} <= files_under(instance / "uploads")


@pytest.mark.parametrize("args, message", [
    (["--percent", "30"], "完成进度是累计数，不能低于上次报告的40%；遇到反复请在进展情况中说明。"),
    (["--percent", "101"], "--percent: 应在0到100之间。"),
    (["--funds", "9000"], "累计完成投资9,000万元超过总投资4,800万元的120%，请核对单位（万元）。"),
    (["--narrative", ""], "--narrative: 请填写进展情况。"),
    (["--as", "unit-road"], "只有本项目的承办单位才能报告进度和维护节点。"),
    (["--as", "wangli"], "账号“wangli”的角色不能进行此操作。"),
    (["--rectification"], "该项目没有整改要求，不能报告整改情况。"),
    (["--caption", "多出来的说明", "--caption", "又一条"], "填写了照片说明，但没有选择照片。"),
])
def test_update_refusals_change_nothing(run, school, edu_account, make, county, clerk, instance,
                                        args, message):
    make.user("unit", username="unit-road", unit=make.unit(county, name="县交通运输局"))
    before, files = database_rows(), files_under(instance)
    assert refused(run("project", "update", school.id, "--percent", "60",
                       "--narrative", "进展顺利。", "--as", "unit-edu", *args)) == message
    assert database_rows() == before and files_under(instance) == files


def test_one_bad_photo_stores_none(run, school, edu_account, instance, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a photo at all")
    before, files = database_rows(), files_under(instance)
    message = refused(run("project", "update", school.id, "--percent", "60", "--narrative", "好",
                          "--photo", photo_file(tmp_path), "--photo", str(broken),
                          "--as", "unit-edu"))
    assert message.startswith("第2张照片：")
    assert database_rows() == before and files_under(instance) == files


# ------------------------------------------------------------------------------ rectification

@pytest.fixture
def flagged(make, school):
    """The school, finished, sent back for 整改 by an evaluation published ten days ago."""
    from datetime import datetime

    from voting.models import BallotCandidate

    school.status, school.progress, school.rectification = "completed", 100, True
    evaluation = make.ballot(kind="evaluation", seats=None, candidates=0, state="published",
                             published_at=datetime.now() - timedelta(days=10))
    evaluation.candidates.append(BallotCandidate(project=school, position=0))
    return school


def test_a_rectification_report_and_a_clerks_confirmation(run, flagged, edu_account, clerk):
    result = run("project", "update", flagged.id, "--rectification", "--percent", "60",
                 "--narrative", "增设临时停车区。", "--as", "unit-edu")
    assert result.exit_code == 0, result.output
    project = db.session.get(Project, flagged.id)
    assert (project.progress, project.rectification_progress) == (100, 60)
    assert refused(run("project", "rectified", flagged.id, "--as", "unit-edu")) == \
        "账号“unit-edu”的角色不能进行此操作。"
    day = (TODAY - timedelta(days=1)).isoformat()
    result = run("project", "rectified", flagged.id, "--date", day, "--as", "wangli")
    assert result.exit_code == 0, result.output
    assert f"已确认整改完成（{day}）" in result.stdout
    project = db.session.get(Project, flagged.id)
    assert (project.rectification, project.rectified_on.isoformat()) == (False, day)
    rows = json.loads(run("project", "delayed", "--year", "all", "--show", "rectified",
                          "--json").stdout)
    assert [(r["id"], r["rectification_status"], r["rectified_on"]) for r in rows] == \
        [(flagged.id, "completed", day)]


@pytest.mark.parametrize("args, message", [
    (["--date", (TODAY + timedelta(days=1)).isoformat()], "整改完成日期不能晚于今天。"),
    (["--date", "2026-02-30"], "--date: 日期格式不正确，应为“年-月-日”，如 2027-03-01。"),
    (["--as", "nobody"], "找不到用户“nobody”。"),
])
def test_rectified_refusals_change_nothing(run, flagged, edu_account, clerk, args, message):
    assert run("project", "update", flagged.id, "--rectification", "--percent", "100",
               "--narrative", "整改完成。", "--as", "unit-edu").exit_code == 0
    before = database_rows()
    assert refused(run("project", "rectified", flagged.id, "--as", "wangli", *args)) == message
    assert database_rows() == before


def test_rectified_only_under_rectification_and_after_a_report(run, flagged, clerk):
    before = database_rows()
    assert refused(run("project", "rectified", flagged.id, "--as", "wangli")) == \
        "承办单位还没有报告整改情况，不能确认整改完成。"
    assert database_rows() == before
    db.session.get(Project, flagged.id).rectification = False
    db.session.commit()
    before = database_rows()
    assert refused(run("project", "rectified", flagged.id, "--as", "wangli")) == \
        "该项目没有正在进行的整改，不能确认整改完成。"
    assert database_rows() == before
