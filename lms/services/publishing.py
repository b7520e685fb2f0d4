"""A course version's life: import a package as an immutable draft, publish it with progress carry-over, delete a
draft uploaded by mistake. Checking a package is lms.services.package_validation; reading stored versions back
(lookup, parsed package, export) is lms.services.course_versions; writing their rows is lms.services.version_storage.

The rules (see docs/course-packages.md, "Publishing and progress"):
- importing creates a draft version; the same version with the same content is a no-op; the same version with other
  content is refused ("bump the version"); a version not above the current one is refused;
- publishing makes a version current and moves every learner to it; lesson completions carry over by lesson id,
  except lessons the new version removes (they stop counting) or changes with ``reset_progress: true`` (they are
  reset); a passed quiz stays passed while its questions are unchanged (passes are tied to the quiz's content hash);
- every version stays stored and can be exported back to a zip that re-imports with the same hash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from lms.core import clock
from lms.core.packages import Package, diff_packages
from lms.core.packages.textdiff import item_titles
from lms.extensions import db
from lms.models import (
    Certificate,
    Course,
    CourseVersion,
    Enrolment,
    EnrolmentStatus,
    LessonProgress,
    ProgressEvent,
    QuizAttempt,
    Role,
    User,
)
from lms.services import audit, catalog, cohort_sync, completion, staffing, version_storage
from lms.services.course_versions import (
    current_version,
    get_course_of,
    require_author,
    require_course_author,
    version_for_author,
    version_key,
    version_package,
)
from lms.services.errors import Conflict
from lms.services.package_validation import PackageRejected, PackageSource, load_valid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOutcome:
    version: CourseVersion
    created: bool  # False when this exact version was already imported
    published: bool


class ImportInProgress(Conflict):
    """The same person is already importing a package (each import may take seconds of work)."""


IMPORT_LOCK_SPACE = 0x1D0C  # the first key of the PostgreSQL advisory locks that serialise each person's imports
_importing: set[int] = set()  # the same, within this process, for SQLite (one process in development)
_importing_guard = threading.Lock()


@contextmanager
def one_import_at_a_time(actor: User | None) -> Iterator[None]:
    """At most one import per person at a time, across every process: a second upload while one is being checked
    is refused at once instead of doubling the work. On PostgreSQL a transaction-level advisory lock (released at
    commit or rollback, even if the process dies); elsewhere a set in this process."""
    if actor is None:  # the operator at the command line
        yield
        return
    if db.session.get_bind().dialect.name == "postgresql":
        if not db.session.execute(select(func.pg_try_advisory_xact_lock(IMPORT_LOCK_SPACE, actor.id))).scalar():
            raise ImportInProgress(IMPORT_BUSY)
        yield
        return
    with _importing_guard:
        if actor.id in _importing:
            raise ImportInProgress(IMPORT_BUSY)
        _importing.add(actor.id)
    try:
        yield
    finally:
        with _importing_guard:
            _importing.discard(actor.id)


IMPORT_BUSY = _l("You are already importing a package. Wait until it is done, then upload the next one.")


def import_package(actor: User | None, source: PackageSource, *, publish: bool = False,
                   name: str | None = None, instructor: str | None = None) -> ImportOutcome:
    """Validate and store a package as a new draft version, in one transaction; optionally publish it. ``name``:
    the uploaded file's name, for the problems. ``instructor``: the e-mail address of an instructor to make staff of
    the course (the operator's import at the command line otherwise makes nobody its instructor)."""
    require_author(actor)
    teacher = staffing.instructor_by_email(instructor) if instructor else None  # refused before any work
    with one_import_at_a_time(actor):
        return _import_package(actor, source, publish, name, teacher)


def _import_package(actor: User | None, source: PackageSource, publish: bool, name: str | None,
                    teacher: User | None = None) -> ImportOutcome:
    package = load_valid(source, name)
    course = catalog.find_course(package.slug)
    if course is not None:
        require_course_author(actor, course)
        _refuse_foreign_cohorts(course, package)
        existing = db.session.execute(
            select(CourseVersion).filter_by(course_id=course.id, version=package.version)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.content_hash != package.content_hash:
                raise Conflict(_("Version %(version)s of '%(slug)s' is already imported with different content. "
                                 "Bump the version in course.yaml and import again.",
                                 version=package.version, slug=package.slug))
            published = False
            if teacher is not None:
                staffing.assign_to_course(actor, course, teacher)
                db.session.commit()
            if publish and not existing.is_current:
                publish_version(actor, package.slug, package.version)
                published = True
            return ImportOutcome(existing, created=False, published=published)
        current = current_version(course.id)
        if current is not None and version_key(package.version) <= current.version_key:
            raise Conflict(_("Version %(version)s is not above the published version %(published)s of '%(slug)s'. "
                             "Bump the version in course.yaml.", version=package.version, published=current.version,
                             slug=package.slug))
    else:
        course = Course(slug=package.slug)
        db.session.add(course)
        if actor is not None and actor.role == Role.INSTRUCTOR:
            db.session.flush()
            staffing.add_instructor(course.id, actor)  # who brings a new course teaches it

    version = version_storage.store_version(course, package, actor)
    db.session.flush()
    if teacher is not None:
        staffing.assign_to_course(actor, course, teacher)
    audit.record(actor, "course.import", "course", course.slug,
                 {"version": package.version, "content_hash": package.content_hash})
    log.info("imported %s %s (%d lessons)", package.slug, package.version, len(package.lessons))
    if publish:
        _publish(actor, course, version, package)
    db.session.commit()
    return ImportOutcome(version, created=True, published=publish)


def publish_version(actor: User | None, slug: str, version: str) -> CourseVersion:
    row = version_for_author(actor, slug, version)
    course = catalog.get_course(slug)
    if row.is_current:
        return row
    current = current_version(course.id)
    if current is not None and row.version_key <= current.version_key:
        raise Conflict(_("Version %(version)s is not above the published version %(published)s; publish a higher "
                         "version.", version=version, published=current.version))
    package = version_package(row)
    _refuse_foreign_cohorts(course, package)
    _publish(actor, course, row, package)
    db.session.commit()
    return row


def _refuse_foreign_cohorts(course: Course, package: Package) -> None:
    """A package may not take over cohorts it did not create, or that staff edited since (lms.services.cohort_sync)."""
    problems = cohort_sync.package_cohort_problems(cohort_sync.plan_package_cohorts(course, package))
    if problems:
        raise PackageRejected(problems)


def publish_confirmed(actor: User | None, slug: str, version: str, replacing: str) -> CourseVersion:
    """Publish after the author confirmed what it would do: ``replacing`` is the published version they saw ("" for
    none). If another version was published since, nothing happens and they are asked to look again."""
    course = catalog.get_course(slug)
    version_for_author(actor, slug, version)
    current = current_version(course.id)
    published = current.version if current is not None else ""
    if published not in (replacing, version):  # publishing the version that is already current does nothing
        raise Conflict(_("Another version of '%(slug)s' (%(published)s) was published since you confirmed. Check "
                         "the changes again before publishing.", slug=slug, published=published or _("none")))
    return publish_version(actor, slug, version)


def delete_draft(actor: User | None, slug: str, version: str) -> None:
    """Delete a draft that was never published and that no learner has been on (an upload made by mistake). The
    deletion is audited; published versions stay stored for good, as learners' records point at them."""
    row = version_for_author(actor, slug, version)
    if row.is_current or row.published_at is not None or row.status != "draft":
        raise Conflict(_("Version %(version)s has been published, so it is kept: learners' records point at it. "
                         "Only drafts that were never published can be deleted.", version=version))
    if _learner_records(row.id):
        raise Conflict(_("Learners have studied version %(version)s (their progress, attempts or certificates point "
                         "at it), so it is kept.", version=version))
    course = get_course_of(row)
    db.session.execute(delete(CourseVersion).where(CourseVersion.id == row.id))  # files, modules, lessons cascade
    audit.record(actor, "course.delete_version", "course", course.slug,
                 {"version": version, "content_hash": row.content_hash})
    log.info("deleted draft %s %s", course.slug, version)
    db.session.commit()


def _learner_records(version_id: int) -> int:
    """How many learner records (completions, attempts, history, certificates) point at a version."""
    counts = [select(func.count()).select_from(model).where(column == version_id) for model, column in (
        (LessonProgress, LessonProgress.completed_version_id), (QuizAttempt, QuizAttempt.version_id),
        (ProgressEvent, ProgressEvent.version_id), (Certificate, Certificate.version_id))]
    return sum(db.session.execute(query).scalar_one() for query in counts)


def _publish(actor: User | None, course: Course, new: CourseVersion, package: Package) -> None:
    current = current_version(course.id)
    new.change_summary = _change_summary(course, current, package)  # before the cohorts change
    if current is not None:
        _carry_over(course, current, new, package)
        current.is_current = False
        current.status = "retired"
        db.session.flush()  # the partial unique index allows one current version: retire before promoting
    new.is_current = True
    new.status = "published"
    new.published_at = clock.now()
    new.published_by_id = actor.id if actor else None
    cohort_sync.sync_package_cohorts(actor, course, package)  # its own cohorts and sessions, created or updated
    cohort_sync.release_left_out_cohorts(actor, course, package)  # open-mode ones it leaves out stop taking learners
    db.session.flush()
    # What the new version asks may complete the course for some learners (a lesson removed, say): apply the rule.
    learners = db.session.execute(select(Enrolment.user_id).where(
        Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE)).scalars()
    completion.reevaluate(course, learners.all())
    audit.record(actor, "course.publish", "course", course.slug,
                 {"version": new.version, "previous_version": current.version if current else None})
    log.info("published %s %s", course.slug, new.version)


def _change_summary(course: Course, current: CourseVersion | None, package: Package) -> dict:
    """What publishing ``package`` changes, as the version page's history keeps it: the diff against the version it
    replaces (items named by title) and what happens to cohorts, as phrases worded when the page is read."""
    lines: list = []
    if current is not None:
        published = version_package(current)
        lines = diff_packages(published, package).summary_lines(item_titles(published, package))
    cohort_plans = [*(plan for plan in cohort_sync.plan_package_cohorts(course, package) if plan.changes_anything),
                    *cohort_sync.plan_released_cohorts(course, package)]
    lines += [line for plan in cohort_plans for line in plan.summary_lines()]
    return {"replaced": current.version if current is not None else None, "lines": [line.to_data() for line in lines]}


def _carry_over(course: Course, current: CourseVersion, new: CourseVersion, package: Package) -> None:
    """Reset the completions the new version invalidates; everything else stays as it is."""
    diff = diff_packages(version_package(current), package)
    # Removed lessons need no write: they stop counting because progress only looks at the current outline.
    reset_keys = [key for key in diff.lessons_reset if key in {lesson.id for lesson in package.lessons}]
    if not reset_keys:
        return
    affected = db.session.execute(
        select(LessonProgress.user_id, LessonProgress.lesson_key).where(
            LessonProgress.course_id == course.id, LessonProgress.lesson_key.in_(reset_keys),
            LessonProgress.completed_at.is_not(None))
    ).all()
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.course_id == course.id, LessonProgress.lesson_key.in_(reset_keys))
        .values(completed_at=None, completed_version_id=None)
    )
    db.session.add_all(
        ProgressEvent(user_id=user_id, course_id=course.id, version_id=new.id, kind="lesson_reset", item_key=key,
                      detail={"reason": "changed with reset_progress", "from_version": current.version})
        for user_id, key in affected
    )
