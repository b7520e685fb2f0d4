"""Choices shared by the forms of every blueprint."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from lms.core import locales


def _reader() -> str:
    return str(get_locale() or "en")


def language_choices() -> dict[str, list[SelectChoice]]:
    """The interface's languages first, each in itself (and marked so: `lang` on the option), then every other
    language named in the reader's language: two groups of the select (optgroups)."""
    first, others = locales.language_choices(_reader())
    return {_("Languages of this site"): [SelectChoice(code, name, render_kw={"lang": code}) for code, name in first],
            _("Other languages"): [SelectChoice(code, name) for code, name in others]}


def country_choices() -> list[SelectChoice]:
    """Every country, named and sorted in the reader's language, after an empty choice."""
    return [SelectChoice("", _l("Choose a country"))] + [
        SelectChoice(code, name) for code, name in locales.countries(_reader())]


# IANA time-zone names are identifiers, written the same in every language: their select says so.
TIME_ZONE_SELECT = {"translate": "no"}


def time_zone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in locales.time_zones()]
