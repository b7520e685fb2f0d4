"""Layout, error pages, CSRF, security headers and the admin gate."""

import re

import pytest
from flask import Flask

import config
from lms import ConfigurationError, create_app
from lms.models import Role


def test_home_page_has_landmarks_skip_link_and_language(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert 'class="skip-link" href="#main"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'name="viewport"' in html


def test_pages_load_nothing_from_other_sites(client):
    html = client.get("/login").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url


def test_every_input_on_the_registration_form_has_a_label(client):
    html = client.get("/register").get_data(as_text=True)
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    visible = [re.search(r'\bid="([^"]+)"', tag).group(1) for tag in tags
               if not re.search(r'type="(?:hidden|submit)"', tag)]
    assert visible, "the form should have inputs"
    for input_id in visible:
        assert f'for="{input_id}"' in html, f"no label for {input_id}"


def test_no_inline_script_or_style_so_the_csp_can_forbid_them(client, login_as):
    login_as("admin")
    for path in ("/", "/login", "/account", "/admin/", "/admin/users"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"inline script on {path}"
        assert "<style" not in html and " style=" not in html, path


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert all(len(headers.getlist(name)) == 1 for name in ("Content-Security-Policy", "X-Frame-Options"))
    assert "Strict-Transport-Security" not in headers, "HSTS only where cookies are secure (https)"


def test_a_view_keeps_the_security_header_it_set_itself_whatever_its_case(other_app, db):
    app = other_app(config.TestConfig)

    @app.route("/test-own-policy")
    def own_policy():
        return "file", {"content-security-policy": "sandbox", "x-frame-options": "SAMEORIGIN"}

    headers = app.test_client().get("/test-own-policy").headers
    assert headers.getlist("Content-Security-Policy") == ["sandbox"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_served_locally(client):
    with client.get("/static/css/main.css") as response:
        assert response.status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/users"])
def test_learner_gets_403_on_admin_pages(client, login_as, path):
    login_as("learner")
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_instructor_gets_403_on_admin_pages(client, login_as):
    login_as("instructor")
    assert client.get("/admin/users").status_code == 403


def test_anonymous_user_is_sent_to_log_in_from_admin_pages(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_404_page_uses_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'class="skip-link"' in html


def test_405_page(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "not allowed here" in response.get_data(as_text=True)


def test_errors_are_json_for_clients_that_ask_for_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": "Page not found", "message": response.json["message"], "status": 404}


def test_413_page_for_a_too_large_body(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    response = client.post("/login", data={"email": "x" * 500, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_post_without_csrf_token_gets_400(app, client, make_user, monkeypatch):
    user = make_user()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def _page_csrf_token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_a_session_carries_one_csrf_token_signed_once(app, client, login_as, monkeypatch):
    """lms/web/security.py: the signed token of a session's first page serves its later pages; Flask-WTF still
    checks every post."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", None)
    client.get("/")
    first = _page_csrf_token(client, "/")

    def signed_again(*args, **kwargs):
        raise AssertionError("a page view signed the session's CSRF token again")

    monkeypatch.setattr("flask_wtf.csrf.URLSafeTimedSerializer", signed_again)  # where Flask-WTF signs
    assert _page_csrf_token(client, "/courses/") == first
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/language", data={"language": "es", "next": "/"}).status_code == 400
    assert client.post("/language", data={"language": "es", "next": "/", "csrf_token": first}).status_code == 302
    other = app.test_client()
    other.get("/")
    assert _page_csrf_token(other, "/") != first, "each session has its own token"
    assert other.post("/language", data={"language": "fr", "csrf_token": first}).status_code == 400


# RFC 8058: a mail program posts the one-click unsubscribe with no session and no form; the signed token in the
# address is the proof, so a forged one is refused as not found instead.
CSRF_EXEMPT = {"/discussions/unsubscribe/<token>": 404}


def test_every_state_changing_route_requires_a_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule).replace("<token>", "x")
        assert client.post(path, data={}).status_code == CSRF_EXEMPT.get(rule.rule, 400), rule.rule
        checked += 1
    assert checked >= 6


def test_too_many_log_in_attempts_get_a_429_page(client):
    statuses = [client.post("/login", data={"email": "a@b.org", "password": "wrong password"}).status_code
                for _ in range(10)]
    assert statuses == [422] * 10
    response = client.post("/login", data={"email": "a@b.org", "password": "wrong password"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200, "reading the page is not limited"


def _production_app(other_app, **extra) -> Flask:
    class Production(config.ProductionConfig):
        SECRET_KEY = "a production secret for the test"
        LOG_LEVEL = "CRITICAL"

    for key, value in extra.items():
        setattr(Production, key, value)
    return other_app(Production)


def test_production_refuses_to_start_without_a_secret_key(other_app):
    with pytest.raises(ConfigurationError, match="LMS_SECRET_KEY is not set"):
        _production_app(other_app, SECRET_KEY=None)


def test_production_uses_secure_cookies_and_hsts(other_app, db):
    production = _production_app(other_app)
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    response = production.test_client().get("/")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_no_traceback_reaches_a_page_in_production(other_app, db):
    production = _production_app(other_app)

    @production.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = production.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html and "secret internals" not in html


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    class Development(config.DevelopmentConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"

    first = create_app(Development).config["SECRET_KEY"]
    second = create_app(Development).config["SECRET_KEY"]  # SQLite engines open no connection until used
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "mail_queue": "ok",
                                           "oldest_queued_seconds": 0}


def test_admin_lists_and_filters_people(client, login_as, make_user):
    login_as("admin")
    make_user(display_name="김민수", city="Seoul")
    make_user(display_name="María José Núñez", city="Bogotá", role=Role.INSTRUCTOR)
    html = client.get("/admin/users?q=seoul").get_data(as_text=True)
    assert "김민수" in html and "Núñez" not in html
    html = client.get("/admin/users?role=instructor").get_data(as_text=True)
    assert "Núñez" in html and "김민수" not in html


def test_admin_changes_a_role_and_deactivates(client, db, login_as, make_user):
    login_as("admin")
    person = make_user()
    response = client.post(f"/admin/users/{person.id}", data={"role": "instructor"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.role == "instructor" and person.active is False


def test_admin_cannot_demote_themselves(client, db, login_as):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}", data={"role": "learner", "active": "y"})
    assert response.status_code == 422  # on the form, which is kept, not in a flash message
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    assert '<option selected value="learner">' in response.get_data(as_text=True)  # what was chosen is kept
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_admin_gets_404_for_an_unknown_user(client, login_as):
    login_as("admin")
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_search_treats_percent_and_underscore_literally(client, login_as, make_user):
    login_as("admin")
    make_user(display_name="Ana 100% Pérez")
    make_user(display_name="Plain Name")
    html = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "Ana 100% Pérez" in html and "Plain Name" not in html
    assert "Plain Name" not in client.get("/admin/users?q=_").get_data(as_text=True)
