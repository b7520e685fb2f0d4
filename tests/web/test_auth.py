import re
import time

import pytest

from lms.models import User
from lms.services import accounts
from tests.factories import DEFAULT_PASSWORD


def without_form_tokens(html: str) -> str:
    """A page without its forms' tokens, which carry the second they were made (every page has the language menu's):
    two pages a second apart differ only there."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def registration(email="new.person@example.org", **overrides):
    data = {
        "email": email, "password": "a good long password", "confirm": "a good long password",
        "display_name": "New Person", "organisation": "City of Testing", "job_title": "Planner",
        "city": "Bogotá", "country": "CO", "timezone": "America/Bogota", "preferred_language": "es",
    }
    data.update(overrides)
    return data


def mailed_link(outbox, path: str) -> str:
    match = re.search(rf"http://lms\.test({path}\S+)", outbox.last_body())
    assert match, outbox.last_body()
    return match.group(1)


def test_registration_mails_a_confirmation_link_that_logs_the_person_in(client, db, outbox):
    response = client.post("/register", data=registration())
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = accounts.find_by_email("new.person@example.org")
    assert user.role == "learner" and not user.email_verified
    assert user.city == "Bogotá" and user.timezone == "America/Bogota"
    assert outbox.messages[-1]["To"] == "new.person@example.org"
    assert "New Person" not in client.get("/").get_data(as_text=True), "not logged in before confirming"

    response = client.get(mailed_link(outbox, "/verify-email/"))

    assert response.status_code == 302
    assert "New Person" in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert accounts.find_by_email("new.person@example.org").email_verified


def test_logging_in_before_confirming_sends_a_new_link_and_does_not_log_in(client, db, outbox):
    client.post("/register", data=registration())
    sent = len(outbox)
    response = client.post("/login", data={"email": "new.person@example.org", "password": "a good long password"})
    assert response.status_code == 422  # refused, the form kept (lms.web.form_errors.save_form)
    assert "Please confirm your e-mail address first" in response.get_data(as_text=True)
    assert len(outbox) == sent + 1 and "/verify-email/" in outbox.last_body()


def test_the_confirmation_link_leads_on_to_the_page_the_person_came_for(client, db, outbox):
    client.post("/register?next=/cohorts/7/apply", data=registration())
    response = client.get(mailed_link(outbox, "/verify-email/"))
    assert response.headers["Location"] == "/cohorts/7/apply"


def test_a_tampered_confirmation_link_is_refused(client, db, outbox):
    client.post("/register", data=registration())
    response = client.get(mailed_link(outbox, "/verify-email/") + "x", follow_redirects=True)
    assert "This confirmation link is not valid" in response.get_data(as_text=True)
    assert not accounts.find_by_email("new.person@example.org").email_verified


@pytest.mark.parametrize("spelling", ["Taken@Example.org", "TAKEN@EXAMPLE.ORG", " taken@example.org "])
def test_registering_a_taken_address_looks_the_same_and_mails_its_owner(client, db, make_user, outbox, spelling):
    owner = make_user(email="taken@example.org")
    taken = client.post("/register", data=registration(email=spelling)).get_data(as_text=True)
    fresh = client.post("/register", data=registration(email="fresh@example.org")).get_data(as_text=True)
    taken, fresh = without_form_tokens(taken), without_form_tokens(fresh)
    assert taken.replace("taken@example.org", "ADDRESS") == fresh.replace("fresh@example.org", "ADDRESS")
    assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar() == 2
    to_owner = [m for m in outbox.messages if m["To"] == "taken@example.org"]
    assert [m["Subject"] for m in to_owner] == ["You already have an account"]
    assert "/reset-password" in to_owner[0].get_body(preferencelist=("plain",)).get_content()
    db.session.expire_all()
    assert db.session.get(User, owner.id).display_name == owner.display_name, "the account is unchanged"


def test_registration_rejects_a_weak_password_with_a_clear_message(client, db):
    response = client.post("/register", data=registration(password="short", confirm="short"))
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert accounts.find_by_email("new.person@example.org") is None


def test_registration_rejects_an_unknown_country(client, db):
    response = client.post("/register", data=registration(country="XX"))
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert accounts.find_by_email("new.person@example.org") is None


@pytest.mark.parametrize("name", ["María José Núñez", "김민수", "Zoë Ångström-Øster", "Nguyễn Thị Minh Khai"])
def test_names_in_any_script_round_trip(client, db, outbox, name):
    client.post("/register", data=registration(display_name=name))
    client.get(mailed_link(outbox, "/verify-email/"))
    db.session.expire_all()
    assert accounts.find_by_email("new.person@example.org").display_name == name
    assert name in client.get("/account").get_data(as_text=True)


def test_a_name_typed_with_combining_accents_is_stored_composed(db, make_user):
    user = make_user(display_name="Nu\u0301n\u0303ez")
    assert user.display_name == "Núñez"


def test_wrong_password_and_unknown_email_give_the_same_message(client, db, make_user):
    user = make_user()
    wrong_password = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown_email = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong_password.status_code == unknown_email.status_code == 422
    message = str(accounts.BAD_CREDENTIALS)
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_login_is_case_insensitive_on_email(client, db, make_user):
    make_user(email="case@example.org")
    response = client.post("/login", data={"email": "CASE@Example.ORG", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_login_of_an_inactive_user_is_refused(client, db, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 422
    assert str(accounts.INACTIVE_ACCOUNT) in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_deactivating_a_user_ends_their_current_session(client, db, login_as):
    user = login_as("learner")
    assert client.get("/account").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_remember_me_sets_a_long_lived_cookie(client, db, make_user):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_next_pointing_off_site_is_ignored(client, db, make_user):
    user = make_user()
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        response = client.post(f"/login?next={target}", data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]
        client.post("/logout")


def test_next_on_this_site_is_followed(client, db, make_user):
    user = make_user()
    response = client.post("/login?next=/account", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/account"


def test_anonymous_user_is_redirected_to_log_in(client, db):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_a_post_and_ends_the_session(client, db, login_as):
    login_as("learner")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_profile_update(client, db, login_as):
    user = login_as("learner")
    response = client.post("/account", data={
        "display_name": "  Updated   Name ", "organisation": "Seoul", "job_title": "", "city": "Seoul",
        "country": "KR", "timezone": "Asia/Seoul", "preferred_language": "ko"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.country, user.timezone) == ("Updated Name", "KR", "Asia/Seoul")
    assert '<html lang="ko" dir="ltr">' in client.get("/account").get_data(as_text=True)


def test_the_language_menu_keeps_a_signed_in_persons_choice_on_their_profile(client, db, login_as):
    user = login_as("learner")
    assert client.post("/language", data={"language": "ar", "next": "/"}).status_code == 302
    db.session.refresh(user)
    assert user.preferred_language == "ar"


def test_a_changed_password_is_the_one_that_logs_in(client, db, login_as):
    user = login_as("learner")
    client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "a brand new password", "confirm": "a brand new password"})
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": user.email, "password": "a brand new password"}).status_code == 302


def test_change_password_logs_out_other_sessions(app, client, db, login_as):
    user = login_as("learner")
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_device.get("/account").status_code == 200

    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200, "this device stays logged in"
    assert other_device.get("/account").status_code == 302, "the other device is logged out"


def test_change_password_needs_the_current_one(client, db, login_as):
    login_as("learner")
    response = client.post("/account/password", data={
        "current_password": "wrong password!", "password": "a brand new password", "confirm": "a brand new password"})
    assert "Your current password is not correct." in response.get_data(as_text=True)


def _reset_link(outbox) -> str:
    match = re.search(r"http://lms\.test(/reset-password/\S+)", outbox.last_body())
    assert match, outbox.last_body()
    return match.group(1)


def test_password_reset_by_email(client, db, make_user, outbox):
    user = make_user()
    response = client.post("/reset-password", data={"email": user.email.upper()})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox.messages[0]["To"] == user.email
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "my new password!", "confirm": "my new password!"})
    assert response.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "my new password!"}).status_code == 302


def test_reset_request_for_an_unknown_email_looks_the_same_and_sends_nothing(client, db, make_user, outbox):
    make_user(email="known@example.org")
    known = client.post("/reset-password", data={"email": "known@example.org"}, follow_redirects=True)
    unknown = client.post("/reset-password", data={"email": "unknown@example.org"}, follow_redirects=True)
    assert len(outbox) == 1
    assert without_form_tokens(known.get_data(as_text=True)) == without_form_tokens(unknown.get_data(as_text=True))


def test_reset_token_cannot_be_used_twice(client, db, make_user, outbox):
    user = make_user()
    client.post("/reset-password", data={"email": user.email})
    link = _reset_link(outbox)
    client.post(link, data={"password": "my new password!", "confirm": "my new password!"})
    second = client.post(link, data={"password": "another password!", "confirm": "another password!"})
    assert second.status_code == 302 and second.headers["Location"] == "/reset-password"
    assert client.post("/login", data={"email": user.email, "password": "another password!"}).status_code == 422


def test_reset_token_expires(app, client, db, make_user, monkeypatch):
    user = make_user()
    with app.test_request_context():
        token = accounts.make_reset_token(user)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + app.config["PASSWORD_RESET_MAX_AGE"] + 5)
    response = client.post(f"/reset-password/{token}", data={"password": "my new password!",
                                                             "confirm": "my new password!"}, follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)
    assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302


def test_a_tampered_reset_token_is_refused(client, db, make_user, outbox):
    user = make_user()
    client.post("/reset-password", data={"email": user.email})
    link = _reset_link(outbox)
    response = client.get(link[:-3] + "abc", follow_redirects=True)
    assert "not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1q2w3e4r5t"])
def test_registration_refuses_a_common_password(client, db, password):
    response = client.post("/register", data=registration(password=password, confirm=password))
    assert "This password is one of the most common ones" in response.get_data(as_text=True)
    assert accounts.find_by_email("new.person@example.org") is None


def test_a_password_change_refuses_a_common_password(client, login_as):
    login_as("learner")
    response = client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                       "password": "manchester", "confirm": "manchester"})
    assert "This password is one of the most common ones" in response.get_data(as_text=True)


def test_the_preferred_language_list_offers_the_interface_languages_first(client, db):
    from lms.core.locales import INTERFACE_LANGUAGES

    html = client.get("/register").get_data(as_text=True)
    select = html[html.index('name="preferred_language"'):]
    select = select[:select.index("</select>")]
    assert '<optgroup label="Languages of this site">' in select
    offered = re.findall(r'<option[^>]*value="([a-z]{2})"', select)
    assert tuple(offered[:len(INTERFACE_LANGUAGES)]) == INTERFACE_LANGUAGES == ("en", "es", "fr", "ko", "ar")
    # Each interface language in itself, marked as that language, so that a person finds their own
    assert re.search(r'<option lang="ko"[^>]*>한국어</option>', select) and re.search(
        r'<option lang="ar"[^>]*>العربية</option>', select)


def test_the_time_zone_starts_on_the_browsers_where_scripts_run(client, db):
    html = client.get("/register").get_data(as_text=True)
    assert re.search(r'<select[^>]*data-browser-time-zone[^>]*name="timezone"|<select[^>]*name="timezone"'
                     r'[^>]*data-browser-time-zone', html)
    assert '<script src="/static/js/forms.js" defer></script>' in html
    assert re.search(r'<option selected value="UTC">|<option value="UTC" selected>', html), \
        "without scripts the form still starts on UTC"
