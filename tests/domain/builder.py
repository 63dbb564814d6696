"""Test-only builder of complete, signed exports (the bulletin board of one ballot)."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.domain import counting, tokens

SCRUTINEERS = ("王强", "李敏", "张伟")
PROJECTS = [
    ("城区新建公办幼儿园2所、新增学位540个", "县教育局", "4800"),
    ("适龄女性'两癌'免费筛查1.2万人", "县卫生健康局", "260"),
    ("老旧小区改造12个、惠及3,100户", "县住房和城乡建设局", "6200"),
    ("农村公路提档升级85公里", "县交通运输局", "7500"),
    ("居家养老服务中心8家、助餐点20个", "县民政局", "1150"),
    ("电动自行车集中充电设施600处", "县消防救援大队", "480"),
    ("零工驿站和技能培训3,000人次", "县人社局", "350"),
    ("城乡供水一体化工程", "县水利局", "5300"),
    ("农贸市场提升改造6个", "县市场监管局", "900"),
    ("普惠性托育机构3家", "县卫生健康局", "700"),
    ("中小学食堂明厨亮灶全覆盖", "县教育局", "320"),
    ("黑臭水体整治5条", "县生态环境分局", "2100"),
]


@dataclass
class Built:
    doc: dict
    instance_key: Ed25519PrivateKey
    scrutineer_keys: dict
    minted: list  # every token minted (plain text, as printed on the slips; the ledger has
    # their hashes and, for the spent ones, their public parts)
    voided: list
    spent: list
    unused: list = field(default_factory=list)  # issued but never used

    def copy(self) -> Built:
        return Built(copy.deepcopy(self.doc), self.instance_key, self.scrutineer_keys,
                     list(self.minted), list(self.voided), list(self.spent), list(self.unused))

    def resign(self) -> None:
        """Re-sign the (tampered) result with the genuine scrutineer keys."""
        self.doc["signatures"] = [
            {"scrutineer": name, "public_key": counting.public_key_hex(key),
             "signature": counting.sign_result(key, self.doc["result"])}
            for name, key in self.scrutineer_keys.items()
        ]

    def retally(self) -> None:
        """Recompute the result from the (tampered) ballots, ledger and receipts; re-sign it."""
        result, ledger = self.doc["result"], self.doc["ledger"]
        self.doc["result"] = counting.tally(
            self.doc["ballot"], self.doc["ballots"], roster=result["roster"],
            present=result["present"],
            issued=len(set(ledger["minted"]) - set(ledger["voided"])), ledger=ledger,
            receipts=self.doc["receipts"])
        self.resign()

    def recommit(self) -> None:
        """Re-make the opening commitment over the (tampered) definition and minted list."""
        commitment = counting.make_commitment(self.doc["ballot"], self.doc["ledger"]["minted"])
        self.doc["commitment"] = commitment
        self.doc["commitment_signature"] = counting.sign_commitment(self.instance_key, commitment)


def random_choices(rng: random.Random, definition: dict) -> dict:
    ids = [c["id"] for c in definition["candidates"]]
    if definition["kind"] == "evaluation":
        weights = (70, 20, 5, 5)
        return {cid: rng.choices(counting.CHOICES["evaluation"], weights)[0] for cid in ids}
    # Earlier candidates are more popular, so that the count has a clear top and a tail.
    ranked = sorted(ids, key=lambda cid: rng.random() * (1 + ids.index(cid) / 2))
    favourites = ranked[:rng.randint(definition["seats"] - 3, definition["seats"])]
    return {cid: "for" if cid in favourites else rng.choice(("against", "abstain")) for cid in ids}


def make_definition(kind="selection", n_candidates=12, seats=10, ballot_id=7, scrutineers=()):
    candidates = [
        {"id": str(100 + i), "title": title, "unit": unit, "budget_wan": budget,
         "summary": f"{title}（{unit}）"}
        for i, (title, unit, budget) in enumerate((PROJECTS * 3)[:n_candidates])
    ]
    return {
        "id": ballot_id, "title": "青川县2025年重大民生实事项目票决",
        "kind": kind, "seats": seats if kind == "selection" else None,
        "threshold_rule": {"base": "roster", "numerator": 1, "denominator": 2},
        "evaluation_rule": {"numerator": 1, "denominator": 2, "rectify_below_rate": None},
        "candidates": candidates, "jurisdiction": "青川县",
        "session": "青川县第十八届人民代表大会第四次会议", "runoff_of": None,
        "scrutineers": [{"name": name, "chief": i == 0, "public_key": counting.public_key_hex(k)}
                        for i, (name, k) in enumerate(scrutineers)],
    }


def build_export(*, kind="selection", n_candidates=12, seats=10, n_ballots=40, n_tokens=50,
                 n_voided=4, roster=48, present=44, seed=1, choose=random_choices) -> Built:
    rng = random.Random(seed)
    instance_key = Ed25519PrivateKey.generate()
    keys = {name: Ed25519PrivateKey.generate() for name in SCRUTINEERS}
    definition = make_definition(kind, n_candidates, seats, scrutineers=keys.items())
    minted = tokens.mint_tokens(instance_key, definition["id"], n_tokens)
    hashes = [counting.token_hash(t) for t in minted]
    commitment = counting.make_commitment(definition, hashes)
    shuffled = rng.sample(minted, len(minted))
    voided, spent = shuffled[:n_voided], shuffled[n_voided:n_voided + n_ballots]
    ballots = [{"id": f"{rng.getrandbits(128):032x}", "choices": choose(rng, definition)}
               for _ in spent]
    ledger = {"minted": hashes, "voided": [counting.token_hash(t) for t in voided],
              "spent": [counting.token_public(t) for t in spent]}
    receipts = [tokens.new_receipt() for _ in ballots]
    result = counting.tally(definition, ballots, roster=roster, present=present,
                            issued=n_tokens - n_voided, ledger=ledger, receipts=receipts)
    doc = counting.make_export(
        definition=definition, instance_public_key=instance_key.public_key(),
        commitment=commitment,
        commitment_signature=counting.sign_commitment(instance_key, commitment),
        ledger=ledger, ballots=ballots, receipts=receipts, result=result, signatures=[])
    built = Built(doc, instance_key, keys, minted, voided, spent,
                  unused=shuffled[n_voided + n_ballots:])
    built.resign()
    return built
