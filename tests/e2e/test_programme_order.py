"""The Caring Cities programme in its normal order, in a real browser: a learner follows the next-step prompts through
the lessons and quizzes, is told which live sessions are still missing, and gets the certificate (and its e-mail)
the moment the staff mark the attendance afterwards. Also: leaving and rejoining a cohort, withdrawing an
application, and "create an account to apply" bringing a new official back to the application form. axe-core checks
each new page; the main ones are photographed at 1280 and 390 px for docs/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lms.core import clock
from lms.demo import cohort as demo_cohort
from lms.extensions import db
from lms.models import OutboxMessage, Role, User
from lms.services import learning, quizzes
from tests import factories
from tests.cohort_factories import PDF
from tests.e2e.steps import (
    COURSE,
    caring_cities,
    enrolled_learner,
    log_in,
    open_confirmation_link,
    open_course,
    read_and_go_on,
    take_quiz,
)
from tests.e2e.test_learner_journey import PASSWORD
from tests.web.test_next_step import right_answers


def _certificate_mail(live_server, address: str) -> list[OutboxMessage]:
    """The certificate e-mails queued for the learner (the outbox, which the worker delivers)."""
    with live_server.app.app_context():
        return list(db.session.execute(db.select(OutboxMessage).where(
            OutboxMessage.recipient == address, OutboxMessage.subject.startswith("Your certificate"))).scalars())


def _study_the_rest_through_the_services(live_server, address: str) -> None:
    """Every module after the orientation, as the learner would (the browser part is the orientation)."""
    with live_server.app.app_context():
        learner = db.session.execute(db.select(User).where(User.email == address)).scalar_one()
        for module in caring_cities().modules[1:]:
            for lesson in module.lessons:
                learning.complete_lesson(learner, COURSE, lesson.id)
            attempt = quizzes.quiz_page(learner, COURSE, module.quiz.id).attempt
            quizzes.submit_attempt(learner, COURSE, module.quiz.id, attempt.id, right_answers(module.quiz))


def test_lessons_and_quizzes_first_then_attendance_gives_the_certificate_and_its_mail(
        live_server, new_page, check_accessibility, screenshot):
    package = caring_cities()
    orientation, module_1 = package.modules[0], package.modules[1]
    address = enrolled_learner(live_server, "Amina Diallo")
    learner = new_page()
    log_in(learner, address)

    # "My learning" names the first lesson; the player leads lesson by lesson, then to the module's quiz.
    learner.goto("/learning")
    learner.get_by_role("link", name=f"Continue: {orientation.title}, {orientation.lessons[0].title}").click()
    for _ in orientation.lessons:
        read_and_go_on(learner)
    expect(learner.get_by_role("heading", level=1)).to_have_text(orientation.quiz.title)

    # A failed attempt offers another one; Back then submit does not spend it.
    check_accessibility(learner, "quiz, first attempt")
    take_quiz(learner, orientation.quiz, correctly=False)
    expect(learner.get_by_role("button", name="Try again — 2 attempts left")).to_be_visible()
    check_accessibility(learner, "quiz result with the next step")
    screenshot(learner, "quiz-try-again")
    learner.go_back()
    expect(learner.get_by_text("Your last attempt (attempt 1)")).to_be_visible()
    expect(learner.locator('input[name="attempt"]')).to_have_count(0)  # no attempt was started by going back
    learner.get_by_role("button", name="Try again — 2 attempts left").click()
    take_quiz(learner, orientation.quiz, correctly=True)
    learner.get_by_role("link", name=f"Continue to {module_1.title}").click()
    expect(learner).to_have_title(re.compile(re.escape(module_1.lessons[0].title)))

    # Opening a passed quiz shows its result and an explicit button, not a new attempt.
    learner.goto(f"/courses/{COURSE}/quizzes/{orientation.quiz.id}")
    expect(learner.get_by_role("button", name="Try again to improve — 1 attempt left")).to_be_visible()
    expect(learner.locator('input[name="attempt"]')).to_have_count(0)

    # Every lesson and quiz done: the live sessions are what is missing, with the next date in the learner's zone.
    _study_the_rest_through_the_services(live_server, address)
    learner.goto("/learning")
    missing = learner.get_by_text(re.compile(r"attend 2 more live sessions — next: "))
    expect(missing).to_be_visible()
    expect(learner.get_by_text("Certificate earned")).to_have_count(0)
    check_accessibility(learner, "my learning, sessions missing")
    screenshot(learner, "dashboard-sessions-missing")
    last = package.modules[-1].lessons[-1]
    open_course(learner)
    expect(learner.get_by_text(re.compile(r"attend 2 more live sessions"))).to_be_visible()
    learner.goto(f"/courses/{COURSE}/quizzes/{package.modules[-1].quiz.id}")
    expect(learner.get_by_text(re.compile(r"attend 2 more live sessions"))).to_be_visible()
    # The course's last lesson, its quiz passed, says what is missing instead of leading back to the quiz.
    learner.goto(f"/courses/{COURSE}/lessons/{last.id}")
    expect(learner.get_by_text(re.compile(r"attend 2 more live sessions"))).to_be_visible()
    expect(learner.get_by_role("link", name=re.compile("^Next: the quiz"))).to_have_count(0)

    # The staff mark the attendance afterwards, as after each live session.
    assert _certificate_mail(live_server, address) == []
    admin = new_page()
    with live_server.app.app_context():  # an administrator of its own, so other journeys' audit counts stay theirs
        staff_address = factories.make_user(Role.ADMIN, display_name="Attendance Keeper").email
    log_in(admin, staff_address)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    admin.get_by_role("link", name=re.compile("demo run")).first.click()
    for number in range(package.completion.min_sessions_attended):
        admin.get_by_role("link", name=re.compile("^Attendance")).nth(number).click()
        admin.get_by_label("Amina Diallo was present").check()
        admin.get_by_role("button", name="Save attendance").click()
        # The demo cohort's sessions are still to come: the sheet asks before marking anyone present.
        admin.get_by_label(re.compile("Yes, mark the people ticked below present")).check()
        admin.get_by_role("button", name="Save attendance").click()
        expect(admin.get_by_text("Saved the attendance.")).to_be_visible()
        admin.get_by_role("link", name=re.compile("^.*demo run$")).click()

    learner.goto("/learning")
    expect(learner.get_by_text("Certificate earned")).to_be_visible()
    expect(learner.get_by_text(re.compile("more live session"))).to_have_count(0)
    [mail] = _certificate_mail(live_server, address)
    assert package.title in mail.subject
    learner.get_by_role("navigation", name="Main").get_by_role("link", name="My sessions").click()
    expect(learner.get_by_text("You were marked present.")).to_have_count(2)
    check_accessibility(learner, "my sessions, attended")


def test_an_accepted_member_leaves_after_confirming_and_rejoins(live_server, new_page, check_accessibility,
                                                                screenshot):
    address = enrolled_learner(live_server, "Kwame Mensah")
    learner = new_page()
    log_in(learner, address)
    open_course(learner)
    learner.get_by_role("link", name="Leave this course").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(re.compile("^Leave "))
    expect(learner.get_by_text(re.compile("stays yours"))).to_be_visible()
    check_accessibility(learner, "leave the course?")
    screenshot(learner, "leave-course")
    learner.get_by_role("button", name="Leave the course").click()
    rejoin = learner.get_by_role("button", name=re.compile("^Rejoin "))
    expect(rejoin).to_be_visible()
    check_accessibility(learner, "course page, left")
    rejoin.click()
    expect(learner.get_by_text("You have rejoined the course")).to_be_visible()
    expect(learner.get_by_role("link", name=re.compile("^Continue: "))).to_be_visible()


def test_withdrawing_an_application_asks_first(live_server, new_page, check_accessibility, tmp_path):
    learner = new_page()
    learner.goto("/register")
    learner.get_by_label("E-mail address").fill("ines.duarte@lisboa.pt")
    learner.get_by_label("Password", exact=True).fill(PASSWORD)
    learner.get_by_label("Repeat the password").fill(PASSWORD)
    learner.get_by_label("Full name").fill("Inês Duarte")
    learner.get_by_label("Organisation").fill("Câmara Municipal de Lisboa")
    learner.get_by_label("Position").fill("Social services planner")
    learner.get_by_label("City").fill("Lisboa")
    learner.get_by_label("Country").select_option(label="Portugal")
    learner.get_by_role("button", name="Create account").click()
    open_confirmation_link(learner, live_server, learner.evaluate("() => document.querySelector('bdi').textContent"))
    expect(learner.get_by_text("your e-mail address is confirmed")).to_be_visible()
    with live_server.app.app_context():
        cohort_id = demo_cohort.ensure_demo_cohort(COURSE, clock.now().date()).id
    learner.goto(f"/programmes/cohorts/{cohort_id}/apply")
    learner.get_by_label("Motivation").fill("Lisbon is planning care services for every parish.")
    letter = tmp_path / "carta.pdf"
    letter.write_bytes(PDF)
    learner.get_by_label("Letter of support").set_input_files(letter)
    learner.get_by_role("button", name="Send my application").click()
    expect(learner.get_by_text("Your application to")).to_be_visible()
    open_course(learner)
    expect(learner.get_by_text(re.compile("submitted, waiting for a decision"))).to_be_visible()
    learner.goto("/learning")
    expect(learner.get_by_text(re.compile("submitted, waiting for a decision"))).to_be_visible()
    learner.goto("/programmes/applications")
    learner.get_by_role("link", name=re.compile("^Withdraw this application")).click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(re.compile("^Withdraw your application"))
    check_accessibility(learner, "withdraw the application?")
    learner.get_by_role("link", name="Keep my application").click()
    expect(learner.get_by_text("Submitted, waiting for a decision")).to_be_visible()
    learner.get_by_role("link", name=re.compile("^Withdraw this application")).click()
    learner.get_by_role("button", name="Withdraw my application").click()
    expect(learner.get_by_text("Your application was withdrawn.")).to_be_visible()


def test_create_an_account_to_apply_returns_to_the_application_form(live_server, new_page, check_accessibility):
    with live_server.app.app_context():
        cohort = demo_cohort.ensure_demo_cohort(COURSE, clock.now().date())
        cohort_id, cohort_name = cohort.id, cohort.name
    official = new_page()
    official.goto(f"/programmes/cohorts/{cohort_id}")
    official.get_by_role("link", name="create an account").click()
    official.get_by_label("E-mail address").fill("thabo.nkosi@joburg.org.za")
    official.get_by_label("Password", exact=True).fill(PASSWORD)
    official.get_by_label("Repeat the password").fill(PASSWORD)
    official.get_by_label("Full name").fill("Thabo Nkosi")
    official.get_by_label("Country").select_option(label="South Africa")
    official.get_by_role("button", name="Create account").click()
    open_confirmation_link(official, live_server, "thabo.nkosi@joburg.org.za")
    expect(official).to_have_url(f"{live_server.url}/programmes/cohorts/{cohort_id}/apply")
    expect(official.get_by_label("Full name")).to_have_value("Thabo Nkosi")
    expect(official.get_by_text(cohort_name).first).to_be_visible()
    check_accessibility(official, "application form after registering")
