"""Log-ins known to the server: logging out ends them everywhere their cookies went; "log out everywhere"; guesses of
the current password are limited; failed log-ins are logged without the password."""

import logging

from lms.models import Login
from tests.factories import DEFAULT_PASSWORD


def log_in(client, user, remember: bool = False) -> None:
    data = {"email": user.email, "password": DEFAULT_PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.post("/login", data=data).status_code == 302


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def copied_cookies(app, client):
    """Another browser holding copies of this browser's cookies (a stolen laptop, a copied cookie jar)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_logging_out_ends_the_log_in_for_copies_of_its_cookies_too(app, client, db, make_user):
    user = make_user()
    log_in(client, user, remember=True)
    thief = copied_cookies(app, client)
    assert signed_in(thief), "the copy works while the log-in lasts"

    client.post("/logout")

    assert not signed_in(thief)
    remember_only = app.test_client()
    remember_only.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not signed_in(remember_only), "the remember-me cookie is refused by the server, not just deleted"
    assert db.session.execute(db.select(Login).filter_by(user_id=user.id)).first() is None


def test_log_out_everywhere_ends_every_devices_log_in(app, client, db, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    for browser in (client, phone, laptop):
        log_in(browser, user, remember=True)

    response = client.post("/account/logout-everywhere", follow_redirects=True)

    assert "You have been logged out on every device (3 log-ins ended)." in response.get_data(as_text=True)
    assert not any(signed_in(browser) for browser in (client, phone, laptop))


def test_the_account_page_offers_log_out_everywhere(client, login_as):
    login_as("learner")
    assert 'action="/account/logout-everywhere"' in client.get("/account").get_data(as_text=True)


def test_a_password_change_ends_the_other_devices_log_ins(app, client, make_user):
    user = make_user()
    other = app.test_client()
    log_in(client, user)
    log_in(other, user)
    new_password = "a brand new passphrase"
    client.post("/account/password", data={"current_password": DEFAULT_PASSWORD, "password": new_password,
                                           "confirm": new_password})
    assert signed_in(client) and not signed_in(other)


def test_guesses_of_the_current_password_are_limited_per_account(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CURRENT_PASSWORD", "3 per hour")
    user = make_user()
    log_in(client, user)
    new_password = "a brand new passphrase"

    def attempt(current: str):
        return client.post("/account/password", data={"current_password": current, "password": new_password,
                                                      "confirm": new_password})

    assert attempt(DEFAULT_PASSWORD + "!").status_code == 422  # refused, the form kept
    assert client.post("/account/password", data={"current_password": DEFAULT_PASSWORD, "password": "short",
                                                  "confirm": "short"}).status_code == 422, "not a guess: not counted"
    for _ in range(2):
        assert "Your current password is not correct." in attempt("guess").get_data(as_text=True)
    assert attempt("one guess too many").status_code == 429
    assert attempt(DEFAULT_PASSWORD).status_code == 429, "the limit holds even for the right password"


def test_failed_log_ins_are_logged_without_the_password(client, db, make_user, caplog):
    user = make_user()
    with caplog.at_level(logging.WARNING, logger="lms"):
        client.post("/login", data={"email": user.email, "password": "hunter2-secret-guess"})
        client.post("/login", data={"email": "nobody@example.org", "password": "another-secret-guess"})
    messages = [record.getMessage() for record in caplog.records]
    assert f"failed log-in: wrong password for user {user.id}" in messages
    assert "failed log-in: no account for 'nobody@example.org'" in messages
    assert not any("secret-guess" in message for message in messages)
