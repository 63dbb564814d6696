"""The project library and the responsible units."""

from datetime import date
from decimal import Decimal

import pytest

from voting.extensions import db
from voting.models import Project, ResponsibleUnit
from voting.models.projects import CATEGORIES, STATUSES
from voting.office import labels


def project_form(jurisdiction, unit=None, **overrides):
    return {"jurisdiction": str(jurisdiction.id), "year": "2027",
            "title": "城区新建公办幼儿园2所、新增学位540个", "category": "education",
            "unit": str(unit.id if unit else 0), "budget_wan": "4800",
            "funding_source": "县级财政", "location": "城关镇", "summary": "新增学位540个",
            "description": "新建两所公办幼儿园。", "planned_start": "2027-03-01",
            "planned_finish": "2027-12-31", "source": "department", "status": "library",
            **overrides}


def count_projects() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Project))


def test_every_category_and_status_has_a_chinese_label():
    assert set(labels.CATEGORY) == set(CATEGORIES)
    assert set(labels.PROJECT_STATUS) == set(STATUSES)


def test_add_a_project_to_the_library(client, clerk, county, make):
    unit = make.unit(county, name="县教育局")
    response = client.post("/office/projects/new", data=project_form(county, unit),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已保存项目" in page and "县教育局" in page and "4,800 万元" in page and "教育" in page
    project = db.session.scalar(db.select(Project))
    assert project.budget_wan == Decimal("4800") and project.unit.name == "县教育局"
    assert (project.planned_start, project.planned_finish) == (date(2027, 3, 1),
                                                               date(2027, 12, 31))


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": "  "}, "请填写项目名称"),
    ({"budget_wan": "-5"}, "总投资不能为负数"),
    ({"budget_wan": "很多"}, "请输入数字（单位：万元）"),
    ({"budget_wan": "NaN"}, "请输入数字（单位：万元）"),
    ({"planned_start": "2027-12-01", "planned_finish": "2027-03-01"},
     "计划完成日期不能早于计划开工日期"),
    ({"planned_finish": "2027/13/01"}, "日期格式不正确"),
    ({"category": "casino"}, "请从列表中选择"),
    ({"year": "1900"}, "应在2000到2100之间"),
])
def test_project_validation(client, clerk, county, overrides, message):
    response = client.post("/office/projects/new", data=project_form(county, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_projects() == 0


def test_a_unit_of_another_jurisdiction_is_refused(client, clerk, county, make):
    town = make.jurisdiction(name="城关镇", level="town")
    foreign = make.unit(town, name="城关镇政府")
    response = client.post("/office/projects/new", data=project_form(county, foreign))
    assert response.status_code == 400
    assert "承办单位不属于青川县" in response.get_data(as_text=True)
    assert count_projects() == 0


def test_edit_a_project(client, clerk, county, make):
    project = make.project(county, title="旧名称")
    client.post(f"/office/projects/{project.id}/edit",
                data=project_form(county, title="农村公路提档升级85公里", category="transport",
                                  budget_wan="7500.5"))
    db.session.refresh(project)
    assert project.title == "农村公路提档升级85公里" and project.category == "transport"
    assert project.budget_wan == Decimal("7500.50")


def test_the_library_can_be_filtered(client, clerk, county, make):
    make.project(county, title="老旧小区改造12个", category="housing", year=2027)
    make.project(county, title="居家养老服务中心8家", category="elderly", year=2026,
                 status="completed")
    page = client.get("/office/projects/?category=housing").get_data(as_text=True)
    assert "老旧小区改造12个" in page and "居家养老服务中心8家" not in page
    page = client.get("/office/projects/?status=completed&year=2026").get_data(as_text=True)
    assert "居家养老服务中心8家" in page and "老旧小区改造12个" not in page
    page = client.get("/office/projects/?q=养老").get_data(as_text=True)
    assert "居家养老服务中心8家" in page and "老旧小区改造12个" not in page


def test_a_project_on_a_ballot_is_not_deleted(client, clerk, make, sitting):
    ballot = make.ballot(sitting, candidates=2)
    project_id = ballot.candidates[0].project_id
    response = client.post(f"/office/projects/{project_id}/delete", follow_redirects=True)
    assert "已列入表决或已有进度记录，不能删除" in response.get_data(as_text=True)
    assert db.session.get(Project, project_id) is not None


def test_a_project_accepted_from_a_proposal_is_not_deleted(client, clerk, county, make):
    from datetime import datetime

    from voting.models import Proposal

    project = make.project(county, source="public")
    db.session.add(Proposal(jurisdiction=county, tracking_code="ABCDEFGH", title="修路",
                            description="村口道路坑洼", category="transport",
                            submitted_at=datetime(2026, 10, 1), status="accepted",
                            project=project))
    db.session.commit()
    response = client.post(f"/office/projects/{project.id}/delete", follow_redirects=True)
    assert "由群众建议采纳而来，不能删除" in response.get_data(as_text=True)
    assert db.session.get(Project, project.id) is not None


def test_delete_a_library_project(client, clerk, county, make):
    project_id = make.project(county).id
    client.post(f"/office/projects/{project_id}/delete")
    assert db.session.get(Project, project_id) is None


def test_units_are_unique_within_a_jurisdiction(client, clerk, county):
    form = {"jurisdiction": str(county.id), "name": "县卫生健康局"}
    client.post("/office/projects/units/new", data=form)
    response = client.post("/office/projects/units/new", data=form)
    assert response.status_code == 400
    assert "青川县已有承办单位“县卫生健康局”" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ResponsibleUnit)) == 1


def test_a_unit_with_projects_is_kept(client, clerk, county, make):
    unit = make.unit(county, name="县民政局")
    make.project(county, unit=unit)
    unit_id = unit.id
    response = client.post(f"/office/projects/units/{unit_id}/delete", follow_redirects=True)
    assert "还有项目或账号，不能删除" in response.get_data(as_text=True)
    assert db.session.get(ResponsibleUnit, unit_id) is not None
