"""Accounts: registration, authentication, passwords, profiles and roles."""

from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms import authz
from lms.core import clock, locales, passwords
from lms.core.emails import normalise_email
from lms.extensions import db
from lms.models import Login, Role, SignedInUser, User
from lms.services import audit, links, mail
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound
from lms.services.paging import Page, paginate

log = logging.getLogger(__name__)

# One message for an unknown e-mail and a wrong password, so the form cannot be used to find out who has an account.
BAD_CREDENTIALS = _l("That e-mail and password do not match an account.")
INACTIVE_ACCOUNT = _l("This account has been deactivated. Please contact the programme staff.")
RESET_SALT = "lms.password-reset"
VERIFY_SALT = "lms.verify-email"

# Computed once so that checking an unknown e-mail costs as much as checking a real one (no timing oracle).
_DUMMY_HASH: str | None = None


@dataclass(frozen=True)
class Profile:
    display_name: str
    organisation: str = ""
    job_title: str = ""
    city: str = ""
    country: str = ""
    timezone: str = "UTC"
    preferred_language: str = "en"


def normalise_name(name: str) -> str:
    # NFC so that "Núñez" typed with combining accents and with precomposed letters is the same name.
    return " ".join(unicodedata.normalize("NFC", name).split())


def password_problem(password: str, email: str = "") -> str | None:
    """The one password rule, used by every form and the CLI. None when the password is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", minimum)
    if len(password) > 1024:
        return _("Use at most %(num)d characters.", num=1024)
    if email and password.strip().lower() == normalise_email(email):
        return _("Do not use your e-mail address as your password.")
    if len(set(password)) < 4:
        return _("Use a less repetitive password.")
    if passwords.is_common_password(password):
        return _("This password is one of the most common ones, which are tried first when accounts are attacked. "
                 "Choose another.")
    return None


def _check_password_rule(password: str, email: str) -> None:
    problem = password_problem(password, email)
    if problem:
        raise Invalid(problem, field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # Werkzeug's default: scrypt


def get_user(actor: User, user_id: int) -> User:
    """The account, for administrators and for its owner; NotFound for everyone else (no hint it exists)."""
    user = db.session.get(User, user_id)
    if user is None or not (authz.can_manage_users(actor) or actor.id == user_id):
        raise NotFound(_("No such user."))
    return user


def find_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def _apply_profile(user: User, profile: Profile) -> None:
    for field in fields(Profile):
        value = getattr(profile, field.name)
        setattr(user, field.name, value.strip() if isinstance(value, str) else value)
    user.display_name = normalise_name(profile.display_name)
    if not user.display_name:
        raise Invalid(_("Please give your name."), field="display_name")
    if user.country and not locales.is_country(user.country):
        raise Invalid(_("Unknown country code %(code)s.", code=repr(user.country)), field="country")
    if not locales.is_time_zone(user.timezone):
        raise Invalid(_("Unknown time zone %(zone)s.", zone=repr(user.timezone)), field="timezone")
    if not locales.is_language(user.preferred_language):
        raise Invalid(_("Unknown language code %(code)s.", code=repr(user.preferred_language)),
                      field="preferred_language")


def create_user(email: str, password: str, profile: Profile, role: Role = Role.LEARNER, *,
                verified: bool = True) -> User:
    """Create an account; the one place that inserts users (registration, CLI, demo data, admin). Accounts made by
    staff or the command line are verified; self-registration makes an unverified one (see ``register``)."""
    email = normalise_email(email)
    _check_password_rule(password, email)
    user = User(email=email, password_hash=hash_password(password), role=Role(role).value,
                email_verified_at=clock.now() if verified else None)
    _apply_profile(user, profile)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # The unique constraint decides, not a check before the insert: two simultaneous sign-ups can't both win.
        db.session.rollback()
        raise Conflict(_("An account with this e-mail address already exists."), field="email") from None
    return user


def register(email: str, password: str, profile: Profile, next_url: str | None = None) -> None:
    """Self-registration, as Moodle's e-mail-based sign-up: the account waits until its owner opens the link mailed
    to the address. An address that already has an account gets a note instead (with a log-in and a reset link),
    and the person at the form sees the same page either way, so it cannot tell who has an account."""
    email = normalise_email(email)
    _check_password_rule(password, email)
    existing = find_by_email(email)
    if existing is not None:
        _mail_account_exists(existing)
        return
    try:
        user = create_user(email, password, profile, Role.LEARNER, verified=False)
    except Conflict:  # registered at the same moment by another request: the same note
        existing = find_by_email(email)
        if existing is not None:
            _mail_account_exists(existing)
        return
    send_verification(user, next_url)


def _mail_account_exists(user: User) -> None:
    mail.enqueue(user, _l("You already have an account"), "account_exists", user=user,
                 login_link=links.absolute("auth.login"), reset_link=links.absolute("auth.request_reset"))
    db.session.commit()


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """Signs the links mailed to people; each kind of link has its own salt, so one kind never passes for another."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _token_user(serializer: URLSafeTimedSerializer, token: str, max_age: int, *, expired: str,
                invalid: str) -> tuple[User | None, dict]:
    """The active account a signed, time-stamped link names, and the link's data; (None, data) when the account is
    gone or deactivated (the caller says so in its own words). Invalid with ``expired`` or ``invalid`` when the
    signature is too old or not ours."""
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid(expired) from None
    except BadSignature:
        raise Invalid(invalid) from None
    if not isinstance(data, dict):
        return None, {}
    user = db.session.get(User, data.get("uid"))
    return (user if user is not None and user.active else None), data


def send_verification(user: User, next_url: str | None = None) -> None:
    """Mail the link that confirms the address. It names the address too, so a link for an old address (the
    account's address changed since) does not verify the new one."""
    payload = {"uid": user.id, "email": user.email}
    if next_url:
        payload["next"] = next_url
    token = _serializer(VERIFY_SALT).dumps(payload)
    hours = current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600
    mail.enqueue(user, _l("Confirm your e-mail address"), "verify_email", user=user,
                 link=links.absolute("auth.verify_email", token=token), hours=hours)
    db.session.commit()


def verify_email(token: str) -> tuple[User, str | None]:
    """Mark the address verified (opening the link twice is fine); the user and the page to go on to."""
    user, data = _token_user(_serializer(VERIFY_SALT), token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"],
                             expired=_("This confirmation link has expired. Log in to get a new one."),
                             invalid=_("This confirmation link is not valid. Log in to get a new one."))
    if user is None or user.email != data.get("email"):
        raise Invalid(_("This confirmation link is not valid any more. Log in to get a new one."))
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        db.session.commit()
    return user, data.get("next")


class EmailNotVerified(NotAllowed):
    """The password was right but the address was never confirmed; a new link has been mailed."""


def authenticate(email: str, password: str) -> User:
    global _DUMMY_HASH
    user = find_by_email(email)
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not a real password")
        check_password_hash(_DUMMY_HASH, password)
        log.warning("failed log-in: no account for %r", normalise_email(email)[:254])
        raise Invalid(BAD_CREDENTIALS)
    if not check_password_hash(user.password_hash, password):
        log.warning("failed log-in: wrong password for user %s", user.id)
        raise Invalid(BAD_CREDENTIALS)
    if not user.active:
        log.warning("failed log-in: user %s is deactivated", user.id)
        raise NotAllowed(INACTIVE_ACCOUNT)
    if not user.email_verified:
        send_verification(user)
        raise EmailNotVerified(f"Please confirm your e-mail address first: we have sent a new link to {user.email}.")
    user.last_login_at = clock.now()
    db.session.commit()
    return user


# Log-ins known to the server: the signed cookies carry a login's token, and a log-in ends when its row goes.


def start_login(user: User) -> str:
    login = Login(user_id=user.id)
    db.session.add(login)
    db.session.commit()
    return login.token


# Built once per process: composing a statement costs SQLAlchemy more than running this one, which every request runs.
# Plain columns, not the entity: every request runs it, and pages only read the person (SignedInUser).
_USER_OF_LOGIN = (
    db.select(*(getattr(User, field.name) for field in fields(SignedInUser))).join(Login, Login.user_id == User.id)
    .where(User.id == bindparam("user_id"), Login.token == bindparam("token"), User.active.is_(True))
)


def user_of_login(user_id: int, token: str) -> SignedInUser | None:
    """The active user of a log-in that has not ended, as a read-only value; one query, on every request."""
    # On the session's connection: the session's own execute costs as much Python again as the statement's run.
    row = db.session.connection().execute(_USER_OF_LOGIN, {"user_id": user_id, "token": token}).first()
    return SignedInUser(*row) if row is not None else None


def account_to_edit(person: User | SignedInUser) -> User:
    """The person's row, for a use case that changes it: the signed-in person a request holds is a read-only value.
    No query when the row is already in the session."""
    user = db.session.get(User, person.id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def end_login(token: str) -> None:
    db.session.execute(db.delete(Login).where(Login.token == token))
    db.session.commit()


def _end_logins(user: User | SignedInUser, keep_token: str | None = None) -> int:
    query = db.delete(Login).where(Login.user_id == user.id)
    if keep_token:
        query = query.where(Login.token != keep_token)
    return db.session.execute(query).rowcount


def expire_logins(signed_in_before: datetime) -> int:
    """Remove the log-ins made before ``signed_in_before`` (the absolute session limit ago): their cookies are
    refused at that limit anyway, so the rows of people who never logged out only pile up. Part of the caller's
    transaction; how many went."""
    return db.session.execute(db.delete(Login).where(Login.created_at < signed_in_before)
                              .execution_options(synchronize_session=False)).rowcount


def log_out_everywhere(user: User | SignedInUser) -> int:
    """End every log-in of this person, on every device (this one included); how many there were."""
    ended = _end_logins(user)
    db.session.commit()
    return ended


def update_profile(person: User | SignedInUser, profile: Profile) -> User:
    user = account_to_edit(person)
    _apply_profile(user, profile)
    db.session.commit()
    return user


WRONG_CURRENT_PASSWORD = _l("Your current password is not correct.")


def _set_password(user: User, new_password: str, keep_login: str | None = None) -> None:
    _check_password_rule(new_password, user.email)
    user.password_hash = hash_password(new_password)
    _end_logins(user, keep_login)  # every other session and remember-me cookie stops working


def change_password(person: User | SignedInUser, current_password: str, new_password: str,
                    current_login: str | None = None) -> User:
    user = account_to_edit(person)
    if not check_password_hash(user.password_hash, current_password):
        log.warning("password change refused: wrong current password for user %s", user.id)
        raise Invalid(WRONG_CURRENT_PASSWORD, field="current_password")
    _set_password(user, new_password, keep_login=current_login)
    db.session.commit()
    return user


# Password reset. The token is signed and time-stamped, and carries a fingerprint of the password hash: once the
# password changes (which is what using the token does) the fingerprint no longer matches, so each token works once.


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address. Says nothing either way, so callers can't tell."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    token = make_reset_token(user)
    link = links.password_reset(token)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    mail.enqueue(user, _l("Reset your password"), "password_reset", user=user, link=link, minutes=minutes)
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    user, data = _token_user(_serializer(RESET_SALT), token, current_app.config["PASSWORD_RESET_MAX_AGE"],
                             expired=_("This reset link has expired. Please ask for a new one."),
                             invalid=_("This reset link is not valid. Please ask for a new one."))
    if user is None or not hmac.compare_digest(str(data.get("fp")), _password_fingerprint(user)):
        raise Invalid(_("This reset link has already been used. Please ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    if user.email_verified_at is None:  # the reset link reached the address: it is the owner's
        user.email_verified_at = clock.now()
    db.session.commit()
    return user


# Administration of people.


def list_users(actor: User, search: str = "", role: str = "", page: int = 1, per_page: int = 50) -> Page[User]:
    if not authz.can_manage_users(actor):
        raise NotAllowed(_("Only administrators can manage people."))
    query = db.select(User).order_by(User.display_name, User.id)
    search = search.strip()
    if search:
        query = query.where(db.or_(*(column.icontains(search, autoescape=True)
                                     for column in (User.email, User.display_name, User.organisation, User.city))))
    if role:
        query = query.where(User.role == role)
    return paginate(query, page, per_page)


def set_role_and_status(actor: User, user_id: int, role: str, active: bool) -> User:
    if not authz.can_manage_users(actor):
        raise NotAllowed(_("Only administrators can manage people."))
    user = get_user(actor, user_id)
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise Conflict(_("You cannot remove your own administrator role or deactivate yourself."))
    before = {"role": user.role, "active": user.active}
    try:
        user.role = Role(role).value
    except ValueError:
        raise Invalid(_("Unknown role %(role)s.", role=repr(role)), field="role") from None
    user.active = active
    if user.role != before["role"]:
        audit.record(actor, "user.role_change", "user", user.id,
                     {"email": user.email, "role": {"from": before["role"], "to": user.role}})
    if user.active != before["active"]:
        audit.record(actor, "user.activate" if user.active else "user.deactivate", "user", user.id,
                     {"email": user.email})
        if not user.active:
            _end_logins(user)
    db.session.commit()
    return user


def set_preferred_language(person: User | SignedInUser, code: str) -> bool:
    """The language menu's choice, kept on the person's profile (so e-mails follow it too). True when it changed.
    Only an interface language is accepted here: the menu offers nothing else."""
    if code not in locales.INTERFACE_LANGUAGES:
        raise Invalid(f"Unknown interface language {code!r}.", field="language")
    if person.preferred_language == code:
        return False
    account_to_edit(person).preferred_language = code
    db.session.commit()
    return True
