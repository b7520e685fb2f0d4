"""Which interface language a request is served in (lms/web/i18n.py)."""

from __future__ import annotations

import pytest
from flask import session
from flask_babel import get_locale
from flask_login import login_user

from lms.web import i18n


@pytest.mark.parametrize(("code", "served"), [
    ("es", "es"), ("es-MX", "es"), ("fr_CA", "fr"), ("KO", "ko"), ("ar-EG", "ar"), ("de", None), ("", None),
    (None, None),
])
def test_a_language_code_is_served_in_its_interface_language_or_none(code, served):
    assert i18n.interface_language(code) == served


def test_arabic_is_written_right_to_left_and_the_others_left_to_right():
    assert i18n.text_direction("ar") == "rtl"
    assert [i18n.text_direction(code) for code in ("en", "es", "fr", "ko")] == ["ltr"] * 4


def _locale(app, **request) -> str:
    with app.test_request_context("/", **request):
        return str(get_locale())


def test_a_visitor_gets_the_best_language_their_browser_asks_for(app, db):
    assert _locale(app, headers={"Accept-Language": "de-DE, fr;q=0.8, es;q=0.5"}) == "fr"


def test_a_visitor_whose_browser_asks_for_no_interface_language_gets_the_site_default(app, db):
    assert _locale(app, headers={"Accept-Language": "de-DE, ja;q=0.5"}) == app.config["DEFAULT_LANGUAGE"] == "en"


def test_a_choice_kept_in_the_session_wins_over_the_browser(app, db):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        session[i18n.SESSION_KEY] = "ko"
        assert str(get_locale()) == "ko"


def test_a_logged_in_person_gets_their_profile_language(app, db, make_user):
    person = make_user(preferred_language="es")
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        session[i18n.SESSION_KEY] = "ko"
        login_user(person)
        assert str(get_locale()) == "es"
