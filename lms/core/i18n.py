"""Sentences the pure core gives people, before they are put into the reader's language.

The core imports no Flask and does not know who will read what it says. It marks each sentence with ``N_`` (so
``make messages`` extracts it into the catalogue) and returns it as a ``Phrase``: the English message id and its named
values. The layer that knows the reader words it in their language with ``lms.services.wording.word`` (gettext under
the request's locale, or the recipient's inside ``force_locale``). ``str(phrase)`` is the English sentence, for logs
and for callers with no catalogue. Numbers with units (durations, hours) are not catalogue sentences: the core formats
them with Babel's CLDR data for a locale the caller passes (lms.core.durations).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural pair for the catalogue (one entry with both forms), for ``Phrase(..., plural=)``."""
    return singular, plural


Plural = Callable[[str, str, int], str]


def _english_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


class Phrase:
    """A sentence to word later: a message id (marked with N_) and its named values, which may be Phrases too. A
    sentence with a count has a ``plural`` message id (``N_`` on both) and the number in the value ``num``; the
    reader's language picks the form (ngettext)."""

    __slots__ = ("message", "plural", "values")

    def __init__(self, message: str, *, plural: str | None = None, **values: Any) -> None:
        self.message = message
        self.plural = plural
        self.values: Mapping[str, Any] = values

    def render(self, translate: Callable[[str], str], locale: str = "en",
               translate_plural: Plural = _english_plural) -> str:
        """The sentence, with ``translate(message) -> str`` (``translate_plural(singular, plural, n)`` for a count)
        applied to it and to every Phrase among its values, and every value that can write itself in a language
        (``in_language(locale)``: a date) written in ``locale``."""
        values = {name: _render_value(value, translate, locale, translate_plural)
                  for name, value in self.values.items()}
        if self.plural is not None:
            text = translate_plural(self.message, self.plural, int(self.values["num"]))
        else:
            text = translate(self.message)
        return text % values if values else text

    def __str__(self) -> str:
        return self.render(lambda message: message)

    def __repr__(self) -> str:
        return f"Phrase({self.message!r}, **{dict(self.values)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Phrase):
            return (self.message, dict(self.values)) == (other.message, dict(other.values))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.message)


def _render_value(value: Any, translate: Callable[[str], str], locale: str, translate_plural: Plural) -> Any:
    if isinstance(value, Phrase):
        return value.render(translate, locale, translate_plural)
    in_language = getattr(value, "in_language", None)
    return in_language(locale) if callable(in_language) else value
