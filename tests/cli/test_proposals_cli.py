"""`voting proposal list|show|accept|merge|decline`: the 群众建议 queue from the command line."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import database_rows, refused
from voting.extensions import db
from voting.models import Project, Proposal
from voting.services import proposals


@pytest.fixture
def county(make):
    return make.jurisdiction(name="青川县")


@pytest.fixture
def propose(county):
    """propose(title=…, status=…, **fields) → a stored proposal (received by default)."""

    def add(jurisdiction=None, status="received", **fields):
        values = {"title": "建议增开河口镇到县城的早班车", "description": "早班车太晚。",
                  "category": "transport", "location": "河口镇", "contact": "敬先生 158-0000-0000",
                  "submitted_at": datetime(2026, 10, 1, 20, 15), **fields}
        proposal = Proposal(jurisdiction=jurisdiction or county, status=status,
                            tracking_code=proposals.tracking_code(), **values)
        db.session.add(proposal)
        db.session.flush()
        return proposal

    return add


def test_list_shows_the_queue_and_json_for_scripts(run, propose):
    waiting = propose(title="城关一小门口上下学时段太堵")
    propose(title="建议新建室内游泳馆", status="declined", reply="财力有限。")
    result = run("proposal", "list")
    assert result.exit_code == 0, result.output
    assert "城关一小门口上下学时段太堵" in result.stdout
    assert "游泳馆" not in result.stdout  # 待办理 only, as the web queue opens
    assert proposals.format_code(waiting.tracking_code) in result.stdout
    rows = json.loads(run("proposal", "list", "--status", "all", "--json").stdout)
    assert {r["status"] for r in rows} == {"received", "declined"}
    assert set(rows[0]) >= {"id", "code", "title", "category", "jurisdiction", "submitted_at",
                            "status", "reply", "project_id", "merged_into_id"}
    assert all("contact" not in r for r in rows)


def test_show_by_number_or_code_with_contact_and_duplicates(run, propose):
    first = propose(title="建议增开河口镇到县城的早班车")
    twin = propose(title="河口镇到县城早班车太晚，建议增开")
    result = run("proposal", "show", first.id)
    assert result.exit_code == 0
    assert "敬先生 158-0000-0000" in result.stdout and "早班车太晚" in result.stdout
    typed = proposals.format_code(twin.tracking_code).lower().replace("-", " ")
    details = json.loads(run("proposal", "show", typed, "--json").stdout)
    assert details["id"] == twin.id and details["contact"] == "敬先生 158-0000-0000"
    assert [d["id"] for d in details["duplicates"]] == [first.id]


def test_accept_makes_a_library_project_from_the_proposal(run, propose, make, county):
    proposal = propose()
    unit = make.unit(county, name="县交通运输局")
    result = run("proposal", "accept", proposal.id, "--budget", "120.5", "--unit", "县交通运输局",
                 "--year", "2027", "--summary", "新增6:30早班车")
    assert result.exit_code == 0, result.output
    assert "已纳入项目库" in result.stdout
    proposal = db.session.get(Proposal, proposal.id)
    project = proposal.project
    assert proposal.status == "accepted"
    assert (project.title, project.category, project.location) == \
        ("建议增开河口镇到县城的早班车", "transport", "河口镇")  # from the proposal
    assert (project.unit_id, project.budget_wan, project.year, project.summary) == \
        (unit.id, Decimal("120.50"), 2027, "新增6:30早班车")
    assert (project.status, project.source) == ("library", "public")
    assert "已纳入民生实事项目库" in proposal.reply  # the usual thank-you


@pytest.mark.parametrize("args, message", [
    (["--budget", "一百万"], "--budget: 请输入数字（单位：万元）。"),
    (["--budget", "-3"], "--budget: 总投资不能为负数。"),
    (["--budget", "10", "--year", "1999"], "--year: 应在2000到2100之间。"),
    (["--budget", "10", "--unit", "县水利局"], "找不到承办单位“县水利局”。"),
    (["--budget", "10", "--title", " "], "--title: 请填写项目名称。"),
    (["--budget", "10", "--planned-start", "2027-05-01", "--planned-finish", "2027-04-01"],
     "--planned-finish: 计划完成日期不能早于计划开工日期。"),
    ([], "--budget: 请填写总投资。"),
])
def test_accept_refuses_bad_input_and_changes_nothing(run, propose, args, message):
    proposal = propose()
    before = database_rows()
    assert refused(run("proposal", "accept", proposal.id, *args)) == message
    assert database_rows() == before


def test_a_decided_proposal_cannot_be_decided_again(run, propose):
    declined = propose(status="declined", reply="财力有限。")
    other = propose(title="另一条")
    before = database_rows()
    for args in (["accept", declined.id, "--budget", "10"],
                 ["decline", declined.id, "--reply", "x"], ["merge", declined.id, other.id]):
        assert refused(run("proposal", *args)) == "这条建议已经处理过（不予采纳），不能再次处理。"
    assert database_rows() == before


def test_merge_into_a_proposal_named_by_its_code(run, propose):
    kept = propose(title="建议增开河口镇到县城的早班车")
    duplicate = propose(title="河口镇早班车太晚")
    result = run("proposal", "merge", duplicate.id, kept.tracking_code.lower())
    assert result.exit_code == 0, result.output
    duplicate = db.session.get(Proposal, duplicate.id)
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", kept.id)
    assert "建议增开河口镇到县城的早班车" in duplicate.reply  # the default reply names the kept one


def test_merge_refusals_change_nothing(run, propose, make):
    proposal = propose()
    elsewhere = propose(jurisdiction=make.jurisdiction(name="河口镇"), title="别处的建议")
    before = database_rows()
    assert refused(run("proposal", "merge", proposal.id, proposal.id)) == \
        "请选择另一条建议作为保留的建议。"
    assert refused(run("proposal", "merge", proposal.id, elsewhere.id)) == \
        "只能合并到同一行政区的建议。"
    assert refused(run("proposal", "merge", proposal.id, "ZZZZ-ZZZZ")) == \
        "找不到编号或查询码为“ZZZZ-ZZZZ”的建议。"
    assert refused(run("proposal", "merge", proposal.id, "2", "--reply", "字" * 2001)) == \
        "--reply: 不能超过2000个字。"
    assert database_rows() == before


def test_decline_needs_a_reason_the_public_reads(run, propose):
    proposal = propose()
    before = database_rows()
    assert refused(run("proposal", "decline", proposal.id, "--reply", "  ")) == \
        "--reply: 请填写不予采纳的理由。"
    missing = run("proposal", "decline", proposal.id)
    assert missing.exit_code == 2 and "--reply" in missing.stderr  # click's usage error
    assert database_rows() == before
    result = run("proposal", "decline", proposal.id, "--reply", "  县财力有限，暂不安排。 ")
    assert result.exit_code == 0 and "已答复不予采纳" in result.stdout
    after = database_rows()
    assert after != before
    assert [row for row in after["audit_entry"] if row not in before["audit_entry"]]
    proposal = db.session.get(Proposal, proposal.id)
    assert (proposal.status, proposal.reply) == ("declined", "县财力有限，暂不安排。")
    assert db.session.scalar(db.select(db.func.count()).select_from(Project)) == 0


@pytest.fixture
def one_proposal(propose):
    return propose()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=30), st.integers(min_value=-2**70, max_value=2**70)
                      .map(str)))
def test_show_answers_any_text_with_a_proposal_or_one_line(run, one_proposal, text):
    """Whatever is typed for ID|CODE (other scripts' digits, NUL, huge numbers): no traceback."""
    result = run("proposal", "show", "--", text)
    if result.exit_code != 0:
        assert refused(result).startswith(("找不到编号或查询码", "输入中含有不允许的字符"))
    else:
        assert "#" + str(one_proposal.id) in result.stdout
