"""`voting jurisdiction|session|unit|project …`: the clerk's catalogue from the command line."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import database_rows, refused
from voting.extensions import db
from voting.models import CongressSession, Jurisdiction, Project, ResponsibleUnit


@pytest.fixture
def county(make):
    return make.jurisdiction(name="青川县")


# ------------------------------------------------------------------------------ jurisdictions

def test_jurisdictions_add_edit_list(run, county):
    result = run("jurisdiction", "add", "河口镇", "--level", "town", "--parent", "青川县")
    assert result.exit_code == 0, result.output
    town = db.session.scalar(db.select(Jurisdiction).filter_by(name="河口镇"))
    assert (town.level, town.parent_id) == ("town", county.id)
    assert run("jurisdiction", "edit", "河口镇", "--name", "河口镇人民政府驻地",
               "--parent", "").exit_code == 0
    rows = json.loads(run("jurisdiction", "list", "--json").stdout)
    assert {"id": town.id, "name": "河口镇人民政府驻地", "level": "town", "parent": None,
            "roster": 0} in rows


def test_jurisdiction_refusals_change_nothing(run, county, make):
    make.jurisdiction(name="河口镇", level="town", parent=county)
    before = database_rows()
    assert refused(run("jurisdiction", "add", "河口镇")) == "已有名为“河口镇”的行政区。"
    assert refused(run("jurisdiction", "add", " ")) == "--name: 请填写名称。"
    assert refused(run("jurisdiction", "edit", "青川县", "--parent", "河口镇")) == \
        "上级行政区不能是它自己或它的下级。"
    assert refused(run("jurisdiction", "edit", "青川县", "--parent", "北川县")) == \
        "找不到行政区“北川县”。"
    assert database_rows() == before


# ------------------------------------------------------------------------------ sessions

def test_session_add_continues_the_current_term(run, county, make):
    make.session(county, number=3, starts_on=date(2026, 1, 10), ends_on=date(2026, 1, 13))
    result = run("session", "add", "--jurisdiction", "青川县", "--starts-on", "2027-01-12",
                 "--ends-on", "2027-01-15", "--venue", "县人民会堂")
    assert result.exit_code == 0, result.output
    added = db.session.scalar(db.select(CongressSession).filter_by(starts_on=date(2027, 1, 12)))
    assert (added.term.number, added.number, added.venue) == (18, 4, "县人民会堂")
    assert added.title == "青川县第十八届人民代表大会第四次会议"
    assert run("session", "edit", added.id, "--venue", "县会议中心").exit_code == 0
    rows = json.loads(run("session", "list", "--jurisdiction", "青川县", "--json").stdout)
    assert rows[0]["id"] == added.id and rows[0]["venue"] == "县会议中心"
    session_id = added.id
    assert run("session", "delete", session_id).exit_code == 0
    assert db.session.get(CongressSession, session_id) is None


def test_session_refusals_change_nothing(run, county, make):
    used = make.ballot(make.session(county, number=3)).session
    before = database_rows()
    assert refused(run("session", "add", "--jurisdiction", "青川县", "--starts-on", "2027-01-12",
                       "--ends-on", "2027-01-10")) == "--ends-on: 闭幕日期不能早于开幕日期。"
    assert refused(run("session", "add", "--jurisdiction", "青川县", "--starts-on", "2027-01-12",
                       "--ends-on", "2027-01-15", "--number", "3")) == "第十八届已有第三次会议。"
    assert refused(run("session", "add", "--jurisdiction", "青川县", "--starts-on", "明年",
                       "--ends-on", "2027-01-15")) == \
        "--starts-on: 日期格式不正确，应为“年-月-日”，如 2027-03-01。"
    assert refused(run("session", "delete", used.id)) == "该会议已有表决或签到记录，不能删除。"
    assert refused(run("session", "edit", 4242)) == "找不到该会议。"
    assert database_rows() == before


def test_a_new_jurisdiction_needs_its_term_given(run, county):
    before = database_rows()
    assert refused(run("session", "add", "--jurisdiction", "青川县", "--starts-on", "2027-01-12",
                       "--ends-on", "2027-01-15")) == "--term: 请填写届次。"
    assert database_rows() == before
    result = run("session", "add", "--jurisdiction", county.id, "--term", "19",
                 "--start-year", "2027", "--end-year", "2031", "--number", "1",
                 "--starts-on", "2027-01-12", "--ends-on", "2027-01-15")
    assert result.exit_code == 0 and "青川县第十九届人民代表大会第一次会议" in result.stdout


# ------------------------------------------------------------------------------ units

def test_units_add_edit_list_delete(run, county):
    assert run("unit", "add", "县水利局", "--jurisdiction", "青川县").exit_code == 0
    unit = db.session.scalar(db.select(ResponsibleUnit).filter_by(name="县水利局"))
    assert run("unit", "edit", unit.id, "--name", "县水务局").exit_code == 0
    assert json.loads(run("unit", "list", "--json").stdout) == [
        {"id": unit.id, "name": "县水务局", "jurisdiction": "青川县", "projects": 0}]
    unit_id = unit.id
    assert run("unit", "delete", unit_id).exit_code == 0
    assert db.session.get(ResponsibleUnit, unit_id) is None


def test_unit_refusals_change_nothing(run, county, make):
    busy = make.unit(county, name="县教育局")
    make.project(county, unit=busy)
    before = database_rows()
    assert refused(run("unit", "add", "县教育局", "--jurisdiction", "青川县")) == \
        "青川县已有承办单位“县教育局”。"
    assert refused(run("unit", "add", "县" * 81, "--jurisdiction", "青川县")) == \
        "--name: 不能超过80个字。"
    assert refused(run("unit", "delete", busy.id)) == "该承办单位还有项目或账号，不能删除。"
    assert database_rows() == before


# ------------------------------------------------------------------------------ the library

def test_project_add_edit_list_delete(run, county, make):
    make.unit(county, name="县教育局")
    result = run("project", "add", "--jurisdiction", "青川县", "--title", "城区新建公办幼儿园",
                 "--category", "education", "--budget", "4800", "--unit", "县教育局",
                 "--planned-start", "2027-03-01", "--planned-finish", "2027-12-31",
                 "--description-file", "-", input="新建幼儿园2所，新增学位540个。\n")
    assert result.exit_code == 0, result.output
    project = db.session.scalar(db.select(Project).filter_by(title="城区新建公办幼儿园"))
    assert (project.budget_wan, project.unit.name, project.status, project.source) == \
        (Decimal("4800.00"), "县教育局", "library", "department")
    assert project.description == "新建幼儿园2所，新增学位540个。"
    assert run("project", "edit", project.id, "--budget", "5000", "--unit", "").exit_code == 0
    rows = json.loads(run("project", "list", "--status", "library", "--json").stdout)
    assert [(r["id"], r["budget_wan"], r["unit"], r["planned_finish"]) for r in rows] == \
        [(project.id, "5000", "", "2027-12-31")]
    project_id = project.id
    assert run("project", "delete", project_id).exit_code == 0
    assert db.session.get(Project, project_id) is None


@pytest.mark.parametrize("args, message", [
    (["--budget", "1e3x"], "--budget: 请输入数字（单位：万元）。"),
    (["--budget", "NaN"], "--budget: 请输入数字（单位：万元）。"),
    (["--budget", "99999999999"], "--budget: 总投资数额过大。"),
    (["--title", ""], "--title: 请填写项目名称。"),
    (["--title", "项" * 201], "--title: 不能超过200个字。"),
    (["--year", "3000"], "--year: 应在2000到2100之间。"),
    (["--unit", "县公安局"], "找不到承办单位“县公安局”。"),
    (["--unit", "河口镇财政所"], "找不到承办单位“河口镇财政所”。"),  # another jurisdiction's
    (["--planned-start", "2027-05-01", "--planned-finish", "2027-01-01"],
     "--planned-finish: 计划完成日期不能早于计划开工日期。"),
    (["--description", "x", "--description-file", "-"], "文字和文件只能二选一。"),
])
def test_project_refusals_change_nothing(run, county, make, args, message):
    make.unit(make.jurisdiction(name="河口镇", level="town", parent=county), name="河口镇财政所")
    project = make.project(county, title="农村公路提档升级")
    before = database_rows()
    assert refused(run("project", "edit", project.id, *args, input="")) == message
    assert database_rows() == before


def test_a_project_on_a_ballot_stays_in_the_library(run, make):
    ballot = make.ballot()
    before = database_rows()
    assert refused(run("project", "delete", ballot.candidates[0].project_id)) == \
        "该项目已列入表决或已有进度记录，不能删除。"
    assert database_rows() == before


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=90))
def test_any_unit_name_is_saved_as_typed_or_refused_in_one_line(run, county, name):
    """Line breaks, NUL, other scripts, 81+ characters: saved stripped, or one line, no change."""
    before = database_rows()
    result = run("unit", "add", "--jurisdiction", "青川县", "--", name)
    if result.exit_code == 0:
        assert db.session.scalar(db.select(ResponsibleUnit).filter_by(name=name.strip()))
    else:
        refused(result)
        assert database_rows() == before
