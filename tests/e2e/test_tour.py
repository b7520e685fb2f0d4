"""Every main page, twice over: in Arabic (right to left), where each is checked with axe-core, must fit the screen at
1280 and 390 px and is photographed for docs/screenshots/ (*-ar-desktop.png, *-ar-phone.png); and in English in both
themes, the neutral default and the example partner theme (themes/caring-cities), where axe-core must find nothing
serious on any of them.

This module runs last (the browser tests run in file order, and the certificate ids and quiz layouts are drawn from
seeded generators in that order): what it draws does not move the ids shown in the other screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from lms.extensions import db
from lms.models import Course, CourseVersion, Role
from lms.services import accounts, certificates
from tests import factories
from tests.cohort_factories import apply, make_cohort
from tests.e2e.conftest import DESKTOP, PHONE, ROOT
from tests.e2e.steps import ADMIN, COURSE, STAFF_PASSWORD, answer, caring_cities, enrolled_learner, log_in

PARTNER_THEME = ROOT / "themes" / "caring-cities" / "theme.toml"
# The main pages the other browser tests photograph in English, at a moment of their story (a failed quiz, a finished
# course); the default theme's round here photographs the rest.
PHOTOGRAPHED_IN_ENGLISH_ELSEWHERE = {
    "home", "catalogue", "course", "lesson", "quiz", "quiz-result", "dashboard", "my-certificates", "verify",
    "cohort-list", "application-queue", "application-review", "learner-report", "audit-log", "author-version",
    "styleguide"}

# The elements that stick out of the page, on either side (for the failure message).
OUTSIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => { const box = e.getBoundingClientRect();
                 return (box.left < -1 || box.right > innerWidth + 1)
                   && !e.closest('.table-scroll, details:not([open]), .visually-hidden, .skip-link'); })
  .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} (${e.textContent.trim().slice(0, 40)})`)"""


@dataclass(frozen=True)
class Person:
    email: str
    password: str


@dataclass(frozen=True)
class Tour:
    """The main pages, by the name their screenshots take, for a learner and for staff."""
    learner: Person
    admin: Person
    learner_pages: dict[str, str]
    staff_pages: dict[str, str]


def _quiz_path() -> str:
    quiz = next(module.quiz for module in caring_cities().modules if module.quiz)
    return f"/courses/{COURSE}/quizzes/{quiz.id}"


def _people_and_pages(live_server, name: str, language: str) -> Tour:
    """A learner in the demo cohort holding a certificate, an administrator, and a cohort of their own with an
    application waiting, so that every page has something on it."""
    with live_server.app.app_context():
        learner_email = enrolled_learner(live_server, f"{name} (learner)")
        learner = accounts.find_by_email(learner_email)
        accounts.set_preferred_language(learner, language)
        admin = factories.make_user(Role.ADMIN, display_name=f"{name} (staff)", preferred_language=language)
        issued = certificates.issue_by_admin(accounts.find_by_email(ADMIN), learner.id, COURSE,
                                             "Completed the pilot run on paper.")
        cohort = make_cohort(COURSE, name=f"Tour cohort ({language})")
        application = apply(factories.make_user(display_name=f"{name} (applicant)", city="Amman", country="JO"),
                            cohort)
        version = db.session.execute(db.select(CourseVersion.version).join(Course).where(
            Course.slug == COURSE, CourseVersion.is_current)).scalar_one()
        learner_pages = {
            "home": "/", "catalogue": "/courses/", "course": f"/courses/{COURSE}/",
            "lesson": f"/courses/{COURSE}/lessons/{caring_cities().lessons[0].id}", "quiz": _quiz_path(),
            "dashboard": "/learning", "my-sessions": "/programmes/sessions",
            "my-applications": "/programmes/applications", "my-certificates": "/certificates",
            "account": "/account", "verify": f"/verify/{issued.public_id}"}
        staff_pages = {
            "cohort-list": "/staff/", "application-queue": f"/staff/cohorts/{cohort.id}/applications",
            "application-review": f"/staff/applications/{application.id}", "reports": "/reports/",
            "report-overview": f"/reports/{COURSE}/", "learner-report": f"/reports/{COURSE}/learners",
            "audit-log": "/admin/audit", "author": "/author/", "author-version": f"/author/{COURSE}/{version}/",
            "styleguide": "/staff/styleguide"}
        return Tour(Person(learner_email, factories.DEFAULT_PASSWORD), Person(admin.email, factories.DEFAULT_PASSWORD),
                    learner_pages, staff_pages)


@pytest.fixture(scope="module")
def logged_in(browser, live_server) -> Iterator:
    """logged_in(person): a page of its own, logged in as that person; all closed at the end of the module."""
    contexts = []

    def _open(person: Person) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, person.email, person.password)
        return page

    yield _open
    for context in contexts:
        context.close()


def _visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response.status if response else 'nothing'}"
    expect(page.get_by_role("heading", level=1).first).to_be_visible()


def _take_the_quiz(page: Page) -> None:
    """Answer the first quiz rightly and submit it: the page lands on the attempt's result."""
    quiz = next(module.quiz for module in caring_cities().modules if module.quiz)
    by_id = {question.id: question for question in quiz.questions}
    for qid in page.locator("fieldset.question").evaluate_all("nodes => nodes.map(n => n.id.slice(2))"):
        answer(page, by_id[qid], correctly=True)
    page.locator("form.quiz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))


def _misfits(page: Page, name: str) -> list[str]:
    """What keeps the page from fitting the screen at 390 and 1280 px, or from mirroring (the site's name on the
    right)."""
    problems = []
    for width, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{name} at {width} px is {overflow} px too wide: {page.evaluate(OUTSIDE)}")
    brand, main = page.locator(".brand").bounding_box(), page.locator("main").bounding_box()
    if brand["x"] + brand["width"] < main["x"] + main["width"] - 80:
        problems.append(f"{name}: the site's name is not on the right")
    return problems


def _arabic_page(page: Page, name: str, check_accessibility, screenshot) -> list[str]:
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    check_accessibility(page, f"{name} in ar")
    screenshot(page, f"{name}-ar")
    return _misfits(page, name)


def test_every_learner_page_in_arabic(live_server, logged_in, check_accessibility, screenshot):
    tour = _people_and_pages(live_server, "Layla Haddad", "ar")
    page = logged_in(tour.learner)
    problems = []
    for name, path in tour.learner_pages.items():
        _visit(page, path)
        problems += _arabic_page(page, name, check_accessibility, screenshot)
    page.goto(tour.learner_pages["quiz"])
    # The course's English questions keep their own direction on an Arabic page (the "?" at the end of the line).
    expect(page.locator(".prompt").first).to_have_css("direction", "ltr")
    _take_the_quiz(page)
    expect(page.locator(".question-review .prompt").first).to_have_css("direction", "ltr")
    # The quiz's title in the heading and the module's in "Continue to …" are isolated from the Arabic around them.
    expect(page.locator("h1 bdi")).to_have_text(next(m.quiz for m in caring_cities().modules if m.quiz).title)
    expect(page.locator(".quiz-next .button bdi")).to_have_count(1)
    problems += _arabic_page(page, "quiz-result", check_accessibility, screenshot)
    assert not problems, "Arabic pages that do not fit or mirror:\n" + "\n".join(problems)


def test_every_staff_page_in_arabic(live_server, logged_in, check_accessibility, screenshot):
    tour = _people_and_pages(live_server, "Omar Khalil", "ar")
    page = logged_in(tour.admin)
    problems = []
    for name, path in tour.staff_pages.items():
        _visit(page, path)
        problems += _arabic_page(page, name, check_accessibility, screenshot)
    assert not problems, "Arabic pages that do not fit or mirror:\n" + "\n".join(problems)


@pytest.mark.parametrize("theme", ["default", "partner"])
def test_every_main_page_passes_axe_in_both_themes(theme, live_server, logged_in, check_accessibility, screenshot):
    tour = _people_and_pages(live_server, f"Theme check {theme}", "en")
    if theme == "partner":
        live_server.cli("lms", "theme", "load", str(PARTNER_THEME))
    try:
        learner, admin = logged_in(tour.learner), logged_in(Person(ADMIN, STAFF_PASSWORD))
        for person, pages in ((learner, tour.learner_pages), (admin, tour.staff_pages)):
            for name, path in pages.items():
                _visit(person, path)
                if theme == "partner":
                    expect(person.locator(".brand")).to_contain_text("Caring Cities Academy")
                check_accessibility(person, f"{name}, {theme} theme")
                if theme == "default" and name not in PHOTOGRAPHED_IN_ENGLISH_ELSEWHERE:
                    screenshot(person, name)
        learner.goto(tour.learner_pages["quiz"])
        _take_the_quiz(learner)
        check_accessibility(learner, f"quiz result, {theme} theme")
    finally:
        live_server.cli("lms", "theme", "reset")
