"""The independent verifier: a good export passes; every kind of tampering is named."""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.domain import counting, tokens
from voting.domain.counting import canonical, verify_export

from .builder import build_export


def problems_about(doc, *fragments) -> list[str]:
    """verify_export's problems; asserts that each fragment occurs in one of them."""
    problems = verify_export(doc)
    for fragment in fragments:
        assert any(fragment in p for p in problems), (fragment, problems)
    return problems


def new_ballot_id(doc) -> str:
    ids = {b["id"] for b in doc["ballots"]}
    return next(f"{n:032x}" for n in range(1, 10**6) if f"{n:032x}" not in ids)


# ---------------------------------------------------------------- the good case


def test_good_export_is_valid(built):
    assert verify_export(built.doc) == []


def test_good_evaluation_export_is_valid():
    built = build_export(kind="evaluation", n_candidates=8)
    assert verify_export(built.doc) == []
    assert "graded:" in counting.summary(built.doc)


def test_survives_a_json_round_trip(built):
    doc = counting.load_export(json.dumps(built.doc, ensure_ascii=False, indent=1))
    assert verify_export(doc) == []


def test_main_valid_and_invalid(built, tmp_path, capsys):
    good = tmp_path / "export.json"
    good.write_text(json.dumps(built.doc, ensure_ascii=False), encoding="utf-8")
    assert counting.main([str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID: 青川县2025年重大民生实事项目票决 — 40 ballots, selected: ")
    built.doc["result"]["counts"]["100"]["for"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(built.doc, ensure_ascii=False), encoding="utf-8")
    assert counting.main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and "count for candidate 100 'for'" in out


def test_main_unreadable_and_not_json(tmp_path, capsys):
    assert counting.main([str(tmp_path / "missing.json")]) == 2
    for content in (b"{not json", b"\xff\xfe\x00", b'{"a": 1, "a": 2}', b'{"a": NaN}',
                    b"[" * 100000):
        path = tmp_path / "x.json"
        path.write_bytes(content)
        assert counting.main([str(path)]) == 2, content
    assert counting.main([]) == 2
    path.write_text("[]")
    assert counting.main([str(path)]) == 1
    assert "not a JSON object" in capsys.readouterr().out


# ---------------------------------------------------------------- ballots


def test_changed_ballot(built):
    ballot = built.doc["ballots"][0]
    cid = next(c for c, w in ballot["choices"].items() if w == "against")
    ballot["choices"][cid] = "abstain"
    problems_about(built.doc, f"count for candidate {cid} 'against' is",
                   "ballots_digest does not match the published ballots")


def test_changed_ballot_even_with_a_resigned_result(built):
    """Insiders who also re-sign cannot hide a changed ballot: the result no longer matches."""
    built.doc["ballots"][0]["choices"]["100"] = (
        "against" if built.doc["ballots"][0]["choices"]["100"] != "against" else "abstain")
    built.resign()
    problems = problems_about(built.doc, "count for candidate 100")
    assert not any("signature" in p for p in problems)


def test_added_ballot(built):
    doc = built.doc
    doc["ballots"].append({"id": new_ballot_id(doc), "choices": dict(doc["ballots"][0]["choices"])})
    doc["ballots"].sort(key=lambda b: b["id"])
    problems_about(doc, "there are 41 ballots but 40 spent tokens", "the result's cast is 40, "
                   "recomputed 41", "there are 40 receipts for 41 ballots")


def test_dropped_ballot(built):
    del built.doc["ballots"][5]
    problems_about(built.doc, "there are 39 ballots but 40 spent tokens",
                   "the result's cast is 40, recomputed 39")


def test_duplicated_ballot(built):
    doc = built.doc
    doc["ballots"].insert(3, copy.deepcopy(doc["ballots"][3]))
    problems_about(doc, f"ballot {doc['ballots'][3]['id']} appears 2 times")


def test_invalid_ballot_is_named(built):
    doc = built.doc
    doc["ballots"][2]["choices"] = {c: "for" for c in doc["ballots"][2]["choices"]}
    built.retally()  # even a consistent, signed result cannot carry an invalid ballot
    problems_about(doc, f"ballot {doc['ballots'][2]['id']} is invalid: 12 'for' marks but only "
                   "10 seats")


def test_incomplete_ballot_is_named(built):
    doc = built.doc
    del doc["ballots"][2]["choices"]["105"]
    built.retally()
    problems_about(doc, f"ballot {doc['ballots'][2]['id']} omits candidate(s) 105")


def test_unsorted_ballots(built):
    doc = built.doc
    doc["ballots"].reverse()
    problems_about(doc, "the ballots are not sorted by id")


# ---------------------------------------------------------------- receipts

RECEIPTS_DIGEST = "the result's receipts_digest does not match the published receipts"


def other_receipt(doc) -> str:
    """A well-formed receipt code that the export does not list."""
    return next(r for r in iter(tokens.new_receipt, None) if r not in doc["receipts"])


def test_swapped_receipt(built):
    """An insider swaps a deputy's receipt for another well-formed code: the count of receipts
    and their format still agree, only the signed digest gives it away."""
    doc = built.doc
    doc["receipts"] = sorted(doc["receipts"][:4] + [other_receipt(doc)] + doc["receipts"][5:])
    assert verify_export(doc) == [RECEIPTS_DIGEST]


def test_swapped_receipt_with_a_rewritten_digest(built):
    """Rewriting the digest to match breaks every scrutineer's signature."""
    doc = built.doc
    doc["receipts"][0] = other_receipt(doc)
    doc["receipts"].sort()
    doc["result"]["receipts_digest"] = counting.digest(doc["receipts"])
    problems = problems_about(doc, *(f"signature of {name} does not verify"
                                     for name in built.scrutineer_keys))
    assert len(problems) == len(built.scrutineer_keys)


def test_dropped_receipt(built):
    del built.doc["receipts"][7]
    problems = problems_about(built.doc, RECEIPTS_DIGEST, "there are 39 receipts for 40 ballots")
    assert len(problems) == 2


def test_added_receipt(built):
    doc = built.doc
    doc["receipts"] = sorted(doc["receipts"] + [other_receipt(doc)])
    problems_about(doc, RECEIPTS_DIGEST, "there are 41 receipts for 40 ballots")


# ---------------------------------------------------------------- the result


def test_changed_count(built):
    built.doc["result"]["counts"]["101"]["for"] += 1
    want = built.doc["result"]["counts"]["101"]["for"]
    problems_about(built.doc, f"count for candidate 101 'for' is {want}, recomputed {want - 1}",
                   "signature of 王强 does not verify")


def test_changed_count_resigned(built):
    built.doc["result"]["counts"]["101"]["against"] -= 1
    built.resign()
    problems = problems_about(built.doc, "count for candidate 101 'against'")
    assert len(problems) == 1


def test_swapped_selected_list(built):
    selected = built.doc["result"]["selected"]
    selected[0], selected[1] = selected[1], selected[0]
    built.resign()
    problems_about(built.doc, "the selected list differs from the recomputation")


def test_selected_replaced_by_a_loser(built):
    result = built.doc["result"]
    result["selected"][-1] = "111"
    problems_about(built.doc, "the selected list differs from the recomputation")


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("issued", 99, "the result's issued is 99, recomputed 46"),
    ("threshold", 20, "the result's threshold is 20, recomputed 25"),
    ("quorum", False, "the result's quorum is False, recomputed True"),
    ("unfilled", 0, "the result's unfilled is 0, recomputed 1"),
    ("ledger_digest", "0" * 64, "ledger_digest does not match the published token ledger"),
    ("definition_digest", "0" * 64, "definition_digest does not match the ballot definition"),
    ("receipts_digest", "0" * 64, "receipts_digest does not match the published receipts"),
])
def test_changed_result_field(built, field, value, fragment):
    built.doc["result"][field] = value
    built.resign()
    problems_about(built.doc, fragment)


def test_inconsistent_roster_and_present(built):
    built.doc["result"]["present"] = 49
    problems_about(built.doc, "the result's roster (48) and present (49) are not valid")


def test_extra_and_missing_result_fields(built):
    del built.doc["result"]["blank"]
    built.doc["result"]["winner"] = "100"
    built.resign()
    problems_about(built.doc, "the result lacks the field 'blank'",
                   "the result has an unexpected field 'winner'")


# ---------------------------------------------------------------- signatures


def test_altered_signature(built):
    sig = built.doc["signatures"][0]
    sig["signature"] = ("0" if sig["signature"][0] != "0" else "1") + sig["signature"][1:]
    problems = problems_about(built.doc, f"signature of {sig['scrutineer']} does not verify")
    assert len(problems) == 1


def test_altered_public_key(built):
    sig = built.doc["signatures"][1]
    sig["public_key"] = tokens.public_key_hex(Ed25519PrivateKey.generate())
    problems_about(built.doc, "public key of 李敏 differs from the one committed at opening")


def test_attackers_own_key_and_signature(built):
    """Replacing a scrutineer's key and signature by one's own pair is caught by the commitment."""
    attacker = Ed25519PrivateKey.generate()
    sig = built.doc["signatures"][2]
    sig["public_key"] = tokens.public_key_hex(attacker)
    sig["signature"] = counting.sign_result(attacker, built.doc["result"])
    assert counting.verify_result_signature(sig["public_key"], built.doc["result"],
                                            sig["signature"])
    problems_about(built.doc, "public key of 张伟 differs from the one committed at opening",
                   "signature of 张伟 does not verify")


def test_attacker_also_rewrites_the_definition(built):
    """…and rewriting the definition's keys breaks the instance-signed commitment."""
    attacker = Ed25519PrivateKey.generate()
    built.doc["ballot"]["scrutineers"][2]["public_key"] = tokens.public_key_hex(attacker)
    sig = built.doc["signatures"][2]
    sig["public_key"] = tokens.public_key_hex(attacker)
    sig["signature"] = counting.sign_result(attacker, built.doc["result"])
    problems_about(built.doc, "the ballot definition differs from the one committed at opening")


def test_missing_duplicate_and_foreign_signatures(built):
    sigs = built.doc["signatures"]
    extra = {"scrutineer": "赵六", "public_key": tokens.public_key_hex(built.instance_key),
             "signature": counting.sign_result(built.instance_key, built.doc["result"])}
    built.doc["signatures"] = [sigs[0], sigs[0], sigs[1], extra]
    problems_about(built.doc, "scrutineer 王强 signed the result 2 times",
                   "scrutineer 张伟 has not signed the result",
                   "the signature by '赵六' is not from an assigned scrutineer")


def test_signature_of_another_result_does_not_count(built):
    other = build_export(seed=2)
    built.doc["signatures"][0]["signature"] = other.doc["signatures"][0]["signature"]
    problems_about(built.doc, "signature of 王强 does not verify")


def test_no_scrutineers_means_not_certified():
    built = build_export()
    built.scrutineer_keys = {}
    built.doc["ballot"]["scrutineers"] = []
    built.recommit()
    built.retally()
    assert verify_export(built.doc) == [
        "the ballot names no scrutineers, so nobody certified the result"]


# ---------------------------------------------------------------- tokens and the commitment


def test_dropped_spent_token(built):
    del built.doc["ledger"]["spent"][7]
    problems_about(built.doc, "there are 40 ballots but 39 spent tokens",
                   "ledger_digest does not match the published token ledger")


def test_token_not_in_the_commitment(built):
    """A genuine-looking token minted after opening (e.g. to stuff the box) is caught."""
    doc = built.doc
    late = tokens.token_public(tokens.mint_token(built.instance_key, doc["ballot"]["id"]))
    doc["ledger"]["spent"] = sorted(doc["ledger"]["spent"] + [late])
    doc["ballots"] = sorted(doc["ballots"] + [{"id": new_ballot_id(doc),
                                               "choices": dict(doc["ballots"][0]["choices"])}],
                            key=lambda b: b["id"])
    doc["receipts"] = sorted(doc["receipts"] + [tokens.new_receipt()])
    built.retally()
    problems = problems_about(doc, f"spent token {late[:16]}… is not in the opening commitment")
    assert len(problems) == 1


def test_minted_list_changed_after_opening(built):
    doc = built.doc
    late = tokens.mint_token(built.instance_key, doc["ballot"]["id"])
    doc["ledger"]["minted"] = sorted(doc["ledger"]["minted"] + [counting.token_hash(late)])
    problems_about(doc, "the list of minted tokens differs from the one committed at opening",
                   "the opening commitment counts 50 minted tokens, the ledger lists 51")


def test_forged_token(built):
    doc = built.doc
    forged = tokens.token_public(tokens.mint_token(Ed25519PrivateKey.generate(),
                                                   doc["ballot"]["id"]))
    doc["ledger"]["spent"][0] = forged
    doc["ledger"]["spent"].sort()
    problems_about(doc, f"spent token {forged[:16]}… is not a genuine token",
                   f"spent token {forged[:16]}… is not in the opening commitment")


def test_token_of_another_ballot(built):
    doc = built.doc
    other = tokens.token_public(tokens.mint_token(built.instance_key, 8))
    doc["ledger"]["spent"][0] = other
    doc["ledger"]["spent"].sort()
    problems_about(doc, f"spent token {other[:16]}… is for ballot 8, not 7")


def test_voided_token_spent(built):
    doc = built.doc
    voided = tokens.token_public(built.voided[0])
    doc["ledger"]["spent"] = sorted(doc["ledger"]["spent"][1:] + [voided])
    problems_about(doc, f"spent token {voided[:16]}… was voided")


def test_token_spent_twice(built):
    doc = built.doc
    spent = doc["ledger"]["spent"]
    doc["ledger"]["spent"] = sorted(spent[1:] + [spent[1]])
    problems_about(doc, f"spent token {spent[1][:16]}… appears 2 times")


def test_voided_never_minted(built):
    doc = built.doc
    doc["ledger"]["voided"] = sorted(doc["ledger"]["voided"] + ["f" * 64])
    problems_about(doc, f"voided token hash {'f' * 16}… was never minted")


def test_more_ballots_than_issued():
    built = build_export(n_tokens=12, n_voided=4, n_ballots=8)
    doc = built.doc
    doc["ledger"]["voided"] = sorted(doc["ledger"]["voided"]
                                     + [counting.token_hash(t) for t in built.spent[:1]])
    problems_about(doc, "8 ballots were cast but only 7 issued", "was voided")


def test_changed_definition(built):
    built.doc["ballot"]["seats"] = 11
    problems_about(built.doc, "the ballot definition differs from the one committed at opening",
                   "definition_digest does not match the ballot definition")


def test_changed_candidate_title(built):
    built.doc["ballot"]["candidates"][3]["budget_wan"] = "75000"
    problems_about(built.doc, "the ballot definition differs from the one committed at opening")


def test_altered_commitment_signature(built):
    sig = built.doc["commitment_signature"]
    built.doc["commitment_signature"] = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    problems_about(built.doc, "signature of the opening commitment does not verify")


def test_other_instance_key(built):
    built.doc["instance_public_key"] = tokens.public_key_hex(Ed25519PrivateKey.generate())
    problems_about(built.doc, "signature of the opening commitment does not verify",
                   "is not a genuine token")


# ---------------------------------------------------------------- format


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda d: d.update(format="v0"), "the export's format is 'v0'"),
    (lambda d: d.pop("ballots"), "the export's 'ballots' is missing or not a JSON array"),
    (lambda d: d.update(ledger=[]), "the export's 'ledger' is missing or not a JSON object"),
    (lambda d: d.update(instance_public_key="AB" * 32), "instance public key is not 64 lowercase"),
    (lambda d: d["ledger"].update(spent="x"), "ledger.spent is not a list of strings"),
    (lambda d: d["ballots"][0].update(time="09:31"), "exactly an 'id' and 'choices'"),
    (lambda d: d["signatures"].append(5), "every signature must have"),
    (lambda d: d["receipts"].append(5), "the receipts are not all strings"),
    (lambda d: d["ballot"].update(kind="ranking"), "neither 'selection' nor 'evaluation'"),
    (lambda d: d["ballot"].update(kind=[]), "neither 'selection' nor 'evaluation'"),  # unhashable
    (lambda d: d["ballot"]["scrutineers"].append({"name": "王强", "public_key": "0" * 64}),
     "two scrutineers share a name"),
    (lambda d: d["receipts"].__setitem__(0, "abc"), "receipt 'abc' is not 16 base32 characters"),
    (lambda d: d["ballots"][0].update(id="X" * 32), "is not 32 lowercase hex characters"),
])
def test_format_problems(built, mutate, fragment):
    mutate(built.doc)
    problems_about(built.doc, fragment)


@pytest.mark.parametrize("doc", [None, [], "x", 5, {}, {"format": "voting-bulletin-v1"}])
def test_not_an_export(doc):
    assert verify_export(doc)


def leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, (*path, i))
    yield path


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**40) | st.floats(allow_nan=False,
                                                                  allow_infinity=False)
    | st.text(max_size=5) | st.sampled_from(["for", "abstain", "satisfied", "0" * 64, "王强"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                               max_size=3),
    max_leaves=6)


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_change_is_detected_and_nothing_crashes(built_template, data):
    """Replace one value anywhere (the receipts included) by any JSON value: the verifier never
    crashes and reports a problem whenever the bytes changed."""
    doc = copy.deepcopy(built_template.doc)
    paths = [p for p in leaves(doc) if p]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON_VALUES)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    before = canonical(doc)
    parent[path[-1]] = value
    problems = verify_export(doc)
    assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
    if canonical(doc) != before:
        assert problems, (path, value)


# ---------------------------------------------------------------- counting.py alone


def python_with_only_cryptography(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with counting.py alone, and one holding links to cryptography and _cffi_backend
    (all it needs); a bootstrap puts only that folder on the path of `python -I -S`."""
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(Path(counting.__file__), alone / "counting.py")
    libs = tmp_path / "libs"
    libs.mkdir()
    for name in ("cryptography", "cffi", "_cffi_backend"):
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        origin = Path(spec.origin)
        target = origin.parent if origin.name == "__init__.py" else origin
        (libs / target.name).symlink_to(target)
    bootstrap = alone / "bootstrap.py"
    bootstrap.write_text(
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(libs)!r})\n"
        "for name in ('flask', 'voting', 'sqlalchemy', 'hypothesis'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        continue\n"
        "    sys.exit(f'{name} must not be importable here')\n"
        f"sys.argv = [{str(alone / 'counting.py')!r}] + sys.argv[1:]\n"
        f"runpy.run_path({str(alone / 'counting.py')!r}, run_name='__main__')\n",
        encoding="utf-8")
    return alone, bootstrap


def test_counting_py_runs_alone(built, tmp_path):
    alone, bootstrap = python_with_only_cryptography(tmp_path)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(built.doc, ensure_ascii=False), encoding="utf-8")
    tampered = copy.deepcopy(built.doc)
    tampered["ballots"].pop()
    bad.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")

    def run(path):
        return subprocess.run([sys.executable, "-I", "-S", str(bootstrap), str(path)],
                              capture_output=True, cwd=alone, env={"LC_ALL": "C.UTF-8"},
                              timeout=120)

    ok = run(good)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.decode().startswith("VALID: 青川县")
    assert all(name in ok.stdout.decode() for name in ("selected: ",))
    ko = run(bad)
    assert ko.returncode == 1, ko.stdout + ko.stderr
    assert "there are 39 ballots but 40 spent tokens" in ko.stdout.decode()
    assert run(tmp_path / "missing.json").returncode == 2


def test_unhashable_choice_is_an_invalid_ballot_not_a_crash(built):
    doc = built.doc
    doc["ballots"][0]["choices"]["100"] = ["for"]
    problems = problems_about(doc, f"ballot {doc['ballots'][0]['id']} is invalid: ['for'] for "
                              "candidate 100 is not one of", "the result's valid is 40, "
                              "recomputed 39")
    assert not any("could not be checked" in p for p in problems)


def test_export_with_a_tie_at_the_cutoff_is_valid_and_says_so(tmp_path, capsys):
    rotation = iter([("100", "101"), ("101", "102"), ("100", "102")] * 2)

    def choose(rng, definition):
        favourites = next(rotation)
        return {c["id"]: "for" if c["id"] in favourites else "against"
                for c in definition["candidates"]}

    built = build_export(n_candidates=3, seats=2, n_ballots=6, n_tokens=8, n_voided=1, roster=6,
                         present=6, choose=choose)
    result = built.doc["result"]
    assert (result["selected"], result["tied"], result["runoff_seats"]) == (
        [], ["100", "101", "102"], 2)
    path = tmp_path / "tie.json"
    path.write_text(json.dumps(built.doc, ensure_ascii=False), encoding="utf-8")
    assert counting.main([str(path)]) == 0
    assert "selected: none; tied, runoff for 2 seat(s): " in capsys.readouterr().out


def test_a_spent_token_listed_as_the_token_itself_is_not_genuine(built):
    """The export lists public parts: a leaked token text (which could cast) is rejected."""
    doc = built.doc
    doc["ledger"]["spent"] = sorted(doc["ledger"]["spent"][1:] + [built.spent[0]])
    problems_about(doc, f"spent token {built.spent[0][:16]}… is not a genuine token")
