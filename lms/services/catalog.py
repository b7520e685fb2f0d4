"""Reading course versions for pages: outlines, lessons and assets, each in a fixed number of queries.

The same functions serve the learner's pages and the author's preview, so a draft previews exactly as it will look.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.core.progress import Outline, OutlineLesson, OutlineModule, OutlineQuiz
from lms.extensions import db
from lms.models import Course, CourseVersion, VersionFile, VersionLesson, VersionModule
from lms.services.errors import NotFound


@dataclass(frozen=True)
class LessonRef:
    key: str
    title: str
    minutes: int
    required: bool
    module_key: str
    module_title: str
    module_position: int
    position: int


@dataclass(frozen=True)
class ModuleRef:
    module_key: str
    position: int
    title: str
    summary: str
    required: bool
    quiz_key: str | None
    quiz_title: str | None
    quiz_hash: str | None


@dataclass(frozen=True)
class VersionOutline:
    """A version's modules and lessons in order, without lesson bodies."""

    version: CourseVersion
    modules: tuple[ModuleRef, ...]
    lessons: tuple[LessonRef, ...]
    outline: Outline

    def lessons_of(self, module_key: str) -> tuple[LessonRef, ...]:
        return tuple(lesson for lesson in self.lessons if lesson.module_key == module_key)

    def neighbours(self, lesson_key: str) -> tuple[LessonRef | None, LessonRef | None]:
        keys = [lesson.key for lesson in self.lessons]
        index = keys.index(lesson_key)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following

    def lesson(self, lesson_key: str) -> LessonRef:
        for lesson in self.lessons:
            if lesson.key == lesson_key:
                return lesson
        raise NotFound(_("This lesson is not part of the course."))

    def module(self, module_key: str) -> ModuleRef:
        for module in self.modules:
            if module.module_key == module_key:
                return module
        raise NotFound(_("This module is not part of the course."))

    @property
    def total_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


def version_outline(version: CourseVersion) -> VersionOutline:
    modules, lessons, outline = _outline_parts(version.id, version.content_hash, _manifest_completion(version))
    return VersionOutline(version=version, modules=modules, lessons=lessons, outline=outline)


def _manifest_completion(version: CourseVersion) -> tuple[tuple[str, ...], int, tuple[str, ...], int]:
    """The rule's parts the manifest keeps: required modules, sessions, the lessons asking a reflection and how many
    reflections are required (versions imported before reflections existed have neither: none)."""
    completion = version.manifest.get("completion", {})
    return (tuple(completion.get("required_modules", ())), int(completion.get("min_sessions_attended", 0)),
            tuple(version.manifest.get("reflections", {})), int(completion.get("min_reflections", 0)))


def reflection_question(version: CourseVersion, lesson_key: str) -> str:
    """The lesson's reflection question in the course's source language; "" when it asks none."""
    return str(version.manifest.get("reflections", {}).get(lesson_key, ""))


# Versions never change once imported, so what is built from their rows is kept per process. The key includes the
# content hash: a version id reused after rows are deleted (tests, a restored database) cannot bring back stale data.
@lru_cache(maxsize=64)
def _outline_parts(version_id: int, content_hash: str, completion: tuple[tuple[str, ...], int, tuple[str, ...], int]):
    module_rows = db.session.execute(
        select(VersionModule).where(VersionModule.version_id == version_id).order_by(VersionModule.position)
    ).scalars().all()
    modules = tuple(
        ModuleRef(module_key=m.module_key, position=m.position, title=m.title, summary=m.summary,
                  required=m.required, quiz_key=m.quiz_key, quiz_title=m.quiz_title, quiz_hash=m.quiz_hash)
        for m in module_rows
    )
    rows = db.session.execute(
        select(VersionLesson.lesson_key, VersionLesson.title, VersionLesson.minutes, VersionLesson.required,
               VersionLesson.reset_progress, VersionLesson.content_hash, VersionLesson.position,
               VersionModule.module_key, VersionModule.title, VersionModule.position)
        .join(VersionModule, VersionLesson.module_id == VersionModule.id)
        .where(VersionLesson.version_id == version_id)
        .order_by(VersionModule.position, VersionLesson.position)
    ).all()
    lessons = tuple(
        LessonRef(key=r[0], title=r[1], minutes=r[2], required=r[3], module_key=r[7], module_title=r[8],
                  module_position=r[9], position=r[6])
        for r in rows
    )
    by_module: dict[str, list[OutlineLesson]] = {}
    for r in rows:
        by_module.setdefault(r[7], []).append(OutlineLesson(
            id=r[0], title=r[1], required=r[3], minutes=r[2], content_hash=r[5], reset_progress=r[4]))
    required_modules, min_sessions, reflection_lessons, min_reflections = completion
    outline = Outline(
        modules=tuple(
            OutlineModule(
                id=m.module_key, title=m.title, required=m.required,
                lessons=tuple(by_module.get(m.module_key, ())),
                quiz=OutlineQuiz(id=m.quiz_key, content_hash=m.quiz_hash or "") if m.quiz_key else None,
            )
            for m in modules
        ),
        required_modules=required_modules,
        min_sessions_attended=min_sessions,
        reflection_lessons=reflection_lessons,
        min_reflections=min_reflections,
    )
    return modules, lessons, outline


def lesson_html(version: CourseVersion, lesson_key: str) -> str:
    return _lesson_content(version.id, version.content_hash, lesson_key)[0]


def lesson_video(version: CourseVersion, lesson_key: str) -> dict[str, Any] | None:
    """The lesson's video as stored at import (lms.services.video_lessons.video_record), or None."""
    return _lesson_content(version.id, version.content_hash, lesson_key)[1]


@lru_cache(maxsize=512)
def _lesson_content(version_id: int, content_hash: str, lesson_key: str) -> tuple[str, dict[str, Any] | None]:
    row = db.session.execute(
        select(VersionLesson.html, VersionLesson.video).where(VersionLesson.version_id == version_id,
                                                              VersionLesson.lesson_key == lesson_key)
    ).one_or_none()
    if row is None:
        raise NotFound(_("This lesson is not part of the course."))
    return row.html, row.video


def asset(version_id: int, path: str) -> VersionFile:
    if not path.startswith("assets/"):
        raise NotFound(_("No such file."))
    row = db.session.execute(
        select(VersionFile).where(VersionFile.version_id == version_id, VersionFile.path == path)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("No such file."))
    return row


def cover_image(slug: str) -> VersionFile:
    """The cover picture of the course's published version; NotFound when it has none."""
    version = db.session.execute(
        select(CourseVersion).join(Course, Course.id == CourseVersion.course_id)
        .where(Course.slug == slug, CourseVersion.is_current)).scalar_one_or_none()
    cover = (version.manifest or {}).get("cover") if version is not None else None
    if not cover:
        raise NotFound(_("This course has no cover picture."))
    return asset(version.id, cover["image"])


@dataclass(frozen=True)
class CatalogueEntry:
    course: Course
    version: CourseVersion
    modules: int
    lessons: int


def published_courses_with_counts() -> list[CatalogueEntry]:
    module_count = (select(func.count()).select_from(VersionModule)
                    .where(VersionModule.version_id == CourseVersion.id).scalar_subquery())
    lesson_count = (select(func.count()).select_from(VersionLesson)
                    .where(VersionLesson.version_id == CourseVersion.id).scalar_subquery())
    rows = db.session.execute(
        select(Course, CourseVersion, module_count, lesson_count)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.is_current).order_by(CourseVersion.title)
    ).all()
    return [CatalogueEntry(*row) for row in rows]


def find_course(slug: str) -> Course | None:
    """The course with this slug, published or not: the one lookup of a course by its slug."""
    return db.session.execute(select(Course).filter_by(slug=slug)).scalar_one_or_none()


def get_course(slug: str) -> Course:
    """The course with this slug, published or not; NotFound names the slug."""
    course = find_course(slug)
    if course is None:
        raise NotFound(_("There is no course '%(slug)s'.", slug=slug))
    return course


def published_version(slug: str) -> tuple[Course, CourseVersion]:
    row = db.session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(Course.slug == slug, CourseVersion.is_current)
    ).first()
    if row is None:
        raise NotFound(_("There is no such course."))
    return row[0], row[1]
