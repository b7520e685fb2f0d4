"""Pages people can read at 1280 px and on a phone (390 and 360 px): no word breaks inside its letters, wide tables
scroll sideways inside a labelled region that the keyboard reaches, the navigation folds behind one menu button on
phones (without JavaScript too), and axe-core finds nothing serious on the staff and learner pages that carry tables
and cards. The pages are photographed for docs/screenshots/."""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from lms.services import accounts, application_review, certificates
from tests import factories
from tests.cohort_factories import apply, make_cohort
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.steps import ADMIN, COURSE, STAFF_PASSWORD, enrolled_learner, log_in

SMALL_PHONE = {"width": 360, "height": 740}
WIDTHS = {"1280": DESKTOP, "390": PHONE, "360": SMALL_PHONE}
LEARNER_NAME = "Maria Fernanda Castellanos Villalobos"

# Every word of the selected elements' text, measured in the page: a word whose letters lie on more than one line was
# broken inside itself ("Co/un/try"). Empty rectangles (collapsed white space) do not count.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.offsetParent) continue;  // hidden, e.g. inside a closed menu
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# The elements that stick out of a page that should fit the screen (for the failure message).
TOO_WIDE = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll, details:not([open])'))
  .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} (${e.textContent.trim().slice(0, 40)})`)"""

# Header cells, dates, card headings and the terms of fact lists: the texts that used to break as "Co/un/try".
WORDS_THAT_MUST_NOT_BREAK = "th, time, .card h2, .card h3, dt, .page-header h1"


@dataclass
class Pages:
    learner_report: str
    application_queue: str
    audit_log: str
    cohort_list: str
    catalogue: str


@pytest.fixture(scope="module")
def staff_pages(live_server) -> Pages:
    """A cohort of its own with an application waiting and learners accepted, so every table has rows."""
    with live_server.app.app_context():
        cohort = make_cohort(COURSE, name="Layout check: spring cohort for intergovernmental coordination")
        for number, country in enumerate(("CO", "KR", "PH")):
            person = factories.make_user(display_name=f"{LEARNER_NAME} {number}", city="Villavicencio",
                                         country=country, organisation="Departamento Administrativo de Planeación")
            application = apply(person, cohort)
            if number < 2:
                application_review.decide(None, application.id, "accepted")
        cohort_id = cohort.id
    return Pages(learner_report=f"/reports/{COURSE}/learners",
                 application_queue=f"/staff/cohorts/{cohort_id}/applications",
                 audit_log="/admin/audit", cohort_list="/staff/", catalogue="/courses/")


@pytest.fixture(scope="module")
def certificate_holder(live_server) -> str:
    """A learner with a certificate the administrator issued, for "My certificates"."""
    with live_server.app.app_context():
        learner = factories.make_user(display_name="Siddharth Venkataraman")
        admin = accounts.find_by_email(ADMIN)
        certificates.issue_by_admin(admin, learner.id, COURSE, "Completed the pilot run on paper.")
        return learner.email


@pytest.fixture(scope="module")
def admin_page(browser, live_server) -> Iterator[Page]:
    """The administrator, logged in once for the whole module (log-ins are rate-limited per address, and the other
    browser tests log in from the same one)."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, ADMIN, STAFF_PASSWORD)
    yield page
    context.close()


def _assert_readable(page: Page, check_accessibility, name: str) -> None:
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        broken = page.evaluate(BROKEN_WORDS, WORDS_THAT_MUST_NOT_BREAK)
        assert not broken, f"{name} at {width} px breaks these words inside their letters: {broken}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (f"{name} at {width} px is {overflow} px wider than the screen: "
                               f"{page.evaluate(TOO_WIDE, viewport['width'])}")
        check_accessibility(page, f"{name} at {width} px")
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("name", ["learner_report", "application_queue", "audit_log", "cohort_list", "catalogue"])
def test_staff_and_catalogue_pages_read_whole_words_at_every_width(
        name, staff_pages, admin_page, check_accessibility, screenshot):
    admin_page.goto(getattr(staff_pages, name))
    expect(admin_page.get_by_role("heading", level=1)).to_be_visible()
    _assert_readable(admin_page, check_accessibility, name.replace("_", " "))
    screenshot(admin_page, name.replace("_", "-"))


def test_my_certificates_reads_whole_words_at_every_width(
        certificate_holder, new_page, check_accessibility, screenshot):
    page = new_page()
    log_in(page, certificate_holder)
    page.goto("/certificates")
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    _assert_readable(page, check_accessibility, "my certificates")
    screenshot(page, "my-certificates")


def test_a_wide_table_scrolls_inside_a_labelled_region_the_keyboard_reaches(staff_pages, admin_page):
    admin_page.set_viewport_size(SMALL_PHONE)
    admin_page.goto(staff_pages.learner_report)
    region = admin_page.get_by_role("region", name="Learners")
    expect(region).to_be_visible()
    sizes = region.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], "at 360 px the learner table is wider than its region, which scrolls"
    region.focus()
    expect(region).to_be_focused()
    admin_page.keyboard.press("ArrowRight")
    admin_page.keyboard.press("ArrowRight")
    # The arrow keys scroll the focused region sideways (smoothly: wait for it).
    admin_page.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
    admin_page.set_viewport_size(DESKTOP)


def test_navigation_folds_behind_one_menu_button_on_a_phone_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, ADMIN, STAFF_PASSWORD)
        page.set_viewport_size(PHONE)
        navigation = page.get_by_role("navigation", name="Main")
        menu = page.get_by_text("Menu", exact=True)
        expect(menu).to_be_visible()
        expect(navigation.get_by_role("link", name="Cohorts")).to_be_hidden()
        menu.click()
        expect(navigation.get_by_role("link", name="Cohorts")).to_be_visible()
        navigation.get_by_role("link", name="Cohorts").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")

        page.set_viewport_size(DESKTOP)
        expect(menu).to_be_hidden()
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports")).to_be_visible()
    finally:
        context.close()



def test_a_course_page_prints_without_navigation_or_buttons(admin_page):
    admin_page.goto(f"/courses/{COURSE}/")
    admin_page.emulate_media(media="print")
    try:
        expect(admin_page.locator(".site-header")).to_be_hidden()
        expect(admin_page.locator(".site-footer")).to_be_hidden()
        expect(admin_page.get_by_role("heading", level=1)).to_be_visible()
        pdf = admin_page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        admin_page.emulate_media(media="screen")


def test_the_learner_report_fits_a_1280_screen_with_the_filters_and_the_first_rows_in_view(staff_pages, admin_page):
    """An organiser opens the report and sees, without scrolling, every filter with its button, the column headings
    and the first learners; the course's report tabs take one line; the learner's name stays in view while the
    table scrolls sideways."""
    admin_page.set_viewport_size(DESKTOP)
    admin_page.goto(staff_pages.learner_report)
    screen = DESKTOP["height"]
    for control in (admin_page.get_by_label("Name or e-mail contains"),
                    admin_page.get_by_role("button", name="Apply filters")):
        expect(control).to_be_in_viewport()
    rows = admin_page.locator(".report-table tbody tr")
    assert rows.count() >= 2
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first["y"] + first["height"] <= screen, f"the first learner ends at {first['y'] + first['height']} px"
    assert second["y"] + 40 <= screen, f"the second learner starts at {second['y']} px"
    headings = admin_page.locator(".report-table thead tr").bounding_box()
    assert headings["height"] <= 100, f"the column headings are {headings['height']} px tall"
    tabs = admin_page.locator(".report-nav .nav-list").bounding_box()
    assert tabs["height"] <= 50, f"the report tabs take {tabs['height']} px (more than one line)"
    region = admin_page.get_by_role("region", name="Learners")
    region.evaluate("(el) => el.scrollBy({left: 2000, behavior: 'instant'})")
    name = admin_page.locator(".report-table tbody th").first.bounding_box()
    box = region.bounding_box()
    assert box["x"] <= name["x"] < box["x"] + 20, "the learner's name scrolled out of view with the table"


def _right_edge_shade(region) -> float:
    """How dark the region's body rows are just inside its right edge, the lines between rows aside (the median: 255
    is white, nothing drawn there)."""
    image = Image.open(io.BytesIO(region.screenshot())).convert("L")
    top = round(region.locator("thead").bounding_box()["height"]) + 4
    return statistics.median(image.getpixel((image.width - 5, y)) for y in range(top, image.height - 4))


def test_a_wide_table_shades_the_side_where_columns_are_out_of_view(staff_pages, admin_page):
    """At 1280 px the learner report's last columns were off-screen with no sign that the table scrolls (its scroll
    bar is at the foot of the region, below the screen): a shadow on that side says so, gone once scrolled there."""
    admin_page.set_viewport_size(DESKTOP)
    admin_page.goto(staff_pages.learner_report)
    admin_page.mouse.move(0, 0)  # no row highlighted under the pointer
    region = admin_page.get_by_role("region", name="Learners")
    sizes = region.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1], "at 1280 px the learner table is wider than its region"
    assert _right_edge_shade(region) < 230, "no shadow where the columns are out of view"
    region.evaluate("(el) => el.scrollBy({left: 5000, behavior: 'instant'})")
    assert _right_edge_shade(region) > 245, "a shadow at the end of the table, with nothing more to see"


def test_the_overviews_discussions_table_keeps_short_headings_on_a_phone(staff_pages, admin_page):
    """At 390 px "Discussions by cohort" squeezed its nine columns into the screen: the headings wrapped word by word
    into a header 165 px tall. Like the other reports, its headings keep a width of their own and the table scrolls."""
    admin_page.set_viewport_size(PHONE)
    admin_page.goto(f"/reports/{COURSE}/")
    region = admin_page.get_by_role("region", name="Posts and participation per cohort")
    try:
        region.scroll_into_view_if_needed()
        headings = region.locator("thead tr").bounding_box()
        assert headings["height"] <= 100, f"the column headings are {headings['height']} px tall"
        sizes = region.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] > sizes[1], "the table scrolls sideways inside its region"
    finally:
        admin_page.set_viewport_size(DESKTOP)


def test_the_learners_progress_prints_without_navigation_or_buttons(live_server, new_page):
    page = new_page()
    log_in(page, enrolled_learner(live_server, "Nadia Rahman"))
    page.goto("/learning")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("complete")).first).to_be_visible()  # the progress ring
    for button in page.locator("main .button").all():
        expect(button).to_be_hidden()
    assert page.pdf(format="A4").startswith(b"%PDF")


# Each filter select's chosen text, measured in its own font, against the room inside the select (its padding and the
# arrow taken off): a select narrower than its text cuts it off ("Latest activit").
CLIPPED_SELECTS = """() => [...document.querySelectorAll('.filter-bar select')].filter(s => s.offsetParent).map(s => {
  const style = getComputedStyle(s);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = context.measureText(s.options[s.selectedIndex].text).width;
  const room = s.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd) - 16;
  return text > room ? `${s.id}: ${Math.round(text)} px of text in ${Math.round(room)} px` : null;
}).filter(Boolean)"""


@pytest.mark.parametrize("width", ["1280", "390"])
def test_the_discussion_boards_filters_show_their_whole_choice(admin_page, width):
    """The board's "Order" select showed "Latest activit" at 1280 px: each column of the filter bar was narrower than
    the phrase."""
    admin_page.set_viewport_size(WIDTHS[width])
    admin_page.goto(f"/courses/{COURSE}/discussions/?sort=latest&place=general")
    summary = admin_page.locator(".filter-bar > summary")
    if summary.is_visible() and admin_page.locator(".filter-bar[open]").count() == 0:
        summary.click()
    assert admin_page.evaluate(CLIPPED_SELECTS) == []
    admin_page.set_viewport_size(DESKTOP)
