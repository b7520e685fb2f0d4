"""A learner's journey through a course once enrolled: lessons, progress and the dashboard (joining and leaving are
lms.services.enrolments).

The progress rules themselves live in lms.core.progress; this module gathers the learner's rows (a fixed number of
queries, whatever the size of the course) and records what they do, idempotently: double clicks, two tabs or a retry
never create duplicate rows (unique constraints and INSERT … ON CONFLICT, not checks before inserts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, CompoundSelect, String, bindparam, cast, func, select, union_all, update

from lms import authz
from lms.core import clock
from lms.core.player import item_after_lesson
from lms.core.progress import (
    CourseProgress,
    LearnerStep,
    StepKind,
    course_progress,
    learner_next_step,
    looks_for_certificate,
    waits_for_sessions,
)
from lms.core.schedule import StudyAccess
from lms.extensions import db
from lms.models import (
    Application,
    Attendance,
    Certificate,
    Cohort,
    Course,
    CourseVersion,
    DiscussionPost,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    LiveSession,
    ProgressEvent,
    QuizAttempt,
    SignedInUser,
    User,
    VersionFile,
    VersionModule,
    VideoWatching,
    constants_in_sql,
    written_into_sql,
)
from lms.models.plain import CohortRow, CourseRow, EnrolmentRow, VersionRow, plain_columns, plain_values, with_cohort
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import (
    catalog,
    certificates,
    cohort_pages,
    cohorts,
    completion,
    course_context,
    course_languages,
    enrolments,
    live_sessions,
    transactions,
    wording,
)
from lms.services.catalog import LessonRef, ModuleRef, VersionOutline
from lms.services.course_languages import CourseReading
from lms.services.errors import Invalid, NotAllowed
from lms.services.reflection_contributions import contributions_select


@dataclass(frozen=True)
class LearnerState:
    """What the learner has done in a course, and what the rules make of it."""

    completed_lessons: frozenset[str]
    passed_quizzes: frozenset[str]
    sessions_attended: int
    progress: CourseProgress


@dataclass(frozen=True)
class CoursePage:
    course: CourseRow
    version: VersionRow
    outline: VersionOutline
    enrolment: EnrolmentRow | None
    state: LearnerState | None
    can_study: bool
    access: StudyAccess | None = None  # the learner's cohort window, when the enrolment is in a cohort
    next_step: LearnerStep | None = None  # for an enrolled learner
    pending_applications: tuple[Application, ...] = ()  # the learner's applications to this course's cohorts
    rejoinable: Cohort | None = None  # the cohort an accepted applicant left and may rejoin
    # Application courses, for who is not enrolled: the cohorts taking applications, with their deadlines and dates.
    applying: tuple[cohort_pages.CohortPage, ...] = ()
    reading: CourseReading | None = None  # the language the page shows the course in, and its texts

    @property
    def texts(self) -> course_languages.CourseTexts:
        """course.yaml's texts (title, summary, resources, live sessions) in the reading language where translated."""
        return course_languages.course_texts(self.version, self.reading)


@dataclass(frozen=True)
class LessonPage:
    course: CourseRow
    version: VersionRow
    outline: VersionOutline
    lesson: LessonRef
    html: str
    previous: LessonRef | None
    following: LessonRef | None  # the next lesson, when the next item in the player is a lesson
    following_quiz: ModuleRef | None  # the module whose quiz comes next, when the next item is a quiz
    state: LearnerState
    next_step: LearnerStep | None  # for an enrolled learner
    reading: CourseReading | None = None  # the language the lesson is shown in (lms.services.course_languages)
    enrolled: bool = False  # the learner is enrolled (staff looking around are not): they may choose a language
    cohort_id: int | None = None  # the learner's cohort: whose discussion space the lesson's link counts
    video: dict[str, Any] | None = None  # the lesson's video (lms.services.video_lessons.video_record)
    resume_at: float = 0.0  # seconds into the video where the learner stopped, on whichever device


@dataclass(frozen=True)
class DashboardEntry:
    course: CourseRow
    version: VersionRow
    outline: VersionOutline
    enrolment: EnrolmentRow
    progress: CourseProgress
    next_step: LearnerStep
    access: StudyAccess | None = None
    name: course_languages.CourseName | None = None  # the title in the learner's reading language


@dataclass(frozen=True)
class Dashboard:
    entries: list[DashboardEntry]
    pending_applications: list[tuple[Application, Cohort, Course]]  # waiting for a decision
    certificates: dict[int, Certificate]  # per course: lms.services.certificates.certificates_by_course


def learner_state(user: User, course_id: int, outline: VersionOutline) -> LearnerState:
    return learner_states(user, {course_id: outline})[course_id]


def learner_states(user: User, outlines: dict[int, VersionOutline]) -> dict[int, LearnerState]:
    """What the learner has done in each course (course id -> its current version's outline), and what the rules make
    of it: one query, whatever the number of courses and their size."""
    course_ids = list(outlines)
    done: dict[str, dict[int, set[str]]] = {kind: {course_id: set() for course_id in course_ids}
                                            for kind in ("lesson", "quiz", "session", "reflection")}
    # Plain rows, without the ORM's execution (nor its autoflush: what this reads is written by statements).
    if len(outlines) == 1:  # every page inside a course
        (outline,) = outlines.values()
        rows = db.session.connection().execute(_ONE_COURSE_ROWS, {
            "user_id": user.id, "course_id": course_ids[0], "version_id": outline.version.id})
    else:
        rows = db.session.connection().execute(_LEARNER_ROWS, {
            "user_id": user.id, "course_ids": course_ids,
            "version_ids": [outline.version.id for outline in outlines.values()],
        })
    for kind, course_id, key in rows:
        done[kind][course_id].add(key)
    states = {}
    for course_id, outline in outlines.items():
        completed, passed = done["lesson"][course_id], done["quiz"][course_id]
        sessions = len(done["session"][course_id])
        progress = course_progress(outline.outline, completed, passed, sessions, done["reflection"][course_id])
        states[course_id] = LearnerState(frozenset(completed), frozenset(passed), sessions, progress)
    return states


def _learner_rows(*, one_course: bool) -> CompoundSelect:
    """(kind, course id, key) of everything a learner did that the progress rules count, in the courses
    ``course_ids`` whose current versions are ``version_ids`` (``course_id`` and ``version_id`` for ``one_course``):
    completed lessons, quizzes passed on their current questions (an attempt counts while the quiz's content hash in
    the current version is the one it was taken on) and live sessions attended, reflections contributed to. Built
    once: building a statement costs more than running it."""
    user_id = bindparam("user_id")

    # One course, the pages inside it, compares with a value: a list (IN) is written into the SQL at each execution
    # (SQLAlchemy's "expanding" parameters), about 60 microseconds of this statement's 110 in Python.
    def in_courses(column: ColumnElement[int]) -> ColumnElement[bool]:
        return column == bindparam("course_id") if one_course else column.in_(bindparam("course_ids", expanding=True))

    in_versions = (CourseVersion.id == bindparam("version_id") if one_course
                   else CourseVersion.id.in_(bindparam("version_ids", expanding=True)))
    completed_lessons = (
        select(written_into_sql("lesson"), LessonProgress.course_id, LessonProgress.lesson_key)
        .where(LessonProgress.user_id == user_id, in_courses(LessonProgress.course_id),
               LessonProgress.completed_at.is_not(None))
    )
    passed_quizzes = (
        select(written_into_sql("quiz"), QuizAttempt.course_id, QuizAttempt.quiz_key).distinct()
        .join(VersionModule, (VersionModule.quiz_key == QuizAttempt.quiz_key)
              & (VersionModule.quiz_hash == QuizAttempt.quiz_hash))
        .join(CourseVersion, (CourseVersion.id == VersionModule.version_id)
              & (CourseVersion.course_id == QuizAttempt.course_id))
        .where(QuizAttempt.user_id == user_id, in_courses(QuizAttempt.course_id),
               QuizAttempt.passed.is_(True), in_versions)
    )
    attended = live_sessions.sessions_attended_select(Attendance.user_id == user_id,
                                                      in_courses(Cohort.course_id)).subquery()
    attended_sessions = select(written_into_sql("session"), attended.c.course_id, cast(attended.c.session_id, String))
    reflected = contributions_select(DiscussionPost.author_id == user_id,
                                     in_courses(DiscussionThread.course_id)).subquery()
    reflections = select(written_into_sql("reflection"), reflected.c.course_id, reflected.c.item_key)
    return union_all(completed_lessons, passed_quizzes, attended_sessions, reflections)


_LEARNER_ROWS = constants_in_sql(_learner_rows(one_course=False))
_ONE_COURSE_ROWS = constants_in_sql(_learner_rows(one_course=True))


def course_page(user: User | None, slug: str, *, interface_language: str | None = None,
                requested_language: str | None = None) -> CoursePage:
    """``interface_language``: the page's; ``requested_language``: a language asked for on this page only. The
    course, its version and the reader's enrolment with its cohort in one query (the page is public: no access
    check), then what the learner did and their pending applications."""
    signed_in = user is not None and user.is_authenticated
    course, version, enrolment = course_context.study_values(slug, user.id if signed_in else None)
    outline = catalog.version_outline(version)
    if user is None or not signed_in:
        reading = course_languages.reading_for(version, None, interface_language, requested_language)
        return CoursePage(course, version, course_languages.localised_outline(outline, reading), None, None,
                          can_study=False, applying=_cohorts_taking_applications(None, course, version),
                          reading=reading)
    reading = course_languages.reading_for(version, enrolment, interface_language, requested_language)
    state = learner_state(user, course.id, outline) if enrolment else None
    access = None if authz.is_staff(user) else cohorts.study_access_for(enrolment)
    can_study = authz.is_staff(user) or (enrolment is not None and (access is None or access.can_read))
    step = next_steps(user, {course.id: (enrolment, state.progress)})[course.id] if enrolment else None
    applications = tuple(application for application, _, _ in enrolments.pending_applications(user, course.id))
    rejoinable = None if enrolment else enrolments.rejoinable_cohort(user, course.id)
    applying = _cohorts_taking_applications(user, course, version) if enrolment is None else ()
    return CoursePage(course, version, course_languages.localised_outline(outline, reading), enrolment, state,
                      can_study=can_study, access=access, next_step=step, pending_applications=applications,
                      rejoinable=rejoinable, applying=applying, reading=reading)


def next_steps(user: User, progress: dict[int, tuple[Enrolment, CourseProgress]], now: datetime | None = None,
               certified: set[int] | None = None) -> dict[int, LearnerStep]:
    """The learner's next step in each course (course id -> (enrolment, progress)), by
    lms.core.progress.learner_next_step: with the upcoming live sessions of the learner's cohorts and the courses in
    which the learner holds a valid certificate (``certified``, when the caller has them already). Each is read only
    for the courses whose step depends on it (most learners are in the middle of a lesson list): at most two queries,
    whatever the number of courses."""
    now = now or clock.now()
    cohort_ids = {enrolment.cohort_id for enrolment, course_progress_ in progress.values()
                  if enrolment.cohort_id and waits_for_sessions(course_progress_)}
    upcoming: dict[int, list[datetime]] = {cohort_id: [] for cohort_id in cohort_ids}
    if cohort_ids:
        for cohort_id, starts_at in db.session.execute(
            select(LiveSession.cohort_id, LiveSession.starts_at)
            .where(LiveSession.cohort_id.in_(cohort_ids), LiveSession.starts_at > now)
        ):
            upcoming[cohort_id].append(starts_at)
    finished = [course_id for course_id, (_, course_progress_) in progress.items()
                if looks_for_certificate(course_progress_)]
    if certified is None:
        certified = set(db.session.execute(
            select(Certificate.course_id).where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None),
                                                Certificate.course_id.in_(finished))
        ).scalars()) if finished else set()
    return {
        course_id: learner_next_step(course_progress_, upcoming_sessions=upcoming.get(enrolment.cohort_id, ()),
                                     holds_certificate=course_id in certified)
        for course_id, (enrolment, course_progress_) in progress.items()
    }


def _cohorts_taking_applications(user: User | None, course: Course,
                                 version: CourseVersion) -> tuple[cohort_pages.CohortPage, ...]:
    if version.enrolment_mode != "application":
        return ()
    return tuple(cohort_pages.cohorts_taking_applications(user, course, version))


def lesson_page(user: User, slug: str, lesson_key: str, *, interface_language: str | None = None,
                requested_language: str | None = None) -> LessonPage:
    """``interface_language``: the page's; ``requested_language``: a language asked for on this page only."""
    course, version, enrolment = course_context.study_context(user, slug)
    reading = course_languages.reading_for(version, enrolment, interface_language, requested_language)
    outline = course_languages.localised_outline(catalog.version_outline(version), reading)
    lesson = outline.lesson(lesson_key)  # NotFound for a lesson that isn't in the current version
    html = course_languages.lesson_html(reading, lesson_key, catalog.lesson_html(version, lesson_key))
    changes = _visit_changes(user, course, enrolment, lesson_key) if enrolment is not None else {}
    if requested_language is None:  # a one-off look at another language (the source of a stale text) is not studying
        changes |= course_languages.studied_language_change(enrolment, reading)
    if changes:  # the page read the enrolment as a plain value: its changes are written here, in one statement
        db.session.execute(update(Enrolment).where(Enrolment.id == enrolment.id).values(changes)
                           .execution_options(synchronize_session=False))
    previous, _ = outline.neighbours(lesson_key)
    state = learner_state(user, course.id, outline)
    following = item_after_lesson(outline.outline, lesson_key, state.passed_quizzes)
    following_lesson = outline.lesson(following.id) if following and following.kind == StepKind.LESSON else None
    following_quiz = outline.module(following.module_id) if following and following.kind == StepKind.QUIZ else None
    # At the course's last item the page says what is still missing (two more queries, on that page only).
    at_the_end = following is None and enrolment is not None
    step = next_steps(user, {course.id: (enrolment, state.progress)})[course.id] if at_the_end else None
    video = catalog.lesson_video(version, lesson_key)
    page = LessonPage(course, version, outline, lesson, html, previous, following_lesson, following_quiz, state,
                      step, reading, enrolled=enrolment is not None,
                      cohort_id=enrolment.cohort_id if enrolment is not None else None, video=video,
                      resume_at=_resume_position(user, course, lesson_key, video) if enrolment else 0.0)
    if changes:  # the use case's one commit: the resume point, read on the dashboard; the page shows what it loaded
        transactions.commit_keeping_loaded()
    return page


def _resume_position(user: User | SignedInUser, course: CourseRow, lesson_key: str,
                     video: dict[str, Any] | None) -> float:
    if not video or not video.get("sha256"):
        return 0.0  # no video, or an external player, whose position the page cannot know
    position = db.session.execute(
        select(VideoWatching.position).filter_by(user_id=user.id, course_id=course.id, lesson_key=lesson_key,
                                                 video_sha256=video["sha256"])).scalar_one_or_none()
    return position or 0.0


def course_asset(user: User, slug: str, path: str) -> VersionFile:
    _course, version, _enrolment = course_context.study_context(user, slug)
    return catalog.asset(version.id, path)


# Activity is recorded to this resolution: reading the same lesson again within it writes nothing.
ACTIVITY_RESOLUTION = timedelta(minutes=5)


def _visit_changes(user: User | SignedInUser, course: CourseRow, enrolment: EnrolmentRow,
                   lesson_key: str) -> dict[str, Any]:
    """Record the first view of the lesson, and return the enrolment's new resume point for the caller to write
    (and commit); {} for a re-read of the resume point, which writes nothing."""
    now = clock.now()
    recent = enrolment.last_activity_at is not None and now - enrolment.last_activity_at < ACTIVITY_RESOLUTION
    if enrolment.last_lesson_key == lesson_key and recent:
        return {}
    insert_ignoring_conflicts(db.session, LessonProgress, {
        "user_id": user.id, "course_id": course.id, "lesson_key": lesson_key, "first_viewed_at": now,
    }, ["user_id", "course_id", "lesson_key"])
    return {"last_lesson_key": lesson_key, "last_activity_at": now}


def complete_lesson(user: User, slug: str, lesson_key: str) -> LearnerState:
    """Mark a lesson complete. Repeating it changes nothing; the first completion is the one recorded."""
    course, version, enrolment = course_context.study_context_to_edit(user, slug)
    state = record_completion(user, course, version, enrolment, lesson_key)
    db.session.commit()
    return state


def record_completion(user: User, course: Course, version: CourseVersion, enrolment: Enrolment | None,
                      lesson_key: str) -> LearnerState:
    """complete_lesson's work without its commit, for another use case (a video watched to the end)."""
    outline = catalog.version_outline(version)
    outline.lesson(lesson_key)  # NotFound for a lesson that isn't in the current version
    if enrolment is None:  # staff looking around record nothing
        return learner_state(user, course.id, outline)
    now = clock.now()
    insert_ignoring_conflicts(db.session, LessonProgress, {
        "user_id": user.id, "course_id": course.id, "lesson_key": lesson_key, "first_viewed_at": now,
    }, ["user_id", "course_id", "lesson_key"])
    newly_completed = db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.user_id == user.id, LessonProgress.course_id == course.id,
               LessonProgress.lesson_key == lesson_key, LessonProgress.completed_at.is_(None))
        .values(completed_at=now, completed_version_id=version.id)
    ).rowcount == 1
    if newly_completed:
        db.session.add(ProgressEvent(user_id=user.id, course_id=course.id, version_id=version.id,
                                     kind="lesson_completed", item_key=lesson_key, at=now))
    enrolment.last_lesson_key = lesson_key
    enrolment.last_activity_at = now
    state = learner_state(user, course.id, outline)
    completion.record_progress(user, course, version, enrolment, state.progress)
    return state


def dashboard(user: User) -> Dashboard:
    """Four queries whatever the number of courses and cohorts (and one more while a course waits for live
    sessions): the enrolments with their courses, versions and cohorts, what the learner did, the certificates and
    the pending applications."""
    # Plain values, on the session's connection without the ORM: the page only reads them.
    rows = []
    for row in db.session.connection().execute(_DASHBOARD_ROWS, {"user_id": user.id}):
        enrolment, course, version, cohort = plain_values(row, EnrolmentRow, CourseRow, VersionRow, CohortRow)
        rows.append((with_cohort(enrolment, cohort), course, version))
    language = wording.current_language()
    # The titles the learner reads: the course's, its modules' and lessons' in their reading language (the next step).
    readings = {course.id: course_languages.reading_for(version, enrolment, language)
                for enrolment, course, version in rows}
    outlines = {course.id: course_languages.localised_outline(catalog.version_outline(version), readings[course.id])
                for _, course, version in rows}
    states = learner_states(user, outlines)
    held = certificates.certificates_by_course(user)
    steps = next_steps(user, {course.id: (enrolment, states[course.id].progress) for enrolment, course, _ in rows},
                       certified={course_id for course_id, certificate in held.items()
                                  if certificate.revoked_at is None})
    staff = authz.is_staff(user)
    entries = [
        DashboardEntry(course, version, outlines[course.id], enrolment, states[course.id].progress,
                       steps[course.id], None if staff else cohorts.study_access_for(enrolment),
                       course_languages.course_name(version, language, enrolment))
        for enrolment, course, version in rows
    ]
    return Dashboard(entries, enrolments.pending_applications(user), held)


_DASHBOARD_ROWS = constants_in_sql(
  # built once, like lms.services.course_context's
    select(*plain_columns(EnrolmentRow, Enrolment), *plain_columns(CourseRow, Course),
           *plain_columns(VersionRow, CourseVersion), *plain_columns(CohortRow, Cohort))
    .select_from(Enrolment)
    .join(Course, Course.id == Enrolment.course_id)
    .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
    .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
    .where(Enrolment.user_id == bindparam("user_id"), Enrolment.status == EnrolmentStatus.ACTIVE)
    .order_by(func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at).desc())
)


def choose_course_language(user: User, slug: str, language: str) -> str | None:
    """Remember the language the learner reads this course in, on their enrolment; "" goes back to the automatic
    choice (their interface language when the course has it). Returns the language now chosen, if any."""
    _course, version, enrolment = course_context.study_context_to_edit(user, slug)
    if enrolment is None:
        raise NotAllowed(_("Enrol in this course to choose the language you read it in."))
    if language and language not in version.language_list:
        raise Invalid(_("This course is not offered in that language."))
    enrolment.language = language or None
    db.session.commit()
    return enrolment.language
