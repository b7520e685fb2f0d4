"""The interface in other languages, in a real browser: Arabic pages read right to left with the course outline on the
right, the main pages pass axe-core in Arabic and Korean as in English, and the language menu works before logging in
and without JavaScript. The tests look at lang, dir and positions, not at Arabic words. Every main page is photographed
in Arabic by test_tour.py (docs/screenshots/*-ar-*.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from lms.models import Role
from lms.services import accounts
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.steps import COURSE, caring_cities, enrolled_learner, log_in


def _person_in(live_server, browser, language: str, role: Role = Role.LEARNER) -> Iterator[Page]:
    """A page logged in as a person of their own whose profile language is `language` (the demo accounts keep
    English for the other tests)."""
    if role == Role.LEARNER:
        email = enrolled_learner(live_server, f"Layla Haddad ({language})")
        with live_server.app.app_context():
            accounts.set_preferred_language(accounts.find_by_email(email), language)
    else:
        with live_server.app.app_context():
            email = factories.make_user(role, display_name=f"Staff ({language})", preferred_language=language).email
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in_in(page, email, language)
    yield page
    context.close()


def log_in_in(page: Page, email: str, language: str) -> None:
    """The log-in form is in the browser's language (English here); after it, the person's own."""
    log_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture(scope="module")
def arabic_learner(browser, live_server) -> Iterator[Page]:
    yield from _person_in(live_server, browser, "ar")


@pytest.fixture(scope="module")
def korean_learner(browser, live_server) -> Iterator[Page]:
    yield from _person_in(live_server, browser, "ko")


@pytest.fixture(scope="module")
def arabic_staff(browser, live_server) -> Iterator[Page]:
    yield from _person_in(live_server, browser, "ar", Role.ADMIN)


# The elements that stick out of a right-to-left page (on the left), for the failure message.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().left < -1
    && !e.closest('.table-scroll, details:not([open]), .visually-hidden'))
  .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} (${e.textContent.trim().slice(0, 40)})`)"""


def _first_lesson_url() -> str:
    return f"/courses/{COURSE}/lessons/{caring_cities().lessons[0].id}"


def _box(page: Page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box


def test_an_arabic_lesson_reads_right_to_left_with_the_outline_on_the_right(arabic_learner, new_page, live_server):
    page = arabic_learner
    page.goto(_first_lesson_url())
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # The lesson is written in the course's language: the page says so on the content, for screen readers.
    expect(page.locator(".lesson-body")).to_have_attribute("lang", "en")
    outline, lesson = _box(page, ".lesson-outline"), _box(page, "article.lesson")
    assert outline["x"] > lesson["x"] + lesson["width"] - 1, f"outline {outline} is not right of the lesson {lesson}"
    # The arrow of "Next" points left, the way an Arabic reader goes on.
    arrow = page.locator(".lesson-pager a[rel=next] .dir-arrow")
    if arrow.count():
        assert "matrix(-1" in arrow.evaluate("(el) => getComputedStyle(el).transform")
    # The skip link and the header's brand start on the right too.
    brand, menu = _box(page, ".brand"), _box(page, ".nav-menu")
    assert brand["x"] > menu["x"], "the site's name is not at the right end of the header"

    english = new_page()
    log_in(english, enrolled_learner(live_server, "Layla Haddad (en)"))
    english.goto(_first_lesson_url())
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    outline, lesson = _box(english, ".lesson-outline"), _box(english, "article.lesson")
    assert outline["x"] + outline["width"] <= lesson["x"] + 1, "in English the outline is on the left"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_arabic_pages_fit_the_screen_and_mirror(arabic_learner, width):
    page = arabic_learner
    page.set_viewport_size(DESKTOP if width == "desktop" else PHONE)
    for path in ("/courses/", f"/courses/{COURSE}/", "/learning", _first_lesson_url()):
        assert page.goto(path).ok, path
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (f"{path} at {width} is {overflow} px wider than the screen in Arabic: "
                               f"{page.evaluate(TOO_WIDE)}")
        if "/lessons/" in path:
            continue  # the lesson's own title is English text (dir="auto"): it starts on the left
        heading = _box(page, "h1")
        main = _box(page, "main")
        # Right-aligned: the heading's right edge meets the content's right edge, not its left one.
        assert abs((heading["x"] + heading["width"]) - (main["x"] + main["width"])) < 40, f"{path}: h1 not at the right"
    page.set_viewport_size(DESKTOP)


MAIN_PAGES = {"catalogue": "/courses/", "course page": f"/courses/{COURSE}/", "lesson": None,
              "my learning": "/learning", "my certificates": "/certificates",
              "my applications": "/programmes/applications", "account": "/account"}


@pytest.mark.parametrize("language", ["ar", "ko"])
def test_the_main_pages_pass_axe_core_in_arabic_and_korean(language, arabic_learner, korean_learner,
                                                          check_accessibility, screenshot):
    page = arabic_learner if language == "ar" else korean_learner
    for name, path in MAIN_PAGES.items():
        assert page.goto(path or _first_lesson_url()).ok, f"{name}: {path} is not a page"
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_accessibility(page, f"{name} in {language}")
        if language == "ko" and name == "lesson":  # Hangul in the interface and the lesson (fonts-noto-cjk)
            screenshot(page, "lesson-ko")


def test_the_style_guide_in_arabic(arabic_staff, check_accessibility):
    page = arabic_staff
    page.goto("/staff/styleguide")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_accessibility(page, "style guide in ar")
    # A table's first column is on the right; a filter bar and cards mirror with it.
    first, last = _box(page, "table thead th:first-child"), _box(page, "table thead th:last-child")
    assert first["x"] > last["x"], "the table's first column is not on the right"
    for name in ("/reports/", f"/reports/{COURSE}/learners", "/staff/"):
        page.goto(name)
        check_accessibility(page, f"{name} in ar")


def test_the_language_menu_changes_the_language_before_logging_in_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False,
                                  locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/courses/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        menu = page.get_by_label("Language")
        expect(menu).to_be_visible()  # on a phone too, without opening the menu: whoever cannot read English finds it
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        expect(menu.locator("option")).to_have_text(["English", "Español", "Français", "한국어", "العربية"])
        menu.select_option("es")
        page.get_by_role("button", name="Change language").click()
        expect(page).to_have_url(f"{live_server.url}/courses/")  # back on the page the menu was on
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.goto("/login")  # the choice stays for the visit
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#language-menu option[selected]")).to_have_attribute("value", "es")
    finally:
        context.close()
