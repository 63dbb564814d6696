"""Staff accounts: creating them, and the scrutineer's personal signing key."""

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import gettext as _

from voting.domain.tokens import public_key_hex, seal_private_key
from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import ROLES, ResponsibleUnit, User

MIN_PASSWORD = 8


def create_user(username: str, role: str, password: str, *, display_name: str = "",
                unit: ResponsibleUnit | None = None) -> User:
    """Add a staff account; a scrutineer also gets an Ed25519 key sealed by the password."""
    username = username.strip()
    if not username or len(username) > 40:
        raise InvalidRequest(_("用户名不能为空，且不超过40个字符。"))
    if role not in ROLES:
        raise InvalidRequest(_("角色必须是以下之一：%(roles)s。", roles=", ".join(ROLES)))
    if role == "unit" and unit is None:
        raise InvalidRequest(_("承办单位账号必须指定所属单位。"))
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(_("密码至少需要%(n)d个字符。", n=MIN_PASSWORD))
    if db.session.scalar(db.select(User.id).filter_by(username=username)) is not None:
        raise InvalidRequest(_("用户名“%(name)s”已被使用。", name=username))
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                unit=unit if role == "unit" else None, created_at=datetime.now())
    user.set_password(password)
    if role == "scrutineer":
        give_signing_key(user, password)
    db.session.add(user)
    return user


def give_signing_key(user: User, password: str) -> None:
    """A fresh personal key; only the password can unseal it, so only its owner can sign."""
    key = Ed25519PrivateKey.generate()
    user.public_key = public_key_hex(key)
    user.sealed_key = seal_private_key(key, password)


def find_unit(name: str) -> ResponsibleUnit:
    unit = db.session.scalar(db.select(ResponsibleUnit).filter_by(name=name.strip()))
    if unit is None:
        raise InvalidRequest(_("找不到承办单位“%(name)s”。", name=name))
    return unit
