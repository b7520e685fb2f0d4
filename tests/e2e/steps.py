"""What a person does in the browser, one step per function, shared by the end-to-end tests.

Answers to quizzes come from the course package itself (courses/caring-cities), never from the test: when an author
changes a question, the tests follow.
"""

from __future__ import annotations

import re
from functools import cache

from playwright.sync_api import Page, expect

from lms.core import clock
from lms.core.packages import Package, Question, QuestionType, Quiz, load_package
from lms.demo import cohort as demo_cohort
from lms.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.extensions import db
from lms.models import OutboxMessage, Role
from lms.services import application_review
from tests import factories
from tests.cohort_factories import CARING_CITIES, apply

COURSE = "caring-cities"
# Staff log in with the accounts `flask lms demo` made.
ADMIN, INSTRUCTOR = (next(email for email, _, role, *_ in DEMO_ACCOUNTS if role == wanted)
                     for wanted in (Role.ADMIN, Role.INSTRUCTOR))
STAFF_PASSWORD = DEMO_PASSWORD


@cache
def caring_cities() -> Package:
    result = load_package(CARING_CITIES)
    assert result.package is not None, result.problems
    return result.package


def log_in(page: Page, email: str, password: str = factories.DEFAULT_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    # The log-out button, found by its form rather than its words: after logging in, the page speaks the person's
    # profile language, which need not be English.
    expect(page.locator("header form[action='/logout'] button")).to_be_visible()


def open_confirmation_link(page: Page, live_server, address: str) -> None:
    """Registration mails a link that finishes the account; open it as the person would from their inbox."""
    expect(page.get_by_text("Check your e-mail")).to_be_visible()
    with live_server.app.app_context():
        body = db.session.execute(db.select(OutboxMessage.text_body).where(OutboxMessage.recipient == address)
                                  .order_by(OutboxMessage.id.desc())).scalars().first()
    page.goto(re.search(r"https?://\S+(/verify-email/\S+)", body).group(1))


def enrolled_learner(live_server, name: str) -> str:
    """A learner accepted into the demo cohort of Caring Cities, set up through the services (the journey that goes
    through the application form is test_learner_journey); returns the e-mail address to log in with."""
    with live_server.app.app_context():
        learner = factories.make_user(display_name=name, city="Quezon City", country="PH")
        cohort = demo_cohort.ensure_demo_cohort(COURSE, clock.now().date())
        application = apply(learner, cohort)
        application_review.decide(None, application.id, "accepted")
        return learner.email


def open_course(page: Page) -> None:
    page.goto(f"/courses/{COURSE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(caring_cities().title)


def complete_lesson(page: Page, title: str) -> None:
    """From the course page: open the lesson by its title and read it to the end, which records it (lesson.js does
    what the "Mark as complete" button does without JavaScript); see it recorded."""
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(page).to_have_title(re.compile(re.escape(title)))
    page.locator("#lesson-end").scroll_into_view_if_needed()
    expect(page.get_by_text(re.compile("it is marked as complete|You have completed this lesson"))).to_be_visible()
    expect(page.locator("#lesson-end").get_by_role("button", name=re.compile("^Mark as complete"))).to_have_count(0)


def read_and_go_on(page: Page) -> None:
    """On a lesson: read to its end and take the one way forward the player offers (the next lesson, or the module's
    quiz after its last lesson). With or without the automatic completion, exactly one control goes forward."""
    end = page.locator("#lesson-end")
    forward = end.get_by_role("button", name="Mark as complete and continue").or_(
        end.get_by_role("link", name=re.compile("^Next")))
    title = page.title()
    forward.click()
    expect(page).not_to_have_title(title)


def _wrong_choice_ids(question: Question) -> list[str]:
    return [choice.id for choice in question.choices if not choice.correct][:1]


def answer(page: Page, question: Question, *, correctly: bool) -> None:
    """Fill in one question of the open attempt, right or wrong, with the mouse and keyboard as anyone would."""
    qid = question.id
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        picked = ([choice.id for choice in question.choices if choice.correct] if correctly
                  else _wrong_choice_ids(question))
        for choice_id in picked:
            page.locator(f'[id="{qid}-{choice_id}"]').check()
    elif question.type == QuestionType.TRUE_FALSE:
        value = question.correct_bool if correctly else not question.correct_bool
        page.locator(f'[id="{qid}-{str(value).lower()}"]').check()
    elif question.type == QuestionType.NUMERIC:
        number = question.numeric_answer if correctly else question.numeric_answer + 1000
        page.locator(f'[id="{qid}-answer"]').fill(f"{number:g}")
    else:
        page.locator(f'[id="{qid}-answer"]').fill(question.accepted_answers[0] if correctly else "I do not know")


def correct_text(question: Question) -> str:
    """What to type for a text question to get it right."""
    if question.type == QuestionType.NUMERIC:
        return f"{question.numeric_answer:g}"
    return question.accepted_answers[0]


def take_quiz(page: Page, quiz: Quiz, *, correctly: bool) -> None:
    """On the quiz page: answer every question shown and submit; lands on the attempt's result."""
    shown = page.locator("fieldset.question").evaluate_all("nodes => nodes.map(n => n.id.slice(2))")
    by_id = {question.id: question for question in quiz.questions}
    assert sorted(shown) == sorted(by_id), "the page shows the package's questions"
    for qid in shown:
        answer(page, by_id[qid], correctly=correctly)
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_role("status").filter(has_text="Your score")).to_contain_text(
        "Passed" if correctly else "Not passed")
