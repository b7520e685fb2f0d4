"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from lms.models.base import Base
from lms.models.course import Course, CourseVersion, VersionFile, VersionLesson, VersionModule
from lms.models.learning import Enrolment, LessonProgress, ProgressEvent, QuizAttempt
from lms.models.user import Role, User

__all__ = [
    "Base",
    "Course",
    "CourseVersion",
    "Enrolment",
    "LessonProgress",
    "ProgressEvent",
    "QuizAttempt",
    "Role",
    "User",
    "VersionFile",
    "VersionLesson",
    "VersionModule",
]
