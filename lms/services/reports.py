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
    - Quiz analytics: each learner's FIRST submitted attempt at the quiz's current questions (see lms.core.analytics).

Sorting by progress
    The learner table sorts and filters in SQL. Progress is sorted by ``Enrolment.progress_percent``, which
    lms.services.learning.store_progress_percent keeps equal to the rule's percentage whenever a lesson completion or
    a quiz submission is recorded; the percentage SHOWN in each row is computed live. The two differ only for learners
    whose attendance was marked, or whose course got a new version, since their last lesson or quiz.

Queries
    Each page runs a fixed number of queries whatever the number of learners (tests/services/test_reports.py checks
    it); exports read the learners in chunks of ``EXPORT_CHUNK``, so memory does not grow with the population.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, bindparam, cast, exists, func, or_, select, update

from lms import authz
from lms.core import analytics, grading
from lms.core.packages import Quiz
from lms.core.packages.model import QuestionType
from lms.core.progress import CourseProgress
from lms.extensions import db
from lms.models import (
    Attendance,
    Certificate,
    Cohort,
    Course,
    CourseStaff,
    CourseVersion,
    Enrolment,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    Role,
    User,
)
from lms.services import audit, catalog, completion, publishing, staffing
from lms.services.catalog import VersionOutline
from lms.services.errors import Invalid, NotAllowed, NotFound

PER_PAGE = 50
MAX_PER_PAGE = 500
EXPORT_CHUNK = 500
ACTIVITY_WEEKS = 12
STATUSES = ("not-started", "in-progress", "completed")
SORTS = ("name", "email", "organisation", "city", "country", "progress", "last_activity", "enrolled")
def _now() -> datetime:
    return datetime.now(UTC)


# --- who may see which course ----------------------------------------------------------------------------------------


def _require_staff(actor: User | None) -> None:
    if not authz.is_staff(actor):
        raise NotAllowed("Only programme staff can read progress reports.")


@dataclass(frozen=True)
class ReportScope:
    """The course a report is about, its current version's outline, its cohorts and the cohort picked (if any)."""

    course: Course
    version: CourseVersion
    outline: VersionOutline
    cohorts: tuple[Cohort, ...]
    cohort: Cohort | None

    @property
    def quizzes(self) -> list[tuple[str, str]]:
        return [(m.quiz_key, m.quiz_title or m.quiz_key) for m in self.outline.modules if m.quiz_key]

    @property
    def awards_certificates(self) -> bool:
        return bool(((self.version.manifest or {}).get("certificate") or {}).get("enabled"))


def report_scope(actor: User | None, slug: str, cohort_id: int | None = None) -> ReportScope:
    """The course, if the actor may read its reports (NotAllowed otherwise). A fixed number of queries."""
    _require_staff(actor)
    course, version = catalog.published_version(slug)
    if not authz.can_view_reports(actor, course.id, staffing.teaching_course_ids(actor)):
        raise NotAllowed("You can read the reports of the courses you teach only.")
    outline = catalog.version_outline(version)
    cohorts = tuple(db.session.execute(
        select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.starts_on.desc(), Cohort.id)
    ).scalars())
    cohort = None
    if cohort_id is not None:
        cohort = next((c for c in cohorts if c.id == cohort_id), None)
        if cohort is None:
            raise NotFound("This course has no such cohort.")
    return ReportScope(course, version, outline, cohorts, cohort)


@dataclass(frozen=True)
class ReportableCourse:
    slug: str
    title: str
    enrolled: int


def reportable_courses(actor: User | None) -> list[ReportableCourse]:
    """The published courses whose reports the actor may read, with their number of active learners."""
    _require_staff(actor)
    enrolled = (select(func.count()).select_from(Enrolment)
                .where(Enrolment.course_id == Course.id, Enrolment.status == "active").scalar_subquery())
    query = (select(Course.slug, CourseVersion.title, enrolled)
             .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
             .where(staffing.staff_courses_condition(actor))
             .order_by(CourseVersion.title))
    return [ReportableCourse(*row) for row in db.session.execute(query).all()]


def assign_instructor(actor: User | None, slug: str, email: str) -> CourseStaff:
    """Make an instructor staff of a course: its reports, authoring and attendance (lms.authz.is_course_staff);
    idempotent. ``actor`` None: the operator at the command line."""
    if actor is not None and not authz.can_assign_instructors(actor):
        raise NotAllowed("Only administrators can assign instructors.")
    course = db.session.execute(select(Course).filter_by(slug=slug)).scalar_one_or_none()
    if course is None:
        raise NotFound("There is no such course.", field="course")
    user = db.session.execute(select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No account has the e-mail address {email.strip()}.", field="email")
    if user.role != Role.INSTRUCTOR:
        raise Invalid(f"{user.email} is not an instructor (role: {user.role}). Change the role first.",
                      field="email")
    row = staffing.add_instructor(course.id, user)
    if row in db.session.new:  # assigning again changes nothing
        audit.record(actor, "course.assign_instructor", "course", course.slug,
                     {"instructor": user.email, "instructor_id": user.id})
    db.session.commit()
    return row


# --- the population and its progress --------------------------------------------------------------------------------


def _population(scope: ReportScope) -> list:
    conditions = [Enrolment.course_id == scope.course.id, Enrolment.status == "active"]
    if scope.cohort is not None:
        conditions.append(Enrolment.cohort_id == scope.cohort.id)
    return conditions


def _population_user_ids(scope: ReportScope):
    return select(Enrolment.user_id).where(*_population(scope))


def _started(course_id: int):
    """SQL: the enrolment's learner opened a lesson or submitted a quiz attempt."""
    return or_(
        exists().where(LessonProgress.user_id == Enrolment.user_id, LessonProgress.course_id == course_id),
        exists().where(QuizAttempt.user_id == Enrolment.user_id, QuizAttempt.course_id == course_id,
                       QuizAttempt.submitted_at.is_not(None)),
    )


def _restrict(column, scope: ReportScope, user_ids: Sequence[int] | None):
    return column.in_(_population_user_ids(scope)) if user_ids is None else column.in_(list(user_ids))


def _progress_by_user(scope: ReportScope, user_ids: Sequence[int] | None) -> dict[int, CourseProgress]:
    """The rule's progress of every learner given (None: the whole population), in three queries."""
    ids = user_ids if user_ids is not None else _core(_population_user_ids(scope)).scalars().all()
    return completion.progress_by_learner(scope.course.id, scope.outline,
                                          lambda column: _restrict(column, scope, user_ids), ids)


def _core(statement):
    """Run a column query on the session's connection, without the ORM's row processing (bulk reads)."""
    return db.session.connection().execute(statement)


def _attendance_counts(scope: ReportScope, user_ids: Sequence[int] | None) -> dict[int, int]:
    return completion.sessions_attended(scope.course.id, lambda column: _restrict(column, scope, user_ids))


def refresh_stored_progress(actor: User | None, slug: str) -> int:
    """Recompute every active learner's stored percentage (what the learner table sorts by) with the progress rule:
    after the upgrade that added it, after attendance was marked, or after a new version was published; learners who
    meet the completion rule without a recorded completion or certificate get them. Returns the number of enrolments
    whose percentage changed. ``actor`` None: the operator at the command line."""
    if actor is not None and not authz.is_admin(actor):
        raise NotAllowed("Only administrators can recompute stored progress.")
    course, version = catalog.published_version(slug)
    scope = ReportScope(course, version, catalog.version_outline(version), (), None)
    stored = dict(_core(select(Enrolment.user_id, Enrolment.progress_percent).where(*_population(scope))).all())
    progress_by_user = _progress_by_user(scope, None)
    changed = [{"uid": user_id, "percent": progress.percent}
               for user_id, progress in progress_by_user.items()
               if stored.get(user_id) != progress.percent]
    if changed:
        db.session.connection().execute(
            update(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == bindparam("uid"))
            .values(progress_percent=bindparam("percent")), changed)
    # Learners who meet the rule get what it gives (their completion and certificate), if something ever missed them.
    completion.reevaluate(course, [user_id for user_id, progress in progress_by_user.items() if progress.complete])
    db.session.commit()
    return len(changed)


# --- overview --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    scope: ReportScope
    enrolled: int
    started: int
    completed: int
    certified: int
    median_days_to_complete: float | None
    funnel: list[analytics.FunnelStep]
    activity: list[tuple[date, int]]  # (Monday of the week, learners active that week)
    # Learners who meet the completion rule of a course that awards certificates and hold none: a fault to repair
    # (`flask lms refresh-progress`), which the overview shows as such.
    certificates_missing: int = 0


def overview(actor: User | None, slug: str, cohort_id: int | None = None) -> Overview:
    scope = report_scope(actor, slug, cohort_id)
    population = _population(scope)
    durations = []
    enrolled = completed = 0
    for enrolled_at, completed_at in _core(
        select(Enrolment.enrolled_at, Enrolment.completed_at).where(*population)
    ):
        enrolled += 1
        if completed_at is not None:
            completed += 1
            durations.append((completed_at - enrolled_at).total_seconds() / 86400)
    started = db.session.execute(
        select(func.count()).select_from(Enrolment).where(*population, _started(scope.course.id))).scalar_one()
    certified = db.session.execute(
        select(func.count(func.distinct(Certificate.user_id)))
        .where(Certificate.course_id == scope.course.id, Certificate.revoked_at.is_(None),
               Certificate.user_id.in_(_population_user_ids(scope)))
    ).scalar_one()
    module_done: dict[str, int] = dict.fromkeys((m.module_key for m in scope.outline.modules), 0)
    progress_by_user = _progress_by_user(scope, None)
    complete = {user_id for user_id, progress in progress_by_user.items() if progress.complete}
    holders = set(db.session.execute(select(Certificate.user_id).where(
        Certificate.course_id == scope.course.id, Certificate.user_id.in_(_population_user_ids(scope)))).scalars())
    missing = len(complete - holders) if scope.awards_certificates else 0
    for progress in progress_by_user.values():
        for module in progress.modules:
            if module.complete:
                module_done[module.module_id] += 1
    steps = [("started", "Started", started)]
    steps += [(m.module_key, f"Completed {m.title}", module_done[m.module_key]) for m in scope.outline.modules]
    steps += [("completed", "Completed the course", completed), ("certified", "Certified", certified)]
    median = analytics.median(durations)
    return Overview(scope, enrolled, started, completed, certified,
                    round(median, 1) if median is not None else None,
                    analytics.funnel(enrolled, steps), _weekly_activity(scope), missing)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekly_activity(scope: ReportScope) -> list[tuple[date, int]]:
    this_week = _week_start(_now().date())
    first_week = this_week - timedelta(weeks=ACTIVITY_WEEKS - 1)
    since = datetime(first_week.year, first_week.month, first_week.day, tzinfo=UTC)
    if db.session.get_bind().dialect.name == "sqlite":
        week = func.date(ProgressEvent.at, "weekday 0", "-6 days")
    else:
        week = cast(func.date_trunc("week", func.timezone("UTC", ProgressEvent.at)), Date)
    counts = {}
    for week_value, learners in db.session.execute(
        select(week.label("week"), func.count(func.distinct(ProgressEvent.user_id)))
        .where(ProgressEvent.course_id == scope.course.id, ProgressEvent.at >= since,
               ProgressEvent.user_id.in_(_population_user_ids(scope)))
        .group_by(week)
    ):
        counts[date.fromisoformat(str(week_value)[:10])] = learners
    return [(first_week + timedelta(weeks=i), counts.get(first_week + timedelta(weeks=i), 0))
            for i in range(ACTIVITY_WEEKS)]


# --- learner table ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerFilters:
    cohort_id: int | None = None
    status: str | None = None  # one of STATUSES
    city: str = ""
    country: str = ""
    organisation: str = ""  # part of the name, any case
    inactive_days: int | None = None  # no activity (or, never active, no enrolment) for this many days
    search: str = ""  # part of the name or e-mail

    def as_args(self) -> dict[str, Any]:
        """The non-empty filters, as query-string arguments (for links that keep them)."""
        values = {"cohort": self.cohort_id, "status": self.status, "city": self.city, "country": self.country,
                  "organisation": self.organisation, "inactive_days": self.inactive_days, "q": self.search}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class LearnerRow:
    enrolment_id: int
    user_id: int
    name: str
    email: str
    organisation: str
    city: str
    country: str
    cohort: str
    enrolled_at: datetime
    last_activity_at: datetime | None
    progress: int
    complete: bool
    quiz_scores: dict[str, float | None]  # best percent on the current questions, per quiz key
    sessions_attended: int
    certificate_id: str | None
    # The learner meets the completion rule of a course that awards certificates, and holds none (not even a revoked
    # one): the rule was not applied to them. `flask lms refresh-progress` applies it.
    certificate_missing: bool = False


@dataclass(frozen=True)
class LearnerTable:
    scope: ReportScope
    filters: LearnerFilters
    sort: str
    rows: list[LearnerRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _filter_conditions(scope: ReportScope, filters: LearnerFilters) -> list:
    conditions = _population(scope)
    if filters.status == "completed":
        conditions.append(Enrolment.completed_at.is_not(None))
    elif filters.status == "in-progress":
        conditions += [Enrolment.completed_at.is_(None), _started(scope.course.id)]
    elif filters.status == "not-started":
        conditions += [Enrolment.completed_at.is_(None), ~_started(scope.course.id)]
    elif filters.status:
        raise Invalid(f"Unknown status {filters.status!r}; use one of: {', '.join(STATUSES)}.", field="status")
    if filters.city.strip():
        conditions.append(func.lower(User.city) == filters.city.strip().lower())
    if filters.country.strip():
        conditions.append(User.country == filters.country.strip().upper())
    if filters.organisation.strip():
        conditions.append(User.organisation.icontains(filters.organisation.strip(), autoescape=True))
    if filters.search.strip():
        search = filters.search.strip()
        conditions.append(or_(User.display_name.icontains(search, autoescape=True),
                              User.email.icontains(search, autoescape=True)))
    if filters.inactive_days is not None:
        if filters.inactive_days < 0:
            raise Invalid("The number of days cannot be negative.", field="inactive_days")
        cutoff = _now() - timedelta(days=filters.inactive_days)
        conditions.append(func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at) < cutoff)
    return conditions


def _order_by(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    columns = {"name": User.display_name, "email": User.email, "organisation": User.organisation, "city": User.city,
               "country": User.country, "progress": Enrolment.progress_percent,
               "last_activity": Enrolment.last_activity_at, "enrolled": Enrolment.enrolled_at}
    if key not in columns:
        raise Invalid(f"Unknown sort {key!r}; use one of: {', '.join(SORTS)}.", field="sort")
    column = columns[key]
    ordered = column.desc() if descending else column.asc()
    return [ordered.nulls_last(), Enrolment.id.asc()]


def _filtered(scope: ReportScope, filters: LearnerFilters):
    return (select(Enrolment.id).join(User, User.id == Enrolment.user_id)
            .where(*_filter_conditions(scope, filters)))


def learner_table(actor: User | None, slug: str, filters: LearnerFilters = LearnerFilters(), sort: str = "name",
                  page: int = 1, per_page: int = PER_PAGE) -> LearnerTable:
    scope = report_scope(actor, slug, filters.cohort_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = db.session.execute(
        select(func.count()).select_from(_filtered(scope, filters).subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    rows = _learner_rows(scope, _page_query(scope, filters, sort).limit(per_page).offset((page - 1) * per_page))
    return LearnerTable(scope, filters, sort, rows, total, page, per_page)


# Columns, not entities: a page (or an export chunk) never fills the session's identity map.
_ROW_COLUMNS = (Enrolment.id, User.id, User.display_name, User.email, User.organisation, User.city, User.country,
                Cohort.name, Enrolment.enrolled_at, Enrolment.last_activity_at)


def _row_query():
    return (select(*_ROW_COLUMNS).join(User, User.id == Enrolment.user_id)
            .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id))


def _page_query(scope: ReportScope, filters: LearnerFilters, sort: str):
    return _row_query().where(*_filter_conditions(scope, filters)).order_by(*_order_by(sort))


def _learner_rows(scope: ReportScope, query) -> list[LearnerRow]:
    """The rows of one page (or one export chunk): one query for the rows, five for everything per learner."""
    found = db.session.execute(query).all()
    user_ids = [r[1] for r in found]
    if not user_ids:
        return []
    progress = _progress_by_user(scope, user_ids)
    attended = _attendance_counts(scope, user_ids)
    scores = _best_scores(scope, user_ids)
    certificates, holders = {}, set()
    for user_id, public_id, revoked_at in db.session.execute(
        select(Certificate.user_id, Certificate.public_id, Certificate.revoked_at)
        .where(Certificate.course_id == scope.course.id, Certificate.user_id.in_(user_ids))
    ):
        holders.add(user_id)
        if revoked_at is None:
            certificates[user_id] = public_id
    awards = scope.awards_certificates
    quiz_keys = [key for key, _ in scope.quizzes]
    return [
        LearnerRow(
            enrolment_id=enrolment_id, user_id=user_id, name=name, email=email, organisation=organisation,
            city=city, country=country, cohort=cohort_name or "", enrolled_at=enrolled_at,
            last_activity_at=last_activity_at, progress=progress[user_id].percent,
            complete=progress[user_id].complete,
            quiz_scores={key: scores.get((user_id, key)) for key in quiz_keys},
            sessions_attended=attended.get(user_id, 0), certificate_id=certificates.get(user_id),
            certificate_missing=awards and progress[user_id].complete and user_id not in holders,
        )
        for (enrolment_id, user_id, name, email, organisation, city, country, cohort_name, enrolled_at,
             last_activity_at) in found
    ]


def _best_scores(scope: ReportScope, user_ids: Sequence[int]) -> dict[tuple[int, str], float]:
    current = {m.quiz_key: m.quiz_hash for m in scope.outline.modules if m.quiz_key}
    if not current:
        return {}
    scores = {}
    for user_id, quiz_key, quiz_hash, best in db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash, func.max(QuizAttempt.percent))
        .where(QuizAttempt.course_id == scope.course.id, QuizAttempt.user_id.in_(list(user_ids)),
               QuizAttempt.submitted_at.is_not(None), QuizAttempt.quiz_key.in_(list(current)))
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_key, QuizAttempt.quiz_hash)
    ):
        if current.get(quiz_key) == quiz_hash:
            scores[(user_id, quiz_key)] = best
    return scores


# --- one learner's history -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLesson:
    lesson_key: str
    title: str
    first_viewed_at: datetime
    completed_at: datetime | None
    version: str  # the course version it was completed on ("" when not completed or unknown)


@dataclass(frozen=True)
class HistoryAttempt:
    attempt: QuizAttempt
    version: str
    quiz_title: str
    result: grading.AttemptResult | None  # None when its answers cannot be read against its quiz
    prompts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HistorySession:
    title: str
    starts_at: datetime
    source: str
    minutes: int | None


@dataclass(frozen=True)
class LearnerHistory:
    scope: ReportScope
    user: User
    enrolment: Enrolment
    progress: CourseProgress
    lessons: list[HistoryLesson]
    attempts: list[HistoryAttempt]
    sessions: list[HistorySession]
    events: list[ProgressEvent]
    certificates: list[Certificate]


def learner_history(actor: User | None, slug: str, user_id: int) -> LearnerHistory:
    """Everything one learner did in the course: every lesson completion, attempt and answer, with the version."""
    scope = report_scope(actor, slug)
    course_id = scope.course.id
    row = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound("This person is not enrolled in the course.")
    enrolment, user = row
    versions = {v.id: v for v in db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id)).scalars()}
    titles = {lesson.key: lesson.title for lesson in scope.outline.lessons}
    lessons = [
        HistoryLesson(lp.lesson_key, titles.get(lp.lesson_key, lp.lesson_key), lp.first_viewed_at, lp.completed_at,
                      versions[lp.completed_version_id].version if lp.completed_version_id in versions else "")
        for lp in db.session.execute(
            select(LessonProgress).where(LessonProgress.course_id == course_id, LessonProgress.user_id == user_id)
            .order_by(LessonProgress.completed_at.is_(None), LessonProgress.completed_at,
                      LessonProgress.first_viewed_at)
        ).scalars()
    ]
    attempts = []
    for attempt in db.session.execute(
        select(QuizAttempt).where(QuizAttempt.course_id == course_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at, QuizAttempt.id)
    ).scalars():
        version = versions.get(attempt.version_id)
        quiz = _quiz_in(version, attempt.quiz_key) if version is not None else None
        result = _grade(quiz, attempt) if quiz is not None and attempt.submitted_at is not None else None
        attempts.append(HistoryAttempt(
            attempt, version.version if version else "", quiz.title if quiz else attempt.quiz_key, result,
            {q.id: q.prompt_html for q in quiz.questions} if quiz else {}))
    sessions = [HistorySession(*r) for r in db.session.execute(
        select(LiveSession.title, LiveSession.starts_at, Attendance.source, Attendance.minutes)
        .join(Attendance, Attendance.session_id == LiveSession.id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(Cohort.course_id == course_id, Attendance.user_id == user_id).order_by(LiveSession.starts_at)
    ).all()]
    events = list(db.session.execute(
        select(ProgressEvent).where(ProgressEvent.course_id == course_id, ProgressEvent.user_id == user_id)
        .order_by(ProgressEvent.at, ProgressEvent.id)).scalars())
    certificates = list(db.session.execute(
        select(Certificate).where(Certificate.course_id == course_id, Certificate.user_id == user_id)
        .order_by(Certificate.issued_at)).scalars())
    progress = _progress_by_user(scope, [user_id])[user_id]
    return LearnerHistory(scope, user, enrolment, progress, lessons, attempts, sessions, events, certificates)


def _quiz_in(version: CourseVersion, quiz_key: str) -> Quiz | None:
    for quiz in publishing.version_package(version).quizzes:
        if quiz.id == quiz_key:
            return quiz
    return None


def _grade(quiz: Quiz, attempt: QuizAttempt) -> grading.AttemptResult | None:
    question_ids = attempt.layout.get("question_ids", [])
    try:
        responses = grading.parse_submission(quiz, question_ids, attempt.responses or {})
        return grading.grade_attempt(quiz, question_ids, responses)
    except (grading.SubmissionError, ValueError):
        return None


# --- quiz analytics --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceRow:
    choice_id: str
    html: str
    correct: bool
    picked: int
    percent: float  # of the attempts that had the question


@dataclass(frozen=True)
class QuestionRow:
    question_id: str
    position: int
    prompt_html: str
    type: str
    attempts: int
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]
    choices: list[ChoiceRow]


@dataclass(frozen=True)
class QuizReport:
    scope: ReportScope
    quiz: Quiz
    learners: int  # learners with a first attempt (= the attempts analysed)
    submitted_attempts: int  # every submitted attempt on the current questions
    passed_first_time: int
    mean_percent: float | None
    questions: list[QuestionRow]


def quiz_analytics(actor: User | None, slug: str, quiz_key: str, cohort_id: int | None = None) -> QuizReport:
    """Per question: attempts, facility, discrimination, picks per choice and flags, over first attempts."""
    scope = report_scope(actor, slug, cohort_id)
    module = next((m for m in scope.outline.modules if m.quiz_key == quiz_key), None)
    if module is None:
        raise NotFound("This quiz is not part of the course.")
    quiz = _quiz_in(scope.version, quiz_key)
    if quiz is None:  # pragma: no cover  (the outline and the package come from the same version)
        raise NotFound("This quiz is not part of the course.")
    base = [QuizAttempt.course_id == scope.course.id, QuizAttempt.quiz_key == quiz_key,
            QuizAttempt.quiz_hash == module.quiz_hash, QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.user_id.in_(_population_user_ids(scope))]
    submitted = db.session.execute(select(func.count()).select_from(QuizAttempt).where(*base)).scalar_one()
    first = (select(QuizAttempt.user_id, func.min(QuizAttempt.number).label("number"))
             .where(*base).group_by(QuizAttempt.user_id).subquery())
    attempts = db.session.execute(
        select(QuizAttempt.layout, QuizAttempt.responses, QuizAttempt.percent, QuizAttempt.passed)
        .join(first, and_(first.c.user_id == QuizAttempt.user_id, first.c.number == QuizAttempt.number))
        .where(*base)
    ).all()
    question_ids = [q.id for q in quiz.questions]
    scores: list[dict[str, float]] = []
    picks: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    seen: dict[str, int] = defaultdict(int)
    percents = []
    passed = 0
    for layout, responses, percent, was_passed in attempts:
        shown = layout.get("question_ids", [])
        try:
            parsed = grading.parse_submission(quiz, shown, responses or {})
            result = grading.grade_attempt(quiz, shown, parsed)
        except (grading.SubmissionError, ValueError):
            continue
        scores.append({r.question_id: r.score for r in result.questions})
        for qid in shown:
            seen[qid] += 1
            response = parsed.get(qid)
            picks[qid].append(response.choice_ids if response is not None else ())
        percents.append(percent or 0.0)
        passed += bool(was_passed)
    stats = {s.question_id: s for s in analytics.question_statistics(
        question_ids, {q.id: float(q.points) for q in quiz.questions}, scores)}
    questions = []
    for position, question in enumerate(quiz.questions, start=1):
        choices = []
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            counts = analytics.choice_counts([c.id for c in question.choices], picks[question.id])
            choices = [ChoiceRow(c.id, c.html, c.correct, counts[c.id],
                                 round(100 * counts[c.id] / seen[question.id], 1) if seen[question.id] else 0.0)
                       for c in question.choices]
        stat = stats[question.id]
        questions.append(QuestionRow(question.id, position, question.prompt_html, str(question.type),
                                     seen[question.id], stat.facility, stat.discrimination,
                                     stat.flags if seen[question.id] else (), choices))
    mean_percent = analytics.mean(percents)
    return QuizReport(scope, quiz, len(scores), submitted, passed,
                      round(mean_percent, 1) if mean_percent is not None else None, questions)


# --- places ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRow:
    city: str  # "" in the by-country table
    country: str
    enrolled: int
    completed: int
    mean_progress: float

    @property
    def completion_rate(self) -> float:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


@dataclass(frozen=True)
class Places:
    scope: ReportScope
    countries: list[PlaceRow]
    cities: list[PlaceRow]


def places(actor: User | None, slug: str, cohort_id: int | None = None) -> Places:
    """Progress (the rule's percentage, averaged) and completions by country and by city."""
    scope = report_scope(actor, slug, cohort_id)
    progress = _progress_by_user(scope, None)
    by_country: dict[str, list] = defaultdict(lambda: [0, 0, 0])
    by_city: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, 0])
    for user_id, city, country, completed_at in _core(
        select(User.id, User.city, User.country, Enrolment.completed_at)
        .join(Enrolment, Enrolment.user_id == User.id).where(*_population(scope))
    ):
        for bucket in (by_country[country], by_city[(city.strip(), country)]):
            bucket[0] += 1
            bucket[1] += completed_at is not None
            bucket[2] += progress[user_id].percent

    def rows(buckets, key) -> list[PlaceRow]:
        made = [PlaceRow(*key(place), enrolled, completed, round(total / enrolled, 1))
                for place, (enrolled, completed, total) in buckets.items()]
        return sorted(made, key=lambda r: (-r.enrolled, r.country, r.city))

    return Places(scope, rows(by_country, lambda c: ("", c)), rows(by_city, lambda cc: cc))


# --- exports (CSV and JSON) ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportTable:
    """A report table: its file name, its header and its rows (an iterator: read lazily, in chunks)."""

    name: str
    header: list[str]
    rows: Iterator[list]


def export_table(actor: User | None, slug: str, table: str, *, filters: LearnerFilters = LearnerFilters(),
                 sort: str = "name", quiz_key: str | None = None) -> ExportTable:
    """Any report table, for CSV or JSON. Access is checked now, before the first row is read."""
    if table == "learners":
        scope = report_scope(actor, slug, filters.cohort_id)
        _order_by(sort)  # an unknown sort is refused now, not in the middle of the download
        _filter_conditions(scope, filters)
        quiz_keys = [key for key, _ in scope.quizzes]
        header = ["name", "email", "organisation", "city", "country", "cohort", "enrolled_at", "last_activity_at",
                  "progress_percent", "complete", *[f"quiz_{key}_best_percent" for key in quiz_keys],
                  "sessions_attended", "certificate_id"]
        return ExportTable(f"{slug}-learners", header, _learner_export_rows(scope, filters, sort, quiz_keys))
    if table in ("funnel", "activity"):
        report = overview(actor, slug, filters.cohort_id)
        if table == "funnel":
            return ExportTable(f"{slug}-funnel", ["step", "label", "learners", "percent_of_enrolled"],
                               iter([[s.key, s.label, s.count, s.percent] for s in report.funnel]))
        return ExportTable(f"{slug}-activity", ["week_starting", "active_learners"],
                           iter([[week.isoformat(), count] for week, count in report.activity]))
    if table in ("cities", "countries"):
        report = places(actor, slug, filters.cohort_id)
        rows = report.cities if table == "cities" else report.countries
        header = (["city"] if table == "cities" else []) + ["country", "enrolled", "completed", "completion_rate",
                                                            "mean_progress_percent"]
        return ExportTable(f"{slug}-{table}", header, iter([
            ([r.city] if table == "cities" else []) + [r.country, r.enrolled, r.completed, r.completion_rate,
                                                       r.mean_progress] for r in rows]))
    if table == "questions":
        if not quiz_key:
            raise Invalid("Say which quiz.", field="quiz")
        report = quiz_analytics(actor, slug, quiz_key, filters.cohort_id)
        return ExportTable(f"{slug}-{quiz_key}-questions",
                           ["position", "question", "type", "attempts", "facility", "discrimination", "flags",
                            "choice_picks"],
                           iter([[q.position, q.question_id, q.type, q.attempts,
                                  None if q.facility is None else round(q.facility, 4),
                                  None if q.discrimination is None else round(q.discrimination, 4),
                                  "; ".join(q.flags), "; ".join(f"{c.choice_id}={c.picked}" for c in q.choices)]
                                 for q in report.questions]))
    raise NotFound("There is no such report table.")


def _learner_export_rows(scope: ReportScope, filters: LearnerFilters, sort: str,
                         quiz_keys: list[str]) -> Iterator[list]:
    """Every learner matching the filters, read ``EXPORT_CHUNK`` at a time (keyset on the ordered ids)."""
    ids = db.session.execute(
        select(Enrolment.id).join(User, User.id == Enrolment.user_id)
        .where(*_filter_conditions(scope, filters)).order_by(*_order_by(sort))
    ).scalars().all()
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start:start + EXPORT_CHUNK]
        position = {enrolment_id: i for i, enrolment_id in enumerate(chunk)}
        rows = _learner_rows(scope, _row_query().where(Enrolment.id.in_(chunk)))
        # Back in the sorted order: the IN query returns its rows in any order.
        for row in sorted(rows, key=lambda r: position[r.enrolment_id]):
            yield [row.name, row.email, row.organisation, row.city, row.country, row.cohort, row.enrolled_at,
                   row.last_activity_at, row.progress, row.complete, *[row.quiz_scores[k] for k in quiz_keys],
                   row.sessions_attended, row.certificate_id]


def learner_rows_as_dicts(rows: Iterable[LearnerRow]) -> list[dict[str, Any]]:
    return [{
        "user_id": r.user_id, "name": r.name, "email": r.email, "organisation": r.organisation, "city": r.city,
        "country": r.country, "cohort": r.cohort, "enrolled_at": r.enrolled_at.isoformat(),
        "last_activity_at": r.last_activity_at.isoformat() if r.last_activity_at else None,
        "progress_percent": r.progress, "complete": r.complete, "quiz_best_percent": r.quiz_scores,
        "sessions_attended": r.sessions_attended, "certificate_id": r.certificate_id,
    } for r in rows]


def table_as_dicts(table: ExportTable) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime | date) else value

    return [{key: plain(value) for key, value in zip(table.header, row, strict=True)} for row in table.rows]
