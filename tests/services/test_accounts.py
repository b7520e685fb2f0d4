"""lms.services.accounts: e-mail addresses as people type them, and who may load an account."""

from __future__ import annotations

import unicodedata

import pytest

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
