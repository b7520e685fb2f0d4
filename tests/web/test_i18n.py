"""Which interface language a request is served in (lms/web/i18n.py)."""

from __future__ import annotations

import re

import pytest
from flask import session
from flask_babel import force_locale, get_locale
from flask_login import login_user

from lms.services import publishing
from lms.web import i18n
from tests.factories import copy_package


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


def test_requests_in_one_language_share_its_locale_and_a_forced_one_is_its_own(app, db):
    def locale_of_a_request(language: str):
        with app.app_context(), app.test_request_context("/", headers={"Accept-Language": language}):
            return get_locale()

    french = locale_of_a_request("fr")
    assert locale_of_a_request("fr") is french, "parsed once per process"
    assert str(locale_of_a_request("ko")) == "ko"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "fr"}):
        with force_locale("fr"):
            assert get_locale() is not french  # Flask-Babel's own (current_translations tells them apart by it)
        assert get_locale() is french


# The page says which language it is in and which way it reads; the language menu changes it.


def _html_tag(html: str) -> str:
    return html[html.index("<html"):html.index(">", html.index("<html")) + 1]


def test_the_page_tells_its_language_and_direction(client, db):
    assert _html_tag(client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)) == \
        '<html lang="ar" dir="rtl">'
    assert _html_tag(client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)) == \
        '<html lang="ko" dir="ltr">'


def test_the_language_menu_offers_each_language_in_its_own_name(client, db):
    html = client.get("/").get_data(as_text=True)
    for code, name in (("en", "English"), ("es", "Español"), ("fr", "Français"), ("ko", "한국어"), ("ar", "العربية")):
        assert f'<option value="{code}" lang="{code}"' in html and f">{name}</option>" in html
    assert '<option value="en" lang="en" selected>' in html


def test_a_visitor_chooses_a_language_with_the_menu_and_goes_back_to_their_page(client, db):
    response = client.post("/language", data={"language": "ar", "next": "/courses?page=2"},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 302 and response.headers["Location"] == "/courses?page=2"
    assert _html_tag(client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)) == \
        '<html lang="ar" dir="rtl">'


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "/\\evil.example", "", None])
def test_the_language_menu_only_goes_back_to_a_page_of_this_site(client, db, unsafe):
    data = {"language": "es"} if unsafe is None else {"language": "es", "next": unsafe}
    response = client.post("/language", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, db):
    client.post("/language", data={"language": "de", "next": "/"})
    assert _html_tag(client.get("/").get_data(as_text=True)) == '<html lang="en" dir="ltr">'


def test_the_language_menu_keeps_a_logged_in_persons_choice_on_their_profile(client, db, make_user, login_as):
    person = make_user(preferred_language="en")
    login_as(person)
    client.post("/language", data={"language": "ko", "next": "/my"})
    db.session.refresh(person)
    assert person.preferred_language == "ko"
    assert _html_tag(client.get("/").get_data(as_text=True)) == '<html lang="ko" dir="ltr">'



def test_a_page_looks_its_catalogue_up_once_for_all_its_template_strings(client, db, monkeypatch):
    """Issue 18: Flask-Babel's template gettext found the catalogue again for every string of the page."""
    import flask_babel

    lookups = []
    original = flask_babel.Domain.get_translations

    def counting(self):
        lookups.append(1)
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    html = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Saltar al contenido principal" in html and "Cambiar idioma" in html  # still translated
    assert len(lookups) == 1, len(lookups)


def test_template_strings_keep_their_escaping_and_plural_forms(app):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": "es"}):
        page = render_template_string(
            "{{ _('Hello %(name)s', name=name) }}|{% trans count=n %}{{ count }} lesson{% pluralize %}"
            "{{ count }} lessons{% endtrans %}", name="<b>", n=2)
    assert page == "Hello &lt;b&gt;|2 lessons"


def _course_card_content(html: str) -> str:
    found = re.search(r'<li class="card course-card">.*?<dd>([^<]*(?:دروس|lessons|lecciones)[^<]*)</dd>', html, re.S)
    assert found, html
    return found.group(1)


def test_the_course_card_joins_its_counts_as_the_readers_language_lists_things(client, db, tmp_path):
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    arabic = _course_card_content(client.get("/courses/", headers={"Accept-Language": "ar"}).get_data(as_text=True))
    assert "," not in arabic and "،" not in arabic and " و" in arabic, arabic  # "وحدتان و3 دروس", CLDR's "و"
    spanish = _course_card_content(client.get("/courses/", headers={"Accept-Language": "es"}).get_data(as_text=True))
    assert " y " in spanish, spanish
    english = _course_card_content(client.get("/courses/", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert ", " in english and " and " not in english, english  # the house style stays "a, b" in English


def test_imported_macros_speak_the_locale_in_force_even_when_it_changes_within_a_request(app):
    """Macros that templates import translate through the catalogue kept beside the locale in force
    (lms.web.i18n.current_translations): a force_locale block (mail to someone reading another language) gets its
    own, and the request's comes back after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{% from "_macros.html" import progress_bar %}{{ progress_bar(50, "x") }}'
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        before = render_template_string(page)
        with force_locale("es"):
            forced = render_template_string(page)
        after = render_template_string(page)
    assert "terminé" in before and "terminé" in after
    assert "completado" in forced and "terminé" not in forced


def test_imported_macros_look_the_catalogue_up_once_per_locale(app, monkeypatch):
    import flask_babel
    from flask import render_template_string

    lookups = []
    original = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: lookups.append(1) or original(self))
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        html = render_template_string('{% from "_macros.html" import progress_bar %}'
                                      '{% for n in range(5) %}{{ progress_bar(n, "x") }}{% endfor %}')
    assert html.count("terminé") == 5
    assert len(lookups) == 2, len(lookups)  # the page's (its context processor) and the macros'


def test_translated_strings_in_loops_and_imported_macros_do_not_copy_the_context(app, monkeypatch):
    """gettext takes the evaluation context, not the whole one: Jinja copies the context for each call of a callable
    that takes it from inside a loop (lms.web.i18n._gettext_callables); the strings stay escaped and translated."""
    from flask import render_template_string
    from jinja2.runtime import Context

    copies = []
    original = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *a: copies.append(1) or original(self, *a))
    page = ('{% from "_macros.html" import progress_bar %}{% for n in range(3) %}{% set x = n %}'
            '{{ _("completed") }} {{ ngettext("%(num)d reply", "%(num)d replies", n) }} {{ _("<%(v)s>", v="<b>") }}'
            '{{ progress_bar(n, "x") }}{% endfor %}')
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        html = render_template_string(page)
    assert copies == []
    assert html.count("terminée") == 3 and "0 réponse" in html and "2 réponses" in html
    assert "<&lt;b&gt;>" in html
