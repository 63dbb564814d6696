"""Staff accounts: admins, clerks (人大工作人员), scrutineers (监票人), units (承办单位)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from voting.extensions import db

ROLES = ("admin", "clerk", "scrutineer", "unit")


class User(UserMixin, db.Model):
    """A staff account. Deputies have none: they vote with the slip they draw."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))  # ROLES
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_unit.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    # A scrutineer's personal Ed25519 key: public part in hex, private part sealed by the password.
    public_key: Mapped[str | None] = mapped_column(String(64))
    sealed_key: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    unit: Mapped["ResponsibleUnit | None"] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
