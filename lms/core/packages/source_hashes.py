"""The source hash of a translation: a hash of only the source's texts that a translation translates (not cohort
dates, points or answers), so editing a cohort's dates does not make course.es.yaml stale while reordering or
renaming what is translated does; and writing it into a translation file (`flask lms translations stamp`)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from lms.core.packages.parsed import ParsedLesson
from lms.core.packages.validate import Record
from lms.core.packages.yamlio import split_front_matter

HASH_PREFIX = "sha256:"
_SOURCE_HASH_LINE = re.compile(r"^source_hash[ \t]*:.*$", re.MULTILINE)
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_\"']", re.MULTILINE)


def texts_hash(texts: Any) -> str:
    canonical = json.dumps(texts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return HASH_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def course_texts(course: Record) -> dict[str, Any]:
    return {
        "title": course.get("title", ""), "summary": course.get("summary", ""),
        "eligibility": course.get("eligibility", ""),
        "resources": [[r.get("title", ""), r.get("description", "")] for r in course.get("resources", [])],
        "live_sessions": {s.get("id"): [s.get("title", ""), s.get("description", "")]
                          for s in course.get("live_sessions", []) if s.has("id")},
    }


def module_texts(module: Record) -> dict[str, Any]:
    return {"title": module.get("title", ""), "summary": module.get("summary", "")}


def lesson_texts(lesson: ParsedLesson) -> dict[str, Any]:
    title = lesson.front.get("title", "") if lesson.front is not None else ""
    texts = {"title": title, "body": lesson.body.rstrip()}
    reflection = lesson.front.get("reflection", "") if lesson.front is not None else ""
    if reflection:  # only when asked: lessons without one keep the hash their translations were stamped with
        texts["reflection"] = reflection
    return texts


def quiz_texts(quiz: Record) -> dict[str, Any]:
    questions = []
    for question in quiz.get("questions", []):
        texts = {name: question.get(name, "") for name in
                 ("id", "prompt", "explanation", "feedback_correct", "feedback_incorrect")}
        texts["accepted_answers"] = list(question.get("accepted_answers", []))
        texts["choices"] = [[c.get("id", ""), c.get("text", ""), c.get("feedback", "")]
                            for c in question.get("choices", [])]
        questions.append(texts)
    return {"title": quiz.get("title", ""), "questions": questions}


def stamp_text(text: str, kind: str, source_hash: str) -> str | None:
    """The file's text with its source_hash set to ``source_hash``: only that line changes (or is inserted), so
    comments and formatting stay. None when there is nowhere sensible to put it (a lesson without front matter)."""
    if "\r\n" in text:  # keep the file's line endings
        stamped = stamp_text(text.replace("\r\n", "\n"), kind, source_hash)
        return stamped.replace("\n", "\r\n") if stamped is not None else None
    line = f"source_hash: {source_hash}"
    if kind == "lesson":
        front = split_front_matter(text)
        if front is None:
            return None
        head, rest = text.split("\n", 1)
        yaml_end = len(front.yaml_text)
        yaml_text, after = rest[:yaml_end], rest[yaml_end:]
        if _SOURCE_HASH_LINE.search(yaml_text):
            return f"{head}\n{_SOURCE_HASH_LINE.sub(line, yaml_text, count=1)}{after}"
        return f"{head}\n{line}\n{rest}"
    if _SOURCE_HASH_LINE.search(text):
        return _SOURCE_HASH_LINE.sub(line, text, count=1)
    first_key = _TOP_LEVEL_KEY.search(text)  # after leading comments and a '---' line, before the first key
    at = first_key.start() if first_key else len(text)
    separator = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return f"{text[:at]}{separator}{line}\n{text[at:]}"
