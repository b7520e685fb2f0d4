"""Progress: module and course completion, the percentage, the next step, sessions, and carry-over across versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.core.packages.model import (
    CertificateRule,
    CompletionRule,
    EnrolmentMode,
    Lesson,
    Module,
    Package,
    Quiz,
    ScorePolicy,
)
from lms.core.progress import (
    ForwardItem,
    LearnerStep,
    NextKind,
    NextStep,
    Outline,
    OutlineLesson,
    OutlineModule,
    OutlineQuiz,
    StepKind,
    carry_over,
    course_progress,
    item_after_lesson,
    item_after_quiz,
    learner_next_step,
)

# --- builders ---------------------------------------------------------------------------------------------------------


def lesson(spec: str, content_hash: str = "h", reset: bool = False) -> OutlineLesson:
    """"a" is a required lesson, "a?" an optional one."""
    return OutlineLesson(id=spec.rstrip("?"), title=spec, required=not spec.endswith("?"), minutes=5,
                         content_hash=content_hash, reset_progress=reset)


def module(module_id: str, *lessons: str | OutlineLesson, quiz: str | OutlineQuiz | None = None,
           required: bool = True) -> OutlineModule:
    return OutlineModule(
        id=module_id, title=module_id.title(), required=required,
        lessons=tuple(lesson(x) if isinstance(x, str) else x for x in lessons),
        quiz=OutlineQuiz(quiz, "qh") if isinstance(quiz, str) else quiz,
    )


def course(*modules: OutlineModule, required_modules: tuple[str, ...] = (), sessions: int = 0) -> Outline:
    return Outline(modules=modules, required_modules=required_modules, min_sessions_attended=sessions)


def example() -> Outline:
    """m1: a, b, optional c, quiz q1; m2: d, e; m3 (optional module): f; one live session required. 6 units."""
    return course(
        module("m1", "a", "b", "c?", quiz="q1"),
        module("m2", "d", "e"),
        module("m3", "f", required=False),
        sessions=1,
    )


def progress(outline: Outline, lessons: str = "", quizzes: tuple[str, ...] = (), sessions: int = 0):
    return course_progress(outline, set(lessons), set(quizzes), sessions)


# --- percentages on hand-worked examples ------------------------------------------------------------------------------


def test_nothing_done_is_0_percent():
    p = progress(example())
    assert (p.percent, p.complete, p.units_done, p.units_total) == (0, False, 0, 6)


def test_one_lesson_of_six_units_is_16_percent():
    assert progress(example(), "a").percent == 16  # floor(100 / 6)


def test_two_lessons_of_six_units_is_33_percent():
    assert progress(example(), "ab").percent == 33  # floor(200 / 6) = 33


def test_every_lesson_and_quiz_but_no_session_is_83_percent():
    p = progress(example(), "abde", ("q1",))
    assert (p.percent, p.complete, p.sessions_missing) == (83, False, 1)


def test_everything_required_including_the_session_is_complete_at_100_percent():
    p = progress(example(), "abde", ("q1",), sessions=1)
    assert (p.percent, p.complete, p.units_done, p.sessions_missing) == (100, True, 6, 0)


def test_only_the_session_done_is_16_percent():
    assert progress(example(), sessions=1).percent == 16


def test_extra_sessions_count_only_up_to_the_requirement():
    assert progress(example(), "a", sessions=5).percent == 33  # a + one session of six units


def test_optional_lessons_and_optional_modules_do_not_count():
    p = progress(example(), "cf")
    assert (p.percent, p.units_done) == (0, 0)


def test_completions_of_unknown_lessons_are_ignored():
    assert progress(example(), "xyz", ("q9",)).percent == 0


def test_percent_stays_below_100_until_complete_on_a_large_course():
    outline = course(module("m", *(f"l{n}" for n in range(200))))
    p = course_progress(outline, {f"l{n}" for n in range(199)}, set(), 0)
    assert (p.percent, p.complete) == (99, False)  # floor(100 x 199 / 200), never rounded up to 100


def test_a_passed_quiz_counts_one_unit_even_before_the_lessons():
    p = progress(example(), "", ("q1",))
    assert p.percent == 16
    assert not p.modules[0].complete


# --- modules ----------------------------------------------------------------------------------------------------------


def test_module_progress_reports_lessons_and_quiz():
    p = progress(example(), "ac", ())
    m1, m2, m3 = p.modules
    assert (m1.module_id, m1.lessons_done, m1.lessons_required, m1.quiz_passed, m1.complete) == ("m1", 1, 2, False,
                                                                                               False)
    assert (m2.quiz_passed, m2.complete, m2.counted) == (None, False, True)
    assert (m3.counted, m3.complete) == (False, False)


def test_module_is_complete_with_required_lessons_and_passed_quiz_without_optional_lessons():
    p = progress(example(), "ab", ("q1",))
    assert p.modules[0].complete and p.modules[0].percent == 100


def test_module_with_lessons_done_but_quiz_not_passed_is_incomplete():
    m1 = progress(example(), "abc").modules[0]
    assert (m1.complete, m1.percent) == (False, 66)


def test_module_without_a_quiz_is_complete_with_its_required_lessons():
    assert progress(example(), "de").modules[1].complete


def test_optional_module_can_be_complete_without_counting():
    p = progress(example(), "f")
    assert p.modules[2].complete and not p.modules[2].counted and p.percent == 0


def test_module_with_only_optional_lessons_and_no_quiz_is_complete_from_the_start():
    p = progress(course(module("m", "a?", "b?"), module("n", "c")))
    assert p.modules[0].complete and p.modules[0].percent == 100 and not p.complete


# --- course completion rule -------------------------------------------------------------------------------------------


def test_required_modules_list_decides_which_modules_count():
    outline = course(module("m1", "a"), module("m2", "b"), module("m3", "c", required=False),
                     required_modules=("m3",))
    assert outline.counted_modules == ("m3",)
    assert progress(outline, "c").complete
    assert not progress(outline, "ab").complete
    assert progress(outline, "ab").percent == 0


def test_without_a_list_every_required_module_counts():
    outline = example()
    assert outline.counted_modules == ("m1", "m2")
    assert outline.completion == CompletionRule(required_modules=(), min_sessions_attended=1)


def test_sessions_requirement_holds_up_completion():
    outline = course(module("m", "a"), sessions=2)
    assert not progress(outline, "a", sessions=1).complete
    assert progress(outline, "a", sessions=1).percent == 66
    assert progress(outline, "a", sessions=2).complete


def test_negative_sessions_count_as_none():
    assert progress(course(module("m", "a"), sessions=1), "a", sessions=-3).sessions_attended == 0


def test_a_course_with_nothing_required_is_complete():
    p = progress(course(module("m", "a", required=False)))
    assert (p.complete, p.percent, p.units_total, p.next_step) == (True, 100, 0, None)


def test_progress_accepts_any_collection_of_ids():
    outline = example()
    assert course_progress(outline, ["a", "b"], ("q1",), 0).percent == progress(outline, "ab", ("q1",)).percent


# --- next step --------------------------------------------------------------------------------------------------------


def test_next_step_is_the_first_lesson_at_the_start():
    assert progress(example()).next_step == NextStep(StepKind.LESSON, "a", "m1")


def test_next_step_is_the_first_required_lesson_not_done_in_course_order():
    assert progress(example(), "b").next_step == NextStep(StepKind.LESSON, "a", "m1")


def test_next_step_skips_optional_lessons():
    assert progress(example(), "ab").next_step == NextStep(StepKind.QUIZ, "q1", "m1")


def test_next_step_moves_to_the_next_module_after_the_quiz():
    assert progress(example(), "ab", ("q1",)).next_step == NextStep(StepKind.LESSON, "d", "m2")


def test_next_step_goes_back_to_an_earlier_module_with_work_left():
    assert progress(example(), "bde", ("q1",)).next_step == NextStep(StepKind.LESSON, "a", "m1")


def test_no_next_step_when_only_optional_lessons_remain():
    p = progress(example(), "abde", ("q1",), sessions=1)
    assert p.next_step is None


def test_no_next_step_when_only_sessions_remain():
    p = progress(example(), "abde", ("q1",))
    assert (p.next_step, p.complete, p.sessions_missing) == (None, False, 1)


def test_next_step_ignores_modules_that_do_not_count():
    outline = course(module("opt", "x", required=False), module("m", "a"))
    assert progress(outline).next_step == NextStep(StepKind.LESSON, "a", "m")


# --- outline ----------------------------------------------------------------------------------------------------------


def test_outline_refuses_duplicate_lesson_ids():
    with pytest.raises(ValueError, match="twice"):
        course(module("m1", "a"), module("m2", "a"))


def test_outline_refuses_duplicate_module_and_quiz_ids():
    with pytest.raises(ValueError):
        course(module("m1", "a"), module("m1", "b"))
    with pytest.raises(ValueError):
        course(module("m1", "a", quiz="q"), module("m2", "b", quiz="q"))


def test_outline_refuses_unknown_required_modules():
    with pytest.raises(ValueError, match="unknown"):
        course(module("m1", "a"), required_modules=("m9",))


def test_outline_refuses_negative_sessions():
    with pytest.raises(ValueError):
        course(module("m1", "a"), sessions=-1)


def test_outline_built_from_lists_like_database_rows():
    rows = OutlineModule(id="m1", title="M1", lessons=[lesson("a")])
    outline = Outline(modules=[rows], required_modules=["m1"], min_sessions_attended=0)
    assert outline.modules == (module("m1", "a"),) and outline.required_modules == ("m1",)
    assert hash(outline) == hash(course(module("m1", "a"), required_modules=("m1",)))
    assert outline == course(module("m1", "a"), required_modules=("m1",))


def _package(modules: tuple[Module, ...], completion: CompletionRule) -> Package:
    return Package(
        slug="c", title="C", version="1.0.0", summary="", language="en", authors=(), licence="CC0-1.0",
        estimated_hours=1, enrolment=EnrolmentMode.OPEN, eligibility="", eligibility_html="", modules=modules,
        resources=(), live_sessions=(), cohorts=(), completion=completion,
        certificate=CertificateRule(enabled=False, issuers=(), hours=1), assets=(), content_hash="p",
    )


def _lesson(lesson_id: str, required: bool = True, reset: bool = False) -> Lesson:
    return Lesson(id=lesson_id, title=lesson_id.upper(), minutes=7, required=required, reset_progress=reset,
                  source="", html="", content_hash=f"hash-{lesson_id}", path=f"m/{lesson_id}.md")


def test_outline_from_package_keeps_order_flags_hashes_and_rule():
    quiz = Quiz(id="q1", title="Q", pass_mark=70, max_attempts=None, shuffle_questions=False, shuffle_choices=False,
                score_policy=ScorePolicy.BEST, questions=(), content_hash="quiz-hash", path="m1/quiz.yaml")
    package = _package(
        (Module(id="m1", title="M1", summary="", required=True, lessons=(_lesson("a"), _lesson("b", required=False)),
                quiz=quiz, path="m1"),
         Module(id="m2", title="M2", summary="", required=False, lessons=(_lesson("c", reset=True),), quiz=None,
                path="m2")),
        CompletionRule(required_modules=("m1", "m2"), min_sessions_attended=2),
    )
    outline = Outline.from_package(package)
    assert [m.id for m in outline.modules] == ["m1", "m2"]
    assert outline.modules[0].lessons == (
        OutlineLesson("a", "A", True, 7, "hash-a", False), OutlineLesson("b", "B", False, 7, "hash-b", False))
    assert outline.modules[0].quiz == OutlineQuiz("q1", "quiz-hash")
    assert outline.modules[1].required is False and outline.modules[1].lessons[0].reset_progress is True
    assert (outline.required_modules, outline.min_sessions_attended) == (("m1", "m2"), 2)
    assert outline.units_total == 1 + 1 + 1 + 2  # a, q1, c, two sessions


# --- carry-over -------------------------------------------------------------------------------------------------------


def versions(old_lessons, new_lessons, old_quiz=None, new_quiz=None):
    old = course(module("m", *old_lessons, quiz=old_quiz))
    new = course(module("m", *new_lessons, quiz=new_quiz))
    return old, new


def test_unchanged_lesson_carries_over():
    old, new = versions([lesson("a", "h1")], [lesson("a", "h1")])
    result = carry_over(old, new, {"a"}, set())
    assert (result.kept_lessons, result.dropped_lessons) == ({"a"}, frozenset())


def test_changed_lesson_carries_over_without_reset_progress():
    old, new = versions([lesson("a", "h1")], [lesson("a", "h2")])
    assert carry_over(old, new, {"a"}, set()).kept_lessons == {"a"}


def test_changed_lesson_with_reset_progress_is_dropped():
    old, new = versions([lesson("a", "h1")], [lesson("a", "h2", reset=True)])
    result = carry_over(old, new, {"a"}, set())
    assert (result.kept_lessons, result.dropped_lessons, result.reset_lessons) == (frozenset(), {"a"}, {"a"})


def test_unchanged_lesson_with_reset_progress_carries_over():
    old, new = versions([lesson("a", "h1", reset=True)], [lesson("a", "h1", reset=True)])
    assert carry_over(old, new, {"a"}, set()).kept_lessons == {"a"}


def test_removed_lesson_is_dropped():
    old, new = versions([lesson("a"), lesson("b")], [lesson("b")])
    result = carry_over(old, new, {"a", "b"}, set())
    assert (result.kept_lessons, result.dropped_lessons, result.removed_lessons) == ({"b"}, {"a"}, {"a"})
    assert result.reset_lessons == frozenset()


def test_completion_unknown_to_the_old_version_counts_as_changed():
    old, new = versions([lesson("b")], [lesson("a", reset=True), lesson("b"), lesson("c")])
    result = carry_over(old, new, {"a", "c"}, set())
    assert (result.kept_lessons, result.reset_lessons) == ({"c"}, {"a"})


def test_lessons_not_completed_are_not_listed():
    old, new = versions([lesson("a"), lesson("b")], [lesson("a"), lesson("b")])
    result = carry_over(old, new, {"a"}, set())
    assert result.kept_lessons == {"a"} and result.dropped_lessons == frozenset()


def test_passed_quiz_with_the_same_questions_carries_over():
    old, new = versions(["a"], ["a"], OutlineQuiz("q", "v1"), OutlineQuiz("q", "v1"))
    assert carry_over(old, new, set(), {"q"}).kept_quizzes == {"q"}


def test_passed_quiz_with_changed_questions_is_dropped():
    old, new = versions(["a"], ["a"], OutlineQuiz("q", "v1"), OutlineQuiz("q", "v2"))
    result = carry_over(old, new, set(), {"q"})
    assert (result.kept_quizzes, result.dropped_quizzes, result.changed_quizzes) == (frozenset(), {"q"}, {"q"})


def test_removed_quiz_is_dropped():
    old, new = versions(["a"], ["a"], OutlineQuiz("q", "v1"), None)
    result = carry_over(old, new, set(), {"q"})
    assert (result.dropped_quizzes, result.removed_quizzes) == ({"q"}, {"q"})


def test_passed_quiz_unknown_to_the_old_version_is_dropped():
    old, new = versions(["a"], ["a"], None, OutlineQuiz("q", "v1"))
    assert carry_over(old, new, set(), {"q"}).changed_quizzes == {"q"}


def test_carry_over_on_the_example_course():
    old = example()
    new = course(
        module("m1", lesson("a", "h"), lesson("b", "changed", reset=True), "c?", quiz=OutlineQuiz("q1", "qh")),
        module("m2", lesson("d", "changed")),
        sessions=1,
    )
    result = carry_over(old, new, {"a", "b", "c", "d", "e", "f"}, {"q1"})
    assert result.kept_lessons == {"a", "c", "d"}
    assert result.dropped_lessons == {"b", "e", "f"}
    assert result.reset_lessons == {"b"} and result.removed_lessons == {"e", "f"}
    assert result.kept_quizzes == {"q1"}
    after = course_progress(new, result.kept_lessons, result.kept_quizzes, 1)
    assert after.next_step == NextStep(StepKind.LESSON, "b", "m1")


# --- properties -------------------------------------------------------------------------------------------------------


@st.composite
def outlines(draw):
    counter = iter(range(10_000))
    modules = []
    for m in range(draw(st.integers(1, 5))):
        lessons = [OutlineLesson(id=f"l{next(counter)}", required=draw(st.booleans()),
                                 content_hash=draw(st.sampled_from("xy")), reset_progress=draw(st.booleans()))
                   for _ in range(draw(st.integers(1, 6)))]
        quiz = OutlineQuiz(f"q{m}", draw(st.sampled_from("xy"))) if draw(st.booleans()) else None
        modules.append(OutlineModule(id=f"m{m}", required=draw(st.booleans()), lessons=tuple(lessons), quiz=quiz))
    ids = [m.id for m in modules]
    required = draw(st.one_of(st.just(()), st.lists(st.sampled_from(ids), unique=True).map(tuple)))
    return Outline(tuple(modules), required_modules=required, min_sessions_attended=draw(st.integers(0, 3)))


@st.composite
def learner_states(draw):
    outline = draw(outlines())
    lesson_ids = [lesson.id for module in outline.modules for lesson in module.lessons]
    quiz_ids = [module.quiz.id for module in outline.modules if module.quiz]
    done = draw(st.sets(st.sampled_from(lesson_ids)))
    passed = draw(st.sets(st.sampled_from(quiz_ids))) if quiz_ids else set()
    return outline, done, passed, draw(st.integers(0, 4))


@given(learner_states())
def test_percent_is_within_0_and_100_and_100_only_when_complete(state):
    p = course_progress(*state)
    assert 0 <= p.percent <= 100
    assert (p.percent == 100) == p.complete


@given(learner_states())
def test_complete_means_every_counted_module_complete_and_enough_sessions(state):
    outline, done, passed, sessions = state
    p = course_progress(outline, done, passed, sessions)
    counted = [m for m in p.modules if m.counted]
    assert p.complete == (all(m.complete for m in counted) and sessions >= outline.min_sessions_attended)
    assert (p.next_step is None) == all(m.complete for m in counted)


@given(learner_states())
def test_doing_the_next_step_never_lowers_the_percent(state):
    outline, done, passed, sessions = state
    before = course_progress(outline, done, passed, sessions)
    if before.next_step is None:
        return
    if before.next_step.kind == StepKind.LESSON:
        done = done | {before.next_step.id}
    else:
        passed = passed | {before.next_step.id}
    after = course_progress(outline, done, passed, sessions)
    assert after.percent >= before.percent and after.units_done == before.units_done + 1


@given(outlines(), outlines(), st.data())
def test_carry_over_splits_every_completion_into_kept_or_dropped(old, new, data):
    lesson_ids = [f"l{n}" for n in range(30)]
    done = data.draw(st.sets(st.sampled_from(lesson_ids)))
    passed = data.draw(st.sets(st.sampled_from([f"q{n}" for n in range(5)])))
    result = carry_over(old, new, done, passed)
    assert result.kept_lessons | result.dropped_lessons == done
    assert not result.kept_lessons & result.dropped_lessons
    assert result.kept_quizzes | result.dropped_quizzes == passed
    assert not result.kept_quizzes & result.dropped_quizzes
    assert all(new.lesson(lesson_id) is not None for lesson_id in result.kept_lessons)
    assert all(new.quiz(quiz_id).content_hash == old.quiz(quiz_id).content_hash for quiz_id in result.kept_quizzes)


# --- the learner's next step and the player's forward item -----------------------------------------------------------


def test_the_next_step_is_the_first_lesson_or_quiz_not_done():
    outline = example()
    assert learner_next_step(course_progress(outline, set(), set(), 0)) == LearnerStep(NextKind.LESSON, "a", "m1")
    assert learner_next_step(course_progress(outline, {"a", "b"}, set(), 0)) == LearnerStep(NextKind.QUIZ, "q1", "m1")


def test_the_next_step_after_lessons_and_quizzes_is_the_missing_sessions_with_the_next_date():
    outline = course(module("m1", "a", quiz="q1"), sessions=2)
    later, sooner = datetime(2030, 3, 11, 8, tzinfo=UTC), datetime(2030, 3, 4, 8, tzinfo=UTC)
    step = learner_next_step(course_progress(outline, {"a"}, {"q1"}, 0), upcoming_sessions=[later, sooner])
    assert (step.kind, step.sessions_missing, step.next_session) == (NextKind.SESSIONS, 2, sooner)
    step = learner_next_step(course_progress(outline, {"a"}, {"q1"}, 1))
    assert (step.kind, step.sessions_missing, step.next_session) == (NextKind.SESSIONS, 1, None)


def test_a_complete_course_leads_to_the_certificate_when_one_is_held():
    progress = course_progress(course(module("m1", "a")), {"a"}, set(), 0)
    assert learner_next_step(progress, holds_certificate=True).kind == NextKind.CERTIFICATE
    assert learner_next_step(progress).kind == NextKind.COMPLETE and learner_next_step(progress).done


def test_the_player_goes_through_each_modules_quiz_before_the_next_module():
    outline = example()
    assert item_after_lesson(outline, "a") == ForwardItem(StepKind.LESSON, "b", "m1")
    assert item_after_lesson(outline, "c") == ForwardItem(StepKind.QUIZ, "q1", "m1")
    assert item_after_quiz(outline, "q1") == ForwardItem(StepKind.LESSON, "d", "m2")
    assert item_after_lesson(outline, "e") == ForwardItem(StepKind.LESSON, "f", "m3")
    assert item_after_lesson(outline, "f") is None
    assert item_after_quiz(course(module("m1", "a", quiz="q1")), "q1") is None


def test_the_last_lesson_leads_to_the_last_quiz_until_it_is_passed_then_to_nothing():
    """After the course's last lesson, a passed last quiz is not gone through again: the page names the next step
    (the sessions still missing, or the certificate) instead. A passed quiz in the middle still comes next."""
    outline = course(module("m1", "a", quiz="q1"), module("m2", "b", quiz="q2"))
    assert item_after_lesson(outline, "b") == ForwardItem(StepKind.QUIZ, "q2", "m2")
    assert item_after_lesson(outline, "b", {"q1"}) == ForwardItem(StepKind.QUIZ, "q2", "m2")
    assert item_after_lesson(outline, "b", {"q1", "q2"}) is None
    assert item_after_lesson(outline, "a", {"q1", "q2"}) == ForwardItem(StepKind.QUIZ, "q1", "m1")


# --- reflections ------------------------------------------------------------------------------------------------------


def _reflective(min_reflections: int = 2, sessions: int = 0) -> Outline:
    """One module of three lessons (no quiz); the first and last ask a reflection question."""
    return Outline(
        modules=(OutlineModule("m", lessons=(OutlineLesson("a"), OutlineLesson("b"), OutlineLesson("c"))),),
        min_sessions_attended=sessions, reflection_lessons=("c", "a"), min_reflections=min_reflections)


def test_required_reflections_hold_up_completion_and_count_as_units():
    outline = _reflective()
    progress = course_progress(outline, {"a", "b", "c"}, set(), 0, {"a"})
    assert not progress.complete
    assert (progress.reflections_done, progress.reflections_required, progress.reflections_missing) == (1, 2, 1)
    assert (progress.units_done, progress.units_total, progress.percent) == (4, 5, 80)
    assert course_progress(outline, {"a", "b", "c"}, set(), 0, {"a", "c"}).complete


def test_a_contribution_to_a_lesson_that_asks_no_question_does_not_count():
    progress = course_progress(_reflective(min_reflections=1), {"a", "b", "c"}, set(), 0, {"b", "elsewhere"})
    assert progress.reflections_done == 0 and not progress.complete


def test_the_next_step_is_the_first_unanswered_reflection_in_course_order_after_the_lessons():
    outline = _reflective(sessions=1)
    assert learner_next_step(course_progress(outline, {"a"}, set(), 0)).kind == NextKind.LESSON
    step = learner_next_step(course_progress(outline, {"a", "b", "c"}, set(), 0, {"c"}))
    assert (step.kind, step.item_id, step.reflections_missing) == (NextKind.REFLECTION, "a", 1)
    step = learner_next_step(course_progress(outline, {"a", "b", "c"}, set(), 0, {"a", "c"}))
    assert step.kind == NextKind.SESSIONS


def test_optional_reflections_never_appear_in_the_next_step_or_the_percentage():
    outline = _reflective(min_reflections=0)
    progress = course_progress(outline, {"a", "b", "c"}, set(), 0)
    assert progress.complete and progress.percent == 100 and progress.next_reflection is None
    assert learner_next_step(progress).kind == NextKind.COMPLETE


def test_an_outline_cannot_require_more_reflections_than_its_lessons_ask():
    with pytest.raises(ValueError):
        _reflective(min_reflections=3)
    with pytest.raises(ValueError):
        Outline(modules=(OutlineModule("m", lessons=(OutlineLesson("a"),)),), reflection_lessons=("zz",))
