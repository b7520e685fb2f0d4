"""End-to-end tests in a real browser: the app served on a loopback port, driven by Playwright through Debian's
Chromium, with axe-core checking every main page and screenshots saved to docs/screenshots/.

Run with `make e2e`. They need /usr/bin/chromium (`apt-get install -y chromium`; Playwright never downloads a
browser here) and axe-core from npm (`npm ci`); without either they fail and say so. `make test` leaves them out.

One server and one database per session, set up as `make run` does (`flask db upgrade`, `flask lms import-all`,
`flask lms demo`): SQLite in a temporary file, or the database LMS_TEST_DATABASE_URL names (its schema is dropped
and recreated). Each test uses its own people, so the tests do not depend on each other's order.

Every run starts on the same day: the engine's clock (lms.core.clock) is set to SCREENSHOT_MOMENT and runs a
thousand times slower than real time, so the demo cohort, deadlines, sessions, "last activity" and certificates show
the same dates and times in every run; certificate ids and the order of quiz questions are drawn from seeded
generators, so they repeat too. So docs/screenshots/ changes only when a page does.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

import config
from lms import create_app
from lms.core import clock, credentials, grading
from lms.extensions import db
from tests.conftest import _database_url, _reset_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"

# Debian's Chromium, quiet: no sandbox (CI runs as root), no GPU, and no calls home of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")
SCREENSHOT_MOMENT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday morning, in Madrid and in Manila
CLOCK_PACE = 0.001  # a ten-minute run moves the clock by 0.6 s: times shown to the minute never change


def _require_browser_tools() -> None:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium` "
                       "(the tests never download a browser).")
    if not AXE_SCRIPT.is_file():
        missing.append(f"{AXE_SCRIPT.relative_to(ROOT)} is missing: run `npm ci` in {ROOT}.")
    if missing:
        pytest.fail("The end-to-end tests cannot run:\n  " + "\n  ".join(missing), pytrace=False)


# The server.


@dataclass
class LiveServer:
    app: Flask
    url: str

    def cli(self, *args: str) -> str:
        """Run a `flask ...` command against the server's database, as an operator would; return its output."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, f"flask {' '.join(args)} failed:\n{result.output}"
        return result.output


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    _require_browser_tools()
    tmp_dir = tmp_path_factory.mktemp("e2e")
    url = _database_url(tmp_dir)
    _reset_database(url)

    class BrowserTestConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_PATH = str(tmp_dir / "instance")
        TESTING = False  # errors are handled as in production, not raised into the server thread
        WTF_CSRF_ENABLED = True  # the browser sends the real forms, tokens and all
        # Every browser test signs people in from 127.0.0.1: on a fast machine the suite logs in more than the
        # production limit of ten a minute from one address. tests/web/test_rate_limits.py tests the limits.
        RATELIMIT_LOGIN = "1000 per minute"
        RATELIMIT_REGISTRATION = "1000 per minute"
        RATELIMIT_CURRENT_PASSWORD = "1000 per minute"

    clock.run_from(SCREENSHOT_MOMENT, pace=CLOCK_PACE)
    # The same certificate ids and quiz layouts in every run (the tests run in order).
    drawn_ids, drawn_seeds = random.Random(2026).getrandbits, random.Random(2026).randrange
    real_new_id, real_new_seed = credentials.new_certificate_id, grading.new_layout_seed
    credentials.new_certificate_id = lambda randbits=drawn_ids: real_new_id(randbits)
    grading.new_layout_seed = lambda: drawn_seeds(2**31)
    app = create_app(BrowserTestConfig)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base_url  # printed on certificates and in e-mails
    live = LiveServer(app, base_url)
    live.cli("db", "upgrade")
    live.cli("lms", "import-all")
    live.cli("lms", "demo")
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    clock.run_in_real_time()
    credentials.new_certificate_id, grading.new_layout_seed = real_new_id, real_new_seed


# The browser.


@pytest.fixture(scope="session")
def browser(live_server) -> Iterator[Browser]:
    expect.set_options(timeout=10_000)  # a busy two-core CI machine renders a certificate PDF slower than a laptop
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[[], Page]]:
    """new_page() opens a page in a fresh browser context: its own cookies, as another person on another device."""
    contexts: list[BrowserContext] = []

    def _open() -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


# Accessibility.


@dataclass
class AxeReport:
    checked: list[str] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)  # moderate and minor findings, printed at the end


AXE_REPORT = AxeReport()


@pytest.fixture(scope="session")
def check_accessibility() -> Callable[[Page, str], None]:
    """check_accessibility(page, "course page"): run axe-core on the page as it is now; fail on any serious or
    critical violation, note the others.

    axe is evaluated through the DevTools protocol (page.evaluate), which the page's Content-Security-Policy does not
    govern: an injected <script> tag would be inline and refused by `script-src 'self'`, and turning the policy off
    (bypass_csp) would check a page that users never get. So the page is tested exactly as served."""
    source = AXE_SCRIPT.read_text(encoding="utf-8")

    def _check(page: Page, name: str) -> None:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(source)
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        AXE_REPORT.checked.append(f"{name} ({page.url})")
        blocking = []
        for violation in results["violations"]:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            line = f"{name}: [{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"
            if violation["impact"] in BLOCKING_IMPACTS:
                details = "\n".join(f"      {node['failureSummary']}\n      {node['html'][:200]}"
                                    for node in violation["nodes"][:3])
                blocking.append(f"{line}\n{details}")
            else:
                AXE_REPORT.advisories.append(line)
        assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(blocking)

    return _check


def pytest_terminal_summary(terminalreporter) -> None:
    report = AXE_REPORT
    if not report.checked:
        return
    terminalreporter.section("axe-core")
    terminalreporter.write_line(f"{len(report.checked)} page checks; moderate and minor findings "
                                f"(serious and critical ones fail the test): {len(report.advisories)}")
    for line in report.advisories:
        terminalreporter.write_line(f"  {line}")


# Screenshots.


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], None]:
    """screenshot(page, "course"): docs/screenshots/course-desktop.png (1280 by 800) and course-phone.png (390 by 844),
    of what a person sees on opening the page; the page is left at desktop size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _take(page: Page, name: str) -> None:
        for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", animations="disabled", caret="initial")

    return _take
