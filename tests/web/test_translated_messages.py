"""Messages written in Python (forms, flashes, service errors, error pages) reach each person in their language.

Each test gives the Spanish (or Korean) text of the msgids it checks in a temporary catalogue (tests/catalogues.py),
so it does not depend on how far the translators have got; on the old code (English literals) they fail.
"""

from __future__ import annotations

from html import unescape

from lms.services import accounts
from tests.catalogues import translations
from tests.factories import DEFAULT_PASSWORD

SPANISH = {"Accept-Language": "es"}


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_form_labels_are_in_the_visitors_language(app, client, db):
    with translations(app, "es", {"E-mail address": "Correo electrónico", "Log in": "Iniciar sesión"}):
        html = page(client.get("/login", headers=SPANISH))
    assert "Correo electrónico" in html and 'value="Iniciar sesión"' in html


def test_wtforms_own_messages_come_in_the_visitors_language(client, db):
    """WTF_I18N_ENABLED: WTForms' built-in messages ("This field is required.") use WTForms' catalogues."""
    html = page(client.post("/login", data={"email": "", "password": ""}, headers=SPANISH))
    assert "Este campo es obligatorio." in html


def test_a_service_refusal_is_in_the_visitors_language(app, client, db, make_user):
    user = make_user()
    spanish = "El correo electrónico y la contraseña no corresponden a ninguna cuenta."
    with translations(app, "es", {str(accounts.BAD_CREDENTIALS): spanish}):
        response = client.post("/login", data={"email": user.email, "password": "wrong password"}, headers=SPANISH)
    assert response.status_code == 422
    assert spanish in page(response)


def test_a_flash_message_counts_with_the_languages_plural_forms(app, client, db, make_user):
    user = make_user(preferred_language="es")
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    plural = ("You have been logged out on every device (%(num)d log-in ended).",
              "You have been logged out on every device (%(num)d log-ins ended).")
    with translations(app, "es", {plural: ["Se ha cerrado la sesión en todos los dispositivos (%(num)d sesión).",
                                           "Se ha cerrado la sesión en todos los dispositivos (%(num)d sesiones)."]}):
        html = page(client.post("/account/logout-everywhere", headers=SPANISH, follow_redirects=True))
    assert "Se ha cerrado la sesión en todos los dispositivos (1 sesión)." in html


def test_error_pages_speak_the_visitors_language(app, client, db):
    with translations(app, "ko", {"Page not found": "페이지를 찾을 수 없습니다"}):
        html = page(client.get("/no-such-page", headers={"Accept-Language": "ko"}))
        as_json = client.get("/no-such-page", headers={"Accept-Language": "ko", "Accept": "application/json"})
    assert "페이지를 찾을 수 없습니다" in html
    assert as_json.get_json()["error"] == "페이지를 찾을 수 없습니다"
