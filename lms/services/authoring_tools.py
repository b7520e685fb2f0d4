"""Tools for instructors who write packages as files: start a new course, and bring quizzes from and to Moodle's GIFT
format. They read and write files an instructor names at the command line; nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.core import gift
from lms.core.packages.fields import ID
from lms.core.packages.starter import starter_package, title_from_slug
from lms.core.packages.yamlio import parse_yaml
from lms.core.packages.yamlwrite import dump_yaml
from lms.services.errors import Invalid


def write_new_course(slug: str, target: Path) -> list[Path]:
    """Write the starter package for ``slug`` into ``target`` (which must not exist, or be an empty folder)."""
    if not ID.matches(slug):
        raise Invalid(f"'{slug}' cannot be a course id: use {ID.phrase}.", field="slug")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Invalid(f"{target} exists already and is not an empty folder; choose another place.", field="directory")
    written = []
    for path, data in starter_package(slug).items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        written.append(destination)
    return written


@dataclass(frozen=True)
class ConversionOutcome:
    questions: int
    notes: tuple[gift.Note, ...]


def gift_to_quiz(text: str, quiz_id: str, title: str) -> tuple[str, gift.GiftQuiz]:
    """GIFT text as quiz.yaml text (and what could not be carried)."""
    parsed = gift.parse_gift(text)
    quiz = {"id": quiz_id, "title": parsed.category or title, "questions": parsed.questions}
    header = ("# Converted from Moodle GIFT by flask lms gift-import; check it with flask lms validate.\n"
              "# Question and choice ids were made from their text: keep them once learners have taken the quiz.\n")
    return dump_yaml(quiz, header), parsed


def gift_to_quiz_file(source: Path, destination: Path) -> ConversionOutcome:
    """Write ``destination`` (MODULE/quiz.yaml) from the GIFT file ``source``; the quiz id is the module folder's name
    followed by -quiz."""
    text = _read(source)
    module = destination.resolve().parent.name
    quiz_id = _id_from(module, "quiz") + "-quiz" if module else "quiz"
    yaml_text, parsed = gift_to_quiz(text, quiz_id[:64], title_from_slug(_id_from(source.stem, "quiz")))
    if not parsed.questions:
        raise Invalid(f"{source} has no question that can be carried over; nothing was written.", field="file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(yaml_text, encoding="utf-8")
    return ConversionOutcome(len(parsed.questions), tuple(parsed.notes))


def quiz_questions(yaml_text: str, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The title and questions of quiz.yaml text, as plain data; Invalid with the file:line problem when unreadable."""
    node, problems = parse_yaml(yaml_text, name)
    if problems or node is None or not isinstance(node.value, dict) or "questions" not in node.value:
        detail = str(problems[0]) if problems else f"{name}: not a quiz (no questions)"
        raise Invalid(detail, field="file")
    data = _plain(node)
    return str(data.get("title", "")), list(data["questions"])


def quiz_file_to_gift(source: Path, destination: Path) -> ConversionOutcome:
    title, questions = quiz_questions(_read(source), source.name)
    text, notes = gift.to_gift(questions, title)
    destination.write_text(text, encoding="utf-8")
    return ConversionOutcome(len(questions), tuple(notes))


def _plain(node: Any) -> Any:
    if isinstance(node.value, dict):
        return {key: _plain(value) for key, value in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    return node.value


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(f"{path} is not UTF-8 text; save it as UTF-8.", field="file") from None


def _id_from(name: str, fallback: str) -> str:
    return gift.id_from_text(name) or fallback  # the same id rule as the questions
