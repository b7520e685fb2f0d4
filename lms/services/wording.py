"""Putting what the pure core says into the reader's language (see lms.core.i18n).

``word`` is the one place a ``Phrase`` (or a label the core marked with ``N_``) meets the catalogue: services call it
when they raise or return text for a person, the web layer when it renders. It uses the current locale: the request's
on a page, the recipient's inside ``flask_babel.force_locale``, the site default on the command line.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale, get_translations, gettext

from lms.core.i18n import Phrase
from lms.core.locales import interface_language
from lms.models import User


def _translate(message: str) -> str:
    # gettext() without values leaves "%(name)s" alone; Phrase.render fills them in after translating.
    return gettext(message)


def _translate_plural(singular: str, plural: str, count: int) -> str:
    # Given no values, Flask-Babel's ngettext would still fill in %(num)s: the raw form is chosen with the catalogue.
    return get_translations().ungettext(singular, plural, count)


def language_of(person: User | None) -> str:
    """The interface language things written for ``person`` are in, wherever they are written (a page they are not
    on, the worker, a command): their profile's language when the interface speaks it, else the site default."""
    preferred = person.preferred_language if person is not None else None
    return interface_language(preferred) or current_app.config["DEFAULT_LANGUAGE"]


def current_language() -> str:
    """The language being written in now: the request's, the recipient's inside force_locale, else the default."""
    return str(get_locale() or "en")


def word(text: Phrase | str) -> str:
    """``text`` in the current language: a Phrase worded and filled in, a label marked with N_ translated."""
    if isinstance(text, Phrase):
        return text.render(_translate, current_language(), _translate_plural)
    return gettext(text) if text else text
