"""The vocabulary every manifest is declared in: the kinds of value, the formats a text must follow (with the
database column sizes they fit), and Field, Variants and Spec, which lms.core.packages.spec (the sources) and
lms.core.packages.translation_spec (their translations) use to declare each file's fields once.

The validator (validate.py) walks these definitions to check a file, and schema.py turns the same definitions into
JSON Schemas for editors, so the two can never disagree.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from lms.core import session_links


class Kind(Enum):
    TEXT = "text"
    MARKDOWN = "markdown"  # text that is rendered; validated like TEXT
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    OBJECT = "object"
    MAP = "map"  # a mapping from ids (the keys) to objects of one spec (``spec``): a translation's live sessions


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _suggest_timezone(value: str) -> str | None:
    matches = difflib.get_close_matches(value, _timezones(), n=1, cutoff=0.8)
    return matches[0] if matches else None


def _parse_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError(value)
    return value


def _parse_local_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Format:
    """A kind of text with a shape: checked by ``pattern`` (anchored) and then by ``parse``, which converts the text
    and raises ValueError when it is not a real value (30 February, an unknown time zone)."""

    name: str
    phrase: str  # completes "must be …"
    pattern: str | None = None  # regex without anchors, valid in Python and in ECMA-262 (JSON Schema)
    json_format: str | None = None  # JSON Schema "format" annotation
    parse: Callable[[str], Any] | None = None
    suggest: Callable[[str], str | None] | None = None

    def matches(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


_SEMVER_ID = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
# semver.org's regular expression, with [0-9] for \d so that it means the same in Python and in JSON Schema.
SEMVER = Format(
    "semver", "a semantic version such as 1.2.0 (MAJOR.MINOR.PATCH)",
    pattern=(rf"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
             rf"(?:-{_SEMVER_ID}(?:\.{_SEMVER_ID})*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"),
)
ID = Format("id", "lowercase letters, digits and '-' (at most 64, such as 'module-1')",
            pattern=r"[a-z0-9][a-z0-9-]{0,63}")
LANGUAGE = Format("language", "a language code such as en, es or pt-BR", pattern=r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
DATE = Format("date", "a date such as 2030-03-04 (YYYY-MM-DD)", pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
              json_format="date", parse=date.fromisoformat)
LOCAL_DATETIME = Format(
    "local-datetime", "a local date and time such as 2030-03-04T16:00 (YYYY-MM-DDTHH:MM)",
    pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?", parse=_parse_local_datetime,
)
TIMEZONE = Format("timezone", "an IANA time zone name such as Europe/Madrid", pattern=r"[A-Za-z0-9_+/-]+",
                  parse=_parse_timezone, suggest=_suggest_timezone)
HTTP_URL = Format("http-url", "an http:// or https:// address", pattern=session_links.HTTP_URL_PATTERN,
                  json_format="uri")
RESOURCE_URL = Format("resource-url", "an http:// or https:// address or a path under assets/",
                      pattern=rf"(?:{session_links.HTTP_URL_PATTERN}|assets/[A-Za-z0-9._/-]+)")
COVER_IMAGE = Format("cover-image", "a PNG, JPEG, SVG or WebP file under assets/, such as assets/cover.jpg",
                     pattern=r"assets/[A-Za-z0-9._/-]+\.(?:png|jpe?g|svg|webp)")
# Titles and names become page titles, headings, certificate lines and e-mail subjects: one line, whitespace collapsed
# as the staff forms collapse it (a line break would make a mail subject, and so the mail, fail).
# Longest values, the sizes of the database columns they are stored in (a test checks that they agree).
TITLE_LENGTH, NAME_LENGTH, URL_LENGTH, VERSION_LENGTH, LANGUAGE_LENGTH = 300, 200, 500, 64, 16
REFLECTION_LENGTH = 600  # a question a learner reads at a glance; their answer is a post (lms.core.discussions)

ONE_LINE = Format("one-line", "one line of text", parse=lambda value: " ".join(value.split()))
FOLDER_NAME = Format("folder-name", "a folder name of letters, digits, '-', '_' and '.'",
                     pattern=r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
LESSON_FILE = Format("lesson-file", "a Markdown file name in the module's folder, such as 01-intro.md",
                     pattern=r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.md")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = None  # used when the key is absent; None means "no default"
    enum: tuple[str, ...] = ()
    format: Format | None = None
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    min_items: int = 0
    items: Field | Spec | None = None  # LIST: what each item is
    spec: Spec | None = None  # OBJECT
    item_noun: str = "item"  # LIST: used in "must list at least one …"
    non_empty: bool = True  # TEXT: blank text is refused
    max_length: int | None = None  # TEXT: most characters (after the format's clean-up); the database column's size
    names_choices: bool = False  # a choice question's ``answer``: numbers there are positions, which it does not take


@dataclass(frozen=True)
class Variants:
    """Fields that depend on the value of another field (a question's ``type``)."""

    discriminator: str
    cases: dict[str, tuple[Field, ...]]

    def owners(self, key: str) -> list[str]:
        return [case for case, fields in self.cases.items() if any(f.name == key for f in fields)]


@dataclass(frozen=True)
class Spec:
    name: str  # key in the JSON Schema's $defs
    noun: str  # in messages: "<noun> is missing required key 'x'"
    description: str
    fields: tuple[Field, ...]
    variants: Variants | None = None
    title: str = ""  # for the specs of whole documents: the JSON Schema's title
    # Keys of the source that a translation must not repeat (structure is never translated): a specific message.
    structure_keys: frozenset[str] = frozenset()
    # Groups of keys of which at least one must be given (course.yaml: `language` or `languages`).
    one_of_required: tuple[tuple[str, ...], ...] = ()
    # Keys that belong in another file: where they go, said instead of "unknown key" (a quiz's `reflection`).
    elsewhere: tuple[tuple[str, str], ...] = ()
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def lookup(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def fields_for(self, case: str | None) -> tuple[Field, ...]:
        if self.variants is None or case not in self.variants.cases:
            return self.fields
        return self.fields + self.variants.cases[case]

    def all_names(self) -> list[str]:
        names = [f.name for f in self.fields]
        if self.variants:
            for fields in self.variants.cases.values():
                names.extend(f.name for f in fields if f.name not in names)
        return names


def text(name: str, description: str, **options: Any) -> Field:
    return Field(name, Kind.TEXT, description, **options)


def optional_text(name: str, description: str) -> Field:
    return Field(name, Kind.TEXT, description, default="", non_empty=False)


def flag(name: str, description: str, default: bool) -> Field:
    return Field(name, Kind.BOOLEAN, description, default=default)
