"""The count: rules of DOMAIN.md / docs/formats.md, and a naive second implementation."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.domain import counting
from voting.domain.counting import CHOICES, canonical, digest, tally, threshold

from .builder import make_definition

# ---------------------------------------------------------------- helpers


def definition(kind="selection", n=12, seats=10, **rules):
    d = make_definition(kind, n, seats)
    d.update(rules)
    return d


def ballots_for(counts_by_candidate: dict, total: int, word="for", other="against") -> list:
    """`total` ballots where candidate c gets counts_by_candidate[c] times `word`."""
    ballots = []
    for i in range(total):
        choices = {cid: (word if i < n else other) for cid, n in counts_by_candidate.items()}
        ballots.append({"id": f"{i:032x}", "choices": choices})
    return ballots


def selection_ballots(d: dict, fors: list[int], total: int) -> list:
    """Ballots giving candidate i exactly fors[i] 'for' votes, never more than `seats` a ballot."""
    ids = [c["id"] for c in d["candidates"]]
    slots = [[] for _ in range(total)]
    pool = sorted(((n, cid) for cid, n in zip(ids, fors, strict=True)), reverse=True)
    for n, cid in pool:  # fill the emptiest ballots first
        order = sorted(range(total), key=lambda i: len(slots[i]))
        for i in order[:n]:
            slots[i].append(cid)
    assert all(len(s) <= d["seats"] for s in slots)
    return [{"id": f"{i:032x}", "choices": {cid: "for" if cid in s else "against" for cid in ids}}
            for i, s in enumerate(slots)]


# ---------------------------------------------------------------- canonical JSON, threshold


def test_canonical_is_sorted_compact_utf8():
    expected = '{"a":["王",1.5,null,true],"b":1}'.encode()
    assert canonical({"b": 1, "a": ["王", 1.5, None, True]}) == expected
    assert digest([]) == "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"


@pytest.mark.parametrize(("rule", "roster", "present", "cast", "expected"), [
    (None, 150, 140, 130, 76),  # more than half of the roster: the demo ballot
    ({"base": "roster", "numerator": 1, "denominator": 2}, 151, 0, 0, 76),
    ({"base": "present", "numerator": 2, "denominator": 3}, 150, 120, 110, 81),
    ({"base": "present", "numerator": 2, "denominator": 3}, 150, 121, 110, 81),
    ({"base": "roster", "numerator": 2, "denominator": 3}, 150, 0, 0, 101),
    ({"base": "cast", "numerator": 1, "denominator": 2}, 150, 140, 131, 66),
    ({"base": "cast", "numerator": 1, "denominator": 2}, 0, 0, 0, 1),
])
def test_threshold(rule, roster, present, cast, expected):
    assert threshold(rule, roster, present, cast) == expected


def test_threshold_rejects_unknown_base():
    with pytest.raises(ValueError):
        threshold({"base": "moon"}, 1, 1, 1)


# ---------------------------------------------------------------- selection, worked examples


def test_demo_ballot_twelve_for_ten_seats():
    d = definition()
    fors = [140, 130, 120, 110, 100, 95, 90, 85, 80, 77, 76, 60]
    result = tally(d, selection_ballots(d, fors, 140), roster=150, present=140, issued=150)
    ids = [c["id"] for c in d["candidates"]]
    assert result["threshold"] == 76
    assert result["selected"] == ids[:10]  # in order of votes; the 11th (76) is outside the seats
    assert (result["tied"], result["unfilled"], result["runoff_seats"]) == ([], 0, 0)
    assert result["counts"][ids[0]] == {"for": 140, "against": 0, "abstain": 0}
    assert result["counts"][ids[11]] == {"for": 60, "against": 80, "abstain": 0}
    assert (result["cast"], result["valid"], result["invalid"], result["blank"]) == (140, 140, 0, 0)
    assert result["quorum"] is True and result["issued"] == 150


def test_order_of_votes_and_list_order_among_equals():
    d = definition(n=4, seats=3)
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [80, 90, 90, 100], 120), roster=150, present=120,
                   issued=120)
    assert result["selected"] == [ids[3], ids[1], ids[2]]


def test_tie_at_the_cutoff_is_not_broken():
    d = definition(n=5, seats=3)
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [120, 100, 90, 90, 50], 150), roster=150,
                   present=150, issued=150)
    assert result["selected"] == ids[:2]
    assert result["tied"] == [ids[2], ids[3]]
    assert (result["runoff_seats"], result["unfilled"]) == (1, 0)


def test_tie_for_several_seats_leaves_them_all_to_the_runoff():
    d = definition(n=5, seats=3)
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [100, 100, 100, 100, 10], 140), roster=150,
                   present=140, issued=140)
    assert result["selected"] == [] and result["tied"] == ids[:4]
    assert result["runoff_seats"] == 3


def test_tie_inside_the_seats_is_no_tie():
    d = definition(n=5, seats=3)
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [100, 100, 90, 80, 10], 140), roster=150,
                   present=140, issued=140)
    assert result["selected"] == ids[:3] and result["tied"] == []


def test_tie_below_the_threshold_is_no_tie():
    d = definition(n=5, seats=3)
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [100, 90, 70, 70, 10], 140), roster=150,
                   present=140, issued=140)
    assert result["selected"] == ids[:2] and result["tied"] == []
    assert (result["unfilled"], result["runoff_seats"]) == (1, 0)


def test_fewer_than_seats_reach_the_threshold():
    d = definition(n=12, seats=10)
    fors = [100, 90, 80, 76, 75, 70, 60, 50, 40, 30, 20, 10]
    result = tally(d, selection_ballots(d, fors, 140), roster=150, present=140, issued=140)
    ids = [c["id"] for c in d["candidates"]]
    assert result["selected"] == ids[:4]
    assert (result["unfilled"], result["tied"], result["runoff_seats"]) == (6, [], 0)


def test_two_thirds_of_present():
    d = definition(n=3, seats=2,
                   threshold_rule={"base": "present", "numerator": 2, "denominator": 3})
    ids = [c["id"] for c in d["candidates"]]
    result = tally(d, selection_ballots(d, [81, 80, 70], 120), roster=150, present=120,
                   issued=120)
    assert result["threshold"] == 81  # 80 is two thirds of 120, not more
    assert result["selected"] == [ids[0]] and result["unfilled"] == 1


def test_quorum_needs_more_than_two_thirds_present():
    d = definition(n=2, seats=1)
    assert tally(d, [], roster=150, present=100, issued=0)["quorum"] is False
    assert tally(d, [], roster=150, present=101, issued=0)["quorum"] is True


def test_omitted_is_abstain_blank_and_invalid_ballots():
    d = definition(n=3, seats=1)
    a, b, c = (x["id"] for x in d["candidates"])
    ballots = [
        {"id": "01", "choices": {a: "for"}},  # omitted b and c are abstentions
        {"id": "02", "choices": {}},  # blank
        {"id": "03", "choices": {a: "abstain", b: "abstain", c: "abstain"}},  # blank
        {"id": "04", "choices": {a: "for", b: "for"}},  # two 'for' for one seat: invalid
        {"id": "05", "choices": {a: "yes"}},  # invalid word
        {"id": "06", "choices": {"999": "for"}},  # unknown candidate
    ]
    result = tally(d, ballots, roster=10, present=10, issued=10)
    assert (result["cast"], result["valid"], result["invalid"], result["blank"]) == (6, 3, 3, 2)
    assert result["counts"][a] == {"for": 1, "against": 0, "abstain": 2}
    assert result["counts"][b] == {"for": 0, "against": 0, "abstain": 3}


def test_invalid_ballots_are_taken_out_on_the_fast_path_too():
    d = definition(n=3, seats=1)
    a, b, c = (x["id"] for x in d["candidates"])
    ballots = [{"id": "01", "choices": {a: "for", b: "for", c: "against"}},
               {"id": "02", "choices": {a: "for", b: "against", c: "against"}}]
    result = tally(d, ballots, roster=3, present=3, issued=3)
    assert (result["valid"], result["invalid"]) == (1, 1)
    assert result["counts"][a] == {"for": 1, "against": 0, "abstain": 0}
    assert result["counts"][b] == {"for": 0, "against": 1, "abstain": 0}


def test_result_document_fields_and_digests():
    d = definition(n=2, seats=1)
    ballots = [{"id": "b" * 32, "choices": {"100": "for", "101": "against"}},
               {"id": "a" * 32, "choices": {"100": "abstain", "101": "for"}}]
    ledger = {"minted": ["2", "1"], "voided": [], "spent": ["y", "x"]}
    result = tally(d, ballots, roster=3, present=3, issued=2, ledger=ledger)
    assert list(result) == [
        "ballot_id", "kind", "seats", "threshold", "threshold_rule", "roster", "present",
        "quorum", "issued", "cast", "valid", "invalid", "blank", "counts", "selected", "tied",
        "unfilled", "runoff_seats", "definition_digest", "ballots_digest", "ledger_digest",
        "receipts_digest"]
    assert result["definition_digest"] == digest(d)
    assert result["ballots_digest"] == digest(sorted(ballots, key=lambda b: b["id"]))
    assert result["ledger_digest"] == digest({"minted": ["1", "2"], "voided": [],
                                              "spent": ["x", "y"]})
    assert tally(d, [], roster=1, present=1, issued=0)["ledger_digest"] == digest(
        {"minted": [], "voided": [], "spent": []})


def test_tally_rejects_a_broken_definition():
    with pytest.raises(ValueError):
        tally(definition(seats=0), [], roster=1, present=1, issued=0)
    with pytest.raises(ValueError):
        tally(definition(kind="ranking"), [], roster=1, present=1, issued=0)


# ---------------------------------------------------------------- evaluation


def evaluation_ballots(d, cid, satisfied, basically, dissatisfied, abstain=0):
    words = (["satisfied"] * satisfied + ["basically_satisfied"] * basically
             + ["dissatisfied"] * dissatisfied + ["abstain"] * abstain)
    return [{"id": f"{i:032x}", "choices": {cid: w}} for i, w in enumerate(words)]


def test_evaluation_published_example():
    d = definition(kind="evaluation", n=1)
    cid = d["candidates"][0]["id"]
    result = tally(d, evaluation_ballots(d, cid, 175, 43, 4), roster=230, present=222,
                   issued=222)
    row = result["counts"][cid]
    assert row == {"satisfied": 175, "basically_satisfied": 43, "dissatisfied": 4, "abstain": 0,
                   "rate": 0.982, "grade": "satisfied", "rectify": False}
    assert result["seats"] is None and result["threshold"] is None
    assert (result["selected"], result["tied"], result["unfilled"], result["runoff_seats"]) == (
        [], [], 0, 0)


@pytest.mark.parametrize(("votes", "grade", "rate", "rectify"), [
    ((100, 100, 22), "basically_satisfied", 0.9009, False),
    ((111, 0, 111), "dissatisfied", 0.5, True),  # exactly half is not "more than half"
    ((112, 0, 110), "satisfied", 0.5045, False),
    ((50, 50, 122), "dissatisfied", 0.4505, True),
    ((0, 0, 0), "dissatisfied", 0.0, True),
])
def test_evaluation_grades(votes, grade, rate, rectify):
    d = definition(kind="evaluation", n=1)
    cid = d["candidates"][0]["id"]
    result = tally(d, evaluation_ballots(d, cid, *votes), roster=300, present=222, issued=222)
    row = result["counts"][cid]
    assert (row["grade"], row["rate"], row["rectify"]) == (grade, rate, rectify)


def test_evaluation_rectify_below_rate_and_rounding_half_up():
    d = definition(kind="evaluation", n=1,
                   evaluation_rule={"numerator": 1, "denominator": 2, "rectify_below_rate": 0.95})
    cid = d["candidates"][0]["id"]
    row = tally(d, evaluation_ballots(d, cid, 175, 30, 17), roster=300, present=222,
                issued=222)["counts"][cid]
    assert row["grade"] == "satisfied" and row["rate"] == 0.9234 and row["rectify"] is True
    # 1/32 = 0.03125 exactly: half up gives 0.0313 (Python's round() would give 0.0312)
    row = tally(d, evaluation_ballots(d, cid, 1, 0, 31), roster=40, present=32,
                issued=32)["counts"][cid]
    assert row["rate"] == 0.0313


# ---------------------------------------------------------------- ballots


def test_normalise_choices_fills_abstain_in_list_order():
    d = definition(n=3, seats=2)
    a, b, c = (x["id"] for x in d["candidates"])
    assert list(counting.normalise_choices(d, {c: "for", a: "against"}).items()) == [
        (a, "against"), (b, "abstain"), (c, "for")]
    assert counting.ballot_problem(d, {a: "for", b: "for"}) is None


@pytest.mark.parametrize(("choices", "fragment"), [
    ({"999": "for"}, "unknown candidate '999'"),
    ({"100": "yes"}, "'yes' for candidate 100 is not one of for, against, abstain"),
    ({"100": "for", "101": "for", "102": "for"}, "3 'for' marks but only 2 seats"),
    ({"100": ["for"]}, "is not one of"),
    (["100"], "not a JSON object"),
    ({100: "for"}, "unknown candidate 100"),
])
def test_normalise_choices_rejects(choices, fragment):
    d = definition(n=3, seats=2)
    assert fragment in counting.ballot_problem(d, choices)
    with pytest.raises(ValueError, match="."):
        counting.normalise_choices(d, choices)


def test_evaluation_words():
    d = definition(kind="evaluation", n=2)
    assert counting.ballot_problem(d, {"100": "for"}).startswith("'for' for candidate 100")
    assert counting.normalise_choices(d, {"101": "basically_satisfied"}) == {
        "100": "abstain", "101": "basically_satisfied"}


# ---------------------------------------------------------------- against a naive count


def naive_tally(d: dict, ballots: list, roster: int, present: int) -> dict:
    """The rules read literally, one candidate and one ballot at a time, in exact fractions."""
    kind, seats = d["kind"], d["seats"]
    ids = [c["id"] for c in d["candidates"]]
    words = CHOICES[kind]

    def ok(choices):
        return (isinstance(choices, dict) and all(k in ids for k in choices)
                and all(isinstance(v, str) and v in words for v in choices.values())
                and (kind != "selection" or list(choices.values()).count("for") <= seats))

    valid = [b["choices"] for b in ballots if ok(b["choices"])]
    counts = {cid: {w: sum(1 for ch in valid if ch.get(cid, "abstain") == w) for w in words}
              for cid in ids}
    out = {"valid": len(valid), "invalid": len(ballots) - len(valid),
           "blank": sum(1 for ch in valid if all(ch.get(c, "abstain") == "abstain" for c in ids))}
    if kind == "evaluation":
        rule = {**counting.DEFAULT_EVALUATION_RULE, **d.get("evaluation_rule", {})}
        half = Fraction(rule["numerator"], rule["denominator"])
        for row in counts.values():
            s, b = row["satisfied"], row["basically_satisfied"]
            exact = Fraction(s + b, len(valid)) if valid else Fraction(0)
            row["rate"] = math.floor(exact * 10000 + Fraction(1, 2)) / 10000
            row["grade"] = ("satisfied" if s > half * len(valid) else
                            "basically_satisfied" if s + b > half * len(valid) else "dissatisfied")
            below = rule["rectify_below_rate"]
            row["rectify"] = row["grade"] == "dissatisfied" or (below is not None
                                                                and row["rate"] < below)
        return {**out, "counts": counts, "selected": [], "tied": [], "unfilled": 0,
                "runoff_seats": 0}
    rule = d["threshold_rule"]
    base = {"roster": roster, "present": present, "cast": len(valid)}[rule["base"]]
    needed = math.floor(Fraction(base * rule["numerator"], rule["denominator"])) + 1
    fors = {cid: counts[cid]["for"] for cid in ids}
    eligible = [cid for cid in ids if fors[cid] >= needed]
    selected, tied = [], []
    for cid in eligible:
        above = sum(1 for o in eligible if fors[o] > fors[cid])
        equal = sum(1 for o in eligible if fors[o] == fors[cid])
        if above + equal <= seats:
            selected.append(cid)
        elif above < seats:
            tied.append(cid)
    selected.sort(key=lambda cid: (-fors[cid], ids.index(cid)))
    left = seats - len(selected)
    return {**out, "counts": counts, "selected": selected, "tied": tied,
            "unfilled": 0 if tied else left, "runoff_seats": left if tied else 0,
            "threshold": needed}


CANDIDATE_IDS = st.sampled_from(["1", "2", "12", "37", "a%s", '"q"', "王", "x\\y", "%", ""])


@st.composite
def elections(draw):
    kind = draw(st.sampled_from(["selection", "evaluation"]))
    ids = draw(st.lists(CANDIDATE_IDS, min_size=1, max_size=6, unique=True))
    seats = draw(st.integers(1, len(ids) + 1))
    d = {"id": 3, "title": "t", "kind": kind, "seats": seats if kind == "selection" else None,
         "threshold_rule": {"base": draw(st.sampled_from(["roster", "present", "cast"])),
                            "numerator": draw(st.integers(0, 3)), "denominator": 3},
         "evaluation_rule": {"numerator": draw(st.integers(1, 3)), "denominator": 4,
                             "rectify_below_rate": draw(st.sampled_from([None, 0.5, 0.8]))},
         "candidates": [{"id": cid, "title": cid} for cid in ids], "scrutineers": []}
    words = list(CHOICES[kind])
    complete = draw(st.booleans())  # complete ballots take the fast path
    odd_words = ["maybe", None, ["for"]]
    choice = st.sampled_from(words if complete else words + odd_words)
    keys = st.just(ids) if complete else st.lists(st.sampled_from(ids + ["999"]), unique=True)
    ballot_ids = st.one_of(st.text(alphabet="0123456789abcdef", min_size=1, max_size=4),
                           st.text(max_size=3)) if not complete else st.text(
                               alphabet="0123456789abcdef", min_size=1, max_size=4)
    n = draw(st.integers(0, 30))
    bids = draw(st.lists(ballot_ids, min_size=n, max_size=n, unique=True))
    ballots = []
    for bid in bids:
        chosen = draw(keys)
        ballots.append({"id": bid, "choices": {k: draw(choice) for k in chosen}})
    roster = draw(st.integers(0, 40))
    present = draw(st.integers(0, roster))
    return d, ballots, roster, present


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_tally_agrees_with_naive_count(election):
    d, ballots, roster, present = election
    result = tally(d, ballots, roster=roster, present=present, issued=len(ballots))
    expected = naive_tally(d, ballots, roster, present)
    for key, value in expected.items():
        assert result[key] == value, key
    assert result["cast"] == len(ballots)
    assert result["ballots_digest"] == digest(sorted(ballots, key=lambda b: b["id"]))


@settings(max_examples=200, deadline=None)
@given(elections())
def test_fast_and_slow_paths_agree(election):
    d, ballots, _, _ = election
    ids = [c["id"] for c in d["candidates"]]
    ordered = sorted(ballots, key=lambda b: b["id"])
    fast = counting._count_fast(d["kind"], ids, d["seats"], ordered)
    if fast is not None:
        slow = counting._count_slow(d["kind"], set(ids), d["seats"], ordered)
        fast_counts = {c: {w: n for w, n in row.items() if n} for c, row in fast[0].items()}
        assert (fast_counts, *fast[1:]) == (slow[0], *slow[1:])


def test_fast_path_is_taken_for_complete_ballots():
    ballots = [{"id": "ab", "choices": {"100": "for", "101": "against", "102": "abstain"}}]
    assert counting._count_fast("selection", ["100", "101", "102"], 2, ballots) is not None
