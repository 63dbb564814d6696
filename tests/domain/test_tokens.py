"""Tokens, receipts and keys: docs/formats.md, forgery and tampering."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.domain import counting, tokens
from voting.domain.counting import (
    PUBLIC_LENGTH,
    TOKEN_LENGTH,
    public_ballot_id,
    public_hash,
    token_ballot_id,
    token_hash,
    token_public,
)


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def pub(key):
    return tokens.public_key_hex(key)


def raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "==")


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---------------------------------------------------------------- layout


def tag(nonce: bytes) -> bytes:
    return hashlib.sha256(b"voting-token-nonce:" + nonce).digest()


def test_token_layout(key, pub):
    token = tokens.mint_token(key, 7)
    assert len(token) == TOKEN_LENGTH == 114
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    data = raw(token)
    assert len(data) == 85 and data[0] == 1 and data[1:5] == (7).to_bytes(4, "big")
    # the documented message: version || ballot id || sha256 tag of the nonce
    key.public_key().verify(data[21:], b"voting-token-v1:" + data[:5] + tag(data[5:21]))
    assert token_ballot_id(token, pub) == 7


def test_public_part_layout(key, pub):
    token = tokens.mint_token(key, 7)
    public = token_public(token)
    assert len(public) == PUBLIC_LENGTH == 135
    data, pdata = raw(token), base64.urlsafe_b64decode(public + "=")
    assert pdata == data[:5] + tag(data[5:21]) + data[21:]  # 101 bytes, no nonce
    assert public_ballot_id(public, pub) == 7
    assert token_hash(token) == public_hash(public) == hashlib.sha256(
        public.encode("ascii")).hexdigest()


def test_public_part_casts_nothing(key, pub):
    """A stolen database (public parts and hashes) yields no token that casts."""
    public = token_public(tokens.mint_token(key, 7))
    pdata = base64.urlsafe_b64decode(public + "=")
    assert token_ballot_id(public, pub) is None
    assert token_ballot_id(encode(pdata[:5] + pdata[5:21] + pdata[37:]), pub) is None
    assert token_hash(public) != public_hash(public)  # a public part is no key of itself
    assert public_ballot_id(tokens.mint_token(key, 7), pub) is None
    with pytest.raises(ValueError):
        token_public(public)


def test_ballot_id_range(key, pub):
    assert token_ballot_id(tokens.mint_token(key, 0), pub) == 0
    assert token_ballot_id(tokens.mint_token(key, 2**32 - 1), pub) == 2**32 - 1
    for bad in (-1, 2**32, True, "7", 1.0):
        with pytest.raises(ValueError):
            tokens.mint_token(key, bad)


def test_accepts_key_objects_raw_bytes_and_hex(key, pub):
    token = tokens.mint_token(key.private_bytes_raw().hex(), 9)
    assert token_ballot_id(token, key.public_key()) == 9
    assert token_ballot_id(token, bytes.fromhex(pub)) == 9


def test_mint_many_gives_distinct_tokens(key, pub):
    minted = tokens.mint_tokens(key, 5, 3000)
    assert len(set(minted)) == 3000
    assert {token_ballot_id(t, pub) for t in minted[:50]} == {5}
    assert tokens.mint_tokens(key, 5, 0) == []
    with pytest.raises(ValueError):
        tokens.mint_tokens(key, 5, -1)


# ---------------------------------------------------------------- forgery and tampering


def test_forged_with_another_key(key, pub):
    assert token_ballot_id(tokens.mint_token(Ed25519PrivateKey.generate(), 7), pub) is None


def test_other_ballot_id_is_reported_not_accepted(key, pub):
    token = tokens.mint_token(key, 8)
    assert token_ballot_id(token, pub) == 8  # the caller compares with the ballot at hand


def test_changing_the_ballot_id_breaks_the_signature(key, pub):
    token = tokens.mint_token(key, 7)
    data = bytearray(raw(token))
    data[1:5] = (8).to_bytes(4, "big")
    assert token_ballot_id(encode(bytes(data)), pub) is None
    pdata = bytearray(base64.urlsafe_b64decode(token_public(token) + "="))
    pdata[1:5] = (8).to_bytes(4, "big")
    assert public_ballot_id(encode(bytes(pdata)), pub) is None


def test_every_single_bit_flip_is_rejected(key, pub):
    token = tokens.mint_token(key, 7)
    for check, data in ((token_ballot_id, raw(token)),
                        (public_ballot_id, base64.urlsafe_b64decode(token_public(token) + "="))):
        for i in range(len(data)):
            for bit in range(8):
                flipped = bytearray(data)
                flipped[i] ^= 1 << bit
                assert check(encode(bytes(flipped)), pub) is None, (check, i, bit)


def test_wrong_version_even_if_signed(key, pub):
    head, nonce = bytes([2]) + (7).to_bytes(4, "big"), os.urandom(16)
    token = encode(head + nonce + key.sign(b"voting-token-v1:" + head + tag(nonce)))
    assert len(token) == TOKEN_LENGTH and token_ballot_id(token, pub) is None


def test_signature_for_another_purpose_is_not_a_token(key, pub):
    head, nonce = bytes([1]) + (7).to_bytes(4, "big"), os.urandom(16)
    assert token_ballot_id(encode(head + nonce + key.sign(b"voting-result-v1:" + head
                                                          + tag(nonce))), pub) is None
    # signed over the bare nonce instead of its tag (an earlier layout): not a token either
    assert token_ballot_id(encode(head + nonce + key.sign(b"voting-token-v1:" + head + nonce)),
                           pub) is None


def test_truncated_padded_extended_and_odd_input(key, pub):
    token = tokens.mint_token(key, 7)
    for bad in (token[:-1], token[:-2], token[1:], token + "A", token + "==", token[:100],
                " " + token[1:], token[:-1] + "=", token.replace("-", "+").replace("_", "/"),
                "", "A" * 114, "é" * 114, None, 12, b"x" * 114, token.encode()):
        if bad != token:
            assert token_ballot_id(bad, pub) is None, bad


def test_only_one_spelling_per_token(key, pub):
    """The last character carries 2 spare bits: other spellings would decode alike."""
    token = tokens.mint_token(key, 7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    others = [token[:-1] + c for c in alphabet if c != token[-1]]
    assert [t for t in others if token_ballot_id(t, pub) is not None] == []


def test_bad_public_key_never_raises(key):
    token = tokens.mint_token(key, 7)
    for bad in ("", "zz" * 32, "AB" * 32, "00" * 31, None, 5, ["x"]):
        assert token_ballot_id(token, bad) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_never_a_token(pub, text):
    assert token_ballot_id(text, pub) is None and public_ballot_id(text, pub) is None
    assert len(token_hash(text)) == 64


def test_token_hash_never_raises():
    assert len(token_hash("\ud800 lone surrogate")) == 64


# ---------------------------------------------------------------- receipts


def test_receipt_format():
    codes = {tokens.new_receipt() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 16 and not code.strip(counting.RECEIPT_ALPHABET)


def test_format_and_parse_receipt():
    code = "ABCDEFGHJKLMNPQR"
    assert tokens.format_receipt(code) == "ABCD-EFGH-JKLM-NPQR"
    for typed in ("abcd-efgh-jklm-npqr", " ABCD EFGH JKLM NPQR ", "abcdefghjklmnpqr",
                  "ＡＢＣＤ－ＥＦＧＨ－ＪＫＬＭ－ＮＰＱＲ", "ABCD—EFGH—JKLM—NPQR",
                  "ABCD\tEFGH\nJKLMNPQR"):
        assert tokens.parse_receipt(typed) == code
    assert tokens.parse_receipt("0OOO-1III-8BBB-2345") == "OOOOIIIIBBBB2345"
    assert tokens.format_receipt("abcd efgh jklm npqr") == "ABCD-EFGH-JKLM-NPQR"


@pytest.mark.parametrize("bad", ["ABCD-EFGH-JKLM-NPQ", "ABCD-EFGH-JKLM-NPQRS",
                                 "ABCD-EFGH-JKLM-NPQ9", "", "王强王强王强王强王强王强王强王强",
                                 None, 1234])
def test_parse_receipt_rejects(bad):
    with pytest.raises(ValueError):
        tokens.parse_receipt(bad)


# ---------------------------------------------------------------- the instance key


def test_load_or_create_key(tmp_path):
    path = tmp_path / "instance" / "signing_key.pem"
    key = tokens.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = tokens.load_or_create_key(str(path))
    assert tokens.public_key_hex(again) == tokens.public_key_hex(key)
    assert [p.name for p in path.parent.iterdir()] == ["signing_key.pem"]  # no stray temp files


def test_load_or_create_key_tightens_loose_permissions(tmp_path):
    path = tmp_path / "k.pem"
    tokens.load_or_create_key(path)
    path.chmod(0o644)
    tokens.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_concurrent_first_use_agrees_on_one_key(tmp_path):
    path = tmp_path / "k.pem"
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: tokens.load_or_create_key(path), range(16)))
    assert len({tokens.public_key_hex(k) for k in keys}) == 1


def test_load_rejects_other_key_types(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "k.pem"
    path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(ValueError):
        tokens.load_or_create_key(path)


# ---------------------------------------------------------------- sealed scrutineer keys


def test_seal_and_unseal(key):
    blob = tokens.seal_private_key(key, "监票人的密码 2025")
    assert blob.isascii() and blob.startswith("voting-sealed-key-v1$")
    assert key.private_bytes_raw().hex() not in blob
    opened = tokens.unseal_private_key(blob, "监票人的密码 2025")
    assert tokens.public_key_hex(opened) == tokens.public_key_hex(key)
    # Two seals of the same key differ (fresh salt and nonce).
    assert tokens.seal_private_key(key, "pw") != tokens.seal_private_key(key, "pw")


def test_wrong_password_and_tampering(key):
    blob = tokens.seal_private_key(key, "right")
    with pytest.raises(tokens.WrongPassword):
        tokens.unseal_private_key(blob, "wrong")
    parts = blob.split("$")
    parts[-1] = ("A" if parts[-1][0] != "A" else "B") + parts[-1][1:]
    with pytest.raises(tokens.WrongPassword):
        tokens.unseal_private_key("$".join(parts), "right")
    parts = blob.split("$")
    parts[1] = "16384"  # weaker parameters are authenticated too
    with pytest.raises(tokens.WrongPassword):
        tokens.unseal_private_key("$".join(parts), "right")


@pytest.mark.parametrize("blob", ["", "garbage", "voting-sealed-key-v1$1$8$1$a$b$c",
                                  "voting-sealed-key-v1$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$"
                                  "AAAAAAAAAAAAAAAA$AAAA", None])
def test_unseal_rejects_malformed(blob):
    with pytest.raises(ValueError):
        tokens.unseal_private_key(blob, "pw")


def test_seal_rejects_empty_password(key):
    with pytest.raises(ValueError):
        tokens.seal_private_key(key, "")
