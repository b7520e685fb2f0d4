"""Real translations for the tests that check a message reaches a person in their language.

The committed catalogues (lms/translations/<code>) may not be translated yet, and tests must not depend on what the
translators have done so far. ``translations(app, "es", {...})`` compiles a catalogue holding just the given entries
into a temporary directory and puts it in front of the app's catalogues for the duration of a ``with`` block, so a
test adds the Spanish (Korean, Arabic...) text of exactly the msgids it checks. Plural entries are given as
``(singular, plural): [forms...]``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask

Entries = Mapping[str | tuple[str, str], str | list[str]]


def _compile(directory: Path, language: str, entries: Entries) -> None:
    catalog = Catalog(locale=language, domain="messages")
    for msgid, text in entries.items():
        catalog.add(msgid, text)
    target = directory / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)


def _forget_loaded_catalogues(app: Flask) -> None:
    app.extensions["babel"].instance.domain_instance.cache.clear()


@contextmanager
def translations(app: Flask, language: str, entries: Entries) -> Iterator[None]:
    babel = app.extensions["babel"]
    before = list(babel.translation_directories)
    with tempfile.TemporaryDirectory() as directory:
        _compile(Path(directory), language, entries)
        babel.translation_directories = [*before, directory]  # later directories win when catalogues are merged
        _forget_loaded_catalogues(app)
        try:
            yield
        finally:
            babel.translation_directories = before
            _forget_loaded_catalogues(app)
