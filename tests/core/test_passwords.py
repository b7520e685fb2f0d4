"""The list of common passwords that registration, password changes and resets refuse."""

import pytest

from lms.core.passwords import is_common_password


@pytest.mark.parametrize("password", ["password123", "1234567890", "qwertyuiop", "Password 123", "IloveYou12"])
def test_common_passwords_are_recognised_whatever_the_case_and_spaces(password):
    assert is_common_password(password)


@pytest.mark.parametrize("password", ["correct horse battery", "Ayuntamiento de Bogotá 2031"])
def test_uncommon_passwords_pass(password):
    assert not is_common_password(password)
