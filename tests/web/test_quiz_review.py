"""Reviewing a submitted attempt shows what the quiz's review options allow: never the answer key while the learner
can still try again (by default), the correct answers once they passed or have no attempt left."""

import re

import pytest

from lms.services import publishing
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import EXAMPLE_WRONG_ANSWERS as WRONG
from tests.factories import completable_online, copy_package, edit_file

# example-all-features' quiz: two attempts, pass mark 60 %.
EXPLANATION = "Images may only come from the package"
PICKED_FEEDBACK = "No. External images are not allowed, only links."


def publish(tmp_path, review: str = ""):
    package = copy_package(tmp_path)
    completable_online(package)
    if review:
        edit_file(package / "basics" / "quiz.yaml", "score_policy: last\n", f"score_policy: last\n{review}")
    return publishing.import_package(None, package, publish=True).version


def submit(client, answers):
    page = client.get(f"/courses/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    if 'name="attempt"' not in page:  # after the first attempt, another one starts with "Try again"
        client.post(f"/courses/{SLUG}/quizzes/basics-quiz/start")
        page = client.get(f"/courses/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', page)
    assert attempt, page[-2000:]
    response = client.post(f"/courses/{SLUG}/quizzes/basics-quiz", data={"attempt": attempt.group(1), **answers})
    assert response.status_code == 302
    return response.headers["Location"]


def reveals_answers(html: str) -> bool:
    return "correct answer</span>" in html or "Expected:" in html or EXPLANATION in html


@pytest.fixture
def learner(client, login_as):
    login_as("learner")
    return client


def test_a_failed_attempt_with_attempts_left_shows_correctness_and_feedback_but_no_answers(learner, db, tmp_path):
    publish(tmp_path)
    learner.post(f"/courses/{SLUG}/enrol")
    html = learner.get(submit(learner, WRONG)).get_data(as_text=True)
    assert "Not passed" in html and "incorrect</span>" in html and "wrong</span>" in html
    assert PICKED_FEEDBACK in html, "feedback on the answer given is shown"
    assert not reveals_answers(html)
    assert "The correct answers are shown once you pass this quiz or have used all your attempts." in html


def test_the_correct_answers_appear_once_the_learner_passed(learner, db, tmp_path):
    publish(tmp_path)
    learner.post(f"/courses/{SLUG}/enrol")
    failed = submit(learner, WRONG)
    passed = learner.get(submit(learner, RIGHT)).get_data(as_text=True)
    assert "Passed" in passed and EXPLANATION in passed
    again = learner.get(failed).get_data(as_text=True)
    assert reveals_answers(again) and "Expected:" in again, "the failed attempt now shows the answers too"


def test_the_correct_answers_appear_when_no_attempt_remains(learner, db, tmp_path):
    publish(tmp_path)
    learner.post(f"/courses/{SLUG}/enrol")
    first = submit(learner, WRONG)
    last = learner.get(submit(learner, WRONG)).get_data(as_text=True)
    assert "Not passed" in last and reveals_answers(last)
    assert reveals_answers(learner.get(first).get_data(as_text=True))


def test_review_options_of_the_package_are_followed(learner, db, tmp_path):
    publish(tmp_path, "review:\n  score: never\n  feedback: after_passing\n  correct_answers: never\n"
                      "  explanations: always\n")
    learner.post(f"/courses/{SLUG}/enrol")
    first = learner.get(submit(learner, WRONG)).get_data(as_text=True)
    assert EXPLANATION in first and PICKED_FEEDBACK not in first
    assert "Your score" not in first and "Not passed" in first
    last = learner.get(submit(learner, WRONG)).get_data(as_text=True)
    assert "correct answer</span>" not in last and "Expected:" not in last
    assert "This quiz does not show its correct answers." in last
    quiz_page = learner.get(f"/courses/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    assert "% —" not in quiz_page and "not passed" in quiz_page, "no score in the list of attempts either"


def test_the_review_page_queries_do_not_grow_with_the_attempts(learner, db, tmp_path, count_queries):
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "quiz.yaml", "max_attempts: 2\n", "")
    publishing.import_package(None, package, publish=True)
    learner.post(f"/courses/{SLUG}/enrol")
    counts = []
    submitted = 0
    for attempts in (1, 5):
        while submitted < attempts:
            review = submit(learner, WRONG)
            submitted += 1
        learner.get(review)  # warm caches that are per process, not per request
        with count_queries() as queries:
            assert learner.get(review).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
