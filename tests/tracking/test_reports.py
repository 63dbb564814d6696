"""Progress reports, rectification reports and milestones, by the responsible unit only."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.tracking.conftest import TODAY, count, jpeg, nothing_stored, stored_files
from voting.extensions import db
from voting.models import Milestone, ProgressUpdate


@pytest.fixture
def unit_user(auth, edu):
    return auth.login("unit", unit=edu)


def test_a_unit_reports_progress_on_its_project(client, unit_user, school, report):
    response = report(school, percent="35", funds_spent_wan="1200.5",
                      narrative="两所幼儿园主体结构完成，正在砌筑围墙。", follow=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已报告进度（35%，照片0张）" in page
    assert "两所幼儿园主体结构完成" in page
    db.session.refresh(school)
    assert (school.progress, school.funds_spent_wan, school.status) == (
        35, Decimal("1200.50"), "in_progress")  # selected → in_progress at the first report
    update = db.session.scalars(db.select(ProgressUpdate)).one()
    assert (update.kind, update.author_id, update.percent) == ("progress", unit_user.id, 35)


def test_funds_may_be_left_out(client, unit_user, school, report):
    assert report(school, percent="10", funds_spent_wan="").status_code == 302
    db.session.refresh(school)
    assert school.funds_spent_wan == 0
    assert db.session.scalars(db.select(ProgressUpdate)).one().funds_spent_wan is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"percent": "120"}, "应在0到100之间"),
    ({"percent": "-1"}, "应在0到100之间"),
    ({"percent": "一半"}, "请输入整数"),
    ({"percent": "20"}, "不能低于上次报告的30%"),
    ({"funds_spent_wan": "-5"}, "累计完成投资不能为负数"),
    ({"funds_spent_wan": "5761"}, "超过总投资4,800万元的120%"),
    ({"funds_spent_wan": "NaN"}, "请输入数字"),
    ({"narrative": "   "}, "请填写进展情况"),
    ({"narrative": "字" * 2001}, "不能超过2000个字"),
])
def test_bad_figures_are_refused_and_nothing_changes(client, unit_user, school, uploads, report,
                                                     fields, message):
    school.progress = 30
    db.session.commit()
    before = stored_files(uploads)
    response = report(school, photos=[("a.jpg", jpeg(), "")], **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert nothing_stored(uploads, before)
    db.session.refresh(school)
    assert (school.progress, school.status) == (30, "selected")


def test_the_budget_may_be_overrun_by_a_fifth(client, unit_user, school, report):
    assert report(school, funds_spent_wan="5760").status_code == 302  # 4800 × 1.2


def test_a_caption_without_a_photo_is_pointed_out(client, unit_user, school, report):
    response = report(school, **{"photos-1-caption": "现场照片"})
    assert response.status_code == 400
    assert "填写了照片说明，但没有选择照片" in response.get_data(as_text=True)
    assert count(ProgressUpdate) == 0


# ------------------------------------------------------------------------------ only one's own

def test_a_unit_cannot_touch_another_units_project(client, auth, edu, school, road, uploads,
                                                   report):
    """县教育局 aims every write at 县交通运输局's road, milestone ids included: 403 or 404."""
    auth.login("unit", unit=edu)
    theirs = road.milestones[0]
    mine = school.milestones[0]
    before = stored_files(uploads)
    assert report(road, photos=[("a.jpg", jpeg(), "")]).status_code == 403
    road.rectification = True
    db.session.commit()
    assert report(road, kind="rectify").status_code == 403
    for url, data in [
        (f"/office/tracking/projects/{road.id}/milestones",
         {"title": "偷改", "due_on": (TODAY + timedelta(days=5)).isoformat()}),
        (f"/office/tracking/projects/{road.id}/milestones/{theirs.id}/done",
         {"done_on": TODAY.isoformat()}),
        (f"/office/tracking/projects/{road.id}/milestones/{theirs.id}/reschedule",
         {"due_on": (TODAY + timedelta(days=300)).isoformat()}),
        # their milestone through my project's address
        (f"/office/tracking/projects/{school.id}/milestones/{theirs.id}/done",
         {"done_on": TODAY.isoformat()}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code in (403, 404), url
    for url in (f"/office/tracking/projects/{road.id}",
                f"/office/tracking/projects/{road.id}/report"):
        assert client.get(url).status_code == 403
    db.session.refresh(theirs)
    assert (theirs.done_on, theirs.due_on) == (None, TODAY + timedelta(days=10))
    assert count(Milestone) == 2 and mine.done_on is None
    assert nothing_stored(uploads, before)
    db.session.refresh(road)
    assert road.progress == 40
    listing = client.get("/office/tracking/").get_data(as_text=True)
    assert school.title in listing and road.title not in listing


def test_clerks_and_administrators_do_not_report_for_a_unit(client, auth, school, report):
    auth.login("clerk")
    assert report(school).status_code == 403
    auth.logout()
    auth.login("admin")
    assert report(school).status_code == 403
    assert count(ProgressUpdate) == 0


def test_a_project_not_decided_by_a_vote_has_no_tracking(client, make, county, edu, auth,
                                                         report):
    candidate = make.project(county, unit=edu, status="candidate")
    auth.login("unit", unit=edu)
    assert report(candidate).status_code == 404
    assert count(ProgressUpdate) == 0


# ------------------------------------------------------------------------------ rectification

def test_rectification_reports_only_when_the_project_is_flagged(client, unit_user, school,
                                                                report):
    assert client.get(f"/office/tracking/projects/{school.id}/rectify").status_code == 409
    assert report(school, kind="rectify").status_code == 409
    assert count(ProgressUpdate) == 0
    assert "报告整改情况" not in client.get(f"/office/tracking/projects/{school.id}").get_data(
        as_text=True)

    school.rectification = True
    school.status, school.progress = "completed", 100
    db.session.commit()
    page = client.get(f"/office/tracking/projects/{school.id}").get_data(as_text=True)
    assert "整改中" in page and "报告整改情况" in page
    response = report(school, kind="rectify", percent="100",
                      narrative="按代表意见增设校门口临时停车区，接送拥堵已缓解。", follow=True)
    assert "已报告整改情况" in response.get_data(as_text=True)
    update = db.session.scalars(db.select(ProgressUpdate)).one()
    assert update.kind == "rectification"
    assert "整改情况" in client.get(f"/office/tracking/projects/{school.id}").get_data(
        as_text=True)


# ------------------------------------------------------------------------------ milestones

def milestone_url(project, milestone, action):
    return f"/office/tracking/projects/{project.id}/milestones/{milestone.id}/{action}"


def test_a_unit_adds_moves_and_meets_milestones(client, unit_user, school):
    due = TODAY + timedelta(days=60)
    response = client.post(f"/office/tracking/projects/{school.id}/milestones",
                           data={"title": "通过竣工验收", "due_on": due.isoformat()})
    assert response.status_code == 302
    added = db.session.scalars(db.select(Milestone).filter_by(title="通过竣工验收")).one()
    assert added.due_on == due

    later = TODAY + timedelta(days=90)
    assert client.post(milestone_url(school, added, "reschedule"),
                       data={"due_on": later.isoformat()}).status_code == 302
    db.session.refresh(added)
    assert added.due_on == later

    assert client.post(milestone_url(school, added, "done"),
                       data={"done_on": TODAY.isoformat()}).status_code == 302
    db.session.refresh(added)
    assert added.done_on == TODAY


@pytest.mark.parametrize(("action", "data", "status", "message"), [
    ("done", {"done_on": (TODAY + timedelta(days=1)).isoformat()}, 400, "完成日期不能晚于今天"),
    ("done", {"done_on": "明天"}, 400, "日期格式不正确"),
    ("reschedule", {"due_on": (TODAY - timedelta(days=1)).isoformat()}, 400,
     "计划完成日期不能早于今天"),
])
def test_milestone_dates_are_checked(client, unit_user, school, action, data, status, message):
    milestone = school.milestones[0]
    response = client.post(milestone_url(school, milestone, action), data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert milestone.done_on is None and milestone.due_on == TODAY + timedelta(days=30)


def test_a_missed_date_cannot_be_moved_away(client, unit_user, school):
    """Moving a missed milestone would hide the delay: refused; meeting it is the way out."""
    milestone = school.milestones[0]
    milestone.due_on = TODAY - timedelta(days=3)
    db.session.commit()
    response = client.post(milestone_url(school, milestone, "reschedule"),
                           data={"due_on": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 409 and "已经逾期，不能改期" in response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert milestone.due_on == TODAY - timedelta(days=3)


def test_a_new_milestone_cannot_be_due_in_the_past(client, unit_user, school):
    response = client.post(f"/office/tracking/projects/{school.id}/milestones",
                           data={"title": "补记节点",
                                 "due_on": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "计划完成日期不能早于今天" in response.get_data(as_text=True)
    assert count(Milestone) == 1


def test_completed_at_100_percent_with_every_milestone_met(client, unit_user, school, report):
    assert report(school, percent="100").status_code == 302
    db.session.refresh(school)
    assert school.status == "in_progress"  # the milestone is still open
    client.post(milestone_url(school, school.milestones[0], "done"),
                data={"done_on": TODAY.isoformat()})
    db.session.refresh(school)
    assert school.status == "completed"
