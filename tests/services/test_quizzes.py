"""lms.services.quizzes: starting, submitting and loading attempts, each only by its learner."""

from __future__ import annotations

import pytest

from lms.services import enrolments, publishing, quizzes
from lms.services.errors import Conflict, NotFound
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT

QUIZ = "basics-quiz"


@pytest.fixture
def course(db, tmp_path):
    return publishing.import_package(None, copy_package(tmp_path, EXAMPLE), publish=True).version


def test_the_right_answers_pass_and_the_attempt_is_closed(db, make_user, course):
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    attempt = quizzes.quiz_page(learner, EXAMPLE_SLUG, QUIZ).attempt
    submitted = quizzes.submit_attempt(learner, EXAMPLE_SLUG, QUIZ, attempt.id, RIGHT)
    assert submitted.passed and submitted.percent == 100
    with pytest.raises(Conflict):
        quizzes.submit_attempt(learner, EXAMPLE_SLUG, QUIZ, attempt.id, RIGHT)


def test_an_attempt_is_loaded_only_by_its_learner(db, make_user, course):
    learner, other = make_user(), make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    attempt = quizzes.quiz_page(learner, EXAMPLE_SLUG, QUIZ).attempt
    assert quizzes.get_attempt(learner, EXAMPLE_SLUG, attempt.id)[1].id == attempt.id
    with pytest.raises(NotFound):
        quizzes.get_attempt(other, EXAMPLE_SLUG, attempt.id)
    with pytest.raises(NotFound):
        quizzes.get_attempt(learner, "no-such-course", attempt.id)
