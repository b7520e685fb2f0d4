"""Common passwords: the first thing an attacker tries, so never accepted.

The list is the 30,000 most common passwords of leaked password sets that Dropbox's zxcvbn ships (Python port
``zxcvbn``, MIT licence; the list comes from Mark Burnett's 10 million password set and ranks by frequency). We use
its list, not its strength score: a rule people can understand ("this password is one of the most common ones").
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 0.1 s and a few MB: loaded on the first check only

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """Whether the password is on the list, ignoring letter case and spaces ("Password 123" is "password123")."""
    return "".join(password.split()).lower() in _common_passwords()
