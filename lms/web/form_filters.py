"""Filters shared by the forms of every blueprint."""

from __future__ import annotations


def strip(value: str | None) -> str | None:
    """Surrounding spaces are never meant (a pasted e-mail address, a name typed with a trailing space)."""
    return value.strip() if isinstance(value, str) else value
