"""Benchmark of the count and of the verifier at a scale beyond the NPC's.

    .venv/bin/python bench/bench_tally.py [--ballots 100000] [--candidates 20] [--runs 5]

Builds a complete signed export (tokens minted, some voided, ballots, receipts, result, three
scrutineer signatures), then prints the median of several runs of `tally` and `verify_export`,
next to a floor: a bare Python loop over the same ballots reading one choice each.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from voting.domain import counting, tokens  # noqa: E402


def build(n_ballots: int, n_candidates: int, seed: int = 1) -> tuple[dict, list]:
    rng = random.Random(seed)
    instance = Ed25519PrivateKey.generate()
    scrutineers = {name: Ed25519PrivateKey.generate() for name in ("王强", "李敏", "张伟")}
    seats = n_candidates * 3 // 4
    definition = {
        "id": 7, "title": f"基准测试 {n_candidates}选{seats}", "kind": "selection",
        "seats": seats, "threshold_rule": {"base": "roster", "numerator": 1, "denominator": 2},
        "evaluation_rule": {"numerator": 1, "denominator": 2, "rectify_below_rate": None},
        "candidates": [{"id": str(1000 + i), "title": f"项目{i}", "unit": "县政府",
                        "budget_wan": "100", "summary": ""} for i in range(n_candidates)],
        "jurisdiction": "青川县", "session": "基准", "runoff_of": None,
        "scrutineers": [{"name": n, "chief": i == 0, "public_key": counting.public_key_hex(k)}
                        for i, (n, k) in enumerate(scrutineers.items())],
    }
    n_voided = n_ballots // 50
    minted = tokens.mint_tokens(instance, definition["id"], n_ballots + n_voided)
    hashes = [counting.token_hash(t) for t in minted]
    ids = [c["id"] for c in definition["candidates"]]
    ballots = []
    for _ in range(n_ballots):
        favourites = set(rng.sample(ids, rng.randint(seats - 3, seats)))
        ballots.append({"id": f"{rng.getrandbits(128):032x}", "choices": {
            cid: "for" if cid in favourites else rng.choice(("against", "abstain"))
            for cid in ids}})
    ledger = {"minted": hashes, "voided": hashes[:n_voided],
              "spent": [counting.token_public(t) for t in minted[n_voided:]]}
    result = counting.tally(definition, ballots, roster=n_ballots + n_voided,
                            present=n_ballots, issued=n_ballots, ledger=ledger)
    commitment = counting.make_commitment(definition, hashes)
    doc = counting.make_export(
        definition=definition, instance_public_key=instance, commitment=commitment,
        commitment_signature=counting.sign_commitment(instance, commitment), ledger=ledger,
        ballots=ballots, receipts=[tokens.new_receipt() for _ in ballots], result=result,
        signatures=[{"scrutineer": n, "public_key": counting.public_key_hex(k),
                     "signature": counting.sign_result(k, result)}
                    for n, k in scrutineers.items()])
    rng.shuffle(ballots)  # the count gets them in no particular order, as from a database
    return doc, ballots


def median_time(fn, runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} CPUs ({platform.machine()}), "
          f"Python {platform.python_version()} ({platform.python_implementation()})")
    start = time.perf_counter()
    doc, ballots = build(args.ballots, args.candidates)
    print(f"built {args.ballots:,} ballots × {args.candidates} candidates, "
          f"{len(doc['ledger']['minted']):,} tokens in {time.perf_counter() - start:.1f} s")
    result, first = doc["result"], ballots[0]["choices"]
    key = next(iter(first))

    def floor():
        total = 0
        for ballot in ballots:
            total += ballot["choices"][key] == "for"
        return total

    def count(ledger=None):
        return counting.tally(doc["ballot"], ballots, roster=result["roster"],
                              present=result["present"], issued=result["issued"], ledger=ledger)

    floor_s, n_for = median_time(floor, args.runs)
    assert n_for == result["counts"][key]["for"]
    tally_s, _ = median_time(count, args.runs)
    ledger_s, recount = median_time(lambda: count(doc["ledger"]), args.runs)
    assert recount == result
    plain_s, plain = median_time(lambda: counting.digest(doc["ballots"]), args.runs)
    assert plain == result["ballots_digest"]
    text = json.dumps(doc, ensure_ascii=False).encode()
    parse_s, parsed = median_time(lambda: counting.load_export(text), args.runs)
    verify_s, problems = median_time(lambda: counting.verify_export(parsed), args.runs)
    assert problems == [], problems[:5]
    tokens_s, _ = median_time(lambda: counting._public_ballot_ids(
        parsed["ledger"]["spent"], parsed["instance_public_key"]), 1)

    print(f"median of {args.runs} runs:")
    print(f"  floor (bare loop reading one choice per ballot)  {floor_s * 1000:8.1f} ms")
    print(f"  tally (shuffled ballots, ballots digest)         {tally_s * 1000:8.1f} ms"
          f"  = {tally_s / floor_s:.1f} × floor")
    print(f"  tally with the {len(doc['ledger']['minted']):,}-token ledger digest too     "
          f"{ledger_s * 1000:8.1f} ms")
    print(f"  for comparison: digest(ballots) with json.dumps  {plain_s * 1000:8.1f} ms")
    print(f"  parse the export ({len(text) / 1e6:.1f} MB JSON, strict)          "
          f"{parse_s * 1000:8.1f} ms")
    print(f"  verify_export (everything, parsed export)        {verify_s * 1000:8.1f} ms")
    print(f"    of which the {len(parsed['ledger']['spent']):,} token signatures (1 run)     "
          f"{tokens_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
