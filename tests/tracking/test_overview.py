"""What the clerks see: delays first, rectification next; supervision notes; who may look."""

import re
from datetime import datetime, timedelta

import pytest

from tests.tracking.conftest import TODAY, count, jpeg
from voting.extensions import db
from voting.models import Milestone, ProgressUpdate, SupervisionNote
from voting.services import progress


@pytest.fixture
def clerk(auth):
    return auth.login("clerk")


def with_milestone(project, due_in_days: int, done: bool = False):
    due = TODAY + timedelta(days=due_in_days)
    project.milestones.append(Milestone(title="主体完工", due_on=due,
                                        done_on=due if done else None))
    db.session.commit()
    return project


@pytest.mark.parametrize(("due_in_days", "done", "delayed"), [
    (-1, False, True),  # the date has passed, not met: delayed
    (-1, True, False),  # met: not delayed
    (0, False, False),  # due today: not delayed yet
    (5, False, False),
])
def test_a_missed_milestone_makes_the_project_delayed_everywhere(
        client, make, county, edu, auth, due_in_days, done, delayed):
    project = with_milestone(make.project(county, unit=edu, status="in_progress",
                                          year=TODAY.year, title="乡镇卫生院改造"),
                             due_in_days, done)
    assert project.is_delayed(TODAY) is delayed
    pages = ("/office/tracking/", f"/office/tracking/projects/{project.id}")
    auth.login("clerk")
    for url in pages:
        assert ("progress--delayed" in client.get(url).get_data(as_text=True)) is delayed, url
    auth.logout()
    auth.login("unit", unit=edu)
    for url in ("/office/", *pages):
        assert ("progress--delayed" in client.get(url).get_data(as_text=True)) is delayed, url
    assert ("进度滞后：" in client.get(pages[1]).get_data(as_text=True)) is delayed


def test_the_overview_lists_delayed_first_then_rectification_then_least_advanced(
        client, clerk, make, county, edu):
    def add(title, progress_, late=False, rectify=False):
        project = make.project(county, unit=edu, status="in_progress", year=TODAY.year,
                               title=title, progress=progress_, rectification=rectify)
        return with_milestone(project, -7 if late else 20)

    add("甲·进度90", 90)
    add("乙·滞后进度60", 60, late=True)
    add("丙·整改进度100", 100, rectify=True)
    add("丁·进度20", 20)
    add("戊·滞后进度10", 10, late=True)
    make.project(county, unit=edu, status="candidate", year=TODAY.year, title="己·候选项目")
    expected = ["戊·滞后进度10", "乙·滞后进度60", "丙·整改进度100", "丁·进度20", "甲·进度90"]

    assert [r.project.title for r in progress.overview(TODAY, year=TODAY.year)] == expected
    page = client.get("/office/tracking/").get_data(as_text=True)
    shown = re.findall(r'/office/tracking/projects/\d+">([^<]+)</a>', page)
    assert shown == expected
    assert "已逾期7天" in page

    delayed = client.get("/office/tracking/?show=delayed").get_data(as_text=True)
    assert re.findall(r'/office/tracking/projects/\d+">([^<]+)</a>', delayed) == expected[:2]
    rectify = client.get("/office/tracking/?show=rectification").get_data(as_text=True)
    assert re.findall(r'/office/tracking/projects/\d+">([^<]+)</a>', rectify) == expected[2:3]


def test_the_overview_filters_by_year_and_unit(client, clerk, make, county, edu, transport):
    make.project(county, unit=edu, status="completed", year=2025, title="往年项目", progress=100)
    make.project(county, unit=edu, status="selected", year=2026, title="教育局项目")
    make.project(county, unit=transport, status="selected", year=2026, title="交通局项目")
    db.session.commit()
    page = client.get("/office/tracking/").get_data(as_text=True)  # the latest year by default
    assert "教育局项目" in page and "交通局项目" in page and "往年项目" not in page
    page = client.get(f"/office/tracking/?year=2026&unit={transport.id}").get_data(as_text=True)
    assert "交通局项目" in page and "教育局项目" not in page
    page = client.get("/office/tracking/?year=all").get_data(as_text=True)
    assert "往年项目" in page
    assert client.get("/office/tracking/?year=abc&unit=x&show=<b>").status_code == 200


def test_the_overview_shows_the_last_report_and_the_overdue_milestone(client, clerk, school):
    school.milestones[0].due_on = TODAY - timedelta(days=4)
    db.session.add(ProgressUpdate(project=school, posted_at=datetime(2026, 6, 18, 10, 0),
                                  percent=30, narrative="完成基础施工。"))
    db.session.commit()
    page = client.get("/office/tracking/").get_data(as_text=True)
    assert "2026-06-18" in page and "主体完工" in page and "已逾期4天" in page


# ------------------------------------------------------------------------------ supervision notes

def test_a_clerk_records_a_supervision_note(client, clerk, school):
    response = client.post(f"/office/tracking/projects/{school.id}/notes", data={
        "inspected_on": (TODAY - timedelta(days=2)).isoformat(), "group": "第三代表监督小组",
        "text": "代表们现场查看了幼儿园建设情况，建议加快室外活动场地施工。"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已记录第三代表监督小组的视察意见" in page
    assert "建议加快室外活动场地施工" in page
    note = db.session.scalars(db.select(SupervisionNote)).one()
    assert (note.group, note.recorded_by_id) == ("第三代表监督小组", clerk.id)
    # the group is offered again next time
    assert '<option value="第三代表监督小组">' in client.get(
        f"/office/tracking/projects/{school.id}").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"inspected_on": (TODAY + timedelta(days=1)).isoformat()}, "视察日期不能晚于今天"),
    ({"group": " "}, "请填写监督小组"),
    ({"text": ""}, "请填写视察意见"),
    ({"text": "意" * 4001}, "不能超过4000个字"),
])
def test_a_bad_supervision_note_is_refused(client, clerk, school, data, message):
    form = {"inspected_on": TODAY.isoformat(), "group": "第三代表监督小组", "text": "意见", **data}
    response = client.post(f"/office/tracking/projects/{school.id}/notes", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(SupervisionNote) == 0


def test_units_read_the_notes_on_their_project_but_do_not_record_them(client, auth, edu, school):
    school.notes.append(SupervisionNote(inspected_on=TODAY, group="第一代表监督小组",
                                        text="施工围挡不规范。"))
    db.session.commit()
    auth.login("unit", unit=edu)
    page = client.get(f"/office/tracking/projects/{school.id}").get_data(as_text=True)
    assert "施工围挡不规范" in page and "记录视察意见" not in page
    response = client.post(f"/office/tracking/projects/{school.id}/notes",
                           data={"inspected_on": TODAY.isoformat(), "group": "x", "text": "y"})
    assert response.status_code == 403 and count(SupervisionNote) == 1


# ------------------------------------------------------------------------------ who may look

def tracking_requests(app, school):
    milestone = school.milestones[0]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("office_tracking."):
            continue
        url = rule.build({"project_id": school.id, "milestone_id": milestone.id},
                         append_unknown=False)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, url


def test_anonymous_visitors_and_scrutineers_are_refused_everywhere(app, client, auth, school):
    requests = list(tracking_requests(app, school))
    assert len(requests) >= 10
    for method, url in requests:
        response = client.open(url, method=method, data={"text": "x", "percent": "50"})
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/login"), (method, url)
    auth.login("scrutineer")
    for method, url in requests:
        response = client.open(url, method=method, data={"text": "x", "percent": "50"})
        assert response.status_code == 403, (method, url)
    assert (count(ProgressUpdate), count(SupervisionNote), count(Milestone)) == (0, 0, 1)


def test_markup_in_reports_captions_and_notes_is_shown_as_text(client, auth, edu, school,
                                                               report):
    auth.login("unit", unit=edu)
    response = report(school, narrative="<script>alert('报告')</script>",
                      photos=[("a.jpg", jpeg(), "<img src=x onerror=alert(1)>")])
    assert response.status_code == 302
    client.post(f"/office/tracking/projects/{school.id}/milestones",
                data={"title": "<b>节点</b>", "due_on": (TODAY + timedelta(days=3)).isoformat()})
    auth.logout()
    auth.login("clerk")
    client.post(f"/office/tracking/projects/{school.id}/notes",
                data={"inspected_on": TODAY.isoformat(), "group": "<i>小组</i>",
                      "text": "<iframe src=//evil>"})
    for url in (f"/office/tracking/projects/{school.id}", "/office/tracking/"):
        page = client.get(url).get_data(as_text=True)
        for raw in ("<script>alert(", "<img src=x", "<b>节点", "<i>小组", "<iframe"):
            assert raw not in page, (url, raw)
    page = client.get(f"/office/tracking/projects/{school.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;iframe src=//evil&gt;" in page


def test_the_unit_dashboard_leads_to_the_report_form(client, auth, edu, school):
    auth.login("unit", unit=edu)
    page = client.get("/office/").get_data(as_text=True)
    assert f"/office/tracking/projects/{school.id}/report" in page
    assert "/office/tracking/" in page

