from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class PersonFacts(UserMixin):
    """What both forms of a person answer, the account row (User) and the read-only value a request holds for the
    signed-in person (SignedInUser): Flask-Login's questions and the role checks, written once."""

    role: str
    active: bool
    email_verified_at: datetime | None

    # Flask-Login reads these.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.INSTRUCTOR)


class User(PersonFacts, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'instructor', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see lms.core.emails.normalise_email) so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name
    preferred_language: Mapped[str] = mapped_column(String(16), default="en")  # BCP 47
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # When the person opened the link mailed to the address (accounts made by staff or the command line are verified
    # when made). Only verified addresses receive mail that carries what someone typed, or match attendance reports.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"



@dataclass(frozen=True, eq=False)  # equal to the User of the same id, as Flask-Login's users compare (UserMixin)
class SignedInUser(PersonFacts):
    """The signed-in person as every request loads them (lms.services.accounts.user_of_login): a plain value, because
    an ORM entity costs about twice as much Python to load and the pages only read it. Without the password hash.
    A use case that edits the person loads the row (lms.services.accounts.account_to_edit)."""

    id: int
    email: str
    display_name: str
    organisation: str
    job_title: str
    city: str
    country: str
    timezone: str
    preferred_language: str
    role: str
    active: bool
    email_verified_at: datetime | None
    created_at: datetime
    last_login_at: datetime | None

    def __repr__(self) -> str:
        return f"<SignedInUser {self.id} {self.email} {self.role}>"


class Login(Base):
    """One log-in (a browser's session and its remember-me cookie), known to the server: logging out deletes it, so a
    copied cookie stops working at once; "log out everywhere" and a password change delete the person's others."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_token)  # in the signed cookie
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
