"""What the interface's catalogues still lack, out as JSON for a translator, and back in (see docs/translating.md).

    python tools/translations_todo.py --todo FILE    write every untranslated or fuzzy entry of every catalogue to FILE:
                                                     a list of {"context", "msgid", "plural", "<code>": ...} with
                                                     null where a translation is wanted (a plural wants a list of
                                                     the language's forms: es and fr 2, ko 1, ar 6)
    python tools/translations_todo.py --apply FILE   put the translations of FILE into the catalogues (they are no
                                                     longer fuzzy); entries the catalogues do not hold are reported

It edits .po files as text would not: through Babel's reader and writer, the same as `make messages`, so that a
translation written in a JSON file by hand, or kept aside while a branch is merged, goes in without merge conflicts in
the catalogues themselves. Exit status 1 when an entry could not be applied.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "lms" / "translations"


def _catalogues() -> dict[str, tuple[Path, Catalog]]:
    result = {}
    for path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as file:
            result[path.parent.parent.name] = (path, read_po(file))
    return result


def _wanted(message) -> bool:
    if message.fuzzy:
        return True
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not all(strings)


def todo(output: Path) -> int:
    entries: dict[tuple, dict] = {}
    for code, (_path, catalog) in _catalogues().items():
        for message in catalog:
            if not message.id or not _wanted(message):
                continue
            singular, plural = tuple(message.id)[:2] if isinstance(message.id, (list, tuple)) else (message.id, None)
            key = (message.context, singular, plural)
            entry = entries.setdefault(key, {"context": message.context, "msgid": singular, "plural": plural})
            entry[code] = None
    output.write_text(json.dumps(list(entries.values()), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(entries)} entries to translate written to {output}")
    return 0


def apply(source: Path) -> int:
    entries = json.loads(source.read_text(encoding="utf-8"))
    catalogues = _catalogues()
    problems = 0
    for entry in entries:
        for code, (_path, catalog) in catalogues.items():
            if entry.get(code) is None:
                continue
            message = catalog.get(entry["msgid"], context=entry.get("context"))
            if message is None:
                print(f"{code}: not in the catalogue: {entry['msgid'][:80]!r}", file=sys.stderr)
                problems += 1
                continue
            wanted = entry[code]
            if isinstance(message.id, (list, tuple)):
                forms = wanted if isinstance(wanted, list) else [wanted]
                count = catalog.num_plurals
                if len(forms) != count:
                    forms = (forms + [forms[-1]] * count)[:count]
                message.string = tuple(forms)
            else:
                message.string = wanted if isinstance(wanted, str) else wanted[0]
            message.flags.discard("fuzzy")
            message.previous_id = []
    for _code, (path, catalog) in catalogues.items():
        with path.open("wb") as file:
            write_po(file, catalog, ignore_obsolete=True)
    print(f"applied {len(entries)} entries; {problems} could not be")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--todo", type=Path, metavar="FILE")
    group.add_argument("--apply", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    return todo(args.todo) if args.todo else apply(args.apply)


if __name__ == "__main__":
    sys.exit(main())
