"""The outbox: e-mail waiting to leave, written in the transaction of the action that causes it, and the schedule
of the worker's recurring jobs. lms.services.outbox delivers the messages; lms.services.scheduled_jobs runs the jobs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
MESSAGE_STATES = (QUEUED, SENDING, SENT, FAILED)


class OutboxMessage(Base):
    """One e-mail. ``queued`` until a worker claims it (``sending``, with a lease that expires if the worker dies),
    then ``sent``, or back to ``queued`` for a retry at ``next_attempt_at``, or ``failed`` after the last attempt.
    ``message_id`` is fixed when the message is written, so every attempt carries the same Message-ID."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status_known"),
        # What a worker looks for: due queued messages, and claimed ones whose lease ran out.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        # The oldest waiting message (/healthz, the admin page).
        Index("ix_outbox_messages_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)  # the HTML alternative, for templates that have one
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The one-click unsubscribe address of a message people may stop (RFC 8058): List-Unsubscribe and
    # List-Unsubscribe-Post are sent with it. None for messages one cannot opt out of (a password reset).
    list_unsubscribe: Mapped[str | None] = mapped_column(String(500))


class ScheduledJob(Base):
    """A recurring job and when it is next due. The jobs themselves are code (lms.services.scheduled_jobs); the
    schedule is here, so that every worker sees the same one and no cron entry is needed."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    every_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduledJobRun(Base):
    """One occurrence of a job. The unique constraint is what makes it run once: of several workers that find the
    job due, only the one whose insert succeeds runs it."""

    __tablename__ = "scheduled_job_runs"
    __table_args__ = (UniqueConstraint("job_name", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(ForeignKey("scheduled_jobs.name", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
