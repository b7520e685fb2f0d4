"""Grading: reading submitted forms, every question type, attempt scores, shuffling, policies, the public view."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.core.attempt_policies import ScoredAttempt, attempts_remaining, kept_score, quiz_passed
from lms.core.grading import (
    AttemptLayout,
    Outcome,
    PublicChoice,
    PublicQuestion,
    Response,
    SubmissionError,
    attempt_layout,
    grade_attempt,
    grade_question,
    normalise_answer,
    parse_submission,
    public_attempt_view,
    public_question_view,
)
from lms.core.packages.model import Choice, Question, QuestionType, Quiz, ScorePolicy

# --- builders ---------------------------------------------------------------------------------------------------------


def choice(choice_id: str, correct: bool = False, feedback: str = "") -> Choice:
    return Choice(id=choice_id, text=choice_id, html=f"<p>{choice_id}</p>", correct=correct,
                  feedback=feedback or f"feedback for {choice_id}")


def question(question_id: str, kind: str, **fields) -> Question:
    return Question(id=question_id, type=QuestionType(kind), prompt=f"Prompt {question_id}",
                    prompt_html=f"<p>Prompt {question_id}</p>", **fields)


def single(question_id: str = "single", correct: str = "b", ids: str = "abc", **fields) -> Question:
    return question(question_id, "single_choice", choices=tuple(choice(c, c == correct) for c in ids), **fields)


def multiple(question_id: str = "multi", correct: str = "abc", ids: str = "abcd", **fields) -> Question:
    return question(question_id, "multiple_choice", choices=tuple(choice(c, c in correct) for c in ids), **fields)


def true_false(question_id: str = "tf", answer: bool = False, **fields) -> Question:
    return question(question_id, "true_false", correct_bool=answer, feedback_correct="Well done.",
                    feedback_incorrect="Not quite.", **fields)


def short(question_id: str = "short", answers: tuple[str, ...] = ("Seoul",), **fields) -> Question:
    return question(question_id, "short_answer", accepted_answers=answers, **fields)


def numeric(question_id: str = "num", answer: float = 2.5, tolerance: float = 0.0, **fields) -> Question:
    return question(question_id, "numeric", numeric_answer=answer, tolerance=tolerance, **fields)


def make_quiz(*questions: Question, **fields) -> Quiz:
    values = dict(id="quiz", title="Quiz", pass_mark=70.0, max_attempts=None, shuffle_questions=False,
                  shuffle_choices=False, score_policy=ScorePolicy.BEST, questions=questions, content_hash="hash",
                  path="module/quiz.yaml")
    values.update(fields)
    return Quiz(**values)


def every_type_quiz(**fields) -> Quiz:
    return make_quiz(single(), multiple(), true_false(), short(), numeric(tolerance=0.01), **fields)


def fullwidth(text: str) -> str:
    """ "Seoul" -> "\uff33\uff45\uff4f\uff55\uff4c", the fullwidth forms a Korean or Japanese keyboard may type."""
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


def ids(quiz: Quiz) -> tuple[str, ...]:
    return tuple(q.id for q in quiz.questions)


def problems_of(quiz: Quiz, raw, question_ids=None) -> list[str]:
    with pytest.raises(SubmissionError) as caught:
        parse_submission(quiz, question_ids if question_ids is not None else ids(quiz), raw)
    return [str(problem) for problem in caught.value.problems]


def grade(q: Question, *values: str):
    """Parse one question's form values and grade them."""
    response = parse_submission(make_quiz(q), (q.id,), {q.id: list(values)})[q.id]
    return grade_question(q, response)


VALID = {"single": ["b"], "multi": ["a", "c"], "tf": ["false"], "short": ["Seoul"], "num": ["2.5"]}


# --- parse_submission -------------------------------------------------------------------------------------------------


def test_a_complete_submission_gives_one_response_per_question():
    responses = parse_submission(every_type_quiz(), ids(every_type_quiz()), VALID)
    assert responses["single"].choice_ids == ("b",)
    assert responses["multi"].choice_ids == ("a", "c")
    assert responses["tf"].boolean is False
    assert responses["short"].text == "Seoul"
    assert responses["num"].number == 2.5


def test_csrf_token_field_is_ignored():
    quiz = every_type_quiz()
    assert set(parse_submission(quiz, ids(quiz), {**VALID, "csrf_token": ["x"]})) == set(ids(quiz))


@pytest.mark.parametrize("qid", ["single", "multi", "tf", "short", "num"])
def test_missing_answer_is_refused_naming_the_question_position(qid):
    quiz = every_type_quiz()
    raw = {key: value for key, value in VALID.items() if key != qid}
    position = ids(quiz).index(qid) + 1
    problems = problems_of(quiz, raw)
    assert len(problems) == 1
    assert problems[0].startswith(f"Question {position}: ")


@pytest.mark.parametrize("qid", ["single", "multi", "tf", "short", "num"])
def test_blank_values_count_as_no_answer(qid):
    quiz = every_type_quiz()
    problems = problems_of(quiz, {**VALID, qid: ["   "]})
    assert len(problems) == 1 and problems[0].startswith(f"Question {ids(quiz).index(qid) + 1}: ")


def test_multiple_choice_with_nothing_picked_is_invalid():
    quiz = make_quiz(multiple())
    assert problems_of(quiz, {"multi": []}) == ["Question 1: choose at least one answer."]


def test_positions_follow_the_attempt_order_not_the_quiz_order():
    quiz = every_type_quiz()
    order = tuple(reversed(ids(quiz)))  # "num" is question 1 of this attempt
    problems = problems_of(quiz, {**VALID, "num": ["abc"], "single": ["zzz"]}, order)
    assert problems[0].startswith("Question 1: enter a number")
    assert problems[1].startswith("Question 5: ")


def test_unknown_choice_id_is_refused_without_echoing_it():
    problems = problems_of(make_quiz(single()), {"single": ["<script>"]})
    assert problems[0].startswith("Question 1: ") and "not a choice" in problems[0]
    assert "<script>" not in problems[0]


def test_unknown_choice_among_multiple_choices_is_refused():
    assert "not a choice" in problems_of(make_quiz(multiple()), {"multi": ["a", "x"]})[0]


def test_two_choices_for_single_choice_are_refused():
    assert problems_of(make_quiz(single()), {"single": ["a", "b"]}) == ["Question 1: choose only one answer."]


def test_the_same_choice_sent_twice_counts_once():
    responses = parse_submission(make_quiz(multiple()), ("multi",), {"multi": ["c", "a", "c"]})
    assert responses["multi"].choice_ids == ("a", "c")


def test_an_answer_for_a_quiz_question_outside_the_attempt_is_tampering():
    quiz = every_type_quiz()
    attempt = ("single", "tf")  # the attempt holds two questions; the form answers a third
    problems = problems_of(quiz, {"single": ["b"], "tf": ["true"], "short": ["Seoul"]}, attempt)
    assert len(problems) == 1 and "not part of this attempt" in problems[0]


def test_an_unknown_field_is_tampering():
    quiz = make_quiz(single())
    problems = problems_of(quiz, {"single": ["b"], "is_admin": ["1"]})
    assert problems == [problems[0]] and "not part of this attempt" in problems[0]


def test_attempt_questions_that_are_not_in_the_quiz_are_a_programming_error():
    with pytest.raises(ValueError, match="not in quiz"):
        parse_submission(make_quiz(single()), ("single", "ghost"), {"single": ["b"]})
    with pytest.raises(ValueError, match="once"):
        parse_submission(make_quiz(single()), ("single", "single"), {"single": ["b"]})


@pytest.mark.parametrize(("typed", "number"), [
    ("4,1", 4.1), (" 4.1 ", 4.1), ("-3", -3.0), ("\u22123", -3.0), ("+7", 7.0), (".5", 0.5), (",5", 0.5),
    ("1e3", 1000.0), ("\uff14\uff12", 42.0), ("\t12\n", 12.0),
])
def test_numeric_values_are_read_with_decimal_comma_and_spaces(typed, number):
    response = parse_submission(make_quiz(numeric()), ("num",), {"num": [typed]})["num"]
    assert response.number == pytest.approx(number)
    assert response.text == typed.strip()


@pytest.mark.parametrize("typed", ["abc", "nan", "NaN", "inf", "-Infinity", "1e999", "1,000.5", "1.2.3", "4,1,2",
                                   "1 000", "0x10", "--1", "\u0664\u0662", "12abc"])
def test_non_numbers_are_refused_for_numeric_questions(typed):
    problems = problems_of(make_quiz(numeric()), {"num": [typed]})
    assert problems[0].startswith("Question 1: enter a number")


@pytest.mark.parametrize("typed", ["yes", "True", "1", "maybe"])
def test_true_false_accepts_only_true_or_false(typed):
    assert problems_of(make_quiz(true_false()), {"tf": [typed]}) == ["Question 1: choose True or False."]


def test_text_up_to_1000_characters_is_accepted_and_longer_is_refused():
    quiz = make_quiz(short())
    assert parse_submission(quiz, ("short",), {"short": ["x" * 1000]})["short"].text == "x" * 1000
    problems = problems_of(quiz, {"short": ["x" * 1001]})
    assert problems[0].startswith("Question 1: the answer is too long")


def test_a_numeric_value_longer_than_1000_characters_is_refused_as_too_long():
    assert "too long" in problems_of(make_quiz(numeric()), {"num": ["1" * 1001]})[0]


def test_two_values_for_a_text_question_are_refused():
    assert problems_of(make_quiz(short()), {"short": ["a", "b"]}) == ["Question 1: give only one answer."]


def test_every_problem_is_reported_at_once_in_question_order():
    quiz = every_type_quiz()
    raw = {"single": ["a", "b"], "multi": ["nope"], "tf": ["perhaps"], "num": ["lots"], "extra": ["1"]}
    with pytest.raises(SubmissionError) as caught:
        parse_submission(quiz, ids(quiz), raw)
    problems = [str(problem) for problem in caught.value.problems]
    assert [p.split(":")[0] for p in problems[:5]] == [f"Question {n}" for n in range(1, 6)]
    assert "not part of this attempt" in problems[5]
    assert len(problems) == 6
    assert set(caught.value.by_question) == set(ids(quiz))
    assert str(caught.value).splitlines() == problems


def test_a_response_turns_back_into_form_values_that_parse_to_the_same_response():
    quiz = every_type_quiz()
    responses = parse_submission(quiz, ids(quiz), {**VALID, "num": ["2,5"]})
    again = parse_submission(quiz, ids(quiz), {qid: r.to_form() for qid, r in responses.items()})
    assert again == responses


# --- grade_question: each type ----------------------------------------------------------------------------------------


def test_single_choice_correct_pick_gets_full_points():
    result = grade(single(points=2), "b")
    assert (result.score, result.max_score, result.outcome) == (2.0, 2.0, Outcome.CORRECT)


def test_single_choice_wrong_pick_gets_nothing_and_shows_only_its_feedback():
    result = grade(single(), "a")
    assert (result.score, result.outcome) == (0.0, Outcome.INCORRECT)
    by_id = {c.id: c for c in result.choices}
    assert by_id["a"].picked and by_id["a"].feedback == "feedback for a" and not by_id["a"].correct
    assert by_id["b"].correct and not by_id["b"].picked and by_id["b"].feedback == ""
    assert by_id["c"].feedback == ""


def test_single_choice_response_holding_two_picks_gets_nothing():
    assert grade_question(single(), Response("single", choice_ids=("a", "b"))).score == 0.0


def test_multiple_choice_all_correct_and_nothing_else_gets_full_points():
    result = grade(multiple(points=3), "a", "b", "c")
    assert (result.score, result.outcome) == (3.0, Outcome.CORRECT)


def test_multiple_choice_two_of_three_correct_gets_two_thirds():
    result = grade(multiple(points=3), "a", "b")
    assert result.score == pytest.approx(2.0)
    assert result.outcome == Outcome.PARTIAL


def test_multiple_choice_wrong_picks_cancel_right_ones():
    assert grade(multiple(points=3), "a", "d").score == 0.0  # (1 - 1) / 3


def test_multiple_choice_picking_everything_earns_only_the_margin():
    assert grade(multiple(points=3), "a", "b", "c", "d").score == pytest.approx(2.0)  # (3 - 1) / 3


def test_multiple_choice_partial_credit_is_never_negative():
    q = multiple(correct="a", ids="abcd", points=2)
    result = grade(q, "b", "c", "d")  # (0 - 3) / 1 would be -3
    assert (result.score, result.outcome) == (0.0, Outcome.INCORRECT)


def test_multiple_choice_feedback_is_shown_for_every_picked_choice():
    result = grade(multiple(), "a", "d")
    assert {c.id: c.feedback for c in result.choices} == {"a": "feedback for a", "b": "", "c": "",
                                                          "d": "feedback for d"}
    assert [c.correct for c in result.choices] == [True, True, True, False]


def test_true_false_correct_and_incorrect_with_their_feedback():
    right, wrong = grade(true_false(answer=False), "false"), grade(true_false(answer=False), "true")
    assert (right.score, right.outcome, right.feedback) == (1.0, Outcome.CORRECT, "Well done.")
    assert (wrong.score, wrong.outcome, wrong.feedback) == (0.0, Outcome.INCORRECT, "Not quite.")
    assert wrong.correct_answers == ("false",)


@pytest.mark.parametrize(("accepted", "typed"), [
    ("Seoul", fullwidth("Seoul")),  # NFKC folds fullwidth letters (U+FF33...)
    ("Seoul", "seoul"),
    ("Seoul", "  SEOUL  "),
    ("New York", "new   york"),
    ("New York", "new\u00a0york"),  # a no-break space is whitespace
    (unicodedata.normalize("NFC", "Bogotá"), unicodedata.normalize("NFD", "Bogotá")),
    (unicodedata.normalize("NFD", "Bogotá"), unicodedata.normalize("NFC", "bogotá")),
    ("Straße", "STRASSE"),  # casefold, not lower
    ("돌봄 도시", "돌봄   도시"),
])
def test_short_answers_match_after_normalisation(accepted, typed):
    assert grade(short(answers=(accepted,)), typed).outcome == Outcome.CORRECT


def test_short_answer_without_the_accent_is_wrong():
    assert grade(short(answers=("Bogotá",)), "Bogota").outcome == Outcome.INCORRECT


def test_case_sensitive_short_answer_refuses_another_case_but_still_normalises_spaces():
    q = short(answers=("reset_progress",), case_sensitive=True)
    assert grade(q, "Reset_progress").score == 0.0
    assert grade(q, "  reset_progress ").score == 1.0


def test_short_answer_matches_any_accepted_answer():
    q = short(answers=("reset_progress", "reset_progress: true"))
    assert grade(q, "RESET_PROGRESS:   TRUE").outcome == Outcome.CORRECT
    assert grade(q, "reset").outcome == Outcome.INCORRECT


def test_normalise_answer():
    assert normalise_answer(f"  {fullwidth('Hello')} \t World ") == "hello world"
    assert normalise_answer(f"  {fullwidth('Hello')} \t World ", case_sensitive=True) == "Hello World"


@pytest.mark.parametrize(("typed", "outcome"), [
    ("2.5", Outcome.CORRECT), ("2.51", Outcome.CORRECT), ("2.49", Outcome.CORRECT), ("2,49", Outcome.CORRECT),
    ("2.511", Outcome.INCORRECT), ("2.4899", Outcome.INCORRECT), ("25", Outcome.INCORRECT),
])
def test_numeric_tolerance_boundary_is_inclusive(typed, outcome):
    assert grade(numeric(answer=2.5, tolerance=0.01), typed).outcome == outcome


def test_numeric_without_tolerance_needs_the_exact_value_up_to_float_representation():
    q = numeric(answer=0.3, tolerance=0.0)
    assert grade(q, "0.3").outcome == Outcome.CORRECT
    assert grade_question(q, Response("num", text="0.1+0.2", number=0.1 + 0.2)).outcome == Outcome.CORRECT
    assert grade(q, "0.3001").outcome == Outcome.INCORRECT


def test_numeric_shows_the_expected_answer_with_its_tolerance():
    assert grade(numeric(answer=2.5, tolerance=0.01), "3").correct_answers == ("2.5 ± 0.01",)
    assert grade(numeric(answer=42, tolerance=0), "3").correct_answers == ("42",)


def test_an_unanswered_question_scores_zero():
    for q in every_type_quiz().questions:
        result = grade_question(q, None)
        assert (result.score, result.outcome, result.response) == (0.0, Outcome.INCORRECT, None)


def test_a_response_to_another_question_is_a_programming_error():
    with pytest.raises(ValueError):
        grade_question(single(), Response("other", choice_ids=("b",)))


def test_explanation_is_part_of_the_result():
    assert grade(single(explanation="Because."), "a").explanation == "Because."


def test_choices_follow_the_attempt_order_in_results():
    response = Response("single", choice_ids=("b",))
    result = grade_question(single(), response, choice_order=("c", "a", "b"))
    assert [c.id for c in result.choices] == ["c", "a", "b"]


# --- grade_attempt ----------------------------------------------------------------------------------------------------


def test_attempt_with_every_answer_right_scores_100_percent():
    quiz = every_type_quiz()
    result = grade_attempt(quiz, ids(quiz), parse_submission(quiz, ids(quiz), {**VALID, "multi": ["a", "b", "c"]}))
    assert (result.score, result.max_score, result.percent, result.passed) == (5.0, 5.0, 100.0, True)


def test_attempt_percent_is_rounded_to_two_decimals():
    quiz = make_quiz(single("q1"), single("q2"), single("q3"))
    responses = parse_submission(quiz, ids(quiz), {"q1": ["b"], "q2": ["a"], "q3": ["a"]})
    result = grade_attempt(quiz, ids(quiz), responses)
    assert (result.score, result.max_score, result.percent, result.passed) == (1.0, 3.0, 33.33, False)


def test_attempt_exactly_at_the_pass_mark_passes_and_just_below_fails():
    quiz = make_quiz(single("q1"), single("q2"), pass_mark=50)
    half = grade_attempt(quiz, ids(quiz), {"q1": Response("q1", choice_ids=("b",))})
    assert (half.percent, half.passed) == (50.0, True)
    strict = make_quiz(single("q1"), single("q2"), pass_mark=50.01)
    assert grade_attempt(strict, ids(strict), {"q1": Response("q1", choice_ids=("b",))}).passed is False


def test_attempt_weighs_questions_by_points_with_partial_credit():
    quiz = make_quiz(single("s", points=1), multiple("m", points=3), pass_mark=60)
    responses = {"s": Response("s", choice_ids=("a",)), "m": Response("m", choice_ids=("a", "b"))}
    result = grade_attempt(quiz, ids(quiz), responses)
    assert (result.score, result.max_score, result.percent, result.passed) == (2.0, 4.0, 50.0, False)
    assert [q.outcome for q in result.questions] == [Outcome.INCORRECT, Outcome.PARTIAL]


def test_attempt_results_follow_the_attempt_order_and_subset():
    quiz = every_type_quiz()
    result = grade_attempt(quiz, ("num", "single"), {})
    assert [q.question_id for q in result.questions] == ["num", "single"]
    assert result.max_score == 2.0


def test_attempt_needs_at_least_one_question():
    with pytest.raises(ValueError):
        grade_attempt(every_type_quiz(), (), {})


# --- attempt_layout ---------------------------------------------------------------------------------------------------


def big_quiz(**fields) -> Quiz:
    return make_quiz(*(single(f"q{n}", ids="abcdef", correct="a") for n in range(8)), **fields)


def test_layout_without_shuffling_is_the_quiz_order():
    quiz = big_quiz()
    layout = attempt_layout(quiz, seed=123)
    assert layout.question_ids == ids(quiz)
    assert all(order == tuple("abcdef") for order in layout.choice_order.values())


def test_layout_is_the_same_for_the_same_seed():
    quiz = big_quiz(shuffle_questions=True, shuffle_choices=True)
    assert attempt_layout(quiz, 42) == attempt_layout(quiz, 42)


def test_layout_differs_across_seeds():
    quiz = big_quiz(shuffle_questions=True, shuffle_choices=True)
    layouts = {attempt_layout(quiz, seed).question_ids for seed in range(10)}
    assert len(layouts) == 10  # 8! orders: ten seeds giving ten different orders
    assert attempt_layout(quiz, 1).choice_order != attempt_layout(quiz, 2).choice_order


def test_shuffled_layout_is_a_permutation():
    quiz = big_quiz(shuffle_questions=True, shuffle_choices=True)
    layout = attempt_layout(quiz, 7)
    assert sorted(layout.question_ids) == sorted(ids(quiz)) and layout.question_ids != ids(quiz)
    assert all(sorted(order) == list("abcdef") for order in layout.choice_order.values())


def test_choices_can_be_shuffled_while_questions_keep_their_order():
    quiz = big_quiz(shuffle_choices=True)
    layout = attempt_layout(quiz, 5)
    assert layout.question_ids == ids(quiz)
    assert any(order != tuple("abcdef") for order in layout.choice_order.values())


def test_questions_can_be_shuffled_while_choices_keep_their_order():
    layout = attempt_layout(big_quiz(shuffle_questions=True), 5)
    assert all(order == tuple("abcdef") for order in layout.choice_order.values())


def test_layout_lists_no_choices_for_questions_without_choices():
    layout = attempt_layout(every_type_quiz(shuffle_choices=True), 3)
    assert layout.choice_order["tf"] == layout.choice_order["num"] == layout.choice_order["short"] == ()
    assert sorted(layout.choice_order["multi"]) == list("abcd")


# --- policies ---------------------------------------------------------------------------------------------------------

START = datetime(2030, 1, 1, tzinfo=UTC)


def scored(number: int, percent: float, pass_mark: float = 70, minutes: int | None = None) -> ScoredAttempt:
    at = START + timedelta(minutes=number if minutes is None else minutes)
    return ScoredAttempt(number=number, percent=percent, passed=percent >= pass_mark, submitted_at=at)


def test_best_policy_keeps_the_highest_percent():
    attempts = [scored(1, 40), scored(2, 90), scored(3, 60)]
    assert kept_score(ScorePolicy.BEST, attempts).number == 2


def test_best_policy_breaks_ties_by_the_earliest_attempt():
    attempts = [scored(3, 80), scored(1, 80), scored(2, 50)]
    assert kept_score(ScorePolicy.BEST, attempts).number == 1


def test_last_policy_keeps_the_latest_submitted():
    attempts = [scored(1, 90, minutes=10), scored(2, 40, minutes=30), scored(3, 60, minutes=20)]
    assert kept_score(ScorePolicy.LAST, attempts).number == 2
    assert kept_score("last", attempts).number == 2


def test_no_attempts_keep_nothing():
    assert kept_score(ScorePolicy.BEST, []) is None
    assert kept_score(ScorePolicy.LAST, []) is None


def test_attempts_remaining():
    assert attempts_remaining(make_quiz(single(), max_attempts=None), 50) is None
    assert attempts_remaining(make_quiz(single(), max_attempts=3), 0) == 3
    assert attempts_remaining(make_quiz(single(), max_attempts=3), 1) == 2
    assert attempts_remaining(make_quiz(single(), max_attempts=3), 3) == 0
    assert attempts_remaining(make_quiz(single(), max_attempts=3), 5) == 0


def test_quiz_passed_under_best_when_any_attempt_reaches_the_pass_mark():
    quiz = make_quiz(single(), score_policy=ScorePolicy.BEST)
    assert quiz_passed(quiz, [scored(1, 50), scored(2, 70)]) is True
    assert quiz_passed(quiz, [scored(1, 50), scored(2, 69.99)]) is False


def test_quiz_once_passed_stays_passed_under_last_policy():
    quiz = make_quiz(single(), score_policy=ScorePolicy.LAST)
    attempts = [scored(1, 80), scored(2, 30)]
    assert kept_score(quiz.score_policy, attempts).percent == 30  # the score shown is the last one
    assert quiz_passed(quiz, attempts) is True


def test_quiz_not_passed_without_attempts():
    assert quiz_passed(make_quiz(single()), []) is False


# --- public view ------------------------------------------------------------------------------------------------------


def test_public_view_holds_only_prompt_type_points_and_choices():
    assert {f.name for f in dataclasses.fields(PublicQuestion)} == {"id", "type", "prompt_html", "points", "choices"}
    assert {f.name for f in dataclasses.fields(PublicChoice)} == {"id", "html"}


@pytest.mark.parametrize("q", every_type_quiz().questions, ids=lambda q: q.id)
def test_public_view_gives_nothing_away(q):
    q = dataclasses.replace(q, explanation="SECRET-EXPLANATION", feedback_correct="SECRET-OK",
                            feedback_incorrect="SECRET-KO", accepted_answers=("SECRET-ANSWER",),
                            choices=tuple(dataclasses.replace(c, feedback="SECRET-FEEDBACK") for c in q.choices))
    view = public_question_view(q)
    assert "SECRET" not in repr(view)
    assert "correct" not in repr(view).lower()
    assert view.prompt_html == q.prompt_html and view.type == q.type
    assert [c.id for c in view.choices] == [c.id for c in q.choices]


def test_public_view_follows_the_choice_order():
    view = public_question_view(single(), ("c", "a", "b"))
    assert [c.id for c in view.choices] == ["c", "a", "b"]
    assert view.choices[0].html == "<p>c</p>"


def test_public_view_refuses_a_choice_order_that_is_not_a_permutation():
    with pytest.raises(ValueError):
        public_question_view(single(), ("a", "b"))
    with pytest.raises(ValueError):
        public_question_view(single(), ("a", "b", "x"))


def test_public_attempt_view_follows_the_layout():
    quiz = big_quiz(shuffle_questions=True, shuffle_choices=True)
    layout = attempt_layout(quiz, 9)
    view = public_attempt_view(quiz, layout)
    assert tuple(q.id for q in view) == layout.question_ids
    assert all(tuple(c.id for c in q.choices) == layout.choice_order[q.id] for q in view)


def test_public_attempt_view_of_a_hand_made_layout():
    quiz = every_type_quiz()
    view = public_attempt_view(quiz, AttemptLayout(("tf", "single"), {"single": ("c", "b", "a")}))
    assert [q.id for q in view] == ["tf", "single"] and [c.id for c in view[1].choices] == ["c", "b", "a"]


# --- properties -------------------------------------------------------------------------------------------------------

choice_ids = "abcdef"


@st.composite
def choice_questions(draw):
    size = draw(st.integers(2, 6))
    kind = draw(st.sampled_from(["single_choice", "multiple_choice"]))
    if kind == "single_choice":
        correct = {draw(st.integers(0, size - 1))}
    else:
        correct = draw(st.sets(st.integers(0, size - 1), min_size=1))
    points = draw(st.floats(0.1, 100, allow_nan=False))
    q = question("q", kind, points=points,
                 choices=tuple(choice(choice_ids[i], i in correct) for i in range(size)))
    picked = draw(st.sets(st.sampled_from(choice_ids[:size]), min_size=0 if kind == "multiple_choice" else 1,
                          max_size=size if kind == "multiple_choice" else 1))
    return q, Response("q", choice_ids=tuple(sorted(picked)))


@st.composite
def other_questions(draw):
    points = draw(st.floats(0.1, 100, allow_nan=False))
    kind = draw(st.sampled_from(["true_false", "short_answer", "numeric"]))
    if kind == "true_false":
        return true_false("q", draw(st.booleans()), points=points), Response("q", boolean=draw(st.booleans()))
    if kind == "short_answer":
        answers = tuple(draw(st.lists(st.text(max_size=20), min_size=1, max_size=3)))
        q = short("q", answers, points=points, case_sensitive=draw(st.booleans()))
        return q, Response("q", text=draw(st.one_of(st.sampled_from(answers), st.text(max_size=20))))
    answer = draw(st.floats(-1e6, 1e6, allow_nan=False))
    q = numeric("q", answer, draw(st.floats(0, 10, allow_nan=False)), points=points)
    return q, Response("q", number=draw(st.floats(-1e7, 1e7, allow_nan=False)))


@given(st.one_of(choice_questions(), other_questions()))
def test_score_is_always_between_zero_and_the_points(case):
    q, response = case
    result = grade_question(q, response)
    assert 0.0 <= result.score <= result.max_score == q.points
    assert (result.outcome == Outcome.CORRECT) == (result.score == result.max_score)
    assert (result.outcome == Outcome.INCORRECT) == (result.score == 0.0)


@given(choice_questions())
def test_multiple_choice_score_follows_the_partial_credit_formula(case):
    q, response = case
    correct = {c.id for c in q.choices if c.correct}
    picked = set(response.choice_ids)
    if q.type == QuestionType.MULTIPLE_CHOICE:
        expected = max(0.0, (len(picked & correct) - len(picked - correct)) / len(correct)) * q.points
    else:
        expected = q.points if picked <= correct else 0.0
    assert grade_question(q, response).score == pytest.approx(expected, abs=1e-5)


@given(st.lists(st.one_of(choice_questions(), other_questions()), min_size=1, max_size=6),
       st.floats(0, 100, allow_nan=False))
def test_attempt_percent_is_always_between_0_and_100(cases, pass_mark):
    questions = [dataclasses.replace(q, id=f"q{n}") for n, (q, _) in enumerate(cases)]
    responses = {f"q{n}": dataclasses.replace(r, question_id=f"q{n}") for n, (_, r) in enumerate(cases)}
    quiz = make_quiz(*questions, pass_mark=pass_mark)
    result = grade_attempt(quiz, ids(quiz), responses)
    assert 0.0 <= result.score <= result.max_score
    assert 0.0 <= result.percent <= 100.0
    assert result.passed == (result.percent >= pass_mark)


@given(st.dictionaries(st.sampled_from(["single", "multi", "tf", "short", "num", "csrf_token", "x"]),
                       st.lists(st.text(max_size=30), max_size=3)))
def test_any_form_either_parses_or_raises_submission_error(raw):
    quiz = every_type_quiz()
    try:
        responses = parse_submission(quiz, ids(quiz), raw)
    except SubmissionError as error:
        assert error.problems
        assert all(str(p).startswith(("Question ", "The form contained")) for p in error.problems)
    else:
        assert set(responses) == set(ids(quiz))
        grade_attempt(quiz, ids(quiz), responses)


def test_problems_are_phrases_with_the_question_number_worded_later():
    """The learner reads them in their language: the core gives the sentence and the number, not English text."""
    with pytest.raises(SubmissionError) as caught:
        parse_submission(make_quiz(short()), ["short"], {"short": ["a", "b"], "other": ["x"], "more": ["y"]})
    one, unexpected = caught.value.problems
    spanish = {one.message: "Pregunta %(number)s: dé una sola respuesta."}
    assert one.render(lambda message: spanish.get(message, message)) == "Pregunta 1: dé una sola respuesta."
    assert str(unexpected).startswith("The form contained 2 answers for questions that are not part of this attempt.")
