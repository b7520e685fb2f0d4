"""Cohorts (runs of a course), their live sessions, applications with letters of support, attendance, reminders
sent, and private calendar-feed tokens.

Times are aware UTC instants plus the IANA zone they were set in; dates (``starts_on``, ``ends_on``) are read in the
cohort's zone (lms.core.schedule has the rules). Invariants are constraints: one application per person and cohort,
one attendance row per person and session, each reminder sent once, one feed token per person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.admissions import Status
from lms.models.base import Base, UTCDateTime, utcnow

_STATUS_SQL = ", ".join(f"'{status.value}'" for status in Status)


class Cohort(Base):
    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint("enrolment_mode IN ('open', 'application', 'invite')", name="enrolment_mode_known"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # the package's cohort id, or generated for staff-made cohorts
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    applications_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    application_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    enrolment_mode: Mapped[str] = mapped_column(String(16), default="application")
    allow_late_attempts: Mapped[bool] = mapped_column(Boolean, default=False)
    # A learner's posts in the cohort's discussions wait for a moderator until one of them has been approved.
    premoderate_first_posts: Mapped[bool] = mapped_column(Boolean, default=False)
    # The values the package declared when last published: a later publish changes only what the package changed,
    # so staff edits survive. None for cohorts made by staff.
    package_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[LiveSession]] = relationship(back_populates="cohort", lazy="raise",
                                                       order_by="LiveSession.starts_at",
                                                       cascade="all, delete-orphan", passive_deletes=True)


class LiveSession(Base):
    __tablename__ = "live_sessions"
    __table_args__ = (
        UniqueConstraint("cohort_id", "key"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    join_url: Mapped[str] = mapped_column(String(500), default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: grows when the time changes
    package_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="sessions", lazy="raise")


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("user_id", "cohort_id"),
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status_known"),
        Index("ix_applications_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=Status.SUBMITTED.value)
    # The answers, as the applicant gave them (the profile may change later; the application does not).
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(16))
    motivation: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # When the reviewers' digest (lms.services.application_review.notify_reviewers) told staff about it: once each.
    reviewers_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApplicationLetter(Base):
    """The signed letter of support, kept in the database (never under the web root); only the applicant and
    administrators can download it. A separate table so that listing applications never loads the bytes."""

    __tablename__ = "application_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApplicationDecision(Base):
    """Append-only history of an application: every submission, decision and withdrawal, with who and when."""

    __tablename__ = "application_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("source IN ('manual', 'zoom-import')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    minutes: Mapped[int | None] = mapped_column(Integer)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderSent(Base):
    """Written before the reminder is sent: the unique constraint makes a second run (or a parallel one) skip it."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarFeedToken(Base):
    """The secret in a person's private calendar-feed URL. Resetting it replaces the token: old URLs stop working."""

    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
