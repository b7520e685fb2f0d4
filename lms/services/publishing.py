"""Course packages in and out: validate, import as an immutable version, diff, publish with progress carry-over,
export.

The rules (see docs/course-packages.md, "Publishing and progress"):
- importing creates a draft version; the same version with the same content is a no-op; the same version with other
  content is refused ("bump the version"); a version not above the current one is refused;
- publishing makes a version current and moves every learner to it; lesson completions carry over by lesson id,
  except lessons the new version removes (they stop counting) or changes with ``reset_progress: true`` (they are
  reset); a passed quiz stays passed while its questions are unchanged (passes are tied to the quiz's content hash);
- every version stays stored and can be exported back to a zip that re-imports with the same hash.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from lms import authz
from lms.core import clock
from lms.core.packages import (
    LoadResult,
    Package,
    Problem,
    Translation,
    diff_packages,
    load_package,
    package_zip_bytes,
)
from lms.core.packages.cohort_warnings import cohort_warnings
from lms.core.packages.textdiff import item_titles
from lms.extensions import db
from lms.models import (
    Certificate,
    Course,
    CourseVersion,
    Enrolment,
    LessonProgress,
    ProgressEvent,
    QuizAttempt,
    Role,
    User,
    VersionFile,
    VersionLesson,
    VersionModule,
    VersionTranslation,
)
from lms.services import audit, catalog, cohort_sync, completion, staffing
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)


PackageSource = str | Path | bytes


class PackageRejected(Invalid):
    """The package has problems; ``problems`` lists every one as file:line: message."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"The package has {len(self.problems)} problem(s).")


class RelativeLinks:
    """Links in lesson HTML are relative, so one rendering works wherever the lessons are served from: lessons at
    ``<base>/lessons/<lesson id>`` and assets at ``<base>/assets/<path>`` (the learner's pages and the author's
    preview both follow that shape)."""

    def lesson_url(self, lesson_id: str) -> str:
        return lesson_id

    def asset_url(self, asset_path: str) -> str:
        return "../" + asset_path


@dataclass(frozen=True)
class ImportOutcome:
    version: CourseVersion
    created: bool  # False when this exact version was already imported
    published: bool


def _require_author(actor: User | None) -> None:
    # actor None is the operator at the command line, who already has the server.
    if actor is not None and not authz.can_create_course(actor):
        raise NotAllowed(_("Only instructors and administrators can manage course packages."))


def _require_course_author(actor: User | None, course: Course) -> None:
    _require_author(actor)
    if actor is not None and not authz.can_author_course(actor, course.id, staffing.teaching_course_ids(actor)):
        raise NotAllowed(_("You are not an instructor of '%(slug)s'. An administrator can assign you to it (on the "
                           "reports page, or with flask lms assign-instructor).", slug=course.slug))


def _version_key(version: str) -> tuple[int, int, int]:
    core = version.split("+", 1)[0].split("-", 1)[0]
    major, minor, patch = (int(part) for part in core.split("."))
    return major, minor, patch


def validate(source: PackageSource, name: str | None = None) -> LoadResult:
    """``name``: the uploaded file's name, for problems with zip bytes."""
    return load_package(source, links=RelativeLinks(), name=name)


def package_warnings(package: Package) -> list[Problem]:
    """What the package's cohorts will do to learners as of now, in words (not problems: the package is valid)."""
    return cohort_warnings(package, clock.now())


def load_valid(source: PackageSource, name: str | None = None) -> Package:
    result = validate(source, name)
    if not result.ok:
        raise PackageRejected(result.problems)
    assert result.package is not None
    return result.package


def get_course_of(version: CourseVersion) -> Course:
    return db.session.get(Course, version.course_id)


def get_version(slug: str, version: str) -> CourseVersion:
    row = db.session.execute(
        select(CourseVersion).join(Course).where(Course.slug == slug, CourseVersion.version == version)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("Course '%(slug)s' has no version %(version)s.", slug=slug, version=version))
    return row


def version_for_author(actor: User | None, slug: str, version: str) -> CourseVersion:
    """A stored version (draft or not) for its preview, diff and export, if the actor may author its course."""
    row = get_version(slug, version)
    _require_course_author(actor, get_course_of(row))
    return row


def current_version(course_id: int) -> CourseVersion | None:
    return db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id, CourseVersion.is_current)
    ).scalar_one_or_none()


def version_history(course_id: int) -> list[CourseVersion]:
    """The course's versions that were published, newest first, each with what publishing it changed."""
    return list(db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id == course_id, CourseVersion.published_at.is_not(None))
        .order_by(CourseVersion.published_at.desc(), CourseVersion.id.desc())).scalars())


def list_courses(actor: User | None) -> list[tuple[Course, list[CourseVersion]]]:
    """Courses with their versions: the ones the actor may author, or all of them for the operator at the command
    line (``actor`` None)."""
    query = select(Course).order_by(Course.slug)
    if actor is not None:
        query = query.where(staffing.staff_courses_condition(actor))
    courses = db.session.execute(query).scalars().all()
    versions = db.session.execute(
        select(CourseVersion).where(CourseVersion.course_id.in_([course.id for course in courses]))
        .order_by(CourseVersion.id)).scalars().all()
    by_course: dict[int, list[CourseVersion]] = {}
    for version in versions:
        by_course.setdefault(version.course_id, []).append(version)
    return [(course, sorted(by_course.get(course.id, []), key=lambda v: v.version_key)) for course in courses]


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
    _require_author(actor)
    teacher = staffing.instructor_by_email(instructor) if instructor else None  # refused before any work
    with one_import_at_a_time(actor):
        return _import_package(actor, source, publish, name, teacher)


def _import_package(actor: User | None, source: PackageSource, publish: bool, name: str | None,
                    teacher: User | None = None) -> ImportOutcome:
    package = load_valid(source, name)
    course = catalog.find_course(package.slug)
    if course is not None:
        _require_course_author(actor, course)
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
        if current is not None and _version_key(package.version) <= current.version_key:
            raise Conflict(_("Version %(version)s is not above the published version %(published)s of '%(slug)s'. "
                             "Bump the version in course.yaml.", version=package.version, published=current.version,
                             slug=package.slug))
    else:
        course = Course(slug=package.slug)
        db.session.add(course)
        if actor is not None and actor.role == Role.INSTRUCTOR:
            db.session.flush()
            staffing.add_instructor(course.id, actor)  # who brings a new course teaches it

    version = _store_version(course, package, actor)
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


def _manifest(package: Package) -> dict:
    completion, certificate = package.completion, package.certificate
    return {
        "authors": [{"name": a.name, "organisation": a.organisation} for a in package.authors],
        "licence": package.licence,
        "eligibility_html": package.eligibility_html,
        "resources": [{"title": r.title, "url": r.url, "description": r.description} for r in package.resources],
        "live_sessions": [{"id": s.id, "title": s.title, "description": s.description,
                           "duration_minutes": s.duration_minutes} for s in package.live_sessions],
        "completion": {"required_modules": list(completion.required_modules),
                       "min_sessions_attended": completion.min_sessions_attended},
        "certificate": {"enabled": certificate.enabled, "hours": certificate.hours,
                        "issuers": [{"name": i.name, "url": i.url} for i in certificate.issuers]},
        "cohorts": [{"id": c.id, "name": c.name} for c in package.cohorts],
        "cover": {"image": package.cover.image, "alt": package.cover.alt} if package.cover else None,
    }


def _store_version(course: Course, package: Package, actor: User | None) -> CourseVersion:
    major, minor, patch = _version_key(package.version)
    version = CourseVersion(
        course=course, version=package.version, version_major=major, version_minor=minor, version_patch=patch,
        content_hash=package.content_hash, status="draft", is_current=False, title=package.title,
        summary=package.summary, language=package.language,
        languages=" ".join(package.languages) if len(package.languages) > 1 else "",
        estimated_hours=package.estimated_hours,
        enrolment_mode=package.enrolment.value, manifest=_manifest(package),
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    for position, module in enumerate(package.modules):
        module_row = VersionModule(
            version=version, module_key=module.id, position=position, title=module.title, summary=module.summary,
            required=module.required, quiz_key=module.quiz.id if module.quiz else None,
            quiz_title=module.quiz.title if module.quiz else None,
            quiz_hash=module.quiz.content_hash if module.quiz else None,
        )
        db.session.add(module_row)
        for lesson_position, lesson in enumerate(module.lessons):
            db.session.add(VersionLesson(
                version=version, module=module_row, lesson_key=lesson.id, position=lesson_position,
                title=lesson.title, minutes=lesson.minutes, required=lesson.required,
                reset_progress=lesson.reset_progress, content_hash=lesson.content_hash, html=lesson.html,
            ))
    for translation in package.translations:
        db.session.add(_translation_row(version, translation))
    media_types = {asset.path: asset.media_type for asset in package.assets}
    for path, data in sorted(package.files.items()):
        db.session.add(VersionFile(
            version=version, path=path, media_type=media_types.get(path, _text_media_type(path)), size=len(data),
            sha256=_sha256(data), data=data,
        ))
    return version


def _translation_row(version: CourseVersion, translation: Translation) -> VersionTranslation:
    data = None
    if translation.kind == "course":
        data = {"resources": [{"title": r.title, "url": r.url, "description": r.description}
                              for r in translation.resources],
                "live_sessions": [{"id": s.id, "title": s.title, "description": s.description,
                                   "duration_minutes": s.duration_minutes} for s in translation.live_sessions]}
    return VersionTranslation(
        version=version, language=translation.language, kind=translation.kind, item_key=translation.key,
        path=translation.path, title=translation.title, summary=translation.summary, html=translation.html, data=data,
        recorded_hash=translation.recorded_hash, current_hash=translation.current_hash,
    )


def _text_media_type(path: str) -> str:
    if path.endswith((".yaml", ".yml")):
        return "application/yaml"
    if path.endswith(".md"):
        return "text/markdown; charset=utf-8"
    return "application/octet-stream"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_files(version_id: int) -> dict[str, bytes]:
    rows = db.session.execute(select(VersionFile.path, VersionFile.data).filter_by(version_id=version_id)).all()
    return {path: data for path, data in rows}


def version_package(version: CourseVersion) -> Package:
    """The parsed package of a stored version, e.g. for grading its quizzes. Versions are immutable, so it is kept per
    process; the key includes the content hash, so a version id reused after rows were deleted can't bring back
    another package."""
    return _parsed_version(version.id, version.content_hash)


@lru_cache(maxsize=16)
def _parsed_version(version_id: int, content_hash: str) -> Package:
    slug = db.session.execute(
        select(Course.slug).join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.id == version_id)
    ).scalar_one()
    return load_valid(package_zip_bytes(version_files(version_id), root=slug))


def export_version(actor: User | None, slug: str, version: str) -> bytes:
    row = version_for_author(actor, slug, version)
    return package_zip_bytes(version_files(row.id), root=slug)


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
    learners = db.session.execute(
        select(Enrolment.user_id).where(Enrolment.course_id == course.id, Enrolment.status == "active")).scalars()
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
