"""The forms' small scripts (static/js/forms.js), in a real browser: the time zone starts on the browser's, and a
letter too large is refused before it is sent, with the limit."""

from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD


def test_registration_starts_on_the_browsers_time_zone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Seoul")
    page = context.new_page()
    page.goto("/register")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Seoul")
    context.close()


def test_a_letter_too_large_is_refused_in_the_browser(new_page, live_server, tmp_path):
    from lms.services import accounts

    with live_server.app.app_context():
        accounts.create_user("big.letter@example.org", DEFAULT_PASSWORD, accounts.Profile("Big Letter"))
        from lms.extensions import db
        from lms.models import Cohort

        cohort_id = db.session.execute(db.select(Cohort.id).filter_by(key="demo")).scalars().first()
    page = new_page()
    page.goto("/login")
    page.get_by_label("E-mail address").fill("big.letter@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/programmes/cohorts/{cohort_id}/apply")
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024))
    page.get_by_label("Letter of support").set_input_files(str(big))
    expect(page.get_by_text("scan.pdf is 6 MB: letters may be at most 5 MB.")).to_be_visible()
    assert page.get_by_label("Letter of support").evaluate("input => input.validity.valid") is False
