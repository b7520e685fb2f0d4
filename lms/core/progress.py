"""Progress through a course: lesson -> module -> course completion, the percentage shown, and carry-over of progress
when a new version of a course is published.

Pure rules: no Flask, no database. The database layer builds an ``Outline`` from its own rows (or
``Outline.from_package`` from a loaded package) and passes in what the learner has done as sets of ids.

Completion
    - A lesson is complete when the learner has completed it. Optional lessons (``required: false``) never count.
    - A module is complete when all of its required lessons are complete and its quiz, if it has one, is passed.
    - A course is complete when every counted module is complete AND the learner attended at least
      ``min_sessions_attended`` live sessions AND contributed to at least ``min_reflections`` of the lessons'
      reflection questions (any lesson that asks one; a contribution removed by its author or hidden by staff does
      not count). The counted modules are those listed in ``completion.required_modules``,
      or, when that list is empty, every module with ``required: true``. Modules that are not counted (optional
      modules) can be completed but never hold up completion of the course.

Percentage
    Progress counts units. Each required lesson of a counted module is 1 unit, the quiz of a counted module is 1 unit,
    each live session required by ``min_sessions_attended`` is 1 unit (attending more sessions than required adds
    nothing), and so is each reflection required by ``min_reflections``. percent = floor(100 x units done / units
    in total), so it only reaches 100 when the course is complete; a course with no units at all is complete and
    shows 100. Optional lessons, optional modules and extra sessions never change the percentage.

Next step
    The first required item not yet done, in course order (modules in order; in each module its required lessons in
    order, then its quiz), among the counted modules: a lesson (with its module) or a quiz. None when every required
    lesson and quiz is done, even if optional lessons remain or live sessions are still missing
    (``CourseProgress.sessions_missing`` says how many).

The learner's next step (``learner_next_step``, what every page names)
    The next step above when there is one; else, while reflections are missing, the first lesson (in course order)
    whose reflection the learner has not contributed to; else, while live sessions are missing, "attend N more live
    sessions" with the next session the learner can attend; else the certificate (when the learner holds one) or
    "complete".
    In the lesson player, "Next" after a module's last lesson leads to its quiz, and after the quiz to the next
    module (``item_after_lesson``, ``item_after_quiz``).

Carry-over to a new version
    - A completed lesson carries over when a lesson with the same id exists in the new version, unless its content
      changed (a different content hash) AND the new version marks it ``reset_progress: true``; then the learner must
      complete it again. A completion of a lesson the old version does not contain counts as changed.
    - A passed quiz carries over when a quiz with the same id exists in the new version with the same content hash as
      in the old version (its questions and grading are unchanged); otherwise the learner must pass it again.
    - Everything else is dropped: lessons and quizzes the new version removes stop counting.
    - Reflections are posts, kept whatever the version: a contribution counts while the current version's lesson of
      that id asks a reflection question, and counts again if a later version asks one there again.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lms.core.packages.model import CompletionRule, Package


@dataclass(frozen=True, slots=True)
class OutlineLesson:
    id: str
    title: str = ""
    required: bool = True
    minutes: int = 0
    content_hash: str = ""
    reset_progress: bool = False


@dataclass(frozen=True, slots=True)
class OutlineQuiz:
    id: str
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class OutlineModule:
    id: str
    title: str = ""
    required: bool = True
    lessons: tuple[OutlineLesson, ...] = ()
    quiz: OutlineQuiz | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.lessons, tuple):
            object.__setattr__(self, "lessons", tuple(self.lessons))


@dataclass(frozen=True, slots=True)
class _ModulePlan:
    module: OutlineModule
    counted: bool
    required_lessons: tuple[str, ...]
    quiz_id: str | None


@dataclass(frozen=True, slots=True)
class Outline:
    """A course version as the progress rules see it: modules in order with their lessons and quiz, and the rule."""

    modules: tuple[OutlineModule, ...]
    required_modules: tuple[str, ...] = ()  # counted module ids; empty: every module with required=True
    min_sessions_attended: int = 0
    reflection_lessons: tuple[str, ...] = ()  # ids of the lessons that ask a reflection question
    min_reflections: int = 0
    # Derived once, so that progress for many learners costs only set look-ups.
    _plan: tuple[_ModulePlan, ...] = field(init=False, repr=False, compare=False)
    _units_total: int = field(init=False, repr=False, compare=False)
    _lessons: dict[str, OutlineLesson] = field(init=False, repr=False, compare=False)
    _quizzes: dict[str, OutlineQuiz] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        modules = tuple(self.modules)
        required_modules = tuple(self.required_modules)
        object.__setattr__(self, "modules", modules)
        object.__setattr__(self, "required_modules", required_modules)
        if self.min_sessions_attended < 0:
            raise ValueError("min_sessions_attended cannot be negative")
        module_ids = [module.id for module in modules]
        if len(set(module_ids)) != len(module_ids):
            raise ValueError("module ids must be unique")
        unknown = [module_id for module_id in required_modules if module_id not in set(module_ids)]
        if unknown:
            raise ValueError(f"required_modules names unknown modules: {unknown}")
        counted_ids = set(required_modules) if required_modules else {m.id for m in modules if m.required}
        lessons: dict[str, OutlineLesson] = {}
        quizzes: dict[str, OutlineQuiz] = {}
        plan = []
        units = self.min_sessions_attended
        for module in modules:
            for lesson in module.lessons:
                if lesson.id in lessons:
                    raise ValueError(f"lesson id {lesson.id!r} appears twice")
                lessons[lesson.id] = lesson
            if module.quiz is not None:
                if module.quiz.id in quizzes:
                    raise ValueError(f"quiz id {module.quiz.id!r} appears twice")
                quizzes[module.quiz.id] = module.quiz
            step = _ModulePlan(
                module=module,
                counted=module.id in counted_ids,
                required_lessons=tuple(lesson.id for lesson in module.lessons if lesson.required),
                quiz_id=module.quiz.id if module.quiz is not None else None,
            )
            if step.counted:
                units += len(step.required_lessons) + (step.quiz_id is not None)
            plan.append(step)
        asked = set(self.reflection_lessons)
        if asked - set(lessons) or not 0 <= self.min_reflections <= len(asked):
            raise ValueError("reflection_lessons must be lessons, and min_reflections at most their number")
        # In course order: the next step names the first one not contributed to.
        object.__setattr__(self, "reflection_lessons", tuple(lesson_id for lesson_id in lessons if lesson_id in asked))
        units += self.min_reflections
        object.__setattr__(self, "_plan", tuple(plan))
        object.__setattr__(self, "_units_total", units)
        object.__setattr__(self, "_lessons", lessons)
        object.__setattr__(self, "_quizzes", quizzes)

    @classmethod
    def from_package(cls, package: Package) -> Outline:
        return cls(
            modules=tuple(
                OutlineModule(
                    id=module.id, title=module.title, required=module.required,
                    lessons=tuple(
                        OutlineLesson(id=lesson.id, title=lesson.title, required=lesson.required,
                                      minutes=lesson.minutes, content_hash=lesson.content_hash,
                                      reset_progress=lesson.reset_progress)
                        for lesson in module.lessons
                    ),
                    quiz=OutlineQuiz(module.quiz.id, module.quiz.content_hash) if module.quiz is not None else None,
                )
                for module in package.modules
            ),
            required_modules=tuple(package.completion.required_modules),
            min_sessions_attended=package.completion.min_sessions_attended,
            reflection_lessons=tuple(lesson.id for lesson in package.lessons if lesson.reflection),
            min_reflections=package.completion.min_reflections,
        )

    @property
    def completion(self) -> CompletionRule:
        return CompletionRule(self.required_modules, self.min_sessions_attended, self.min_reflections)

    @property
    def counted_modules(self) -> tuple[str, ...]:
        """The ids of the modules that count towards course completion, in course order."""
        return tuple(step.module.id for step in self._plan if step.counted)

    @property
    def units_total(self) -> int:
        return self._units_total

    def lesson(self, lesson_id: str) -> OutlineLesson | None:
        return self._lessons.get(lesson_id)

    def quiz(self, quiz_id: str) -> OutlineQuiz | None:
        return self._quizzes.get(quiz_id)


class StepKind(StrEnum):
    LESSON = "lesson"
    QUIZ = "quiz"


@dataclass(frozen=True, slots=True)
class NextStep:
    kind: StepKind
    id: str  # the lesson id or the quiz id
    module_id: str


@dataclass(frozen=True, slots=True)
class ModuleProgress:
    module_id: str
    counted: bool  # counts towards course completion
    lessons_done: int  # required lessons completed
    lessons_required: int
    quiz_passed: bool | None  # None: the module has no quiz
    complete: bool

    @property
    def percent(self) -> int:
        """The module's own units (required lessons and quiz), floored, 100 only when complete."""
        total = self.lessons_required + (self.quiz_passed is not None)
        if self.complete or total == 0:
            return 100
        return 100 * (self.lessons_done + bool(self.quiz_passed)) // total


@dataclass(frozen=True, slots=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]  # every module, in course order
    percent: int  # 0..100
    complete: bool
    next_step: NextStep | None
    units_done: int
    units_total: int
    sessions_attended: int
    sessions_required: int
    reflections_done: int = 0  # lessons whose reflection the learner contributed to (those the version asks)
    reflections_required: int = 0
    next_reflection: str | None = None  # the first lesson asking one not contributed to, while some are missing

    @property
    def sessions_missing(self) -> int:
        return max(0, self.sessions_required - self.sessions_attended)

    @property
    def reflections_missing(self) -> int:
        return max(0, self.reflections_required - self.reflections_done)


def course_progress(
    outline: Outline, completed_lessons: Set[str], passed_quizzes: Set[str], sessions_attended: int,
    reflected_lessons: Set[str] = frozenset(),
) -> CourseProgress:
    """Where a learner stands in a course version (rules in the module docstring). Pass sets for speed."""
    if not isinstance(completed_lessons, set | frozenset):
        completed_lessons = frozenset(completed_lessons)
    if not isinstance(passed_quizzes, set | frozenset):
        passed_quizzes = frozenset(passed_quizzes)
    done = 0
    all_counted_complete = True
    next_step: NextStep | None = None
    modules = []
    for step in outline._plan:
        required = step.required_lessons
        lessons_done = len(completed_lessons.intersection(required)) if required else 0
        quiz_passed = None if step.quiz_id is None else step.quiz_id in passed_quizzes
        complete = lessons_done == len(required) and quiz_passed is not False
        if step.counted:
            done += lessons_done + (quiz_passed is True)
            if not complete:
                all_counted_complete = False
                if next_step is None:
                    next_step = _first_missing(step, completed_lessons)
        modules.append(ModuleProgress(step.module.id, step.counted, lessons_done, len(required), quiz_passed,
                                      complete))
    sessions = max(0, sessions_attended)
    required_sessions = outline.min_sessions_attended
    done += min(sessions, required_sessions)
    reflected = [lesson_id for lesson_id in outline.reflection_lessons if lesson_id in reflected_lessons]
    required_reflections = outline.min_reflections
    done += min(len(reflected), required_reflections)
    course_complete = all_counted_complete and sessions >= required_sessions \
        and len(reflected) >= required_reflections
    next_reflection = None
    if len(reflected) < required_reflections:
        next_reflection = next(lesson_id for lesson_id in outline.reflection_lessons if lesson_id not in reflected)
    total = outline._units_total
    percent = 100 if course_complete else 100 * done // total
    return CourseProgress(
        modules=tuple(modules), percent=percent, complete=course_complete, next_step=next_step, units_done=done,
        units_total=total, sessions_attended=sessions, sessions_required=required_sessions,
        reflections_done=len(reflected), reflections_required=required_reflections, next_reflection=next_reflection,
    )


def _first_missing(step: _ModulePlan, completed_lessons: Set[str]) -> NextStep:
    for lesson_id in step.required_lessons:
        if lesson_id not in completed_lessons:
            return NextStep(StepKind.LESSON, lesson_id, step.module.id)
    assert step.quiz_id is not None  # the module is incomplete with every lesson done: its quiz is missing
    return NextStep(StepKind.QUIZ, step.quiz_id, step.module.id)


@dataclass(frozen=True, slots=True)
class CarryOver:
    """Which of a learner's completions count in the new version (kept) and which do not (dropped)."""

    kept_lessons: frozenset[str]
    dropped_lessons: frozenset[str]
    kept_quizzes: frozenset[str]
    dropped_quizzes: frozenset[str]
    # Why things were dropped (each a subset of the dropped set above):
    reset_lessons: frozenset[str] = frozenset()  # in the new version, changed with reset_progress: do again
    removed_lessons: frozenset[str] = frozenset()  # not in the new version
    changed_quizzes: frozenset[str] = frozenset()  # in the new version with other questions: pass again
    removed_quizzes: frozenset[str] = frozenset()  # not in the new version


def carry_over(old: Outline, new: Outline, completed_lessons: Set[str], passed_quizzes: Set[str]) -> CarryOver:
    """Split a learner's completions in ``old`` into those that count in ``new`` and those that do not."""
    kept_lessons, reset_lessons, removed_lessons = set(), set(), set()
    for lesson_id in completed_lessons:
        new_lesson = new.lesson(lesson_id)
        if new_lesson is None:
            removed_lessons.add(lesson_id)
            continue
        old_lesson = old.lesson(lesson_id)
        changed = old_lesson is None or old_lesson.content_hash != new_lesson.content_hash
        (reset_lessons if changed and new_lesson.reset_progress else kept_lessons).add(lesson_id)
    kept_quizzes, changed_quizzes, removed_quizzes = set(), set(), set()
    for quiz_id in passed_quizzes:
        new_quiz = new.quiz(quiz_id)
        if new_quiz is None:
            removed_quizzes.add(quiz_id)
            continue
        old_quiz = old.quiz(quiz_id)
        unchanged = old_quiz is not None and old_quiz.content_hash == new_quiz.content_hash
        (kept_quizzes if unchanged else changed_quizzes).add(quiz_id)
    return CarryOver(
        kept_lessons=frozenset(kept_lessons), dropped_lessons=frozenset(reset_lessons | removed_lessons),
        kept_quizzes=frozenset(kept_quizzes), dropped_quizzes=frozenset(changed_quizzes | removed_quizzes),
        reset_lessons=frozenset(reset_lessons), removed_lessons=frozenset(removed_lessons),
        changed_quizzes=frozenset(changed_quizzes), removed_quizzes=frozenset(removed_quizzes),
    )


# The learner's next step, as every page names it.


class NextKind(StrEnum):
    LESSON = "lesson"  # a required lesson not done yet
    QUIZ = "quiz"  # a quiz not passed yet (every lesson before it is done)
    REFLECTION = "reflection"  # every lesson and quiz done; a reflection still to share (its lesson's id)
    SESSIONS = "sessions"  # every lesson and quiz done; live sessions still to attend
    CERTIFICATE = "certificate"  # complete, and the learner holds a valid certificate
    COMPLETE = "complete"  # complete; the course awards no certificate, or it was revoked


@dataclass(frozen=True, slots=True)
class LearnerStep:
    """What the learner should do next in a course; pages word it and link it."""

    kind: NextKind
    item_id: str = ""  # the lesson or quiz id (LESSON, QUIZ); REFLECTION: the lesson asking it
    module_id: str = ""  # the module of that lesson or quiz
    sessions_missing: int = 0  # SESSIONS: how many more live sessions to attend
    next_session: datetime | None = None  # SESSIONS: when the next live session the learner can attend starts
    reflections_missing: int = 0  # REFLECTION: how many more reflections to contribute to

    @property
    def done(self) -> bool:
        return self.kind in (NextKind.CERTIFICATE, NextKind.COMPLETE)


def learner_next_step(progress: CourseProgress, *, upcoming_sessions: Iterable[datetime] = (),
                      holds_certificate: bool = False) -> LearnerStep:
    """The next requirement, in course order: the first required lesson or quiz not done, then the live sessions
    still missing (with the next one the learner can attend, from ``upcoming_sessions``), then the certificate.
    Never a lesson already done: optional lessons and extra sessions are not requirements."""
    step = progress.next_step
    if step is not None:
        kind = NextKind.LESSON if step.kind == StepKind.LESSON else NextKind.QUIZ
        return LearnerStep(kind, step.id, step.module_id)
    if progress.next_reflection is not None:
        return LearnerStep(NextKind.REFLECTION, progress.next_reflection,
                           reflections_missing=progress.reflections_missing)
    if progress.sessions_missing:
        return LearnerStep(NextKind.SESSIONS, sessions_missing=progress.sessions_missing,
                           next_session=min(upcoming_sessions, default=None))
    return LearnerStep(NextKind.CERTIFICATE if holds_certificate else NextKind.COMPLETE)


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
