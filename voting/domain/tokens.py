"""Minting ballot tokens and receipt codes; keeping the instance key and scrutineers' keys.

Formats are in docs/formats.md. Checking a token (`token_ballot_id`), its public part
(`token_public`, `public_ballot_id`) and the database key (`public_hash`, `token_hash`) live in
`counting`, the self-contained verifier, and are re-exported here.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .counting import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    RECEIPT_PREFIX,
    TOKEN_NONCE_BYTES,
    TOKEN_PREFIX,
    TOKEN_VERSION,
    as_private_key,
    nonce_tag,
    public_ballot_id,
    public_hash,
    public_key_hex,
    token_ballot_id,
    token_hash,
    token_public,
)

__all__ = [
    "WrongPassword", "format_receipt", "load_or_create_key", "mint_token", "mint_tokens",
    "new_receipt", "parse_receipt", "public_ballot_id", "public_hash", "public_key_hex",
    "seal_private_key", "token_ballot_id", "token_hash", "token_public", "unseal_private_key",
]


class WrongPassword(Exception):
    """The password does not open this sealed key (or the sealed key was altered)."""


# ---------------------------------------------------------------- tokens


def _check_ballot_id(ballot_id) -> None:
    if isinstance(ballot_id, bool) or not isinstance(ballot_id, int) or not 0 <= ballot_id < 2**32:
        raise ValueError("a ballot id must be a whole number between 0 and 2^32 − 1")


def _token(key: Ed25519PrivateKey, ballot_id: int, nonce: bytes) -> str:
    head = bytes([TOKEN_VERSION]) + ballot_id.to_bytes(4, "big")
    signature = key.sign(TOKEN_PREFIX + head + nonce_tag(nonce))  # the nonce itself stays secret
    return _b64(head + nonce + signature)


def mint_token(private_key, ballot_id: int) -> str:
    """One fresh token for the ballot: 114 URL-safe characters, unguessable and unforgeable."""
    _check_ballot_id(ballot_id)
    return _token(as_private_key(private_key), ballot_id, secrets.token_bytes(TOKEN_NONCE_BYTES))


def mint_tokens(private_key, ballot_id: int, n: int) -> list[str]:
    """n fresh tokens (distinct: 128-bit random nonces)."""
    _check_ballot_id(ballot_id)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("the number of tokens must be a whole number ≥ 0")
    key, size = as_private_key(private_key), TOKEN_NONCE_BYTES
    nonces = secrets.token_bytes(size * n)
    return [_token(key, ballot_id, nonces[i:i + size]) for i in range(0, size * n, size)]


# ---------------------------------------------------------------- receipts


def new_receipt() -> str:
    """A 16-character receipt code (base32), stored apart from the ballot, with no link to it."""
    digest = hashlib.sha256(RECEIPT_PREFIX + secrets.token_bytes(16)).digest()
    return base64.b32encode(digest).decode("ascii")[:RECEIPT_LENGTH]


# Digits a reader may type for the letters they look like (base32 has no 0, 1 or 8).
_LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_SEPARATORS = "-‐‑‒–—―_.·"


def parse_receipt(text) -> str:
    """The code from what a person typed: dashes, spaces, lowercase and full-width forms are
    fine. Raises ValueError when it cannot be a receipt code."""
    if not isinstance(text, str):
        raise ValueError("a receipt code is text")
    text = unicodedata.normalize("NFKC", text)  # full-width letters and dashes from IMEs
    code = "".join(ch for ch in text if not ch.isspace() and ch not in _SEPARATORS)
    code = code.upper().translate(_LOOK_ALIKES)
    if len(code) != RECEIPT_LENGTH or code.strip(RECEIPT_ALPHABET):
        raise ValueError("a receipt code has 16 letters and digits, like ABCD-EFGH-JKLM-NPQR")
    return code


def format_receipt(code: str) -> str:
    """ABCDEFGHJKLMNPQR → ABCD-EFGH-JKLM-NPQR."""
    code = parse_receipt(code)
    return "-".join(code[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


# ---------------------------------------------------------------- the instance key


def load_or_create_key(path) -> Ed25519PrivateKey:
    """The instance signing key (PEM, file mode 0600), created on first use.

    Safe when several workers start at once: the key is written to a private temporary file
    and linked into place, which fails if another process got there first; then its key is used.
    """
    path = Path(path)
    try:
        return _load_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker won the race: use its key
    finally:
        temporary.unlink(missing_ok=True)
    return _load_key(path)


def _load_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a signing key must not be readable by others
    return key


# ---------------------------------------------------------------- sealed scrutineer keys

_SEAL_TAG = "voting-sealed-key-v1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # about 32 MiB and a fraction of a second per attempt


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _password_bytes(password) -> bytes:
    if isinstance(password, str):
        password = unicodedata.normalize("NFC", password).encode("utf-8")
    if not isinstance(password, bytes) or not password:
        raise ValueError("a password must be non-empty text")
    return password


def _kek(password, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_password_bytes(password))


def seal_private_key(private_key, password) -> str:
    """The scrutineer's private key encrypted under their password (scrypt, then AES-256-GCM),
    as one ASCII string: voting-sealed-key-v1$n$r$p$salt$nonce$ciphertext."""
    raw = as_private_key(private_key).private_bytes_raw()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    header = f"{_SEAL_TAG}${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}"
    key = _kek(password, salt, **_SCRYPT)
    sealed = AESGCM(key).encrypt(nonce, raw, header.encode("ascii"))  # header is authenticated
    return f"{header}${_b64(salt)}${_b64(nonce)}${_b64(sealed)}"


def unseal_private_key(blob: str, password) -> Ed25519PrivateKey:
    """Open a sealed key. WrongPassword when the password is wrong (or the blob was altered);
    ValueError when the blob is not a sealed key at all."""
    try:
        tag, n, r, p, salt, nonce, sealed = blob.split("$")
        n, r, p = int(n), int(r), int(p)
        salt, nonce, sealed = _unb64(salt), _unb64(nonce), _unb64(sealed)
    except (AttributeError, ValueError) as exc:
        raise ValueError("not a sealed key") from exc
    # Bounds, so that a crafted blob cannot make scrypt eat the machine.
    if (tag != _SEAL_TAG or not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 16
                                 and 1 <= p <= 4) or len(salt) != 16 or len(nonce) != 12):
        raise ValueError("not a sealed key (unknown version or parameters)")
    key = _kek(password, salt, n, r, p)
    try:
        raw = AESGCM(key).decrypt(nonce, sealed, f"{tag}${n}${r}${p}".encode("ascii"))
    except (InvalidTag, ValueError) as exc:
        raise WrongPassword("wrong password") from exc
    return Ed25519PrivateKey.from_private_bytes(raw)
