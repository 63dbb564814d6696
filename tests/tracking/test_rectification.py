"""整改 to its end: the unit reports the rectification's own progress, a clerk (never the unit)
confirms it complete, and from then on every page says 整改已完成."""

from datetime import datetime, timedelta

import pytest

from tests.tracking.conftest import TODAY, count
from voting.extensions import db
from voting.models import BallotCandidate, ProgressUpdate
from voting.services import progress


@pytest.fixture
def flagged(make, school):
    """The school, finished (100 %), rated in an evaluation published 30 days ago that ordered
    整改."""
    school.status, school.progress, school.rectification = "completed", 100, True
    evaluation = make.ballot(kind="evaluation", seats=None, candidates=0, state="published",
                             published_at=datetime.now() - timedelta(days=30))
    evaluation.candidates.append(BallotCandidate(project=school, position=0))
    db.session.commit()
    return school


def page_of(client, project) -> str:
    return client.get(f"/office/tracking/projects/{project.id}").get_data(as_text=True)


def confirm(client, project, day=TODAY):
    return client.post(f"/office/tracking/projects/{project.id}/rectified",
                       data={"done_on": day.isoformat()})


def state(project) -> tuple:
    db.session.refresh(project)
    return (project.rectification, project.rectified_on, project.rectification_progress,
            project.progress)


def test_a_rectification_report_moves_its_own_figure_not_the_projects(client, auth, edu,
                                                                       flagged, report):
    auth.login("unit", unit=edu)
    form = client.get(f"/office/tracking/projects/{flagged.id}/rectify").get_data(as_text=True)
    assert "累计整改进度" in form and "上次报告整改进度0%" in form
    assert report(flagged, kind="rectify", percent="40",
                  narrative="已制定整改方案，增设临时停车区。").status_code == 302
    assert state(flagged) == (True, None, 40, 100)  # the project stays at 100 %
    refused = report(flagged, kind="rectify", percent="30", narrative="倒退了。")
    assert refused.status_code == 400 and "不能低于上次报告的40%" in refused.get_data(as_text=True)
    assert report(flagged, kind="rectify", percent="100",
                  narrative="停车区启用，接送拥堵已缓解。").status_code == 302
    assert state(flagged) == (True, None, 100, 100)
    page = page_of(client, flagged)
    assert "整改进度100%" in page and "整改进度：100%" in page
    assert "确认整改完成</button>" not in page  # a unit reports; it does not close


def test_the_unit_cannot_close_its_own_rectification(client, auth, edu, flagged, report):
    auth.login("unit", unit=edu)
    report(flagged, kind="rectify", percent="100", narrative="整改完成。")
    before = state(flagged)
    response = confirm(client, flagged)
    assert response.status_code == 403
    assert state(flagged) == before and before[0] is True


def test_a_clerk_confirms_it_and_it_reads_done_everywhere(client, auth, edu, flagged, report):
    auth.login("unit", unit=edu)
    report(flagged, kind="rectify", percent="100", narrative="整改完成。")
    auth.logout()
    auth.login("clerk")
    overview = client.get("/office/tracking/?year=all").get_data(as_text=True)
    assert "整改" in overview and "整改已完成</span>" not in overview
    page = page_of(client, flagged)
    assert "确认整改完成</button>" in page and "整改中" in page
    response = confirm(client, flagged, TODAY - timedelta(days=2))
    assert response.status_code == 302
    assert state(flagged)[:2] == (False, TODAY - timedelta(days=2))
    page = page_of(client, flagged)
    assert "整改已完成" in page and "整改中" not in page and "确认整改完成</button>" not in page
    overview = client.get("/office/tracking/?year=all").get_data(as_text=True)
    assert "整改已完成</span>" in overview
    rectifying = client.get("/office/tracking/?year=all&show=rectification").get_data(
        as_text=True)
    assert flagged.title not in rectifying
    done = client.get("/office/tracking/?year=all&show=rectified").get_data(as_text=True)
    assert flagged.title in done
    # Done is done: no second confirmation, and no more 整改 reports from the unit.
    assert confirm(client, flagged).status_code == 409
    auth.logout()
    auth.login("unit", unit=edu)
    assert client.get(f"/office/tracking/projects/{flagged.id}/rectify").status_code == 409


def test_only_a_project_under_rectification_can_be_closed(client, auth, school):
    auth.login("clerk")
    school.status = "completed"
    db.session.commit()
    response = confirm(client, school)
    assert response.status_code == 409
    assert "没有正在进行的整改" in response.get_data(as_text=True)
    assert state(school)[:2] == (False, None)


@pytest.mark.parametrize(("day", "status", "message"), [
    (TODAY + timedelta(days=1), 400, "不能晚于今天"),
    (TODAY - timedelta(days=60), 400, "不能早于测评结果公布的日期"),
])
def test_a_confirmation_on_a_day_that_cannot_be_is_refused(client, auth, edu, flagged, report,
                                                           day, status, message):
    auth.login("unit", unit=edu)
    report(flagged, kind="rectify", percent="100", narrative="整改完成。")
    auth.logout()
    auth.login("clerk")
    response = confirm(client, flagged, day)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert state(flagged)[:2] == (True, None)


def test_not_before_the_unit_has_reported_on_it(client, auth, flagged):
    auth.login("clerk")
    response = confirm(client, flagged)
    assert response.status_code == 409
    assert "还没有报告整改情况" in response.get_data(as_text=True)
    assert state(flagged)[:2] == (True, None) and count(ProgressUpdate) == 0


def test_a_new_order_starts_the_rectification_again(app, school):
    school.rectification, school.rectification_progress = False, 100
    school.rectified_on = TODAY - timedelta(days=100)
    progress.order_rectification(school, True)
    assert (school.rectification, school.rectification_progress, school.rectified_on) == \
        (True, 0, None)
    school.rectification_progress = 60
    progress.order_rectification(school, True)  # still under way: it keeps its progress
    assert school.rectification_progress == 60
    progress.order_rectification(school, False)
    assert progress.rectification_status(school) is None
