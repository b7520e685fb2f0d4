"""A quiz taken with the keyboard alone: Tab and Shift+Tab to move, arrow keys within a group of radio buttons,
Space to tick, typing into text fields, Enter to send. No mouse click anywhere. Every stop shows a visible focus
indicator and every answer control has a label."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from lms.core.packages import Question, QuestionType
from tests import factories
from tests.e2e.steps import COURSE, caring_cities, correct_text, enrolled_learner

MAX_TABS = 60  # from the top of a page to any control of the quiz

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || "").trim().slice(0, 40),
          indicator: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                     || style.boxShadow !== "none",
          visible: el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0};
}"""


def _focus(page: Page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    assert state["tag"] != "body", "the focus was lost"
    assert state["indicator"] and state["visible"], f"no visible focus indicator on {state}"
    return state


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with this id has the focus, checking that every stop on the way shows it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focus(page)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def _answer_with_the_keyboard(page: Page, question: Question) -> None:
    qid = question.id
    controls = page.locator(f'[name="{qid}"]').evaluate_all("nodes => nodes.map(n => n.id)")
    if question.type in (QuestionType.NUMERIC, QuestionType.SHORT_ANSWER):
        _tab_to(page, controls[0])
        page.keyboard.type(correct_text(question))
        expect(page.locator(f'[id="{controls[0]}"]')).to_have_value(correct_text(question))
        return
    if question.type == QuestionType.TRUE_FALSE:
        right = {f"{qid}-{str(question.correct_bool).lower()}"}
    else:
        right = {f"{qid}-{choice.id}" for choice in question.choices if choice.correct}
    if question.type == QuestionType.MULTIPLE_CHOICE:
        for control in controls:  # each box is a Tab stop; Space ticks the right ones
            _tab_to(page, control)
            if control in right:
                page.keyboard.press("Space")
    else:  # a group of radio buttons is one Tab stop; the arrow keys move the choice within it
        (target,) = right
        _tab_to(page, controls[0])
        page.keyboard.press("Space")
        for _ in range(controls.index(target)):
            page.keyboard.press("ArrowDown")
        assert _focus(page)["id"] == target
    for control in controls:
        expect(page.locator(f'[id="{control}"]')).to_be_checked(checked=control in right)


def test_a_quiz_can_be_taken_with_the_keyboard_alone(live_server, new_page, check_accessibility):
    quiz = caring_cities().modules[0].quiz
    email = enrolled_learner(live_server, "Keyboard User")
    page = new_page()

    # Log in without the mouse; the first Tab stop is the skip link, shown on screen while focused.
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = _focus(page)
    assert skip["text"] == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the skip link appears on screen when focused"
    _tab_to(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"/courses/{COURSE}/quizzes/{quiz.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    unlabelled = page.locator("form.quiz-form").evaluate(
        """form => [...form.querySelectorAll("input:not([type=hidden]), select, textarea")]
                   .filter(el => !el.labels.length || !el.labels[0].textContent.trim()).map(el => el.id)""")
    assert unlabelled == [], "every answer control has a label"
    check_accessibility(page, "quiz, before answering with the keyboard")

    by_id = {question.id: question for question in quiz.questions}
    shown = page.locator("fieldset.question").evaluate_all("nodes => nodes.map(n => n.id.slice(2))")
    for qid in shown:
        _answer_with_the_keyboard(page, by_id[qid])

    # To the button, back once to check the last answer is still there, forward again, and send.
    submit = page.get_by_role("button", name="Submit answers")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        _focus(page)
        if submit.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the submit button is not reachable with Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.closest('fieldset').id") == f"q-{shown[-1]}"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    result = page.get_by_role("status").filter(has_text="Your score")
    expect(result).to_contain_text("Your score: 100.0%")
    expect(result).to_contain_text("Passed")
    check_accessibility(page, "quiz result after the keyboard run")
