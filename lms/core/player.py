"""The lesson player's "Next" button: what follows a lesson or a quiz, going through every lesson and each module's
quiz in course order (what is still required is lms.core.progress's)."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from lms.core.progress import Outline, StepKind


@dataclass(frozen=True, slots=True)
class ForwardItem:
    """The item a "Next" button leads to in the lesson player: a lesson or a module's quiz."""

    kind: StepKind
    id: str
    module_id: str


def item_after_lesson(outline: Outline, lesson_id: str, passed_quizzes: Set[str] = frozenset()) -> ForwardItem | None:
    """What follows a lesson in the player: the next lesson of its module, else the module's quiz, else the first
    lesson of the next module (or that module's quiz, when it has no lessons). None after the course's last item,
    and after the last lesson when the course's last quiz is already passed: nothing is left to go through, so the
    page says what is still missing (or links to the certificate) instead of leading back to a passed quiz."""
    items = _player_items(outline)
    position = items.index(ForwardItem(StepKind.LESSON, lesson_id, _module_of_lesson(outline, lesson_id)))
    following = items[position + 1] if position + 1 < len(items) else None
    if following is not None and following is items[-1] and following.kind == StepKind.QUIZ \
            and following.id in passed_quizzes:
        return None
    return following


def item_after_quiz(outline: Outline, quiz_id: str) -> ForwardItem | None:
    """What follows a module's quiz: the first item of the next module; None after the last module."""
    items = _player_items(outline)
    position = items.index(ForwardItem(StepKind.QUIZ, quiz_id, _module_of_quiz(outline, quiz_id)))
    return items[position + 1] if position + 1 < len(items) else None


def _player_items(outline: Outline) -> list[ForwardItem]:
    items = []
    for module in outline.modules:
        items += [ForwardItem(StepKind.LESSON, lesson.id, module.id) for lesson in module.lessons]
        if module.quiz is not None:
            items.append(ForwardItem(StepKind.QUIZ, module.quiz.id, module.id))
    return items


def _module_of_lesson(outline: Outline, lesson_id: str) -> str:
    for module in outline.modules:
        if any(lesson.id == lesson_id for lesson in module.lessons):
            return module.id
    raise KeyError(lesson_id)


def _module_of_quiz(outline: Outline, quiz_id: str) -> str:
    for module in outline.modules:
        if module.quiz is not None and module.quiz.id == quiz_id:
            return module.id
    raise KeyError(quiz_id)
