"""A length of time as people say it, in their language: "45 seconds", "12 minutes", "3 hours", "2 days"; "12 minutos",
"12분". The words and plural forms come from Babel's CLDR data for the locale the caller passes (the core knows no
request), so no catalogue entry is needed for them. One place for the rule: every page, e-mail and PDF uses these."""

from __future__ import annotations

from functools import lru_cache

from babel.units import format_unit

_UNITS = (("duration-day", 86400), ("duration-hour", 3600), ("duration-minute", 60))


# typed: 1 and 1.0 are equal as keys. Babel takes about 100 microseconds for each phrase (a course page writes six),
# and the same few quantities come back on every page.
@lru_cache(maxsize=4096, typed=True)
def quantity_phrase(value: float, unit: str, locale: str = "en") -> str:
    """``value`` of a CLDR ``unit`` ("duration-hour") in words. Some locales' data (Korean, for some Arabic units)
    has only the short form; Babel answers "12 duration-minute" for a missing form, so the short one is used then."""
    text = ""
    for length in ("long", "short"):
        text = format_unit(value, unit, length=length, locale=locale)
        if unit not in text:
            return text
    return text


def duration_phrase(seconds: float, locale: str = "en") -> str:
    """In the largest whole unit, rounded down: 3599 seconds are "59 minutes"."""
    seconds = max(0, int(seconds))
    for unit, size in _UNITS:
        if seconds >= size:
            return quantity_phrase(seconds // size, unit, locale)
    return quantity_phrase(seconds, "duration-second", locale)
