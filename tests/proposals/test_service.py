"""The rules of `voting.services.proposals`, and hostile input on the public form."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.proposals.conftest import count_proposals, form_data
from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Project, Proposal
from voting.services import proposals


def test_tracking_codes_have_no_look_alikes():
    codes = {proposals.tracking_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 8 and not set(c) & set("0O1IL") for c in codes)


@pytest.mark.parametrize(("typed", "code"), [
    ("7KQ4MZ2H", "7KQ4MZ2H"), ("7kq4-mz2h", "7KQ4MZ2H"), (" 7KQ4 MZ2H\n", "7KQ4MZ2H"),
    ("7KQ4—MZ2H", "7KQ4MZ2H"), ("7KQ4MZ2", None), ("7KQ4MZ2HX", None), ("7KQ4MZ20", None),
    ("", None), ("<script>", None),
])
def test_codes_are_read_forgivingly(typed, code):
    assert proposals.normalise_code(typed) == code


def test_codes_are_shown_in_two_groups():
    assert proposals.format_code("7KQ4MZ2H") == "7KQ4-MZ2H"


def test_a_plain_proposal_has_no_headings():
    assert proposals.compose_description("  建议增开早班车。 ") == "建议增开早班车。"
    folded = proposals.compose_description("建议增开早班车。", budget_wan=Decimal("35.00"))
    assert folded == "【建议内容】\n建议增开早班车。\n\n【其他】\n估算投资：35 万元"


def test_titles_alike_score_higher_than_titles_apart():
    near = proposals.similarity("建议增开河口镇到县城的早班车", "河口镇到县城早班车太晚")
    far = proposals.similarity("建议增开河口镇到县城的早班车", "城关一小门口设置临时停车区")
    assert near > 0.2 > far
    assert proposals.similarity("", "早班车") == 0.0


def test_the_same_text_within_minutes_is_one_proposal(app, county):
    when = datetime(2026, 10, 8, 9, 0)
    first, new = proposals.submit(jurisdiction=county, title="早班车", description="增开早班车",
                                  category="transport", now=when)
    again, new_again = proposals.submit(jurisdiction=county, title="早班车",
                                        description="增开早班车", category="transport",
                                        now=when + timedelta(minutes=3))
    assert new and not new_again and again.id == first.id
    later, new_later = proposals.submit(jurisdiction=county, title="早班车",
                                        description="增开早班车", category="transport",
                                        now=when + timedelta(hours=2))
    assert new_later and later.id != first.id


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": " "}, "title"), ({"description": ""}, "description"),
    ({"category": "casino"}, "category"), ({"title": "长" * 101}, "title"),
    ({"contact": "长" * 121}, "contact"),
])
def test_submit_refuses_what_the_form_would(app, county, fields, field):
    values = {"title": "早班车", "description": "增开早班车", "category": "transport", **fields}
    with pytest.raises(InvalidRequest) as refused:
        proposals.submit(jurisdiction=county, **values)
    assert refused.value.details["field"] == field
    assert count_proposals() == 0


def test_decisions_are_final(app, county, add_proposal):
    proposal = add_proposal()
    proposals.decline(proposal, "理由。")
    for decide in (lambda: proposals.decline(proposal, "另一个理由"),
                   lambda: proposals.merge(proposal, add_proposal(title="别的")),
                   lambda: proposals.accept_into_library(
                       proposal, jurisdiction=county, unit=None, year=2027, title="项目",
                       category="transport", budget_wan=Decimal("1"))):
        with pytest.raises(WrongState) as refused:
            decide()
        assert "已经处理过（不予采纳）" in refused.value.message
    assert proposal.reply == "理由。"
    assert db.session.scalar(db.select(db.func.count()).select_from(Project)) == 0


def test_a_merge_chain_is_followed_to_the_kept_proposal(app, add_proposal):
    kept = add_proposal(title="保留的")
    middle = add_proposal(title="中间的", status="merged", reply="并", merged_into_id=kept.id)
    last = add_proposal(title="最后的", status="merged", reply="并", merged_into_id=middle.id)
    assert proposals.kept_proposal(last).id == kept.id
    assert proposals.kept_proposal(kept) is None


def test_counts_have_every_status(app, add_proposal):
    add_proposal()
    add_proposal(status="declined", reply="理由")
    assert proposals.counts_by_status() == {"received": 1, "accepted": 0, "merged": 0,
                                            "declined": 1}


# Hostile input on the public form: a 4xx or a stored proposal, never a 5xx. --------------------

# One app and database for all examples of a test: each example only adds, and checks its own rows.
FIXTURES_REUSED = [HealthCheck.function_scoped_fixture]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
FIELD_VALUES = st.fixed_dictionaries({}, optional={
    "title": TEXT, "content": TEXT, "location": TEXT, "background": TEXT, "unit": TEXT,
    "funding_source": TEXT, "contact": TEXT, "website": st.sampled_from(["", "x"]),
    "category": st.one_of(st.sampled_from(["transport", "", "health"]), TEXT),
    "jurisdiction": st.one_of(st.sampled_from(["1", "0", "-1", "99999999999999999999"]), TEXT),
    "budget_wan": st.one_of(st.sampled_from(["", "1e308", "NaN", "-0", "1,000", "12.345"]),
                            TEXT),
})


@settings(max_examples=120, deadline=None, suppress_health_check=FIXTURES_REUSED)
@given(values=FIELD_VALUES)
def test_the_form_never_fails_on_hostile_input(client, county, values):
    before = count_proposals()
    data = {**form_data(county), **values}
    response = client.post("/proposals/new", data=data)
    assert response.status_code in (303, 400), response.status_code
    stored = count_proposals() - before
    if response.status_code == 303:
        proposal = db.session.scalar(db.select(Proposal).order_by(Proposal.id.desc()).limit(1))
        assert stored in (0, 1)  # 0: the same text again within minutes
        assert len(proposal.title) <= 100 and proposal.category in ("transport", "health")
    else:
        assert stored == 0


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES_REUSED)
@given(typed=TEXT)
def test_the_lookup_never_fails_on_hostile_input(client, county, typed):
    response = client.post("/proposals/track", data={"code": typed})
    assert response.status_code in (200, 400, 404)
