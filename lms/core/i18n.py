"""Sentences the pure core gives people, before they are put into the reader's language.

The core imports no Flask and does not know who will read what it says. It marks each sentence with ``N_`` (so
``make messages`` extracts it into the catalogue) and returns it as a ``Phrase``: the English message id and its named
values. The layer that knows the reader words it in their language with ``lms.services.wording.word`` (gettext under
the request's locale, or the recipient's inside ``force_locale``). ``str(phrase)`` is the English sentence, for logs
and for callers with no catalogue. Numbers with units (durations, hours) are not catalogue sentences: the core formats
them with Babel's CLDR data for a locale the caller passes (lms.core.durations).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from babel.lists import format_list


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

    def to_data(self) -> dict[str, Any]:
        """The phrase as JSON-ready data, to store and word later in whoever reads it (``Phrase.from_data``).
        Values that are not Phrases, Listings, numbers or None are stored as their English text."""
        data: dict[str, Any] = {"message": self.message, "values": {name: _value_data(value)
                                                                      for name, value in self.values.items()}}
        if self.plural is not None:
            data["plural"] = self.plural
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Phrase:
        return cls(data["message"], plural=data.get("plural"),
                   **{name: _value_from_data(value) for name, value in (data.get("values") or {}).items()})

    def __repr__(self) -> str:
        return f"Phrase({self.message!r}, **{dict(self.values)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Phrase):
            return (self.message, dict(self.values)) == (other.message, dict(other.values))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.message)


class Listing:
    """Items named one after another inside a sentence (values that may be Phrases): joined with ``separator`` when
    one is given, else as the language lists things (CLDR), except English, which keeps the house style "a, b, c"."""

    __slots__ = ("items", "separator")

    def __init__(self, items: Iterable[Any], separator: str | None = None) -> None:
        self.items = tuple(items)
        self.separator = separator

    def join(self, texts: list[str], locale: str) -> str:
        if self.separator is not None:
            return self.separator.join(texts)
        if str(locale).split("_")[0] == "en" or len(texts) < 2:
            return ", ".join(texts)
        return format_list(texts, locale=str(locale))

    def __str__(self) -> str:
        return self.join([str(item) for item in self.items], "en")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Listing) and (self.items, self.separator) == (other.items, other.separator)

    def __hash__(self) -> int:
        return hash(self.items)


def _value_data(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {"phrase": value.to_data()}
    if isinstance(value, Listing):
        return {"listing": [_value_data(item) for item in value.items], "separator": value.separator}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _value_from_data(data: Any) -> Any:
    if isinstance(data, dict) and "phrase" in data:
        return Phrase.from_data(data["phrase"])
    if isinstance(data, dict) and "listing" in data:
        return Listing((_value_from_data(item) for item in data["listing"]), data.get("separator"))
    return data


def _render_value(value: Any, translate: Callable[[str], str], locale: str, translate_plural: Plural) -> Any:
    if isinstance(value, Phrase):
        return value.render(translate, locale, translate_plural)
    if isinstance(value, Listing):
        return value.join([str(_render_value(item, translate, locale, translate_plural)) for item in value.items],
                          locale)
    in_language = getattr(value, "in_language", None)
    return in_language(locale) if callable(in_language) else value


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 problem", "3 problems" in English, for what is English by design: the validator's messages and the
    operators' commands (what a reader sees in their language is a catalogue sentence with ngettext instead)."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
