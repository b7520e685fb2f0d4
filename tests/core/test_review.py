"""The review rule: what a learner sees of a submitted attempt, and when (lms.core.grading.review_shown)."""

import pytest

from lms.core import grading
from lms.core.packages import ReviewOptions, ReviewTime
from lms.core.packages.model import Choice, Question, QuestionType, Quiz, ScorePolicy


def question_quiz(review: ReviewOptions | None = None) -> Quiz:
    choice = Question("pick", QuestionType.SINGLE_CHOICE, "Pick", "<p>Pick</p>", explanation="B is right.", choices=(
        Choice("a", "A", "A", False, "No: A is a trap."), Choice("b", "B", "B", True, "Yes.")))
    number = Question("count", QuestionType.NUMERIC, "Count", "<p>Count</p>", numeric_answer=2.0,
                      feedback_incorrect="Count again.", explanation="There are two.")
    return Quiz("q", "Quiz", 70.0, 3, False, False, ScorePolicy.BEST, (choice, number), "hash", "m/quiz.yaml",
                review or ReviewOptions())


def wrong_attempt(quiz: Quiz) -> grading.AttemptResult:
    responses = grading.parse_submission(quiz, ["pick", "count"], {"pick": ["a"], "count": ["3"]})
    return grading.grade_attempt(quiz, ["pick", "count"], responses)


@pytest.mark.parametrize("when, passed, remaining, shown", [
    (ReviewTime.ALWAYS, False, 2, True),
    (ReviewTime.NEVER, True, 0, False),
    (ReviewTime.AFTER_PASSING, False, 0, False),
    (ReviewTime.AFTER_PASSING, True, 2, True),
    (ReviewTime.AFTER_LAST_ATTEMPT, True, 1, False),
    (ReviewTime.AFTER_LAST_ATTEMPT, False, 0, True),
    (ReviewTime.AFTER_LAST_ATTEMPT, False, None, False),  # unlimited attempts: the last one never comes
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, False, 1, False),
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, True, 1, True),
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, False, 0, True),
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, False, None, False),
])
def test_each_review_time_is_reached_exactly_when_it_says(when, passed, remaining, shown):
    options = ReviewOptions(score=when, correctness=when, feedback=when, correct_answers=when, explanations=when)
    result = grading.review_shown(options, quiz_passed=passed, attempts_remaining=remaining)
    assert result == grading.ReviewShown(shown, shown, shown, shown, shown)


def test_the_default_shows_correctness_and_feedback_but_not_the_answers_while_attempts_remain():
    shown = grading.review_shown(ReviewOptions(), quiz_passed=False, attempts_remaining=2)
    assert shown == grading.ReviewShown(score=True, correctness=True, feedback=True, correct_answers=False,
                                        explanations=False)


def test_a_review_without_the_answer_key_carries_none_of_it():
    quiz = question_quiz()
    shown = grading.review_shown(quiz.review, quiz_passed=False, attempts_remaining=2)
    review = grading.reviewed_attempt(wrong_attempt(quiz), shown)
    pick, count = review.questions
    assert [c.correct_answer for c in pick.choices] == [False, False]
    assert [c.right for c in pick.choices] == [False, None], "the picked choice is marked wrong; no other"
    assert pick.choices[0].feedback == "No: A is a trap." and pick.explanation == ""
    assert count.correct_answers == () and count.explanation == "" and count.feedback == "Count again."
    assert count.answer_given == "3" and count.outcome == grading.Outcome.INCORRECT
    assert review.percent == 0.0 and not review.passed


def test_a_review_that_hides_everything_keeps_only_the_answers_given_and_whether_it_passed():
    never = ReviewOptions(*(ReviewTime.NEVER,) * 5)
    quiz = question_quiz(never)
    shown = grading.review_shown(never, quiz_passed=True, attempts_remaining=0)
    review = grading.reviewed_attempt(wrong_attempt(quiz), shown)
    assert review.score is None and review.percent is None and review.max_score is None and not review.passed
    for question in review.questions:
        assert question.outcome is None and question.score is None and question.feedback == ""
        assert question.correct_answers == () and question.explanation == ""
        assert all(c.right is None and not c.correct_answer and c.feedback == "" for c in question.choices)
    assert [c.picked for c in review.questions[0].choices] == [True, False]


def test_once_shown_the_correct_answers_are_marked():
    quiz = question_quiz()
    shown = grading.review_shown(quiz.review, quiz_passed=False, attempts_remaining=0)
    review = grading.reviewed_attempt(wrong_attempt(quiz), shown)
    assert [c.correct_answer for c in review.questions[0].choices] == [False, True]
    assert review.questions[1].correct_answers == ("2",) and review.questions[1].explanation == "There are two."


@pytest.mark.parametrize("when, limited, notice", [
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, True,
     "The correct answers are shown once you pass this quiz or have used all your attempts."),
    (ReviewTime.AFTER_PASSING_OR_LAST_ATTEMPT, False, "The correct answers are shown once you pass this quiz."),
    (ReviewTime.AFTER_PASSING, True, "The correct answers are shown once you pass this quiz."),
    (ReviewTime.AFTER_LAST_ATTEMPT, True, "The correct answers are shown once you have used all your attempts."),
    (ReviewTime.AFTER_LAST_ATTEMPT, False, "This quiz does not show its correct answers."),
    (ReviewTime.NEVER, True, "This quiz does not show its correct answers."),
])
def test_the_learner_is_told_when_the_correct_answers_will_appear(when, limited, notice):
    options = ReviewOptions(correct_answers=when)
    shown = grading.review_shown(options, quiz_passed=False, attempts_remaining=1 if limited else None)
    assert grading.correct_answers_notice(options, shown, attempts_limited=limited) == notice


def test_no_notice_once_the_answers_are_shown():
    options = ReviewOptions()
    shown = grading.review_shown(options, quiz_passed=True, attempts_remaining=1)
    assert grading.correct_answers_notice(options, shown, attempts_limited=True) == ""


def test_review_options_do_not_change_the_quiz_hash_but_show_in_the_diff():
    from dataclasses import replace

    from lms.core.packages.diff import _quiz_change

    quiz = question_quiz()
    stricter = replace(quiz, review=ReviewOptions(correct_answers=ReviewTime.NEVER))
    change = _quiz_change(quiz, stricter)
    assert change is not None and not change.grading_changed



def test_the_json_schema_documents_the_review_options():
    from jsonschema import Draft202012Validator

    from lms.core.packages import json_schemas

    schema = json_schemas()["quiz.schema.json"]
    review = schema["$defs"]["review"]
    assert set(review["properties"]) == {"score", "correctness", "feedback", "correct_answers", "explanations"}
    assert review["properties"]["correct_answers"]["default"] == "after_passing_or_last_attempt"
    quiz = {"id": "q", "title": "Q", "questions": [{"id": "a", "type": "true_false", "prompt": "P", "answer": True}]}
    validator = Draft202012Validator(schema)
    assert validator.is_valid({**quiz, "review": {"correct_answers": "never"}})
    assert not validator.is_valid({**quiz, "review": {"correct_answers": "sometimes"}})


def test_the_committed_json_schemas_are_the_generated_ones():
    """docs/schemas/ is what editors point at: regenerate it with `flask lms schema` when the format changes."""
    import json
    from pathlib import Path

    from lms.core.packages import json_schemas

    folder = Path(__file__).resolve().parents[2] / "docs" / "schemas"
    for name, schema in json_schemas().items():
        assert json.loads((folder / name).read_text(encoding="utf-8")) == schema, f"run: flask lms schema ({name})"
