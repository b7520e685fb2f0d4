"""Sentences the pure core marks with N_ / Nn_ (lms/core/i18n.py) are in the extracted catalogue template, so they
can be translated: the extraction must know these two keywords (`make messages`: -k N_ -k Nn_:1,2)."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

LMS = Path(__file__).resolve().parent.parent / "lms"


def marked_in_code() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for path in LMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("N_", "Nn_"):
                texts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
                if node.func.id == "N_" and len(texts) == 1:
                    found.add(texts[0])
                elif node.func.id == "Nn_" and len(texts) == 2:
                    found.add((texts[0], texts[1]))
    return found


def test_every_core_sentence_is_in_the_catalogue_template():
    with (LMS / "translations" / "messages.pot").open("rb") as file:
        template = read_po(file)
    extracted = {message.id if isinstance(message.id, str) else tuple(message.id) for message in template if message.id}
    marked = marked_in_code()
    assert len(marked) > 30  # admissions, schedule, grading, attempt review, zoom report, links…
    missing = sorted(map(str, marked - extracted))
    assert not missing, f"not extracted (run `make messages`; the extraction needs -k N_ -k Nn_:1,2): {missing[:5]}"
