"""The text of each lesson and quiz that changes between two versions, line by line, named by title.

An author reads this before publishing: for every lesson and quiz that was added, removed or changed (matched by id,
as in diff.py), a unified diff of its file (a lesson's Markdown, a quiz's YAML), so a typo fix and a rewritten answer
key look different at a glance. Lines are compared as the author wrote them; Python's difflib does the diffing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from lms.core.packages.model import Package

CONTEXT_LINES = 3


class LineKind(StrEnum):
    CONTEXT = "context"
    ADDED = "added"
    REMOVED = "removed"
    GAP = "gap"  # lines left out between two changed parts of a file


class ChangeStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str  # without the line ending; "" for a gap


@dataclass(frozen=True)
class TextChange:
    item: str  # "lesson" or "quiz"
    id: str
    title: str  # in the new version (the old one for a removed item)
    old_title: str  # in the old version ("" for an added item); differs from title when the title changed
    module_title: str
    status: ChangeStatus
    lines: tuple[DiffLine, ...]

    @property
    def renamed(self) -> bool:
        return self.status is ChangeStatus.CHANGED and self.old_title != self.title


@dataclass(frozen=True)
class _Item:
    id: str
    title: str
    module_title: str
    text: str


def _items(package: Package, kind: str) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for module in package.modules:
        if kind == "lesson":
            for lesson in module.lessons:
                items[lesson.id] = _Item(lesson.id, lesson.title, module.title, _text(package, lesson.path))
        elif module.quiz is not None:
            quiz = module.quiz
            items[quiz.id] = _Item(quiz.id, quiz.title, module.title, _text(package, quiz.path))
    return items


def _text(package: Package, path: str) -> str:
    return package.files.get(path, b"").decode("utf-8", errors="replace")


def _lines(old: str, new: str) -> tuple[DiffLine, ...]:
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=CONTEXT_LINES)
    return tuple(_diff_lines(diff))


def _diff_lines(diff: Iterator[str]) -> Iterator[DiffLine]:
    hunks = 0
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if hunks:
                yield DiffLine(LineKind.GAP, "")
            hunks += 1
        elif line.startswith("+"):
            yield DiffLine(LineKind.ADDED, line[1:])
        elif line.startswith("-"):
            yield DiffLine(LineKind.REMOVED, line[1:])
        else:
            yield DiffLine(LineKind.CONTEXT, line[1:])


def text_changes(old: Package, new: Package) -> tuple[TextChange, ...]:
    """Lessons, then quizzes: changed and added ones in the new version's order, then removed ones in the old one's."""
    changes: list[TextChange] = []
    for kind in ("lesson", "quiz"):
        before, after = _items(old, kind), _items(new, kind)
        for item_id, item in after.items():
            previous = before.get(item_id)
            if previous is None:
                changes.append(TextChange(kind, item_id, item.title, "", item.module_title, ChangeStatus.ADDED,
                                          _lines("", item.text)))
            elif previous.text != item.text:
                changes.append(TextChange(kind, item_id, item.title, previous.title, item.module_title,
                                          ChangeStatus.CHANGED, _lines(previous.text, item.text)))
        changes.extend(TextChange(kind, item_id, item.title, item.title, item.module_title, ChangeStatus.REMOVED,
                                  _lines(item.text, ""))
                       for item_id, item in before.items() if item_id not in after)
    return tuple(changes)


def item_titles(*packages: Package) -> dict[str, str]:
    """Titles by "lesson:<id>", "quiz:<id>" and "module:<id>", and "question <n>" (its position) by
    "question:<quiz id>:<question id>", the later packages' winning: what a page shows instead of ids."""
    titles: dict[str, str] = {}
    for package in packages:
        for module in package.modules:
            titles[f"module:{module.id}"] = module.title
            titles.update({f"lesson:{lesson.id}": lesson.title for lesson in module.lessons})
            if module.quiz is not None:
                quiz = module.quiz
                titles[f"quiz:{quiz.id}"] = quiz.title
                titles.update({f"question:{quiz.id}:{question.id}": f"question {number}"
                               for number, question in enumerate(quiz.questions, start=1)})
    return titles
