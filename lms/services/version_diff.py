"""What publishing a version would change: the package diff against the published version, and how many learners
would lose which lesson completions and quiz passes (shown before publishing, by `flask lms diff` and the author's
version page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.core.packages import Package, PackageDiff, Problem, diff_packages
from lms.core.packages.diff import TranslationChanges, translation_changes
from lms.core.packages.textdiff import TextChange, item_titles, text_changes
from lms.extensions import db
from lms.models import (
    Course,
    CourseVersion,
    LessonProgress,
    QuizAttempt,
    User,
    VersionModule,
)
from lms.services import catalog, cohort_sync
from lms.services.course_versions import current_version, version_for_author, version_package
from lms.services.package_validation import PackageSource, load_valid, package_warnings


@dataclass(frozen=True)
class DiffReport:
    package: Package
    current: CourseVersion | None
    diff: PackageDiff | None  # None when the course has no current version yet
    # How many learners would lose each completion: lesson id -> learners, quiz id -> learners who passed it.
    lessons_lost: dict[str, int] = field(default_factory=dict)
    quiz_passes_lost: dict[str, int] = field(default_factory=dict)
    # What publishing would do to the package's cohorts (created, changed, refused), existing ones first.
    cohorts: tuple[cohort_sync.CohortPlan, ...] = ()
    # The text of each lesson and quiz added, removed or changed, line by line; and every item's title by
    # "lesson:<id>" / "quiz:<id>" / "module:<id>", so the page names items by title.
    text_changes: tuple[TextChange, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    # Open-mode cohorts of earlier versions that this one leaves out: they stop taking learners.
    released: tuple[cohort_sync.ReleasePlan, ...] = ()
    # What the package's cohorts will do to learners, in words (lms.core.packages.cohort_warnings).
    warnings: tuple[Problem, ...] = ()
    # Per translation language: translations added, removed, changed, and the stale ones.
    translations: tuple[TranslationChanges, ...] = ()

    def summary_lines(self) -> list[str]:
        return self.diff.summary_lines(self.titles) if self.diff is not None else []

    @property
    def cohort_changes(self) -> tuple[cohort_sync.CohortPlan | cohort_sync.ReleasePlan, ...]:
        return (*(plan for plan in self.cohorts if plan.changes_anything or plan.refusal), *self.released)


def diff_against_current(source: PackageSource) -> DiffReport:
    """What publishing this package would change, and how many learners would lose which completions."""
    package = load_valid(source)
    course = catalog.find_course(package.slug)
    current = current_version(course.id) if course else None
    if current is None:
        return DiffReport(package=package, current=None, diff=None, warnings=_warnings(package),
                          cohorts=tuple(cohort_sync.plan_package_cohorts(course, package)),
                          translations=translation_changes(None, package))
    return _diff_report(course, current, package)


def _warnings(package: Package) -> tuple[Problem, ...]:
    return tuple(package_warnings(package))


def diff_versions(actor: User | None, slug: str, version: str) -> DiffReport:
    """The same report for a draft that is already imported."""
    draft = version_for_author(actor, slug, version)
    course = catalog.get_course(slug)
    current = current_version(course.id)
    package = version_package(draft)
    if current is None or current.id == draft.id:
        return DiffReport(package=package, current=current, diff=None, warnings=_warnings(package),
                          cohorts=tuple(cohort_sync.plan_package_cohorts(course, package)) if current is None else (),
                          translations=translation_changes(None, package))
    return _diff_report(course, current, package)


def _diff_report(course: Course, current: CourseVersion, package: Package) -> DiffReport:
    published = version_package(current)
    diff = diff_packages(published, package)
    return DiffReport(package=package, current=current, diff=diff,
                      lessons_lost=_completions_per_lesson(course.id, diff.lessons_reset),
                      quiz_passes_lost=_passes_per_quiz(course.id, current, diff.quizzes_reset),
                      text_changes=text_changes(published, package), titles=item_titles(published, package),
                      cohorts=tuple(cohort_sync.plan_package_cohorts(course, package)),
                      released=tuple(cohort_sync.plan_released_cohorts(course, package)),
                      warnings=_warnings(package),
                      translations=translation_changes(published, package))


def _completions_per_lesson(course_id: int, lesson_keys: Iterable[str]) -> dict[str, int]:
    keys = list(lesson_keys)
    if not keys:
        return {}
    rows = db.session.execute(
        select(LessonProgress.lesson_key, func.count())
        .where(LessonProgress.course_id == course_id, LessonProgress.lesson_key.in_(keys),
               LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.lesson_key)
    ).all()
    counts = dict.fromkeys(keys, 0)
    counts.update({key: count for key, count in rows})
    return counts


def _passes_per_quiz(course_id: int, current: CourseVersion, quiz_keys: Iterable[str]) -> dict[str, int]:
    keys = list(quiz_keys)
    if not keys:
        return {}
    # A pass counts while the attempt was on the quiz's current questions (same hash as in the published version).
    rows = db.session.execute(
        select(QuizAttempt.quiz_key, func.count(func.distinct(QuizAttempt.user_id)))
        .join(VersionModule, (VersionModule.quiz_key == QuizAttempt.quiz_key)
              & (VersionModule.quiz_hash == QuizAttempt.quiz_hash))
        .where(VersionModule.version_id == current.id, QuizAttempt.course_id == course_id,
               QuizAttempt.quiz_key.in_(keys), QuizAttempt.passed.is_(True))
        .group_by(QuizAttempt.quiz_key)
    ).all()
    counts = dict.fromkeys(keys, 0)
    counts.update({key: count for key, count in rows})
    return counts
