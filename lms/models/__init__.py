"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from lms.models.audit import AuditEntry
from lms.models.base import Base, constants_in_sql, written_into_sql
from lms.models.certificate import Certificate
from lms.models.cohort import (
    Application,
    ApplicationDecision,
    ApplicationLetter,
    Attendance,
    CalendarFeedToken,
    Cohort,
    LiveSession,
    ReminderSent,
)
from lms.models.course import Course, CourseVersion, VersionFile, VersionLesson, VersionModule, VersionTranslation
from lms.models.discussion import (
    DiscussionFollow,
    DiscussionMute,
    DiscussionPost,
    DiscussionRead,
    DiscussionReport,
    DiscussionRevision,
    DiscussionSetting,
    DiscussionThread,
)
from lms.models.learning import (
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    ProgressEvent,
    QuizAttempt,
    VideoWatching,
)
from lms.models.outbox import OutboxMessage, ScheduledJob, ScheduledJobRun
from lms.models.staffing import CourseStaff
from lms.models.theme import SiteTheme
from lms.models.user import Login, Role, SignedInUser, User

__all__ = [
    "Application",
    "ApplicationDecision",
    "ApplicationLetter",
    "Attendance",
    "AuditEntry",
    "Base",
    "CalendarFeedToken",
    "Certificate",
    "Cohort",
    "Course",
    "CourseStaff",
    "CourseVersion",
    "DiscussionFollow",
    "DiscussionMute",
    "DiscussionPost",
    "DiscussionRead",
    "DiscussionReport",
    "DiscussionRevision",
    "DiscussionSetting",
    "DiscussionThread",
    "Enrolment",
    "EnrolmentStatus",
    "LessonProgress",
    "LiveSession",
    "Login",
    "OutboxMessage",
    "ProgressEvent",
    "QuizAttempt",
    "ReminderSent",
    "Role",
    "ScheduledJob",
    "ScheduledJobRun",
    "SignedInUser",
    "SiteTheme",
    "User",
    "VersionFile",
    "VersionLesson",
    "VersionModule",
    "VersionTranslation",
    "VideoWatching",
    "constants_in_sql",
    "written_into_sql",
]
