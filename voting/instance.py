"""The instance folder: where the database, the secret key and the signing key live.

It is `instance/` at the project root (a source checkout) or the working directory, or
`$VOTING_INSTANCE` when set. Every file written here is private to the owner (mode 0600).
"""

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
SIGNING_KEY_FILE = "signing_key.pem"
DATABASE_FILE = "voting.sqlite3"


def instance_path() -> Path:
    """The instance folder this process uses (not necessarily existing yet)."""
    if os.environ.get("VOTING_INSTANCE"):
        return Path(os.environ["VOTING_INSTANCE"]).resolve()
    checkout = Path(__file__).resolve().parent.parent
    root = checkout if (checkout / "pyproject.toml").exists() else Path.cwd()
    return root / "instance"


def write_private(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600 from the first byte on (no window where others can read)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def ensure_instance(path: Path) -> list[str]:
    """Create the folder, the secret key and the signing key if missing; say what was created."""
    created = []
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    if not (path / SECRET_KEY_FILE).exists():
        write_private(path / SECRET_KEY_FILE, secrets.token_hex(32).encode())
        created.append(SECRET_KEY_FILE)
    if not (path / SIGNING_KEY_FILE).exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_private(path / SIGNING_KEY_FILE, pem)
        created.append(SIGNING_KEY_FILE)
    (path / "uploads").mkdir(exist_ok=True)
    return created


def read_secret_key(path: Path) -> str | None:
    """The app's SECRET_KEY, or None when `voting init` has not run."""
    try:
        return (path / SECRET_KEY_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def load_signing_key(path: Path | str) -> Ed25519PrivateKey:
    """The instance's Ed25519 key: signs ballot tokens and opening commitments."""
    path = Path(path)
    key = serialization.load_pem_private_key((path / SIGNING_KEY_FILE).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path / SIGNING_KEY_FILE} is not an Ed25519 key")
    return key


def database_url(path: Path) -> str:
    """`DATABASE_URL` (PostgreSQL, driven by psycopg 3) or the instance's SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{path / DATABASE_FILE}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
