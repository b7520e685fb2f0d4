"""Who teaches which course, and the indexes the progress reports read through.

An instructor sees the reports of the courses they are assigned to (one row per course and person; admins see every
course without a row). Assignment is by ``flask lms assign-instructor`` or the form on the reports index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow
from lms.models.learning import Enrolment, ProgressEvent, QuizAttempt

STAFF_ROLES = ("instructor",)


class CourseStaff(Base):
    __tablename__ = "course_staff"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id"),
        CheckConstraint("role IN ('instructor')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="instructor")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Report indexes, declared here so that the reports' needs sit in one place.
# The learner table sorts and pages a course's enrolments by activity and by progress.
Index("ix_enrolments_course_last_activity", Enrolment.course_id, Enrolment.last_activity_at)
Index("ix_enrolments_course_progress", Enrolment.course_id, Enrolment.progress_percent)
# Activity over time: distinct learners with events of a course in a date range (covering: no table look-ups).
Index("ix_progress_events_course_at", ProgressEvent.course_id, ProgressEvent.at, ProgressEvent.user_id)
# Quiz analytics: a course's attempts at one quiz.
Index("ix_quiz_attempts_course_quiz", QuizAttempt.course_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash)
