"""Certificates: what a learner earned by completing a course, frozen as it was at issue.

A certificate keeps the facts it states (the learner's name, the course title and version, the completion date, the
hours and the issuers) instead of reading them from the user and course rows, so a later change of name or a new
course version never changes a certificate already issued. It is found by its public id (random, unguessable); the
integer primary key never appears in a URL. A constraint, not a check before the insert, keeps at most one valid
(unrevoked) certificate per learner per course, whatever two requests do at the same moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("uq_certificates_one_valid", "user_id", "course_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        CheckConstraint("(revoked_at IS NULL) = (revoke_reason IS NULL)", name="revocation_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Its bit in the revocation status lists (W3C Bitstring Status List): drawn at random at issue, so a verifier
    # checking a bit learns nothing about the order of issue; list = index // 131072.
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id", ondelete="SET NULL"))

    # The facts, as they were at issue.
    learner_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    course_version: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hours: Mapped[float] = mapped_column(Float)
    issuers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"name": ..., "url": ...}]

    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when an admin issued it by hand (with the reason); None when the completion rule issued it.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issue_reason: Mapped[str | None] = mapped_column(Text)

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.public_id} user={self.user_id} course={self.course_id}>"
