"""What learners do: enrolments, lesson progress, quiz attempts, and an append-only history of progress events.

Progress is keyed by the stable ids from the package (lesson_key, quiz_key), not by version rows, so it survives new
versions; each row also records the version it happened on. Invariants are constraints: one enrolment per learner
per course, one progress row per learner per lesson, attempt numbers unique per learner and quiz.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from lms.models.cohort import Cohort


class EnrolmentStatus(StrEnum):
    """Whether a learner is in a course. Withdrawing keeps every row: enrolling again makes it active."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("status IN ({})".format(", ".join(f"'{s.value}'" for s in EnrolmentStatus)),
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EnrolmentStatus.ACTIVE.value)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The resume point, shared by every device the learner uses.
    last_lesson_key: Mapped[str | None] = mapped_column(String(64))
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The cohort (run) the learner is in, when the course runs in cohorts; its dates bound the learner's study.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    # Read only, filled where a page loads the enrolment with its cohort (contains_eager): it keeps the cohort in the
    # session for the rest of the request (the session holds rows weakly), so its window costs no query of its own.
    cohort: Mapped[Cohort | None] = relationship(lazy="raise", viewonly=True)
    # The progress percentage (lms.core.progress) as of the learner's last lesson completion or quiz submission,
    # stored so that the reports can sort and filter by it in SQL; pages show the live value.
    progress_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The language the learner chose for this course (None: their interface language when the course has it).
    language: Mapped[str | None] = mapped_column(String(16))
    # The language of the content they last read (a lesson or a quiz): what the reports show and filter by.
    studied_language: Mapped[str | None] = mapped_column(String(16), index=True)


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(String(64))
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", ondelete="SET NULL"))


class VideoWatching(Base):
    """How much of a lesson's video a learner has watched (lms.core.watching) and where to resume, on any device.
    Kept per video file (its SHA-256): a new version with the same video keeps the learner's watching."""

    __tablename__ = "video_watching"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_key", "video_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(String(64))
    video_sha256: Mapped[str] = mapped_column(String(64))
    intervals: Mapped[list[Any]] = mapped_column(JSON)  # [[start, end], ...] in seconds, merged
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    position: Mapped[float] = mapped_column(Float, default=0.0)
    # The first report starts the clock against which all the watching must be possible (lms.core.watching).
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # Two simultaneous "start attempt" requests compute the same number; only one insert can win.
        UniqueConstraint("user_id", "course_id", "quiz_key", "quiz_hash", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(64))
    quiz_hash: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)  # question order and choice order of this attempt
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responses: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # The language the quiz was shown in when the attempt was submitted (quiz analytics split by language).
    language: Mapped[str | None] = mapped_column(String(16))


class ProgressEvent(Base):
    """Append-only history: every completion, reset and quiz result, with the version it happened on."""

    __tablename__ = "progress_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))  # lesson_completed, lesson_reset, quiz_submitted, course_completed
    item_key: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
