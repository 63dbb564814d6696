"""`voting ballot new|edit|candidates|delete|show`: drafting a ballot from the command line."""

import json
from decimal import Decimal

import pytest

from tests.ballot_day import RULES, open_with_tokens, ready_ballot
from tests.cli.conftest import database_rows, refused
from voting.extensions import db
from voting.models import Ballot, Project


@pytest.fixture
def sitting(make):
    """A session of 青川县 with four library projects and two scrutineer accounts."""
    county = make.jurisdiction(name="青川县")
    session = make.session(county)
    projects = [make.project(county, title=f"候选项目{n}") for n in range(1, 5)]
    make.user("scrutineer", username="liujh", display_name="刘建华")
    make.user("scrutineer", username="hexy", display_name="何秀英")
    return session, projects


def test_a_ballot_drafted_from_the_command_line_opens(run, sitting, tmp_path):
    session, projects = sitting
    rules = tmp_path / "票决办法.txt"
    rules.write_text(RULES, encoding="utf-8")
    result = run("ballot", "new", "--session", session.id, "--title", "2027年民生实事项目票决",
                 "--seats", "3", "--rules-file", str(rules))
    assert result.exit_code == 0, result.output
    ballot = db.session.scalar(db.select(Ballot).filter_by(title="2027年民生实事项目票决"))
    problems = json.loads(run("ballot", "show", ballot.id, "--json").stdout)["problems"]
    assert problems == ["还没有候选项目。", "还没有指定监票人。"]
    order = [projects[3].id, projects[0].id, projects[2].id, projects[1].id]
    result = run("ballot", "candidates", ballot.id, *order)
    assert result.exit_code == 0 and "差额 4选3" in result.stdout
    assert run("ballot", "scrutineers", ballot.id, "liujh", "hexy").exit_code == 0
    shown = json.loads(run("ballot", "show", ballot.id, "--json").stdout)
    assert shown["problems"] == []
    assert [c["id"] for c in shown["candidates"]] == order
    assert [(s["username"], s["chief"]) for s in shown["scrutineers"]] == \
        [("liujh", True), ("hexy", False)]
    assert (shown["seats"], shown["threshold"], shown["threshold_base"], shown["rules_text"]) == \
        (3, "1/2", "roster", RULES)
    assert {p.status for p in db.session.scalars(db.select(Project))} == {"candidate"}
    assert run("ballot", "tokens", ballot.id, "--count", "5", "--format", "txt",
               "--out", tmp_path / "urls.txt").exit_code == 0
    result = run("ballot", "open", ballot.id)
    assert result.exit_code == 0, result.output


def test_an_evaluation_ballot_with_its_rectification_line(run, sitting):
    session, _projects = sitting
    result = run("ballot", "new", "--session", session.id, "--kind", "evaluation",
                 "--title", "2026年民生实事项目满意度测评", "--rectify-below", "60",
                 "--colour", "#1f5fbf")
    assert result.exit_code == 0, result.output
    ballot = db.session.scalar(db.select(Ballot).filter_by(kind="evaluation"))
    assert (ballot.seats, ballot.rectify_below_rate, ballot.colour) == \
        (None, Decimal("0.6"), "#1f5fbf")


def test_edit_changes_only_what_is_given(run, make):
    ballot = ready_ballot(make, seats=2, candidates=3, threshold_num=2, threshold_den=3)
    title, rules = ballot.title, ballot.rules_text
    assert run("ballot", "edit", ballot.id, "--seats", "3").exit_code == 0
    ballot = db.session.get(Ballot, ballot.id)
    assert (ballot.seats, ballot.title, ballot.rules_text) == (3, title, rules)
    assert (ballot.threshold_num, ballot.threshold_den) == (2, 3)


@pytest.mark.parametrize("args, message", [
    (["--seats", "4"], "应选数（4）不能多于候选项目数（3）。"),
    (["--seats", "两个"], "--seats: 请输入整数。"),
    (["--title", ""], "--title: 请填写表决名称。"),
    (["--session", "4242"], "--session: 请从列表中选择。"),
    (["--rectify-below", "120"], "--rectify-below: 应在0到100之间。"),
    (["--rules", "x", "--rules-file", "-"], "文字和文件只能二选一。"),
])
def test_edit_refusals_change_nothing(run, make, args, message):
    ballot = ready_ballot(make, seats=2, candidates=3)
    before = database_rows()
    assert refused(run("ballot", "edit", ballot.id, *args, input="")) == message
    assert database_rows() == before


def test_new_selection_ballot_needs_its_seats(run, sitting):
    session, _projects = sitting
    before = database_rows()
    assert refused(run("ballot", "new", "--session", session.id, "--title", "票决")) == \
        "--seats: 项目票决必须填写应选数。"
    assert refused(run("ballot", "new", "--title", "票决", "--seats", "2")) == \
        "--session: 请从列表中选择。"
    assert database_rows() == before


def test_candidates_refusals_change_nothing(run, make, sitting):
    ballot = ready_ballot(make, seats=2, candidates=3)
    _session, others = sitting  # another jurisdiction's projects
    listed = [c.project_id for c in ballot.candidates]
    before = database_rows()
    assert refused(run("ballot", "candidates", ballot.id, listed[0])) == \
        "候选项目（1个）不能少于应选数（2个）：差额票决需多于应选数，等额票决需相等。"
    assert refused(run("ballot", "candidates", ballot.id, *listed, others[0].id)) == \
        "所选项目不能列入本次表决。"
    assert refused(run("ballot", "candidates", ballot.id, listed[0], listed[0])) == \
        "同一个项目不能重复列入。"
    assert database_rows() == before


def test_nothing_changes_once_a_ballot_is_open(run, make):
    ballot, _tokens = open_with_tokens(make, n=3)
    listed = [str(c.project_id) for c in ballot.candidates]
    before = database_rows()
    past_draft = "该表决已不是草稿，不能再修改：开启后的表决内容已向全体代表公开承诺。"
    assert refused(run("ballot", "edit", ballot.id, "--title", "改名")) == past_draft
    assert refused(run("ballot", "candidates", ballot.id, *listed)) == past_draft
    assert refused(run("ballot", "delete", ballot.id)) == past_draft
    assert database_rows() == before
    assert json.loads(run("ballot", "show", ballot.id, "--json").stdout)["state"] == "open"


def test_delete_a_draft_gives_its_projects_back_to_the_library(run, make):
    ballot = ready_ballot(make, seats=2, candidates=3)
    projects = [c.project_id for c in ballot.candidates]
    ballot_id = ballot.id
    result = run("ballot", "delete", ballot_id)
    assert result.exit_code == 0 and "已删除表决草稿" in result.stdout
    assert db.session.get(Ballot, ballot_id) is None
    assert {db.session.get(Project, pid).status for pid in projects} == {"library"}
    assert refused(run("ballot", "show", ballot_id)) == "找不到该表决。"
