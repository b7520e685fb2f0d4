"""Progress reports and analytics for programme staff: course overview, learner table, one learner's history, quiz
analytics, breakdowns by place, and streaming exports.

Who sees what (lms.authz.can_view_reports): administrators every course, instructors the courses they are assigned
to (``course_staff``), learners nothing.

Numbers
    - The population is the course's ACTIVE enrolments (optionally of one cohort). Withdrawn learners are left out.
    - enrolled: active enrolments. started: those who opened a lesson or submitted a quiz attempt. completed: those
      whose completion was recorded (``Enrolment.completed_at``, set the moment the rule was first met). certified:
      those with a valid (unrevoked) certificate for the course.
    - Progress percentages and module completion come from lms.core.progress.course_progress on the CURRENT version's
      outline, from rows fetched in bulk (all completions, passes and attendance counts in three queries).
    - Median time to completion: completed_at - enrolled_at, in days, over the completed learners.
    - Activity: distinct learners with at least one progress event (lesson completed, quiz submitted, course
      completed) per ISO week (weeks start on Monday, UTC), the last ``ACTIVITY_WEEKS`` weeks.
    - Participation in the discussions (threads, replies, reflections per learner and per cohort): what counts is
      defined in lms.services.reports.participation.
    - Quiz analytics: each learner's FIRST submitted attempt at the quiz's current questions (see lms.core.analytics).

Sorting by progress
    The learner table sorts and filters in SQL. Progress is sorted by ``Enrolment.progress_percent``, which
    lms.services.completion.record_progress keeps equal to the rule's percentage whenever something that changes
    progress is recorded (a lesson, a quiz, attendance, a new version); the percentage SHOWN in each row is computed
    live.

Queries
    Each page runs a fixed number of queries whatever the number of learners (tests/services/test_reports.py checks
    it); exports read the learners in chunks of ``EXPORT_CHUNK``, so memory does not grow with the population.
"""

from lms.services.reports.columns import Column, as_dicts
from lms.services.reports.exports import EXPORT_CHUNK, ExportTable, export_table, learner_rows_as_dicts, table_as_dicts
from lms.services.reports.history import HistoryAttempt, HistoryLesson, HistorySession, LearnerHistory, learner_history
from lms.services.reports.learners import (
    MAX_PER_PAGE,
    PER_PAGE,
    SORTS,
    STATUSES,
    LearnerFilters,
    LearnerRow,
    LearnerTable,
    learner_table,
)
from lms.services.reports.overview import ACTIVITY_COLUMNS, ACTIVITY_WEEKS, FUNNEL_COLUMNS, Overview, overview
from lms.services.reports.participation import (
    COHORT_ACTIVITY_COLUMNS,
    RECENT_DAYS,
    CohortActivity,
    HistoryPost,
    Participation,
)
from lms.services.reports.places import PlaceRow, Places, place_columns, places
from lms.services.reports.quiz import ChoiceRow, QuestionRow, QuizReport, quiz_analytics
from lms.services.reports.scope import ReportableCourse, ReportScope, report_scope, reportable_courses

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_WEEKS",
    "COHORT_ACTIVITY_COLUMNS",
    "EXPORT_CHUNK",
    "FUNNEL_COLUMNS",
    "MAX_PER_PAGE",
    "PER_PAGE",
    "RECENT_DAYS",
    "SORTS",
    "STATUSES",
    "ChoiceRow",
    "CohortActivity",
    "Column",
    "ExportTable",
    "HistoryAttempt",
    "HistoryLesson",
    "HistoryPost",
    "HistorySession",
    "LearnerFilters",
    "LearnerHistory",
    "LearnerRow",
    "LearnerTable",
    "Overview",
    "Participation",
    "PlaceRow",
    "Places",
    "QuestionRow",
    "QuizReport",
    "ReportScope",
    "ReportableCourse",
    "as_dicts",
    "export_table",
    "learner_history",
    "learner_rows_as_dicts",
    "learner_table",
    "overview",
    "place_columns",
    "places",
    "quiz_analytics",
    "report_scope",
    "reportable_courses",
    "table_as_dicts",
]
