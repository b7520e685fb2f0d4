"""Idle and absolute session timeouts, remember-me inside them, and when the session cookie is sent again.

The clock is lms.web.auth.timeouts.current_time, moved by the `clock` fixture: no test sleeps.
"""

import time
from datetime import timedelta

import pytest

import config
from lms.web.auth import timeouts
from tests.factories import DEFAULT_PASSWORD

IDLE_MESSAGE = "You were signed out after 60 minutes without activity. Please log in again."
ABSOLUTE_MESSAGE = "You were signed out because you logged in more than 12 hours ago. Please log in again."


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000

    def advance(self, **span: float) -> None:
        self.now += int(timedelta(**span).total_seconds())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timeouts, "current_time", lambda: frozen.now)
    return frozen


def log_in(client, user, remember: bool = False):
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def restart_browser(client) -> None:
    """A browser restart forgets the session cookie (it has no expiry) and keeps the remember-me cookie."""
    client.delete_cookie("session")


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_idle_past_the_limit_signs_out_and_says_why(client, clock, make_user):
    log_in(client, make_user())
    clock.advance(minutes=60)
    response = client.get("/learning?tab=all")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "%2Flearning%3Ftab%3Dall" in response.headers["Location"], "they come back where they were"
    assert IDLE_MESSAGE in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not signed_in(client)


def test_requests_within_the_idle_limit_keep_the_session(client, clock, make_user):
    log_in(client, make_user())
    for _ in range(4):  # 4 times 59 minutes: far past the idle limit in total, never idle that long
        clock.advance(minutes=59)
        assert signed_in(client)


def test_the_absolute_limit_signs_out_even_an_active_person(client, clock, make_user):
    log_in(client, make_user())
    for _ in range(14):  # 14 times 50 minutes = 11 h 40
        clock.advance(minutes=50)
        assert signed_in(client)
    clock.advance(minutes=20)
    response = client.get("/account")
    assert response.status_code == 302
    assert ABSOLUTE_MESSAGE in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not signed_in(client)


def test_a_post_after_the_timeout_changes_nothing_and_goes_to_log_in(client, db, clock, make_user):
    user = make_user(display_name="Before")
    log_in(client, user)
    clock.advance(hours=2)
    response = client.post("/account", data={"display_name": "After", "country": "", "timezone": "UTC",
                                              "preferred_language": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.display_name == "Before"


def test_remember_me_brings_the_log_in_back_after_a_browser_restart(client, clock, make_user):
    log_in(client, make_user(), remember=True)
    clock.advance(hours=3)
    restart_browser(client)
    assert signed_in(client)
    assert signed_in(client), "the restored session survives its second request (strong session protection)"


def test_remember_me_spares_the_idle_limit(client, clock, make_user):
    log_in(client, make_user(), remember=True)
    clock.advance(hours=5)
    assert signed_in(client)


def test_remember_me_never_outlives_the_absolute_limit(client, clock, make_user):
    log_in(client, make_user(), remember=True)
    assert client.get_cookie("remember_token") is not None
    clock.advance(hours=12)
    restart_browser(client)
    response = client.get("/account")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None, "the cookie is deleted, not just refused"
    assert ABSOLUTE_MESSAGE in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not signed_in(client)


def test_the_remember_me_cookie_expires_with_the_absolute_limit(client, make_user):
    log_in(client, make_user(), remember=True)
    expires = client.get_cookie("remember_token").expires
    # Flask-Login dates the cookie by the real clock, which the fixture does not move.
    lifetime = timedelta(seconds=expires.timestamp() - time.time())
    assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12), "not the 14 days of LMS_REMEMBER_DAYS"


def test_log_out_deletes_the_remember_me_cookie(client, make_user):
    log_in(client, make_user(), remember=True)
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert not signed_in(client)


def test_the_session_cookie_is_sent_again_at_most_once_a_minute(client, clock, make_user):
    log_in(client, make_user())
    client.get("/account")  # a first page may still write (the flashed messages are read)
    clock.advance(seconds=30)
    assert "Set-Cookie" not in client.get("/account").headers
    clock.advance(seconds=31)
    assert "session=" in client.get("/account").headers.get("Set-Cookie", "")


def test_the_limits_come_from_the_configuration(app, client, clock, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(minutes=5))
    log_in(client, make_user())
    clock.advance(minutes=4)
    assert signed_in(client)
    clock.advance(minutes=5)
    response = client.get("/account")
    message = "You were signed out after 5 minutes without activity."
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_password_change_keeps_this_session_and_restarts_its_clock(client, clock, make_user):
    log_in(client, make_user())
    for _ in range(12):  # active for 11 hours
        clock.advance(minutes=55)
        assert signed_in(client)
    new_password = "a brand new passphrase"
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": new_password, "confirm": new_password})
    assert response.status_code == 302
    for _ in range(3):  # 13 h 45 after the first log-in
        clock.advance(minutes=55)
        assert signed_in(client), "typing the password again started a new absolute window"


def test_an_identity_without_its_sign_in_time_is_refused():
    assert timeouts.parse_identity("12:token:1900000000") == timeouts.Identity(12, "token", 1_900_000_000)
    for stale in ("12:token", "12::1900000000", "x:token:1", "12:token:soon", "12:token:1:extra"):
        assert timeouts.parse_identity(stale) is None, stale


def test_timeouts_below_one_are_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("LMS_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="LMS_SESSION_IDLE_MINUTES must be 1 or more"):
        config._env_positive_int("LMS_SESSION_IDLE_MINUTES", 60)
