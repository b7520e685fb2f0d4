"""Which language a learner reads a course in, and the course's texts in that language.

The rule (docs/course-packages.md, "What learners see"): the language asked for on this page (``?lang=``, a one-off
look, e.g. at the source of a stale translation), else the language the learner chose for this course (kept on their
enrolment), else their interface language, each only when the course has it; otherwise the course's source language.
A lesson, module or quiz without a translation in that language is shown in the source language, with a notice.

Translated texts come from the version's VersionTranslation rows, read once per version and language and kept per
process (versions never change once imported), so a translated page costs no more queries than an English one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import CourseVersion, Enrolment, VersionTranslation
from lms.models.plain import EnrolmentRow
from lms.services.catalog import VersionOutline


@dataclass(frozen=True)
class TranslatedText:
    title: str
    summary: str
    html: str
    stale: bool
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CourseReading:
    """The language a page shows a course in, and its translated texts (empty in the source language)."""

    source: str  # the course's source language
    languages: tuple[str, ...]  # the course's languages, source first
    language: str  # the language the learner reads in: one of ``languages``
    wanted: str | None  # the language the learner would like (chosen, or their interface's), course's or not
    chosen: str | None  # the learner's choice for this course (their enrolment's), if any
    texts: Mapping[tuple[str, str], TranslatedText] = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        return self.language != self.source

    @property
    def unavailable(self) -> bool:
        """The learner would like a language the course is not offered in (they read the source instead)."""
        return self.wanted is not None and not self.translated and _match(self.wanted, self.languages) is None

    def text(self, kind: str, key: str = "") -> TranslatedText | None:
        return self.texts.get((kind, key))

    def untranslated(self, kind: str, key: str = "") -> bool:
        """Reading a translation, this item has none: it is shown in the source language."""
        return self.translated and (kind, key) not in self.texts

    def stale(self, kind: str, key: str = "") -> bool:
        text = self.texts.get((kind, key))
        return text is not None and text.stale

    def content_language(self, kind: str, key: str = "") -> str:
        """The language an item's text is actually in (for the `lang` attribute)."""
        return self.language if (kind, key) in self.texts else self.source


def _match(wanted: str | None, languages: tuple[str, ...]) -> str | None:
    """The course language that serves ``wanted`` (exact, else by primary subtag: "es-MX" reads "es")."""
    if not wanted:
        return None
    wanted = wanted.replace("_", "-")
    lowered = {language.lower(): language for language in languages}
    if wanted.lower() in lowered:
        return lowered[wanted.lower()]
    primary = wanted.split("-")[0].lower()
    return next((language for language in languages if language.split("-")[0].lower() == primary), None)


def reading_for(version: CourseVersion, enrolment: Enrolment | None, interface_language: str | None,
                requested: str | None = None) -> CourseReading:
    languages = tuple(version.language_list)
    chosen = enrolment.language if enrolment is not None else None
    wanted = chosen or interface_language
    language = _match(requested, languages) or _match(chosen, languages) or _match(interface_language, languages) \
        or languages[0]
    texts = _texts(version.id, version.content_hash, language) if language != languages[0] else {}
    return CourseReading(source=languages[0], languages=languages, language=language, wanted=wanted, chosen=chosen,
                         texts=texts)


@lru_cache(maxsize=64)
def _texts(version_id: int, content_hash: str, language: str) -> dict[tuple[str, str], TranslatedText]:
    rows = db.session.execute(
        select(VersionTranslation).where(VersionTranslation.version_id == version_id,
                                         VersionTranslation.language == language)
    ).scalars().all()
    return {(row.kind, row.item_key): TranslatedText(row.title, row.summary, row.html, row.stale, row.data)
            for row in rows}


def localised_outline(outline: VersionOutline, reading: CourseReading) -> VersionOutline:
    """The outline with the titles of modules, lessons and quizzes in the reading language where translated."""
    if not reading.texts:
        return outline

    def title(kind: str, key: str | None, default: str | None) -> str | None:
        text = reading.texts.get((kind, key or ""))
        return text.title if text is not None else default

    modules = tuple(replace(m, title=title("module", m.module_key, m.title),
                            summary=_summary(reading, "module", m.module_key, m.summary),
                            quiz_title=title("quiz", m.quiz_key, m.quiz_title)) for m in outline.modules)
    module_titles = {m.module_key: m.title for m in modules}
    lessons = tuple(replace(lesson, title=title("lesson", lesson.key, lesson.title),
                            module_title=module_titles.get(lesson.module_key, lesson.module_title))
                    for lesson in outline.lessons)
    return replace(outline, modules=modules, lessons=lessons)


def _summary(reading: CourseReading, kind: str, key: str, default: str) -> str:
    text = reading.texts.get((kind, key))
    return text.summary if text is not None and text.summary else default


def lesson_html(reading: CourseReading, lesson_key: str, source_html: str) -> str:
    text = reading.text("lesson", lesson_key)
    return text.html if text is not None else source_html


@dataclass(frozen=True)
class CourseTexts:
    """What the course page shows of course.yaml, in the reading language where translated."""

    title: str
    summary: str
    eligibility_html: str
    resources: tuple[Mapping[str, Any], ...]
    live_sessions: tuple[Mapping[str, Any], ...]


def course_texts(version: CourseVersion, reading: CourseReading | None) -> CourseTexts:
    manifest = version.manifest or {}
    text = reading.text("course") if reading is not None else None
    if text is None:
        return CourseTexts(version.title, version.summary, manifest.get("eligibility_html", ""),
                           tuple(manifest.get("resources", ())), tuple(manifest.get("live_sessions", ())))
    data = text.data or {}
    return CourseTexts(text.title, text.summary or version.summary, text.html or manifest.get("eligibility_html", ""),
                       tuple(data.get("resources", manifest.get("resources", ()))),
                       tuple(data.get("live_sessions", manifest.get("live_sessions", ()))))


@dataclass(frozen=True)
class CourseName:
    """A course's title and summary as a list of courses shows them, and the language they are in (for `lang`)."""

    title: str
    summary: str
    language: str


def course_name(version: CourseVersion, interface_language: str | None,
                enrolment: Enrolment | None = None) -> CourseName:
    """The course's title and summary in the language the reader would read it in (by the course page's rule:
    their choice for this course, else their interface language, when the course has it; else its source)."""
    reading = reading_for(version, enrolment, interface_language)
    texts = course_texts(version, reading)
    return CourseName(texts.title, texts.summary, reading.content_language("course"))


def studied_language_change(enrolment: Enrolment | EnrolmentRow | None, reading: CourseReading) -> dict[str, str]:
    """The language the learner is studying in (the reports show it), as the enrolment's column to write when it
    changed; {} when it did not."""
    if enrolment is None or enrolment.studied_language == reading.language:
        return {}
    return {"studied_language": reading.language}


def record_studied_language(enrolment: Enrolment | None, reading: CourseReading) -> bool:
    """Note the language the learner is studying in on the enrolment entity; True if that changed anything (the
    caller commits)."""
    change = studied_language_change(enrolment, reading)
    if enrolment is not None and change:
        enrolment.studied_language = change["studied_language"]
    return bool(change)
