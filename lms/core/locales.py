"""Countries, languages and time zones a person can pick, from Babel's CLDR data and the IANA time-zone database."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError

# The languages the interface is (being) translated into, in this order: offered first wherever a person picks a
# language, and the list the translation catalogues (lms/translations/<code>) follow. The one place that names them.
INTERFACE_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "ko", "ar")



def interface_language(code: str | None) -> str | None:
    """The interface language a language code (BCP 47, any case, perhaps with a region) is served in, or None: the
    one rule for a page's language (lms.web.i18n) and for the language of an e-mail to a person (lms.services.mail)."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-")[0].lower()
    return primary if primary in INTERFACE_LANGUAGES else None


# CLDR territory codes that are groupings or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@cache
def countries(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """(ISO 3166-1 alpha-2 code, name in ``locale``), sorted by that name."""
    names = Locale.parse(locale).territories
    return tuple(
        sorted(
            ((code, name) for code, name in names.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES),
            key=lambda item: item[1],
        )
    )


@cache
def languages(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """(ISO 639-1 code, name in ``locale``), sorted by that name."""
    names = Locale.parse(locale).languages
    return tuple(sorted(((code, name) for code, name in names.items() if len(code) == 2), key=lambda item: item[1]))


@cache
def language_choices(locale: str = "en") -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The languages to pick from in two groups: the interface's languages first (in INTERFACE_LANGUAGES' order),
    each named in itself so that a person who cannot read ``locale`` still finds their own; then every other
    language, named in ``locale``, by name."""
    first = tuple((code, own_language_name(code)) for code in INTERFACE_LANGUAGES)
    return first, tuple(item for item in languages(locale) if item[0] not in INTERFACE_LANGUAGES)


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def is_country(code: str) -> bool:
    return code in dict(countries())


def is_language(code: str) -> bool:
    return code in dict(languages())


def is_time_zone(name: str) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def language_name(code: str, locale: str = "en") -> str:
    return dict(languages(locale)).get(code, code)


@cache
def own_language_name(code: str) -> str:
    """The language's name in itself ("español", "한국어"), as a language switch names each choice; the code when
    CLDR does not know it."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


@cache
def interface_language_names() -> tuple[tuple[str, str], ...]:
    """(code, the language's name in itself) for the interface's languages, e.g. ("ko", "한국어"): how the language
    menu offers them, so that a person who cannot read the current language still finds their own."""
    return tuple((code, own_language_name(code)) for code in INTERFACE_LANGUAGES)
