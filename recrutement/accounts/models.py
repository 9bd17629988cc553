"""User accounts and their roles (docs/design.md, Roles)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, ColumnElement, ForeignKey, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db

if TYPE_CHECKING:
    from recrutement.organisations.models import Membership, Organisation
    from recrutement.referential.models import Department


class Role(LabelledEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"
    PREFECTURE = "prefecture"
    ANAH = "anah"
    ADMIN = "admin"


Role.LABELS = {
    "candidate": "Candidat",
    "employer": "Collectivité",
    "prefecture": "Préfecture",
    "anah": "Délégation de l'ANAH",
    "admin": "ANCT",
}

user_department = Table(
    "user_department",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("department_code", ForeignKey("department.code"), primary_key=True),
)


def _new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):  # type: ignore[misc]  # flask_login is untyped: UserMixin is Any
    """Anyone who signs in. Employers belong to an organisation through Membership."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored lowercased (see accounts.services.normalise_email).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(EnumString(Role, 20), index=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing it ends every session of the user (password change or reset).
    session_token: Mapped[str] = mapped_column(String(64), default=_new_session_token)

    departments: Mapped[list["Department"]] = relationship(  # noqa: F821,UP037
        secondary=user_department, order_by="Department.code"
    )
    membership: Mapped["Membership | None"] = relationship(  # noqa: F821,UP037
        back_populates="user", uselist=False, foreign_keys="Membership.user_id"
    )

    # Flask-Login reads this id from the session cookie; embedding the session
    # token means a password change invalidates every other open session.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def department_codes(self) -> list[str]:
        return [department.code for department in self.departments]

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()


def email_lookup(email: str) -> ColumnElement[bool]:
    """The expression that finds a user by email whatever its case."""
    return func.lower(User.email) == email.strip().lower()


class UserSession(Model):
    """One signed-in browser: ended on the server at logout, after an idle period or
    past its absolute lifetime, whatever copy of the cookie is still around.

    The cookie carries a random token; only its SHA-256 is stored, so a copy of this
    table opens no session.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
