"""`voting deputy|delegation …`: correcting the roster by hand from the command line."""

import json
from datetime import datetime

import pytest

from tests.cli.conftest import database_rows, refused
from voting.extensions import db
from voting.models import Attendance, Delegation, Deputy


@pytest.fixture
def county(make):
    return make.jurisdiction(name="青川县")


def test_deputy_add_edit_list_delete(run, county):
    result = run("deputy", "add", "王丽", "--jurisdiction", "青川县",
                 "--delegation", "城关镇代表团", "--gender", "女", "--phone", "138-0839-1234",
                 "--occupation", "城关一小教师")
    assert result.exit_code == 0, result.output
    deputy = db.session.scalar(db.select(Deputy).filter_by(name="王丽"))
    assert (deputy.delegation.name, deputy.gender, deputy.phone, deputy.active) == \
        ("城关镇代表团", "女", "138-0839-1234", True)
    assert run("deputy", "edit", deputy.id, "--inactive", "--occupation", "退休").exit_code == 0
    assert json.loads(run("deputy", "list", "--jurisdiction", "青川县", "--json").stdout) == []
    rows = json.loads(run("deputy", "list", "--jurisdiction", "青川县", "--inactive",
                          "--json").stdout)
    assert rows == [{"id": deputy.id, "name": "王丽", "delegation": "城关镇代表团",
                     "gender": "女", "occupation": "退休", "active": False}]
    assert "phone" not in rows[0]  # the list is for finding ids; phones stay in the export
    deputy_id = deputy.id
    assert run("deputy", "delete", deputy_id).exit_code == 0
    assert db.session.get(Deputy, deputy_id) is None


def test_deputy_refusals_change_nothing(run, county, make):
    present = make.deputy(county, name="李强")
    session = make.session(county)
    db.session.add(Attendance(session=session, deputy=present, signed_in_at=datetime.now()))
    run("deputy", "add", "王丽", "--jurisdiction", "青川县", "--delegation", "城关镇代表团")
    before = database_rows()
    assert refused(run("deputy", "add", "王丽", "--jurisdiction", "青川县",
                       "--delegation", "城关镇代表团")) == "城关镇代表团已有代表“王丽”。"
    assert refused(run("deputy", "add", "赵六", "--jurisdiction", "青川县", "--phone", "call me")) \
        == "--phone: 联系电话格式不正确。"
    assert refused(run("deputy", "add", " ", "--jurisdiction", "青川县")) == "--name: 请填写姓名。"
    assert refused(run("deputy", "add", "赵六", "--jurisdiction", "北川县")) == \
        "找不到行政区“北川县”。"
    assert refused(run("deputy", "delete", present.id)) == \
        "该代表已有签到记录，不能删除；如已不再担任代表，请编辑并取消“在册”。"
    assert refused(run("deputy", "edit", 99_999, "--name", "无")) == "找不到该代表。"
    assert database_rows() == before


def test_delegations_add_rename_list_delete(run, county):
    assert run("delegation", "add", "桥头镇代表团", "--jurisdiction", "青川县").exit_code == 0
    delegation = db.session.scalar(db.select(Delegation).filter_by(name="桥头镇代表团"))
    assert run("delegation", "rename", delegation.id, "桥头镇人大代表团").exit_code == 0
    assert json.loads(run("delegation", "list", "--jurisdiction", "青川县", "--json").stdout) == \
        [{"id": delegation.id, "name": "桥头镇人大代表团", "deputies": 0}]
    delegation_id = delegation.id
    assert run("delegation", "delete", delegation_id).exit_code == 0
    assert db.session.get(Delegation, delegation_id) is None


def test_delegation_refusals_change_nothing(run, county, make):
    run("deputy", "add", "王丽", "--jurisdiction", "青川县", "--delegation", "城关镇代表团")
    run("delegation", "add", "桥头镇代表团", "--jurisdiction", "青川县")
    full = db.session.scalar(db.select(Delegation).filter_by(name="城关镇代表团"))
    before = database_rows()
    assert refused(run("delegation", "add", "城关镇代表团", "--jurisdiction", "青川县")) == \
        "已有名为“城关镇代表团”的代表团。"
    assert refused(run("delegation", "rename", full.id, "桥头镇代表团")) == \
        "已有名为“桥头镇代表团”的代表团。"
    assert refused(run("delegation", "rename", full.id, "")) == "--name: 请填写代表团名称。"
    assert refused(run("delegation", "delete", full.id)) == "代表团中还有代表，不能删除。"
    assert database_rows() == before
