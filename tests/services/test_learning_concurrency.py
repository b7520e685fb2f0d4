"""Double clicks, two tabs and retries at the same moment, each in its own connection and transaction (PostgreSQL)."""

import threading

import pytest

from lms.extensions import db as _db
from lms.models import LessonProgress, ProgressEvent, QuizAttempt, User
from lms.services import enrolments, learning, package_validation, publishing, quizzes
from lms.services.errors import Conflict
from tests.conftest import is_postgres
from tests.factories import EXAMPLE, EXAMPLE_SLUG, make_user
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT

SLUG = EXAMPLE_SLUG

pytestmark = pytest.mark.postgres


@pytest.fixture
def learner(app, db):
    if not is_postgres(app):
        pytest.skip("concurrent transactions are tested on PostgreSQL; set LMS_TEST_DATABASE_URL")
    publishing.import_package(None, EXAMPLE, publish=True)
    user = make_user()
    enrolments.enrol(user, SLUG)
    return user.id


def run_together(app, count: int, user_id: int, action) -> tuple[list, list[BaseException]]:
    """Run ``action(user)`` in ``count`` threads released at the same instant; return results and errors."""
    start = threading.Barrier(count)
    results, errors = [], []

    def worker() -> None:
        try:
            with app.app_context():
                user = _db.session.get(User, user_id)
                start.wait(10)
                results.append(action(user))
                _db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_simultaneous_completions_of_a_lesson_store_one_row_and_one_event(app, db, learner):
    lesson = package_validation.load_valid(EXAMPLE).lessons[0].id
    _, errors = run_together(app, 8, learner, lambda user: learning.complete_lesson(user, SLUG, lesson))
    assert not errors, errors
    rows = db.session.execute(db.select(LessonProgress).filter_by(user_id=learner)).scalars().all()
    assert len(rows) == 1 and rows[0].completed_at is not None
    events = db.session.execute(db.select(ProgressEvent).filter_by(user_id=learner, kind="lesson_completed")).all()
    assert len(events) == 1


def test_simultaneous_starts_open_one_attempt(app, db, learner):
    def start(user):
        return quizzes.quiz_page(user, SLUG, "basics-quiz").attempt.id

    results, errors = run_together(app, 6, learner, start)
    assert not errors, errors
    attempts = db.session.execute(db.select(QuizAttempt)).scalars().all()
    assert len(attempts) == 1
    assert set(results) == {attempts[0].id}


def test_simultaneous_submits_of_the_last_attempt_count_once(app, db, learner):
    user = db.session.get(User, learner)
    first = quizzes.quiz_page(user, SLUG, "basics-quiz").attempt
    quizzes.submit_attempt(user, SLUG, "basics-quiz", first.id, {"q-single": ["web"], "q-multiple": ["essay"],
                                                                   "q-true-false": ["true"], "q-short": ["x"],
                                                                   "q-numeric": ["1"]})
    last = quizzes.start_attempt(user, SLUG, "basics-quiz")  # "Try again": the quiz allows two attempts
    assert last.number == 2

    def submit(user):
        try:
            return quizzes.submit_attempt(user, SLUG, "basics-quiz", last.id, RIGHT).id
        except Conflict:
            return "refused"

    results, errors = run_together(app, 5, learner, submit)
    assert not errors, errors
    assert sorted(results, key=str) == sorted([last.id] + ["refused"] * 4, key=str)
    submitted = db.session.execute(db.select(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None))).scalars()
    assert len(list(submitted)) == 2
    db.session.expire_all()
    page = quizzes.quiz_page(db.session.get(User, learner), SLUG, "basics-quiz")
    assert page.attempts_remaining == 0 and page.attempt is None
