"""The administrator themes the site in a real browser: previews colours that fail contrast and reads why, saves a
partner's theme with its logo, and sees the name, logo and colours on every page and on the certificate PDF. The
living style guide is checked with axe-core in both themes and photographed."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lms.services import accounts, certificates
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.steps import ADMIN, COURSE, STAFF_PASSWORD, log_in

THEME = Path(__file__).resolve().parents[2] / "themes" / "caring-cities"
BRAND = "#6b2c5f"


@pytest.fixture(scope="module")
def admin_page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, ADMIN, STAFF_PASSWORD)
    yield page
    # Leave the default theme for the tests that follow, as an operator would put it back.
    live_server.cli("lms", "theme", "reset")
    context.close()


def _header_colour(page: Page) -> str:
    rgb = page.locator(".site-header").evaluate("(el) => getComputedStyle(el).backgroundColor")
    red, green, blue = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def test_the_style_guide_shows_every_component_and_passes_axe(admin_page, check_accessibility, screenshot):
    admin_page.goto("/staff/styleguide")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Style guide")
    for heading in ("Buttons", "Alerts and status pills", "Progress", "Cards", "Empty state",
                    "Filter bar and data table", "Form fields"):
        expect(admin_page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    check_accessibility(admin_page, "style guide, default theme")
    admin_page.set_viewport_size(PHONE)
    check_accessibility(admin_page, "style guide, default theme, phone")
    admin_page.set_viewport_size(DESKTOP)
    screenshot(admin_page, "styleguide")
    # Sortable headers are links: sorting by progress puts the finished learner last when descending is asked.
    admin_page.get_by_role("link", name="Progress").click()
    expect(admin_page.locator("tbody th").first).to_have_text("Siddharth Venkataraman")
    admin_page.get_by_role("link", name="Progress").click()
    expect(admin_page.locator("tbody th").first).to_have_text("Ana Pérez")


def test_the_administrator_themes_the_site_and_pages_and_certificate_follow(
        admin_page, live_server, check_accessibility, screenshot, tmp_path):
    admin_page.goto("/admin/")
    admin_page.get_by_role("link", name="Site theme").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Site theme")
    check_accessibility(admin_page, "site theme form")

    # A pale brand colour: the preview says why it would be refused, with a colour that passes.
    admin_page.get_by_label("Site name").fill("Caring Cities Academy")
    admin_page.get_by_label("Brand colour").fill("#c9a0c0")
    admin_page.get_by_role("button", name="Preview").click()
    warning = admin_page.get_by_text(re.compile(r"#c9a0c0 against #ffffff has a contrast of 2\.\d\d:1"))
    expect(warning).to_be_visible()
    suggestion = re.search(r"nearest colour that passes is (#[0-9a-f]{6})", warning.inner_text()).group(1)
    admin_page.get_by_role("button", name="Save theme").click()
    expect(admin_page.get_by_text(re.compile("body text needs at least 4.5:1"))).to_be_visible()
    # The suggested colour previews cleanly; then the partner's own colours and logo are saved.
    admin_page.get_by_label("Brand colour").fill(suggestion)
    admin_page.get_by_role("button", name="Preview").click()
    expect(admin_page.get_by_text("The colours pass WCAG 2.1 AA.")).to_be_visible()
    assert _header_colour(admin_page) == suggestion
    admin_page.get_by_label("Brand colour").fill(BRAND)
    admin_page.get_by_label("Accent colour").fill("#b5470b")
    admin_page.get_by_label("Footer text").fill("Caring Cities Academy — a learning programme of cities for cities.")
    admin_page.get_by_label(re.compile("^Logo")).set_input_files(THEME / "logo.svg")
    admin_page.get_by_role("button", name="Save theme").click()
    expect(admin_page.get_by_text("The theme was saved")).to_be_visible()

    # Every page: the name in the header and title, the logo, the colours, the footer.
    admin_page.goto("/courses/")
    expect(admin_page).to_have_title("Courses · Caring Cities Academy")
    expect(admin_page.locator(".brand img")).to_be_visible()
    assert admin_page.locator(".brand img").evaluate("(img) => img.naturalWidth") > 0
    assert _header_colour(admin_page) == BRAND
    expect(admin_page.get_by_role("contentinfo")).to_contain_text("a learning programme of cities for cities")
    check_accessibility(admin_page, "catalogue, partner theme")
    screenshot(admin_page, "catalogue-themed")
    admin_page.goto("/staff/styleguide")
    check_accessibility(admin_page, "style guide, partner theme")
    screenshot(admin_page, "styleguide-themed")

    # The certificate PDF carries the same colour and logo.
    with live_server.app.app_context():
        learner = factories.make_user(display_name="Lucía Fernández")
        issued = certificates.issue_by_admin(accounts.find_by_email(ADMIN), learner.id, COURSE, "Completed on paper.")
        public_id = issued.public_id
    with admin_page.expect_download() as download:
        admin_page.evaluate(f"() => {{ const a = document.createElement('a'); a.href = '/certificates/{public_id}.pdf';"
                            " a.download = ''; document.body.append(a); a.click(); }")
    pdf = download.value.path().read_bytes()
    drawing = "\n".join(zlib.decompress(stream).decode("latin-1")
                        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
                        if stream[:1] == b"x")
    assert "0.4196 0.1725 0.3725 RG" in drawing, "the certificate's frame is in the brand colour"
    assert "0.7098 0.2784 0.0431 rg" in drawing, "the certificate carries the logo"
