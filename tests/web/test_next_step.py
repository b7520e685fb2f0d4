"""The learner always knows the next step (lms.core.progress.learner_next_step), on every page: the lesson player,
"My learning", the course page, "My sessions" and the quiz pages; leaving and rejoining a cohort; and the way back
to the application form after creating an account."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from sqlalchemy import func, select

from lms.core.packages import load_package
from lms.models import Application, Enrolment, LiveSession, QuizAttempt
from lms.models.user import Role
from lms.services import application_review, attendance, catalog, enrolments, quizzes
from tests.cohort_factories import CARING_CITIES, apply, make_cohort, publish_caring_cities, session_rows
from tests.factories import make_user
from tests.web.test_auth import registration

SLUG = "caring-cities"
PACKAGE = load_package(CARING_CITIES).package
ORIENTATION, MODULE_1 = PACKAGE.modules[0], PACKAGE.modules[1]


def right_answers(quiz) -> dict[str, list[str]]:
    answers = {}
    for question in quiz.questions:
        if question.choices:
            answers[question.id] = [choice.id for choice in question.choices if choice.correct]
        elif question.type == "true_false":
            answers[question.id] = [str(question.correct_bool).lower()]
        elif question.type == "numeric":
            answers[question.id] = [f"{question.numeric_answer:g}"]
        else:
            answers[question.id] = [question.accepted_answers[0]]
    return answers


def wrong_answers(quiz) -> dict[str, list[str]]:
    answers = {}
    for question in quiz.questions:
        if question.choices:
            answers[question.id] = [next(c.id for c in question.choices if not c.correct)]
        elif question.type == "true_false":
            answers[question.id] = [str(not question.correct_bool).lower()]
        elif question.type == "numeric":
            answers[question.id] = [f"{question.numeric_answer + 1000:g}"]
        else:
            answers[question.id] = ["I do not know"]
    return answers


@pytest.fixture
def cohort(db):
    publish_caring_cities()
    return make_cohort(name="Caring Cities test run")


@pytest.fixture
def member(db, cohort, login_as):
    """An accepted applicant of the cohort, logged in."""
    learner = make_user(display_name="Lucía Fernández", timezone="America/Bogota")
    application = apply(learner, cohort)
    application_review.decide(None, application.id, "accepted")
    login_as(learner)
    return learner


def study_module(client, module) -> None:
    for lesson in module.lessons:
        client.post(f"/courses/{SLUG}/lessons/{lesson.id}/complete")


def pass_quiz(learner, quiz) -> QuizAttempt:
    attempt = quizzes.quiz_page(learner, SLUG, quiz.id).attempt or quizzes.start_attempt(learner, SLUG, quiz.id)
    return quizzes.submit_attempt(learner, SLUG, quiz.id, attempt.id, right_answers(quiz))


# The lesson player.


def test_the_last_lesson_of_a_module_leads_to_its_quiz_with_one_button(client, member):
    last = ORIENTATION.lessons[-1]
    html = client.get(f"/courses/{SLUG}/lessons/{last.id}").get_data(as_text=True)
    assert html.count("Mark as complete") == 1
    assert f"Next: the quiz “{ORIENTATION.quiz.title}”" in html
    response = client.post(f"/courses/{SLUG}/lessons/{last.id}/complete", data={"next_quiz": ORIENTATION.quiz.id})
    assert response.headers["Location"].endswith(f"/courses/{SLUG}/quizzes/{ORIENTATION.quiz.id}")


def test_a_lesson_in_the_middle_offers_one_button_and_continues_to_the_next_lesson(client, member):
    first, second = ORIENTATION.lessons[:2]
    html = client.get(f"/courses/{SLUG}/lessons/{first.id}").get_data(as_text=True)
    assert html.count("Mark as complete") == 1 and "Mark as complete and continue" in html
    response = client.post(f"/courses/{SLUG}/lessons/{first.id}/complete", data={"next": second.id})
    assert response.headers["Location"].endswith(f"/lessons/{second.id}")
    done = client.get(f"/courses/{SLUG}/lessons/{first.id}").get_data(as_text=True)
    assert "Mark as complete" not in done and f"Next lesson: {second.title}" in done


def test_the_courses_last_lesson_says_the_live_sessions_are_missing(client, member, cohort):
    *before, last_module = PACKAGE.modules
    for module in [*before, last_module]:
        study_module(client, module)
    for module in before:
        pass_quiz(member, module.quiz)
    last = last_module.lessons[-1]
    html = client.get(f"/courses/{SLUG}/lessons/{last.id}").get_data(as_text=True)
    assert f"Next: the quiz “{last_module.quiz.title}”" in html  # the last quiz still missing: the player leads there
    pass_quiz(member, last_module.quiz)
    first_session = session_rows(cohort)[0]
    local = first_session.starts_at.astimezone(ZoneInfo("America/Bogota"))
    day, time = format_date(local, "medium", locale="en"), format_time(local, "short", locale="en")
    lesson_page = client.get(f"/courses/{SLUG}/lessons/{last.id}").get_data(as_text=True)
    quiz_page = client.get(f"/courses/{SLUG}/quizzes/{last_module.quiz.id}").get_data(as_text=True)
    for html in (lesson_page, quiz_page):
        assert "attend 2 more live sessions — next:" in html
        assert f"{day}, {time}" in html, "the date in the learner's own time zone"
    assert "Next: the quiz" not in lesson_page  # not back to a quiz already passed


def test_the_courses_last_lesson_links_to_the_certificate_once_it_is_issued(client, member, cohort):
    for module in PACKAGE.modules:
        study_module(client, module)
        pass_quiz(member, module.quiz)
    admin = make_user(Role.ADMIN)
    for row in session_rows(cohort):
        attendance.mark_attendance(admin, row.id, {member.id})
    html = client.get(f"/courses/{SLUG}/lessons/{PACKAGE.modules[-1].lessons[-1].id}").get_data(as_text=True)
    assert "Next: the quiz" not in html and "more live session" not in html
    end = html.split('id="lesson-end"')[1].split("</div>")[0]
    assert '<a class="button" href="/certificates">Get your certificate</a>' in end


# "My learning" and the course page.


def test_my_learning_and_the_course_page_name_the_quiz_once_the_lessons_are_done(client, member):
    study_module(client, ORIENTATION)
    for page in (client.get("/learning"), client.get(f"/courses/{SLUG}/")):
        html = page.get_data(as_text=True)
        assert f"Next: take the quiz “{ORIENTATION.quiz.title}”" in html
        assert f"{ORIENTATION.lessons[-1].title}</a>" not in html.split("Outline")[0], "never a lesson already done"


def test_my_learning_names_the_missing_sessions_then_the_certificate(client, member, cohort):
    for module in PACKAGE.modules:
        study_module(client, module)
        pass_quiz(member, module.quiz)
    html = client.get("/learning").get_data(as_text=True)
    assert "attend 2 more live sessions" in html and "Certificate earned" not in html
    admin = make_user(Role.ADMIN)
    for row in session_rows(cohort):
        attendance.mark_attendance(admin, row.id, {member.id})
    html = client.get("/learning").get_data(as_text=True)
    assert "Certificate earned" in html and "more live session" not in html


def test_my_sessions_says_which_sessions_were_attended(client, member, cohort):
    rows = session_rows(cohort)
    attendance.mark_attendance(make_user(Role.ADMIN), rows[0].id, {member.id})
    html = client.get("/programmes/sessions").get_data(as_text=True)
    assert html.count("Attended") == 1 and "You were marked present." in html


def test_my_sessions_says_which_past_sessions_were_not_attended(client, db, member, cohort):
    first, second = session_rows(cohort)[:2]
    now = datetime.now(UTC)
    for row, days_ago in ((first, 8), (second, 1)):  # both over: one attended, one missed
        db.session.execute(db.update(LiveSession).where(LiveSession.id == row.id).values(
            starts_at=now - timedelta(days=days_ago, hours=2), ends_at=now - timedelta(days=days_ago)))
    db.session.commit()
    attendance.mark_attendance(make_user(Role.ADMIN), first.id, {member.id})
    html = client.get("/programmes/sessions").get_data(as_text=True)
    assert html.count("You were marked present.") == 1
    assert html.count("Not attended") == 1 and "You were not marked present." in html


def test_my_sessions_and_the_cohort_page_never_skip_a_heading_level(client, member, cohort):
    """Each session's card title is one level below the heading above it (axe: heading-order): h2 under the page's
    h1 on "My sessions", h3 under "Live sessions" on the cohort page."""
    for url in ("/programmes/sessions", f"/programmes/cohorts/{cohort.id}"):
        html = client.get(url).get_data(as_text=True)
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", html.split("<main", 1)[1])]
        assert levels and levels[0] == 1, url
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (url, levels)
        assert html.count(f">{session_rows(cohort)[0].title}</h") == 1, url


def test_a_pending_application_shows_on_the_course_page_and_on_my_learning(client, db, cohort, login_as):
    applicant = make_user()
    apply(applicant, cohort)
    login_as(applicant)
    for url in (f"/courses/{SLUG}/", "/learning"):
        html = client.get(url).get_data(as_text=True)
        assert "submitted, waiting for a decision" in html, url


# Quizzes: results offer the next step; attempts start only when the learner asks.


def test_a_failed_attempt_offers_to_try_again_with_the_attempts_left(client, member):
    quiz = ORIENTATION.quiz
    attempt = quizzes.quiz_page(member, SLUG, quiz.id).attempt
    quizzes.submit_attempt(member, SLUG, quiz.id, attempt.id, wrong_answers(quiz))
    html = client.get(f"/courses/{SLUG}/attempts/{attempt.id}").get_data(as_text=True)
    assert "Try again — 2 attempts left" in html


def test_a_passed_quiz_continues_to_the_next_module(client, member):
    attempt = pass_quiz(member, ORIENTATION.quiz)
    html = client.get(f"/courses/{SLUG}/attempts/{attempt.id}").get_data(as_text=True)
    assert f"Continue to <bdi>{MODULE_1.title}</bdi>" in html and f"/lessons/{MODULE_1.lessons[0].id}" in html


def test_opening_a_passed_quiz_shows_its_result_and_starts_no_attempt(client, db, member):
    pass_quiz(member, ORIENTATION.quiz)
    html = client.get(f"/courses/{SLUG}/quizzes/{ORIENTATION.quiz.id}").get_data(as_text=True)
    assert 'name="attempt"' not in html and "Try again to improve — 2 attempts left" in html
    assert "Your last attempt (attempt 1)" in html
    assert db.session.execute(select(func.count()).select_from(QuizAttempt)).scalar_one() == 1
    client.post(f"/courses/{SLUG}/quizzes/{ORIENTATION.quiz.id}/start")
    html = client.get(f"/courses/{SLUG}/quizzes/{ORIENTATION.quiz.id}").get_data(as_text=True)
    assert 'name="attempt"' in html


def test_back_then_submit_shows_the_result_and_burns_no_attempt(client, db, member):
    quiz = ORIENTATION.quiz
    page = client.get(f"/courses/{SLUG}/quizzes/{quiz.id}")
    assert page.headers["Cache-Control"] == "no-store"
    attempt_id = re.search(r'name="attempt" value="(\d+)"', page.get_data(as_text=True)).group(1)
    data = {"attempt": attempt_id, **right_answers(quiz)}
    client.post(f"/courses/{SLUG}/quizzes/{quiz.id}", data=data)
    client.get(f"/courses/{SLUG}/quizzes/{quiz.id}")  # Back: the page is asked for again (no-store)
    again = client.post(f"/courses/{SLUG}/quizzes/{quiz.id}", data=data, follow_redirects=True)
    assert again.request.path == f"/courses/{SLUG}/attempts/{attempt_id}"
    assert "these answers were not counted" in again.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(QuizAttempt)).scalar_one() == 1


# Leaving and rejoining an application cohort.


def test_leaving_asks_first_and_says_the_place_is_kept(client, db, member, cohort):
    page = client.get(f"/courses/{SLUG}/leave").get_data(as_text=True)
    assert f"Your place in <bdi>{cohort.name}</bdi> stays yours" in page and "rejoin" in page
    assert enrolments.active_enrolment(member, catalog.get_course(SLUG).id) is not None  # nothing happened yet
    course_page = client.get(f"/courses/{SLUG}/").get_data(as_text=True)
    assert f'href="/courses/{SLUG}/leave"' in course_page  # a link to the question, not a button that leaves


def test_an_accepted_member_who_left_can_rejoin_with_everything_kept(client, db, member, cohort):
    first = ORIENTATION.lessons[0]
    client.post(f"/courses/{SLUG}/lessons/{first.id}/complete")
    left = client.post(f"/courses/{SLUG}/leave", follow_redirects=True).get_data(as_text=True)
    assert f"Rejoin <bdi>{cohort.name}</bdi>" in left and "Your place in it is still yours" in left
    assert client.get(f"/courses/{SLUG}/lessons/{first.id}").status_code == 403
    rejoined = client.post(f"/courses/{SLUG}/rejoin", follow_redirects=True).get_data(as_text=True)
    assert "You have rejoined the course" in rejoined
    assert client.get(f"/courses/{SLUG}/lessons/{first.id}").status_code == 200
    enrolment = db.session.execute(select(Enrolment).where(Enrolment.user_id == member.id)).scalar_one()
    assert enrolment.status == "active" and enrolment.cohort_id == cohort.id
    assert 'aria-label="completed"' in client.get(f"/courses/{SLUG}/lessons/{first.id}").get_data(as_text=True)


def test_nobody_else_can_rejoin(client, db, cohort, login_as):
    login_as(make_user())
    response = client.post(f"/courses/{SLUG}/rejoin", follow_redirects=True).get_data(as_text=True)
    assert "There is no cohort of this course that you can rejoin." in response
    assert db.session.execute(select(func.count()).select_from(Enrolment)).scalar_one() == 0


def test_withdrawing_an_application_asks_first(client, db, cohort, login_as):
    applicant = make_user()
    application = apply(applicant, cohort)
    login_as(applicant)
    mine = client.get("/programmes/applications").get_data(as_text=True)
    assert f'href="/programmes/applications/{application.id}/withdraw"' in mine
    question = client.get(f"/programmes/applications/{application.id}/withdraw").get_data(as_text=True)
    assert f"Withdraw your application to {cohort.name}?" in question
    assert db.session.get(Application, application.id).status == "submitted"
    client.post(f"/programmes/applications/{application.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "withdrawn"


# The way back to the application form.


def _confirmation_path(outbox) -> str:
    return re.search(r"http://lms\.test(/verify-email/\S+)", outbox.last_body()).group(1)


def test_create_an_account_to_apply_comes_back_to_the_form(client, db, cohort, outbox):
    apply_path = f"/programmes/cohorts/{cohort.id}/apply"
    page = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert f"/register?next={apply_path}" in page.replace("%2F", "/"), page[page.find("to apply") - 400:]
    response = client.post(f"/register?next={apply_path}", data=registration(email="new.official@city.gov"))
    assert response.status_code == 200  # "check your e-mail": the mailed link finishes the account
    response = client.get(_confirmation_path(outbox))
    assert response.status_code == 302 and response.headers["Location"] == apply_path


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_registering_never_goes_to_another_site(client, db, outbox, target):
    client.post("/register", query_string={"next": target}, data=registration(email="new.official@city.gov"))
    response = client.get(_confirmation_path(outbox))
    assert response.status_code == 302 and response.headers["Location"] == "/learning"
