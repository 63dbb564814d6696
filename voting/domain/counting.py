"""The count, the byte-level formats (docs/formats.md) and the independent verifier.

This single file is the reference implementation of docs/formats.md. It needs only the Python
standard library and `cryptography`, so that anyone can copy it and check a published export:

    python counting.py export.json      # prints "VALID: …" (exit 0) or every problem (exit 1)

Sections: canonical JSON and keys (canonical, digest, sign_result, …); tokens (token_ballot_id,
token_public, public_ballot_id, token_hash); the ballot definition and its rules (threshold,
ballot_problem, normalise_choices); the tally; the verifier (verify_export); the export, main().
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import json
import os
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter, methodcaller

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "voting-bulletin-v1"
# Every signature is over a prefixed message, so a signature made for one purpose (a token)
# can never be replayed as another (a result or a commitment).
TOKEN_PREFIX = b"voting-token-v1:"
NONCE_TAG_PREFIX = b"voting-token-nonce:"
RESULT_PREFIX = b"voting-result-v1:"
COMMITMENT_PREFIX = b"voting-commitment-v1:"
RECEIPT_PREFIX = b"voting-receipt-v1:"

# token  = version (1) || ballot id (4, big-endian) || nonce (16)           || signature (64)
# public = version (1) || ballot id (4, big-endian) || sha256 tag of nonce (32) || signature (64)
# The signature covers version || ballot id || tag, so the public part (all the database and the
# export hold) proves the instance signed the token, while only the slip's nonce can cast it.
TOKEN_VERSION = 1
TOKEN_HEAD_BYTES = 5
TOKEN_NONCE_BYTES = 16
TOKEN_TAG_BYTES = 32
TOKEN_BYTES = TOKEN_HEAD_BYTES + TOKEN_NONCE_BYTES + 64  # 85
TOKEN_LENGTH = 114  # base64url characters of TOKEN_BYTES, no padding
PUBLIC_BYTES = TOKEN_HEAD_BYTES + TOKEN_TAG_BYTES + 64  # 101
PUBLIC_LENGTH = 135
RECEIPT_LENGTH = 16
RECEIPT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32

CHOICES = {
    "selection": ("for", "against", "abstain"),
    "evaluation": ("satisfied", "basically_satisfied", "dissatisfied", "abstain"),
}
ABSTAIN = "abstain"
DEFAULT_THRESHOLD_RULE = {"base": "roster", "numerator": 1, "denominator": 2}
DEFAULT_EVALUATION_RULE = {"numerator": 1, "denominator": 2, "rectify_below_rate": None}
EMPTY_LEDGER = {"minted": [], "voided": [], "spent": []}
DIGEST_FIELDS = {
    "definition_digest": "the ballot definition",
    "ballots_digest": "the published ballots",
    "ledger_digest": "the published token ledger",
    "receipts_digest": "the published receipts",
}


# ---------------------------------------------------------------- canonical JSON, keys


def canonical(obj) -> bytes:
    """The one byte string everybody signs and hashes for a JSON value."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(obj) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)  # JSON true is not a number


def _is_hex(text, nbytes: int) -> bool:
    # strip() empties the string only when every character is lowercase hex.
    return isinstance(text, str) and len(text) == 2 * nbytes and not text.strip("0123456789abcdef")


def _short(text) -> str:
    return text[:16] + "…" if isinstance(text, str) and len(text) > 20 else repr(text)


@lru_cache(maxsize=64)  # verifying 100,000 tokens would otherwise re-parse the same key each time
def _public_key_from_hex(text: str) -> Ed25519PublicKey:
    if not _is_hex(text, 32):
        raise ValueError("a public key is 64 lowercase hex characters")
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))


def as_public_key(key) -> Ed25519PublicKey:
    """A public key from a key object (public or private), 32 raw bytes or 64 hex characters."""
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, str):
        return _public_key_from_hex(key)
    if isinstance(key, (bytes, bytearray)):
        return Ed25519PublicKey.from_public_bytes(bytes(key))
    raise TypeError(f"not a public key: {type(key).__name__}")


def as_private_key(key) -> Ed25519PrivateKey:
    """A private key from a key object, its 32 raw bytes or their 64 hex characters."""
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, str):
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key))
    if isinstance(key, (bytes, bytearray)):
        return Ed25519PrivateKey.from_private_bytes(bytes(key))
    raise TypeError(f"not a private key: {type(key).__name__}")


def public_key_hex(key) -> str:
    """64 lowercase hex characters of the raw public key (of a public or private key)."""
    return as_public_key(key).public_bytes_raw().hex()


def _verifies(public_key, message: bytes, signature) -> bool:
    """Never raises: a malformed key or signature simply does not verify."""
    try:
        sig = bytes.fromhex(signature) if _is_hex(signature, 64) else signature
        if not isinstance(sig, bytes) or len(sig) != 64:
            return False
        as_public_key(public_key).verify(sig, message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def sign_result(private_key, result: dict) -> str:
    return as_private_key(private_key).sign(RESULT_PREFIX + canonical(result)).hex()


def verify_result_signature(public_key, result: dict, signature) -> bool:
    return _verifies(public_key, RESULT_PREFIX + canonical(result), signature)


def make_commitment(definition: dict, minted_hashes) -> dict:
    """The opening commitment: pins the minted token set and the definition (and so the
    scrutineers' public keys) before the first vote."""
    minted = sorted(minted_hashes)
    return {"ballot_id": definition["id"], "count": len(minted),
            "tokens_digest": digest(minted), "definition_digest": digest(definition)}


def sign_commitment(private_key, commitment: dict) -> str:
    return as_private_key(private_key).sign(COMMITMENT_PREFIX + canonical(commitment)).hex()


def verify_commitment_signature(public_key, commitment: dict, signature) -> bool:
    return _verifies(public_key, COMMITMENT_PREFIX + canonical(commitment), signature)


# ---------------------------------------------------------------- tokens


def _b64_exact(text, n_chars: int, n_bytes: int) -> bytes | None:
    """Strict base64url without padding: one spelling per byte string, or None."""
    if not isinstance(text, str) or len(text) != n_chars or not text.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "==")
    except (binascii.Error, ValueError):
        return None
    # The decoder skips stray characters and ignores the last character's spare bits;
    # re-encoding makes sure exactly one string stands for each token.
    if len(raw) != n_bytes or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != text:
        return None
    return raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def nonce_tag(nonce: bytes) -> bytes:
    return hashlib.sha256(NONCE_TAG_PREFIX + nonce).digest()


def _signed_ballot_id(head: bytes, tag: bytes, signature: bytes, public_key) -> int | None:
    if head[0] != TOKEN_VERSION or not _verifies(public_key, TOKEN_PREFIX + head + tag, signature):
        return None
    return int.from_bytes(head[1:], "big")


def token_ballot_id(token, public_key_hex) -> int | None:
    """The ballot a token is for, or None when it is malformed, of another version or forged."""
    raw = _b64_exact(token, TOKEN_LENGTH, TOKEN_BYTES)
    if raw is None:
        return None
    head, nonce, signature = raw[:5], raw[5:21], raw[21:]
    return _signed_ballot_id(head, nonce_tag(nonce), signature, public_key_hex)


def public_ballot_id(public, public_key_hex) -> int | None:
    """The same check for a token's public part (as the export lists the spent ones)."""
    raw = _b64_exact(public, PUBLIC_LENGTH, PUBLIC_BYTES)
    if raw is None:
        return None
    return _signed_ballot_id(raw[:5], raw[5:37], raw[37:], public_key_hex)


def token_public(token: str) -> str:
    """The public part of a token: its nonce replaced by the nonce's tag. Raises ValueError
    for something that is not a token (the signature is not checked here)."""
    raw = _b64_exact(token, TOKEN_LENGTH, TOKEN_BYTES)
    if raw is None:
        raise ValueError("not a token")
    return _b64(raw[:5] + nonce_tag(raw[5:21]) + raw[21:])


def public_hash(public: str) -> str:
    """The ledger's and the database's key of a token: sha256 of its public part."""
    return hashlib.sha256(public.encode("utf-8", "surrogatepass")).hexdigest()


def token_hash(token: str) -> str:
    """The key of a token (public_hash of its public part). Never raises: what is not a token
    gets a hash that no ledger entry can have."""
    try:
        return public_hash(token_public(token))
    except ValueError:
        return hashlib.sha256(b"not-a-token:" + str(token).encode("utf-8", "surrogatepass")
                              ).hexdigest()


def _public_ballot_ids(publics: list, public_key) -> list:
    """public_ballot_id of many public parts; Ed25519 verification releases the GIL, so threads
    help."""
    workers = min(8, os.cpu_count() or 1)
    if workers < 2 or len(publics) < 2000:
        return [public_ballot_id(p, public_key) for p in publics]
    step = -(-len(publics) // (workers * 4))
    chunks = [publics[i:i + step] for i in range(0, len(publics), step)]
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda chunk: [public_ballot_id(p, public_key) for p in chunk], chunks)
        return [bid for part in parts for bid in part]


# ---------------------------------------------------------------- the ballot definition


def _rule_problems(definition) -> list[str]:
    """What stops the count: kind, candidates, seats, threshold and evaluation rules."""
    if not isinstance(definition, dict):
        return ["the ballot definition is not a JSON object"]
    problems = []
    if not _is_int(definition.get("id")) or not 0 <= definition["id"] < 2**32:
        problems.append("the ballot id is not a whole number between 0 and 2^32 − 1")
    kind = definition.get("kind")
    if not isinstance(kind, str) or kind not in CHOICES:  # (a list is not hashable)
        problems.append(f"the ballot kind {kind!r} is neither 'selection' nor 'evaluation'")
    candidates = definition.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        problems.append("the ballot has no list of candidates")
    else:
        ids = [c.get("id") if isinstance(c, dict) else None for c in candidates]
        if not all(isinstance(i, str) for i in ids):
            problems.append("every candidate needs a string id")
        elif len(set(ids)) != len(ids):
            problems.append("two candidates share an id")
    seats = definition.get("seats")
    if kind == "selection" and not (_is_int(seats) and seats >= 1):
        problems.append("a selection ballot needs a whole number of seats, at least 1")
    if kind == "evaluation" and seats is not None:
        problems.append("an evaluation ballot has no seats (seats must be null)")
    for name in ("threshold_rule", "evaluation_rule"):
        if not isinstance(definition.get(name), (dict, type(None))):
            return problems + [f"the {name.replace('_', ' ')} is not a JSON object"]
    rule = threshold_rule(definition)
    if rule.get("base") not in ("roster", "present", "cast") or not _fraction_ok(rule):
        problems.append(f"the threshold rule {rule!r} is not valid")
    rule = evaluation_rule(definition)
    rate = rule.get("rectify_below_rate")
    if not _fraction_ok(rule) or not (rate is None or (isinstance(rate, (int, float))
                                                       and not isinstance(rate, bool)
                                                       and 0 <= rate <= 1)):
        problems.append(f"the evaluation rule {rule!r} is not valid")
    return problems


def _fraction_ok(rule) -> bool:
    n, d = rule.get("numerator"), rule.get("denominator")
    return _is_int(n) and _is_int(d) and 0 <= n <= d and d >= 1


def definition_problems(definition) -> list[str]:
    """Everything wrong with a ballot definition (empty list when it is sound)."""
    problems = _rule_problems(definition)
    if not isinstance(definition, dict):
        return problems
    if not isinstance(definition.get("title"), str):
        problems.append("the ballot has no title")
    return problems + _scrutineer_problems(definition)


def _scrutineer_problems(definition: dict) -> list[str]:
    scrutineers = definition.get("scrutineers")
    if not isinstance(scrutineers, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) and _is_hex(s.get("public_key"), 32)
        for s in scrutineers
    ):
        return ["every scrutineer needs a name and a 64-hex-character public key"]
    if len({s["name"] for s in scrutineers}) != len(scrutineers):
        return ["two scrutineers share a name"]
    return []


def threshold_rule(definition: dict) -> dict:
    return {**DEFAULT_THRESHOLD_RULE, **(definition.get("threshold_rule") or {})}


def evaluation_rule(definition: dict) -> dict:
    return {**DEFAULT_EVALUATION_RULE, **(definition.get("evaluation_rule") or {})}


def threshold(rule, roster: int, present: int, cast: int) -> int:
    """Votes needed: "more than" numerator/denominator of the base, in exact integers.
    `cast` is the number of valid ballots. 150 on the roster, more than half: 76."""
    rule = {**DEFAULT_THRESHOLD_RULE, **(rule or {})}
    bases = {"roster": roster, "present": present, "cast": cast}
    if rule["base"] not in bases:
        raise ValueError(f"unknown threshold base {rule['base']!r}")
    return bases[rule["base"]] * rule["numerator"] // rule["denominator"] + 1


# ---------------------------------------------------------------- ballots


def _choices_problem(kind: str, candidate_ids, seats, choices) -> str | None:
    if not isinstance(choices, dict):
        return "the choices are not a JSON object of candidate id → choice"
    words = CHOICES[kind]
    for cid, choice in choices.items():
        if cid not in candidate_ids:
            return f"unknown candidate {cid!r}"
        if not isinstance(choice, str) or choice not in words:
            return f"{choice!r} for candidate {cid} is not one of {', '.join(words)}"
    if kind == "selection":
        marks = sum(1 for choice in choices.values() if choice == "for")
        if marks > seats:
            return f"{marks} 'for' marks but only {seats} seats"
    return None


def ballot_problem(definition: dict, choices) -> str | None:
    """Why these choices break the rules of the ballot, or None. Omitted candidates are fine."""
    ids = {c["id"] for c in definition["candidates"]}
    return _choices_problem(definition["kind"], ids, definition.get("seats"), choices)


def normalise_choices(definition: dict, choices) -> dict:
    """The choices as stored: every candidate, in list order, omitted ones as abstain.
    Raises ValueError (with a message fit for the voter) when the ballot breaks a rule."""
    problem = ballot_problem(definition, choices)
    if problem:
        raise ValueError(problem)
    return {c["id"]: choices.get(c["id"], ABSTAIN) for c in definition["candidates"]}


# ---------------------------------------------------------------- the tally


@contextmanager
def _gc_paused():
    # The count allocates a few hundred thousand tuples and strings and makes no cycles;
    # left on, the cyclic collector would rescan every ballot many times over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _count_fast(kind, candidate_ids, seats, ordered):
    """Column-wise count for the usual case (every ballot lists every candidate with a known
    word): C-level loops only. Returns None to fall back to _count_slow."""
    keys = sorted(candidate_ids)  # the canonical (sorted) key order of a choices object
    try:
        bids = list(map(itemgetter("id"), ordered))
        all_choices = list(map(itemgetter("choices"), ordered))
        if len(keys) < 2 or set(map(type, all_choices)) - {dict}:
            return None
        if set(map(len, all_choices)) - {len(keys)}:
            return None
        rows = list(map(itemgetter(*keys), all_choices))  # KeyError if a candidate is missing
        joined_ids = "".join(bids)  # TypeError unless every id is a string
    except (KeyError, TypeError):
        return None
    if joined_ids and not (joined_ids.isascii() and joined_ids.isalnum()):
        return None  # ids that JSON would escape
    try:
        columns = [Counter(c) for c in zip(*rows, strict=True)] or [Counter() for _ in keys]
    except TypeError:  # an unhashable choice: the slow path will call the ballot invalid
        return None
    if any(set(column) - set(CHOICES[kind]) for column in columns):
        return None
    invalid = 0
    marks = list(map(methodcaller("count", "for"), rows)) if kind == "selection" else []
    if marks and max(marks) > seats:  # rare: take invalid ballots back out of the columns
        for row in (row for row, n in zip(rows, marks, strict=True) if n > seats):
            invalid += 1
            for column, choice in zip(columns, row, strict=True):
                column[choice] -= 1
    counts = {cid: dict(column) for cid, column in zip(keys, columns, strict=True)}
    # Canonical JSON of the ballots without json.dumps: the words and ids need no escaping.
    fields = ",".join(json.dumps(k, ensure_ascii=False).replace("%", "%%") + ':"%s"' for k in keys)
    template = '{"choices":{' + fields + '},"id":"%s"}'
    text = "[" + ",".join(map(template.__mod__, map(tuple.__add__, rows, zip(bids)))) + "]"
    blank = rows.count((ABSTAIN,) * len(keys))
    return counts, invalid, blank, hashlib.sha256(text.encode()).hexdigest()


def _count_slow(kind, candidate_ids, seats, ordered):
    """Ballot by ballot; handles anything, including ballots that omit candidates."""
    counts = {cid: {} for cid in candidate_ids}
    invalid = blank = 0
    for ballot in ordered:
        choices = ballot.get("choices")
        if _choices_problem(kind, candidate_ids, seats, choices):
            invalid += 1
            continue
        if all(choice == ABSTAIN for choice in choices.values()):
            blank += 1
        for cid, choice in choices.items():
            counts[cid][choice] = counts[cid].get(choice, 0) + 1
    published = [{"id": b.get("id"), "choices": b.get("choices")} for b in ordered]
    return counts, invalid, blank, digest(published)


def _select(candidate_ids: list, fors: dict, seats: int, needed: int) -> tuple:
    """(selected, tied, unfilled, runoff_seats) — a tie at the cutoff is never broken here."""
    ranked = sorted(candidate_ids, key=lambda cid: -fors[cid])  # stable: list order among equals
    eligible = [cid for cid in ranked if fors[cid] >= needed]
    if len(eligible) <= seats:
        return eligible, [], seats - len(eligible), 0
    cutoff = fors[eligible[seats - 1]]
    if fors[eligible[seats]] != cutoff:
        return eligible[:seats], [], 0, 0
    selected = [cid for cid in eligible if fors[cid] > cutoff]
    tied = [cid for cid in eligible if fors[cid] == cutoff]
    return selected, tied, 0, seats - len(selected)


def _grade(counts: dict, valid: int, rule: dict) -> dict:
    satisfied, basically = counts.get("satisfied", 0), counts.get("basically_satisfied", 0)
    n, d = rule["numerator"], rule["denominator"]
    # Rate rounded half up to 4 decimals in integers, so every implementation agrees.
    rate = (20000 * (satisfied + basically) + valid) // (2 * valid) / 10000 if valid else 0.0
    if satisfied * d > valid * n:
        grade = "satisfied"
    elif (satisfied + basically) * d > valid * n:
        grade = "basically_satisfied"
    else:
        grade = "dissatisfied"
    below = rule["rectify_below_rate"]
    return {"rate": rate, "grade": grade,
            "rectify": grade == "dissatisfied" or (below is not None and rate < below)}


def _sorted_ledger(ledger) -> dict:
    ledger = EMPTY_LEDGER if ledger is None else ledger
    return {name: sorted(ledger.get(name, [])) for name in ("minted", "voided", "spent")}


def tally(definition: dict, ballots: list, *, roster: int, present: int, issued: int,
          ledger: dict | None = None, receipts=None) -> dict:
    """The result document of docs/formats.md. `ballots` are {"id", "choices"} in any order;
    `receipts` are the ballot's receipt codes (without dashes), in any order."""
    problems = _rule_problems(definition)
    if problems:
        raise ValueError(problems[0])
    if not all(_is_int(x) and x >= 0 for x in (roster, present, issued)):
        raise ValueError("roster, present and issued must be whole numbers ≥ 0")
    kind, seats = definition["kind"], definition.get("seats")
    candidate_ids = [c["id"] for c in definition["candidates"]]
    try:
        ordered = sorted(ballots, key=itemgetter("id"))
    except (KeyError, TypeError) as exc:
        raise ValueError("every ballot must be an object with comparable ids") from exc
    with _gc_paused():
        counted = _count_fast(kind, candidate_ids, seats, ordered)
        if counted is None:
            counted = _count_slow(kind, set(candidate_ids), seats, ordered)
    raw_counts, invalid, blank, ballots_digest = counted
    valid = len(ordered) - invalid
    words = [w for w in CHOICES[kind] if w != ABSTAIN]
    counts = {}
    for cid in candidate_ids:  # an omitted candidate is an abstention
        row = {w: raw_counts.get(cid, {}).get(w, 0) for w in words}
        counts[cid] = {**row, ABSTAIN: valid - sum(row.values())}
    result = {"ballot_id": definition["id"], "kind": kind, "seats": seats, "threshold": None,
              "threshold_rule": threshold_rule(definition), "roster": roster,
              "present": present, "quorum": present * 3 > roster * 2, "issued": issued,
              "cast": len(ordered), "valid": valid, "invalid": invalid, "blank": blank,
              "counts": counts, "selected": [], "tied": [], "unfilled": 0, "runoff_seats": 0}
    if kind == "selection":
        needed = threshold(result["threshold_rule"], roster, present, valid)
        fors = {cid: counts[cid]["for"] for cid in candidate_ids}
        selected, tied, unfilled, runoff_seats = _select(candidate_ids, fors, seats, needed)
        result.update(threshold=needed, selected=selected, tied=tied, unfilled=unfilled,
                      runoff_seats=runoff_seats)
    else:
        rule = evaluation_rule(definition)
        for row in counts.values():
            row.update(_grade(row, valid, rule))
    result.update(definition_digest=digest(definition), ballots_digest=ballots_digest,
                  ledger_digest=digest(_sorted_ledger(ledger)),
                  receipts_digest=digest(sorted(receipts or [])))
    return result


# ---------------------------------------------------------------- the verifier


def verify_export(doc) -> list[str]:
    """Every problem found in an export (公示数据), as English sentences; [] when it is valid."""
    problems = _shape_problems(doc)
    if problems:
        return problems  # without the basic shape nothing further can be checked
    checks = [_definition_check, _commitment_problems, _ledger_problems, _ballot_list_problems]
    if not _rule_problems(doc["ballot"]):  # the count needs sound rules
        checks += [_ballot_content_problems, _result_problems]
    if not _scrutineer_problems(doc["ballot"]):
        checks.append(_signature_problems)
    for check in checks:  # each check assumes only the shape above
        try:
            problems += check(doc)
        except Exception as exc:  # a verifier reports hostile input, it never crashes on it
            problems.append(f"{check.__doc__.splitlines()[0]} could not be checked: {exc!r}")
    return problems


def _definition_check(doc) -> list[str]:
    """The ballot definition"""
    return definition_problems(doc["ballot"])


_SHAPE = {"ballot": dict, "commitment": dict, "ledger": dict, "ballots": list,
          "receipts": list, "result": dict, "signatures": list}
_JSON_TYPE = {dict: "object", list: "array"}


def _all_str(items) -> bool:
    return isinstance(items, list) and all(isinstance(x, str) for x in items)


def _shape_problems(doc) -> list[str]:
    if not isinstance(doc, dict):
        return ["the export is not a JSON object"]
    if doc.get("format") != FORMAT:
        return [f"the export's format is {doc.get('format')!r}, not {FORMAT!r}"]
    problems = [f"the export's {name!r} is missing or not a JSON {_JSON_TYPE[typ]}"
                for name, typ in _SHAPE.items() if not isinstance(doc.get(name), typ)]
    if not _is_hex(doc.get("instance_public_key"), 32):
        problems.append("the instance public key is not 64 lowercase hex characters")
    ledger = doc.get("ledger")
    if isinstance(ledger, dict):
        problems += [f"ledger.{name} is not a list of strings"
                     for name in ("minted", "voided", "spent") if not _all_str(ledger.get(name))]
    if isinstance(doc.get("receipts"), list) and not _all_str(doc["receipts"]):
        problems.append("the receipts are not all strings")
    ballots = doc.get("ballots")
    if isinstance(ballots, list) and not all(
        isinstance(b, dict) and set(b) == {"id", "choices"} and isinstance(b["id"], str)
        for b in ballots
    ):
        problems.append("every ballot must be an object with exactly an 'id' and 'choices'")
    signatures = doc.get("signatures")
    if isinstance(signatures, list) and not all(
        isinstance(s, dict) and all(isinstance(s.get(k), str)
                                    for k in ("scrutineer", "public_key", "signature"))
        for s in signatures
    ):
        problems.append("every signature must have a scrutineer, a public_key and a signature")
    return problems


def _commitment_problems(doc) -> list[str]:
    """The opening commitment"""
    definition, commitment, ledger = doc["ballot"], doc["commitment"], doc["ledger"]
    problems = []
    if not verify_commitment_signature(doc["instance_public_key"], commitment,
                                       doc.get("commitment_signature")):
        problems.append("the signature of the opening commitment does not verify under the "
                        "instance public key")
    if commitment.get("ballot_id") != definition.get("id"):
        problems.append(f"the opening commitment is for ballot {commitment.get('ballot_id')!r}, "
                        f"not {definition.get('id')!r}")
    if commitment.get("definition_digest") != digest(definition):
        problems.append("the ballot definition differs from the one committed at opening")
    if commitment.get("tokens_digest") != digest(ledger["minted"]):
        problems.append("the list of minted tokens differs from the one committed at opening")
    if commitment.get("count") != len(ledger["minted"]):
        problems.append(f"the opening commitment counts {commitment.get('count')!r} minted "
                        f"tokens, the ledger lists {len(ledger['minted'])}")
    return problems


def _sorted_unique_problems(items: list, what: str) -> list[str]:
    problems = [f"{what} {_short(x)} appears {n} times" for x, n in Counter(items).items() if n > 1]
    if items != sorted(items):
        problems.append(f"the {what}s are not sorted")
    return problems


def _ledger_problems(doc) -> list[str]:
    """The token ledger"""
    ledger, ballot_id = doc["ledger"], doc["ballot"].get("id")
    minted, voided, spent = ledger["minted"], ledger["voided"], ledger["spent"]
    problems = []
    for name, items in (("minted", minted), ("voided", voided)):
        problems += _sorted_unique_problems(items, f"{name} token hash")
        problems += [f"{name} token hash {_short(h)} is not 64 lowercase hex characters"
                     for h in items if not _is_hex(h, 32)]
    problems += _sorted_unique_problems(spent, "spent token")
    minted_set, voided_set = set(minted), set(voided)
    problems += [f"voided token hash {_short(h)} was never minted" for h in voided_set - minted_set]
    owners = _public_ballot_ids(spent, doc["instance_public_key"])
    for token, owner in zip(spent, owners, strict=True):  # public parts of the spent tokens
        hashed = public_hash(token)
        if owner is None:
            problems.append(f"spent token {_short(token)} is not a genuine token "
                            "(bad format or signature)")
        elif owner != ballot_id:
            problems.append(f"spent token {_short(token)} is for ballot {owner}, not {ballot_id}")
        if hashed not in minted_set:
            problems.append(f"spent token {_short(token)} is not in the opening commitment")
        elif hashed in voided_set:
            problems.append(f"spent token {_short(token)} was voided")
    if len(doc["ballots"]) != len(spent):
        problems.append(f"there are {len(doc['ballots'])} ballots but {len(spent)} spent tokens")
    issued = len(minted_set - voided_set)
    if len(doc["ballots"]) > issued:
        problems.append(f"{len(doc['ballots'])} ballots were cast but only {issued} issued")
    return problems


def _ballot_list_problems(doc) -> list[str]:
    """The ballot ids and receipts"""
    ballots, receipts = doc["ballots"], doc["receipts"]
    ids = [b["id"] for b in ballots]
    problems = [f"ballot {i} appears {n} times" for i, n in Counter(ids).items() if n > 1]
    problems += [f"ballot id {_short(i)} is not 32 lowercase hex characters"
                 for i in ids if not _is_hex(i, 16)]
    if ids != sorted(ids):  # the order must say nothing about the order of casting
        problems.append("the ballots are not sorted by id")
    problems += _sorted_unique_problems(receipts, "receipt")
    problems += [f"receipt {r!r} is not {RECEIPT_LENGTH} base32 characters" for r in receipts
                 if len(r) != RECEIPT_LENGTH or r.strip(RECEIPT_ALPHABET)]
    if len(receipts) != len(ballots):
        problems.append(f"there are {len(receipts)} receipts for {len(ballots)} ballots")
    return problems


def _ballot_content_problems(doc) -> list[str]:
    """The ballots' choices"""
    definition, problems = doc["ballot"], []
    kind, seats = definition["kind"], definition.get("seats")
    ids = [c["id"] for c in definition["candidates"]]
    id_set, words = set(ids), set(CHOICES[kind])
    for ballot in doc["ballots"]:
        choices = ballot["choices"]
        if _complete_and_valid(choices, id_set, words, kind, seats):
            continue
        problem = _choices_problem(kind, id_set, seats, choices)
        if problem:
            problems.append(f"ballot {ballot['id']} is invalid: {problem}")
        else:
            missing = [cid for cid in ids if cid not in choices]
            problems.append(f"ballot {ballot['id']} omits candidate(s) {', '.join(missing)}")
    return problems


def _complete_and_valid(choices, id_set, words, kind, seats) -> bool:
    """The quick test of the usual case, a few C-level operations a ballot."""
    try:
        return (type(choices) is dict and choices.keys() == id_set
                and set(choices.values()) <= words
                and (kind != "selection" or list(choices.values()).count("for") <= seats))
    except TypeError:  # unhashable choices
        return False


def _same(a, b) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _result_problems(doc) -> list[str]:
    """The result
    Recompute the tally from the published ballots and compare it field by field."""
    result, ledger = doc["result"], doc["ledger"]
    roster, present = result.get("roster"), result.get("present")
    if not (_is_int(roster) and _is_int(present) and 0 <= present <= roster):
        return [f"the result's roster ({roster!r}) and present ({present!r}) are not valid"]
    issued = len(set(ledger["minted"]) - set(ledger["voided"]))
    expected = tally(doc["ballot"], doc["ballots"], roster=roster, present=present,
                     issued=issued, ledger=ledger, receipts=doc["receipts"])
    problems = [f"the result has an unexpected field {key!r}" for key in result
                if key not in expected]
    for key, want in expected.items():
        got = result.get(key)
        if key not in result:
            problems.append(f"the result lacks the field {key!r}")
        elif key == "counts":
            problems += _count_problems(got, want)
        elif _same(got, want):
            continue
        elif key in DIGEST_FIELDS:
            problems.append(f"the result's {key} does not match {DIGEST_FIELDS[key]}")
        elif key in ("selected", "tied"):
            problems.append(f"the {key} list differs from the recomputation: published {got!r}, "
                            f"recomputed {want!r}")
        else:
            problems.append(f"the result's {key} is {got!r}, recomputed {want!r}")
    return problems


def _count_problems(got, want: dict) -> list[str]:
    if not isinstance(got, dict):
        return ["the result's counts are not a JSON object"]
    problems = [f"the result has a count for unknown candidate {cid!r}"
                for cid in got if cid not in want]
    for cid, fields in want.items():
        row = got.get(cid)
        if not isinstance(row, dict):
            problems.append(f"the result has no count for candidate {cid}")
            continue
        problems += [f"count for candidate {cid} has an unexpected field {f!r}"
                     for f in row if f not in fields]
        problems += [f"count for candidate {cid} {f!r} is {row.get(f)!r}, recomputed {v!r}"
                     for f, v in fields.items() if not _same(row.get(f), v)]
    return problems


def _signature_problems(doc) -> list[str]:
    """The scrutineers' signatures
    Every assigned scrutineer signed once, with the key committed at opening; nobody else."""
    assigned = doc["ballot"]["scrutineers"]
    if not assigned:
        return ["the ballot names no scrutineers, so nobody certified the result"]
    committed = {s["name"]: s["public_key"] for s in assigned}
    signed = Counter(s["scrutineer"] for s in doc["signatures"])
    problems = [f"scrutineer {name} has not signed the result" if not signed[name]
                else f"scrutineer {name} signed the result {signed[name]} times"
                for name in committed if signed[name] != 1]
    for sig in doc["signatures"]:
        name = sig["scrutineer"]
        if name not in committed:
            problems.append(f"the signature by {name!r} is not from an assigned scrutineer")
            continue
        if sig.get("public_key") != committed[name]:
            problems.append(f"public key of {name} differs from the one committed at opening")
        if not verify_result_signature(committed[name], doc["result"], sig.get("signature")):
            problems.append(f"signature of {name} does not verify")
    return problems


# ---------------------------------------------------------------- the export file, command line


def make_export(*, definition, instance_public_key, commitment, commitment_signature, ledger,
                ballots, receipts, result, signatures) -> dict:
    """Assemble an export with every list in the order docs/formats.md prescribes."""
    return {"format": FORMAT, "ballot": definition,
            "instance_public_key": public_key_hex(instance_public_key),
            "commitment": commitment, "commitment_signature": commitment_signature,
            "ledger": _sorted_ledger(ledger),
            "ballots": sorted(({"id": b["id"], "choices": b["choices"]} for b in ballots),
                              key=itemgetter("id")),
            "receipts": sorted(receipts), "result": result, "signatures": list(signatures)}


def load_export(data: bytes | str) -> dict:
    """Parse an export strictly: duplicate keys and NaN/Infinity are errors (ValueError)."""

    def no_duplicates(pairs):
        obj = dict(pairs)
        if len(obj) != len(pairs):
            raise ValueError("a JSON object repeats a key")
        return obj

    def no_constants(name):
        raise ValueError(f"{name} is not valid JSON")

    return json.loads(data, object_pairs_hook=no_duplicates, parse_constant=no_constants)


def summary(doc: dict) -> str:
    """The one-line announcement of a valid export."""
    result = doc["result"]
    titles = {c["id"]: c.get("title", "") for c in doc["ballot"]["candidates"]}

    def named(ids):
        return ", ".join(f"{titles[c]} ({c})" for c in ids) or "none"

    line = f"VALID: {doc['ballot']['title']} — {result['cast']} ballots"
    if result["kind"] == "evaluation":
        grades = Counter(row["grade"] for row in result["counts"].values())
        return line + ", graded: " + ", ".join(f"{grades[g]} {g.replace('_', ' ')}"
                                               for g in CHOICES["evaluation"][:3])
    line += f", selected: {named(result['selected'])}"
    if result["tied"]:
        line += f"; tied, runoff for {result['runoff_seats']} seat(s): {named(result['tied'])}"
    if result["unfilled"]:
        line += f"; {result['unfilled']} seat(s) unfilled"
    return line


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if hasattr(sys.stdout, "reconfigure"):  # names are Chinese; never crash on a narrow console
        sys.stdout.reconfigure(errors="backslashreplace")
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python counting.py EXPORT.json", file=sys.stderr)
        return 2
    path = args[0]
    try:
        with open(path, "rb") as handle:
            doc = load_export(handle.read())
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (ValueError, RecursionError) as exc:
        print(f"{path} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    problems = verify_export(doc)
    if problems:
        print(f"INVALID: {len(problems)} problem(s) found in {path}")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(summary(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
