"""The one rule for comparing e-mail addresses, used wherever an address is stored or looked up (accounts, the Zoom
participants report): surrounding spaces dropped, NFC (an address typed with combining accents and one with
precomposed letters are the same address), lower-cased (the unique constraint on users.email is then
case-insensitive)."""

from __future__ import annotations

import unicodedata


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).lower()
