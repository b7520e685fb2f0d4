"""The interface's translation catalogues, checked (CI runs this in `make lint`; see docs/translating.md).

    python tools/check_translations.py             (a) the committed lms/translations/messages.pot holds exactly the
                                                    strings the code marks (else: run `make messages`), and (b) every
                                                    catalogue lms/translations/<code>/LC_MESSAGES/messages.po holds
                                                    exactly the template's strings; placeholders that a translation
                                                    names differently from its source are errors at any time
    python tools/check_translations.py --complete  also (c) no untranslated or fuzzy entry in any catalogue, with the
                                                    counts per language
    python tools/check_translations.py --extract FILE   write the template extracted from the code to FILE (what
                                                    `make messages` does before merging it into the catalogues)

A string is its context, its msgid and, for a plural, its plural msgid. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "lms"
TRANSLATIONS = SOURCE / "translations"
# The gettext names the code uses besides pybabel's defaults (_, gettext, ngettext, pgettext...): lazy ones in forms,
# N_ and Nn_ (a singular/plural pair) in the pure core (lms/core/i18n.py).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2", "N_", "Nn_:1,2")

Key = tuple[str | None, str | tuple[str, ...]]


def extract(source: Path, output: Path) -> None:
    """Extract the marked strings of `source` (babel.cfg says which files, and how) into the template `output`."""
    argv = ["pybabel", "-q", "extract", "--mapping", str(ROOT / "babel.cfg"), "--add-comments", "Translators:",
            "--sort-by-file", "--project", "LMS-lite", "--copyright-holder", "LMS-lite contributors",
            "--msgid-bugs-address", "", "--output-file", str(output.resolve())]
    for keyword in KEYWORDS:
        argv += ["-k", keyword]
    with contextlib.chdir(source.parent):  # locations in the template read "lms/web/...", wherever the checkout is
        CommandLineInterface().run([*argv, source.name])


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def keys(catalog: Catalog) -> set[Key]:
    return {(message.context, message.id if isinstance(message.id, str) else tuple(message.id))
            for message in catalog if message.id}


def _shown(key: Key) -> str:
    context, msgid = key
    text = " / ".join(msgid) if isinstance(msgid, tuple) else msgid
    return (f"[{context}] " if context else "") + repr(text[:100])


def _difference(title: str, extra: Iterable[Key], missing: Iterable[Key]) -> list[str]:
    lines = [f"{title}: not in it but should be: {_shown(key)}" for key in sorted(missing, key=str)]
    lines += [f"{title}: in it but should not be: {_shown(key)}" for key in sorted(extra, key=str)]
    return lines


def catalogues(translations: Path) -> dict[str, Path]:
    return {path.parent.parent.name: path for path in sorted(translations.glob("*/LC_MESSAGES/messages.po"))}


def check(source: Path, translations: Path, complete: bool) -> list[str]:
    """Every problem found, one line each (empty: all is well)."""
    problems: list[str] = []
    pot_path = translations / "messages.pot"
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "messages.pot"
        extract(source, fresh_path)
        fresh = keys(read(fresh_path))
    committed = keys(read(pot_path))
    if fresh != committed:
        problems += _difference(f"{pot_path.relative_to(translations.parent.parent)} (run `make messages`)",
                                committed - fresh, fresh - committed)
    for language, path in catalogues(translations).items():
        catalog = read(path)
        found = keys(catalog)
        if found != committed:
            problems += _difference(f"{language} catalogue (run `make messages`)", found - committed, committed - found)
        for message, errors in catalog.check():
            problems += [f"{language}: {_shown((message.context, message.id))}: {error}" for error in errors]
        if complete:
            untranslated = [m for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple)
                                                                  else [m.string])]
            fuzzy = [m for m in catalog if m.id and m.fuzzy]
            print(f"{language}: {len(found)} strings, {len(untranslated)} untranslated, {len(fuzzy)} fuzzy")
            if untranslated or fuzzy:
                problems.append(f"{language}: {len(untranslated)} untranslated and {len(fuzzy)} fuzzy entries "
                                f"in {path.relative_to(translations.parent.parent)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complete", action="store_true", help="also fail on untranslated or fuzzy entries")
    parser.add_argument("--extract", metavar="FILE", type=Path, help="only write the extracted template to FILE")
    parser.add_argument("--source", type=Path, default=SOURCE, help=argparse.SUPPRESS)  # tests check a copy
    parser.add_argument("--translations", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.extract:
        extract(args.source, args.extract)
        return 0
    translations = args.translations or args.source / "translations"
    problems = check(args.source, translations, args.complete)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the translation catalogues (see docs/translating.md).", file=sys.stderr)
        return 1
    print("Translation catalogues: up to date with the code" + (" and complete." if args.complete else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
