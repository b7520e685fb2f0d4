"""Translations of a package: files named ``<stem>.<language>.<ext>`` beside their source, holding only texts.

Layout (docs/course-packages.md, "Translations"): ``course.es.yaml``, ``<module>/module.es.yaml``,
``<module>/<lesson>.es.md`` and ``<module>/quiz.es.yaml``. Structure is the source's: a translation that adds, drops or
reorders questions or choices, changes an id or repeats an answer key is an error; a translation whose ``source_hash``
is missing or differs from the hash of the current source's texts is *stale*, a warning (the import still works).

This module names, reads and checks them and says how complete each language is; the source hash is
lms.core.packages.source_hashes, rendering and building the translated models lms.core.packages.translation_build.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lms.core.i18n import counted
from lms.core.packages.fields import LANGUAGE, Spec
from lms.core.packages.model import LanguageCoverage, Problem, TranslationFile
from lms.core.packages.parsed import ParsedLesson, ParsedPackage
from lms.core.packages.source_hashes import course_texts, lesson_texts, module_texts, quiz_texts, texts_hash
from lms.core.packages.translation_spec import (
    COURSE_TRANSLATION,
    LESSON_TRANSLATION_FRONT_MATTER,
    MODULE_TRANSLATION,
    QUIZ_TRANSLATION,
)
from lms.core.packages.validate import Record, check_document
from lms.core.packages.yamlio import parse_yaml, split_front_matter

COURSE_FILE = "course.yaml"
MODULE_FILE = "module.yaml"
QUIZ_FILE = "quiz.yaml"
CHOICE_TYPES = ("single_choice", "multiple_choice")
_NAME = re.compile(rf"(?P<stem>[^/]+)\.(?P<language>{LANGUAGE.pattern})\.(?P<ext>md|yaml)")


# ---- names ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TranslationName:
    path: str
    language: str
    source_path: str
    kind: str  # "course", "module", "lesson" or "quiz"


def translation_name(path: str) -> TranslationName | None:
    """What ``path`` would translate, judging by its name alone; None when it is not named like a translation."""
    folder, name = posixpath.split(path)
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    source_name = f"{match['stem']}.{match['ext']}"
    if not folder:
        return TranslationName(path, match["language"], COURSE_FILE, "course") if source_name == COURSE_FILE \
            else None  # other files at the root are not translated (README.es.md stays an author's note)
    if "/" in folder:
        return None
    kind = {MODULE_FILE: "module", QUIZ_FILE: "quiz"}.get(source_name) or ("lesson" if match["ext"] == "md" else None)
    if kind is None:
        return None
    return TranslationName(path, match["language"], f"{folder}/{source_name}", kind)


def declared_languages(course: Record, problems: list[Problem]) -> tuple[str, ...]:
    """The course's languages, source first: ``languages``, or the single ``language``. Reports a list with repeats
    and a ``language`` that is not the first of ``languages``."""
    listed: list[tuple[str, int]] = course.located_items("languages")
    if not listed:
        return (course.get("language"),) if course.has("language") else ()
    seen: dict[str, int] = {}
    for language, line in listed:
        if language in seen:
            problems.append(Problem(COURSE_FILE, line, f"language '{language}' is listed twice (first at line "
                                                       f"{seen[language]})"))
        seen.setdefault(language, line)
    source = listed[0][0]
    if course.has("language") and course.get("language") != source:
        problems.append(Problem(COURSE_FILE, course.line_of("language"),
                                f"language '{course.get('language')}' is not the first of languages ({source}), which "
                                "is the source language; remove 'language' or make them agree"))
    return tuple(seen)


# ---- reading and checking -------------------------------------------------------------------------------------------

@dataclass
class ParsedTranslation:
    name: TranslationName
    record: Record | None  # None when unreadable (reported)
    source: Record | ParsedLesson
    key: str  # the source's id ("" for the course)
    current_hash: str
    body: str = ""  # lessons
    body_line: int = 0
    html: dict[str, str] | None = None  # lessons: {"body": ...}; other Markdown is in the records' html

    @property
    def recorded_hash(self) -> str | None:
        return self.record.get("source_hash") if self.record is not None else None


_SPECS: dict[str, Spec] = {"course": COURSE_TRANSLATION, "module": MODULE_TRANSLATION, "quiz": QUIZ_TRANSLATION}


def source_of(name: TranslationName, parsed: ParsedPackage) -> tuple[Record | ParsedLesson, str] | None:
    """The parsed source a translation translates, and its id; None when that source is not in the package."""
    if name.kind == "course":
        return parsed.course, ""
    folder = name.source_path.split("/", 1)[0]
    module = next((m for m in parsed.modules if m.folder == folder), None)
    if module is None:
        return None
    if name.kind == "module":
        return module.record, module.record.get("id", "")
    if name.kind == "quiz":
        return (module.quiz, module.quiz.get("id", "")) if module.quiz is not None else None
    lesson = next((lesson for lesson in module.lessons if lesson.path == name.source_path), None)
    if lesson is None:
        return None
    return lesson, lesson.front.get("id", "") if lesson.front is not None else ""


def read_translations(names: Iterable[TranslationName], parsed: ParsedPackage, files: dict[str, bytes],
                      problems: list[Problem]) -> list[ParsedTranslation]:
    """Parse and check every translation file against its spec and against its source's structure."""
    read: list[ParsedTranslation] = []
    for name in names:
        found = source_of(name, parsed)
        if found is None:
            continue  # the source has problems of its own (unreadable), reported there
        source, key = found
        text = files[name.path].decode("utf-8")
        if name.kind == "lesson":
            assert isinstance(source, ParsedLesson)
            translation = _read_lesson(name, text, source, key, problems)
        else:
            assert isinstance(source, Record)
            node, syntax = parse_yaml(text, name.path)
            problems.extend(syntax)
            record = None if syntax and node is None else check_document(node, _SPECS[name.kind], name.path,
                                                                            problems)
            translation = ParsedTranslation(name, record, source, key, _current_hash(name.kind, source))
            if record is not None:
                _CROSS_CHECKS[name.kind](record, source, name.path, problems)
        read.append(translation)
    return read


def _read_lesson(name: TranslationName, text: str, source: ParsedLesson, key: str,
                 problems: list[Problem]) -> ParsedTranslation:
    current = texts_hash(lesson_texts(source))
    front = split_front_matter(text)
    if front is None:
        problems.append(Problem(name.path, 1, "the translation has no front matter; start the file with a line "
                                              "'---', then source_hash and title, then a line '---'"))
        return ParsedTranslation(name, None, source, key, current, body=text, body_line=1)
    node, syntax = parse_yaml(front.yaml_text, name.path, front.yaml_line_offset)
    problems.extend(syntax)
    record = None if syntax and node is None else \
        check_document(node, LESSON_TRANSLATION_FRONT_MATTER, name.path, problems, line=1)
    if record is not None and record.has("reflection") and (source.front is None
                                                            or not source.front.get("reflection", "")):
        problems.append(Problem(name.path, record.line_of("reflection"), "translates a reflection question but the "
                                "source lesson asks none; add `reflection:` to the source or remove it here"))
    return ParsedTranslation(name, record, source, key, current, body=front.body,
                             body_line=front.body_line_offset + 1)


def _current_hash(kind: str, source: Record) -> str:
    return texts_hash({"course": course_texts, "module": module_texts, "quiz": quiz_texts}[kind](source))


def _check_course(translation: Record, source: Record, path: str, problems: list[Problem]) -> None:
    if "resources" in translation.lines:
        given, expected = len(translation.get("resources", [])), len(source.get("resources", []))
        if given != expected:
            problems.append(Problem(path, translation.line_of("resources"),
                                    f"lists {counted(given, 'resource')} but the source lists {expected}; "
                                    "translate each resource in the source's order (the url is the source's)"))
    ids = [s.get("id") for s in source.get("live_sessions", []) if s.has("id")]
    for session_id, session in (translation.get("live_sessions") or {}).items():
        if session_id not in ids:
            known = f"; the source's are: {', '.join(ids)}" if ids else "; the source has no live sessions"
            problems.append(Problem(path, session.line, f"live session '{session_id}' is not in the source{known}"))


def _check_module(translation: Record, source: Record, path: str, problems: list[Problem]) -> None:
    """A module translation has nothing structural to compare: its keys are checked by its spec."""


def _check_quiz(translation: Record, source: Record, path: str, problems: list[Problem]) -> None:
    source_questions: list[Record] = source.get("questions", [])
    questions: list[Record] = translation.get("questions", [])
    _check_same_ids(questions, source_questions, "question", "the source quiz", translation.line_of("questions"),
                    path, problems)
    by_id = {q.get("id"): q for q in source_questions if q.has("id")}
    for question in questions:
        original = by_id.get(question.get("id"))
        if original is None or not original.has("type"):
            continue
        _check_question(question, original, path, problems)


def _check_question(question: Record, original: Record, path: str, problems: list[Problem]) -> None:
    kind = original.get("type")
    name = f"question '{question.get('id')}' ({kind} in the source)"

    def refuse(key: str, why: str) -> None:
        problems.append(Problem(path, question.line_of(key), f"'{key}' of {name}: {why}"))

    if kind in CHOICE_TYPES:
        if "choices" not in question.lines:
            problems.append(Problem(path, question.line, f"{name} is missing its 'choices'; translate each choice "
                                                         "of the source, in the same order, with the same ids"))
        else:
            _check_same_ids(question.get("choices", []), original.get("choices", []), "choice",
                            f"the source's question '{original.get('id')}'", question.line_of("choices"), path,
                            problems)
        for key in ("feedback_correct", "feedback_incorrect"):
            if key in question.lines:
                refuse(key, f"{kind} questions give feedback per choice; remove it")
    elif "choices" in question.lines:
        refuse("choices", f"{kind} questions have no choices; remove it")
    if "accepted_answers" in question.lines and kind != "short_answer":
        why = ("a numeric question's answer and tolerance are the source's, the same in every language; remove it"
               if kind == "numeric" else "only short_answer questions have accepted answers; remove it")
        refuse("accepted_answers", why)


def _check_same_ids(items: Sequence[Record], source_items: Sequence[Record], noun: str, source_name: str,
                    list_line: int, path: str, problems: list[Problem]) -> None:
    """A translated list must have the source's items: same count, same ids, same order."""
    expected = [item.get("id") for item in source_items if item.has("id")]
    given = [item.get("id") for item in items if item.has("id")]
    for position, item in enumerate(items):
        if not item.has("id"):
            continue
        item_id = item.get("id")
        line = item.line_of("id")
        if item_id not in expected:
            problems.append(Problem(path, line, f"{noun} '{item_id}' is not in {source_name} (its {noun}s are "
                                                f"{', '.join(expected)}); a translation keeps the source's ids, "
                                                f"never adds a {noun}"))
        elif given.count(item_id) > 1 and given.index(item_id) != position:
            problems.append(Problem(path, line, f"{noun} '{item_id}' is translated twice"))
        elif position >= len(expected) or expected[position] != item_id:
            problems.append(Problem(path, line, f"{noun} '{item_id}' is {noun} {position + 1} here but "
                                                f"{noun} {expected.index(item_id) + 1} in {source_name}; keep the "
                                                "source's order"))
    for item_id in expected:
        if item_id not in given:
            problems.append(Problem(path, list_line, f"the translation drops {noun} '{item_id}' of {source_name}; "
                                                     f"translate every {noun}"))


_CROSS_CHECKS: dict[str, Callable[[Record, Record, str, list[Problem]], None]] = {
    "course": _check_course, "module": _check_module, "quiz": _check_quiz}


def freshness_warnings(translations: Iterable[ParsedTranslation]) -> list[Problem]:
    warnings = []
    for translation in translations:
        if translation.record is None:
            continue
        recorded = translation.recorded_hash
        line = translation.record.line_of("source_hash") if recorded else 1
        if recorded is None:
            warnings.append(Problem(translation.name.path, line, f"stale translation: it has no source_hash, so "
                                    f"nothing says which text of {translation.name.source_path} it translates; once "
                                    "it matches the source, run: flask lms translations stamp PACKAGE_DIR"))
        elif recorded != translation.current_hash:
            warnings.append(Problem(translation.name.path, line, f"stale translation: "
                                    f"{translation.name.source_path} changed since it was translated; update the "
                                    "translation, then run: flask lms translations stamp PACKAGE_DIR"))
    return warnings


def translation_files(translations: Iterable[ParsedTranslation]) -> tuple[TranslationFile, ...]:
    return tuple(TranslationFile(t.name.path, t.name.language, t.name.source_path, t.recorded_hash, t.current_hash)
                 for t in sorted(translations, key=lambda t: t.name.path))


def coverage(languages: Sequence[str], parsed: ParsedPackage, files: Iterable[TranslationFile],
             quiz_paths: Iterable[str]) -> tuple[LanguageCoverage, ...]:
    """Per translation language: how many source files it translates, which are stale, which are missing."""
    sources = [COURSE_FILE]
    for module in parsed.modules:
        sources.append(module.manifest)
        sources.extend(lesson.path for lesson in module.lessons)
    sources.extend(quiz_paths)
    result = []
    files = list(files)
    for language in languages[1:]:
        mine = {f.source_path: f for f in files if f.language == language}
        result.append(LanguageCoverage(
            language=language,
            translated=sum(1 for path in sources if path in mine),
            total=len(sources),
            stale=tuple(f.path for f in mine.values() if f.state != "current"),
            missing=tuple(path for path in sources if path not in mine),
        ))
    return tuple(result)
