"""What changes between two versions of a course, and which learner completions stop counting.

Items are matched by id, never by file name or position: moving a lesson to another file or module keeps it the same
lesson. A lesson "changed" when its file's bytes changed (content hash); a quiz's passes carry over while its grading
(quiz content hash) is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lms.core.i18n import N_, Listing, Phrase
from lms.core.packages.model import Package, Question, Quiz


@dataclass(frozen=True)
class QuizChange:
    quiz_id: str
    questions_added: tuple[str, ...]
    questions_removed: tuple[str, ...]
    questions_changed: tuple[str, ...]  # anything about the question, its wording included
    grading_changed: bool  # the quiz's content hash differs: passes of the old version do not carry over


@dataclass(frozen=True)
class PackageDiff:
    old_version: str
    new_version: str
    modules_added: tuple[str, ...]
    modules_removed: tuple[str, ...]
    lessons_added: tuple[str, ...]
    lessons_removed: tuple[str, ...]
    lessons_changed: tuple[str, ...]
    quizzes_added: tuple[str, ...]
    quizzes_removed: tuple[str, ...]
    quizzes_changed: tuple[QuizChange, ...]
    assets_added: tuple[str, ...]
    assets_removed: tuple[str, ...]
    assets_changed: tuple[str, ...]
    # Lesson ids whose completions do not carry over: removed, or changed with reset_progress: true in the new version.
    lessons_reset: tuple[str, ...]
    # Quiz ids whose passes do not carry over: removed, or their grading (content hash) changed.
    quizzes_reset: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not any((self.modules_added, self.modules_removed, self.lessons_added, self.lessons_removed,
                        self.lessons_changed, self.quizzes_added, self.quizzes_removed, self.quizzes_changed,
                        self.assets_added, self.assets_removed, self.assets_changed))

    def summary_lines(self, titles: Mapping[str, str] | None = None) -> list[Phrase]:
        """One sentence per kind of change, for a terminal or a list on a page (worded in the reader's language,
        or ``str()`` for English). With ``titles`` (by "lesson:<id>", "quiz:<id>", "module:<id>", as
        textdiff.item_titles gives them) items are named by title, not by id."""
        names = _Names(titles)
        lines = [Phrase(N_("Version %(old)s → %(new)s."), old=self.old_version, new=self.new_version)]
        lines += _listed(N_("Modules added: %(items)s."), names("module", self.modules_added))
        lines += _listed(N_("Modules removed: %(items)s."), names("module", self.modules_removed))
        lines += _listed(N_("Lessons added: %(items)s."), names("lesson", self.lessons_added))
        lines += _listed(N_("Lessons removed (their completions no longer count): %(items)s."),
                         names("lesson", self.lessons_removed))
        if self.lessons_changed:
            redo = [lesson for lesson in self.lessons_changed if lesson in self.lessons_reset]
            changed = Listing(names("lesson", self.lessons_changed))
            lines.append(Phrase(N_("Lessons changed: %(items)s. Learners must complete again: %(redo)s."),
                                items=changed, redo=Listing(names("lesson", redo))) if redo
                         else Phrase(N_("Lessons changed: %(items)s."), items=changed))
        lines += _listed(N_("Quizzes added: %(items)s."), names("quiz", self.quizzes_added))
        lines += _listed(N_("Quizzes removed (their passes no longer count): %(items)s."),
                         names("quiz", self.quizzes_removed))
        for change in self.quizzes_changed:
            question = f"question:{change.quiz_id}"
            parts = [Phrase(label, items=Listing(names(question, ids, quoted=False))) for label, ids in (
                (N_("questions added: %(items)s"), change.questions_added),
                (N_("questions removed: %(items)s"), change.questions_removed),
                (N_("questions changed: %(items)s"), change.questions_changed)) if ids]
            details = Listing(parts, separator="; ") if parts else Phrase(N_("settings changed"))
            outcome = (Phrase(N_("grading changed, learners must pass it again")) if change.grading_changed
                       else Phrase(N_("grading unchanged, passes carry over")))
            lines.append(Phrase(N_("Quiz %(quiz)s changed (%(details)s): %(outcome)s."),
                                quiz=names("quiz", (change.quiz_id,))[0], details=details, outcome=outcome))
        lines += _listed(N_("Assets added: %(items)s."), self.assets_added)
        lines += _listed(N_("Assets removed: %(items)s."), self.assets_removed)
        lines += _listed(N_("Assets changed: %(items)s."), self.assets_changed)
        if self.is_empty:
            lines.append(Phrase(N_("No lessons, quizzes, modules or assets changed.")))
        return lines


class _Names:
    def __init__(self, titles: Mapping[str, str] | None) -> None:
        self._titles = titles

    def __call__(self, kind: str, ids: Sequence[str], *, quoted: bool = True) -> tuple[str, ...]:
        if self._titles is None:
            return tuple(ids)
        named = (self._titles.get(f"{kind}:{item}", item) for item in ids)
        return tuple(f"“{name}”" if quoted else name for name in named)


def _listed(sentence: str, ids: Sequence[str]) -> list[Phrase]:
    return [Phrase(sentence, items=Listing(ids))] if ids else []


def diff_packages(old: Package, new: Package) -> PackageDiff:
    old_lessons = {lesson.id: lesson for lesson in old.lessons}
    new_lessons = {lesson.id: lesson for lesson in new.lessons}
    lessons_changed = tuple(i for i, lesson in new_lessons.items()
                            if i in old_lessons and old_lessons[i].content_hash != lesson.content_hash)
    lessons_removed = _missing(old_lessons, new_lessons)

    old_quizzes = {quiz.id: quiz for quiz in old.quizzes}
    new_quizzes = {quiz.id: quiz for quiz in new.quizzes}
    quiz_changes = tuple(change for i, quiz in new_quizzes.items() if i in old_quizzes
                         for change in [_quiz_change(old_quizzes[i], quiz)] if change is not None)
    quizzes_removed = _missing(old_quizzes, new_quizzes)

    # Which completions a new version takes away is the progress rule's to say (lms.core.progress.carry_over);
    # here it is asked about every lesson and quiz of the old version, and the answer kept in diff order.
    from lms.core.progress import Outline, carry_over  # progress imports this package's model: import late

    verdict = carry_over(Outline.from_package(old), Outline.from_package(new), set(old_lessons), set(old_quizzes))
    old_assets = {asset.path: asset.sha256 for asset in old.assets}
    new_assets = {asset.path: asset.sha256 for asset in new.assets}
    old_modules = {module.id: module for module in old.modules}
    new_modules = {module.id: module for module in new.modules}
    return PackageDiff(
        old_version=old.version,
        new_version=new.version,
        modules_added=_missing(new_modules, old_modules),
        modules_removed=_missing(old_modules, new_modules),
        lessons_added=_missing(new_lessons, old_lessons),
        lessons_removed=lessons_removed,
        lessons_changed=lessons_changed,
        quizzes_added=_missing(new_quizzes, old_quizzes),
        quizzes_removed=quizzes_removed,
        quizzes_changed=quiz_changes,
        assets_added=_missing(new_assets, old_assets),
        assets_removed=_missing(old_assets, new_assets),
        assets_changed=tuple(p for p, digest in new_assets.items() if p in old_assets and old_assets[p] != digest),
        lessons_reset=tuple(i for i in lessons_removed + lessons_changed if i in verdict.dropped_lessons),
        quizzes_reset=tuple(i for i in quizzes_removed + tuple(c.quiz_id for c in quiz_changes)
                            if i in verdict.dropped_quizzes),
    )


def _missing(present: dict, absent: dict) -> tuple[str, ...]:
    """Keys of ``present`` (in its order) that ``absent`` lacks."""
    return tuple(key for key in present if key not in absent)


def _quiz_change(old: Quiz, new: Quiz) -> QuizChange | None:
    old_questions = {q.id: _wording_and_key(q) for q in old.questions}
    new_questions = {q.id: _wording_and_key(q) for q in new.questions}
    changed = tuple(i for i, q in new_questions.items() if i in old_questions and old_questions[i] != q)
    change = QuizChange(
        quiz_id=new.id,
        questions_added=_missing(new_questions, old_questions),
        questions_removed=_missing(old_questions, new_questions),
        questions_changed=changed,
        grading_changed=old.content_hash != new.content_hash,
    )
    if change.questions_added or change.questions_removed or changed or change.grading_changed \
            or _settings(old) != _settings(new):
        return change
    return None


def _wording_and_key(question: Question) -> Question:
    # The rendered HTML depends on where the importer serves lessons from, not on the package: leave it out.
    return replace(question, prompt_html="", choices=tuple(replace(c, html="") for c in question.choices))


def _settings(quiz: Quiz) -> tuple:
    return (quiz.title, quiz.pass_mark, quiz.max_attempts, quiz.shuffle_questions, quiz.shuffle_choices,
            quiz.score_policy, quiz.review, tuple(q.id for q in quiz.questions))


@dataclass(frozen=True)
class TranslationChanges:
    """What a new version changes in one translation language, and which of its translations are stale. Items are
    "<kind>:<id>" ("lesson:welcome", "quiz:basics-quiz", "module:basics", "course:")."""

    language: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]  # the translation file's text changed
    stale: tuple[str, ...]  # in the new version

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.stale)

    def counts(self) -> list[tuple[str, str, int]]:
        """(verb, kind, how many): ("changed", "lesson", 2), in the order added, removed, changed."""
        return [(verb, kind, len(items)) for verb, group in (
            ("added", self.added), ("removed", self.removed), ("changed", self.changed))
            for kind, items in _by_kind(group)]

    def summary_line(self) -> str:
        """'es: 2 lessons changed, 1 translation stale.' (the command line's wording; pages word it themselves)."""
        parts = [f"{_count(n, kind)} {verb}" for verb, kind, n in self.counts()]
        if self.stale:
            parts.append(f"{len(self.stale)} translation{'s' if len(self.stale) != 1 else ''} stale")
        return f"{self.language}: {', '.join(parts) or 'no change'}."


_KIND_NOUNS = {"course": ("course text", "course texts"), "module": ("module", "modules"),
               "lesson": ("lesson", "lessons"), "quiz": ("quiz", "quizzes")}


def _by_kind(items: Sequence[str]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(item.split(":", 1)[0], []).append(item)
    return [(kind, groups[kind]) for kind in _KIND_NOUNS if kind in groups]


def _count(n: int, kind: str) -> str:
    singular, plural = _KIND_NOUNS[kind]
    return f"{n} {singular if n == 1 else plural}"


def translation_changes(old: Package | None, new: Package) -> tuple[TranslationChanges, ...]:
    """Per translation language of the new version (in its order), what changed since ``old`` (None: everything is
    added) and what is stale; languages with nothing to say are left out."""
    def files(package: Package | None, language: str) -> dict[str, bytes]:
        if package is None:
            return {}
        return {f"{t.kind}:{t.key}": package.files.get(t.path, b"") for t in package.translations
                if t.language == language}

    result = []
    for language in new.languages[1:]:
        before, after = files(old, language), files(new, language)
        change = TranslationChanges(
            language=language,
            added=_missing(after, before),
            removed=_missing(before, after),
            changed=tuple(item for item, data in after.items() if item in before and before[item] != data),
            stale=tuple(f"{t.kind}:{t.key}" for t in new.translations if t.language == language and t.stale),
        )
        if not change.is_empty:
            result.append(change)
    return tuple(result)
