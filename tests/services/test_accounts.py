"""lms.services.accounts: e-mail addresses as people type them, and who may load an account."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from lms.models import Role, SignedInUser
from lms.services import accounts
from lms.services.errors import NotFound


def test_an_address_is_found_however_it_was_typed(db, make_user):
    user = make_user(email="n\u00fa\u00f1ez@example.org")
    typed = unicodedata.normalize("NFD", "  N\u00daÑEZ@EXAMPLE.ORG ")
    assert accounts.normalise_email(typed) == user.email
    assert accounts.find_by_email(typed).id == user.id


def test_an_account_is_loaded_for_its_owner_and_administrators_only(db, make_user):
    owner, other, admin = make_user(), make_user(), make_user("admin")
    assert accounts.get_user(owner, owner.id) is owner
    assert accounts.get_user(admin, owner.id) is owner
    with pytest.raises(NotFound):
        accounts.get_user(other, owner.id)
    with pytest.raises(NotFound):
        accounts.get_user(admin, 987654)


def test_the_signed_in_person_is_a_read_only_value_without_the_password_hash(db, make_user):
    user = make_user(role=Role.INSTRUCTOR)
    person = accounts.user_of_login(user.id, accounts.start_login(user))
    assert isinstance(person, SignedInUser) and person == user
    assert (person.display_name, person.timezone, person.is_authenticated, person.is_staff, person.is_admin) == \
        (user.display_name, user.timezone, True, True, False)
    assert not hasattr(person, "password_hash")
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.display_name = "Changed"  # type: ignore[misc]


def test_a_profile_edit_of_the_signed_in_person_is_saved_on_their_account(db, make_user):
    user = make_user()
    person = accounts.user_of_login(user.id, accounts.start_login(user))
    saved = accounts.update_profile(person, accounts.Profile(display_name="Ana  Lima", city="Porto"))
    db.session.expire_all()
    assert saved is user and (user.display_name, user.city) == ("Ana Lima", "Porto")


def test_a_log_in_that_ended_or_a_deactivated_account_loads_nobody(db, make_user):
    user = make_user()
    token = accounts.start_login(user)
    accounts.set_role_and_status(make_user(role=Role.ADMIN), user.id, Role.LEARNER, False)
    assert accounts.user_of_login(user.id, token) is None
