"""tools/check_translations.py: the committed catalogues follow the code, and a string nobody extracted fails CI."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_translations  # noqa: E402  (a script, not a package)


@pytest.fixture
def source(tmp_path) -> Path:
    """A copy of the code and its catalogues (templates, Python and translations; no static files)."""
    copy = tmp_path / "lms"
    shutil.copytree(ROOT / "lms", copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    return copy


def _run(source: Path, *flags: str) -> int:
    return check_translations.main(["--source", str(source), *flags])


def test_the_committed_catalogues_are_up_to_date_with_the_code(capsys):
    assert check_translations.main([]) == 0, capsys.readouterr().err


def test_a_new_string_in_a_template_that_was_not_extracted_fails(source, capsys):
    page = source / "web" / "public" / "templates" / "public" / "index.html"
    page.write_text(page.read_text().replace("{% endblock %}", '<p>{{ _("A brand new sentence") }}</p>{% endblock %}'))
    assert _run(source) == 1
    err = capsys.readouterr().err
    assert "lms/translations/messages.pot (run `make messages`): not in it but should be: 'A brand new sentence'" in err


def test_a_new_string_in_python_or_a_plural_that_was_not_extracted_fails(source, capsys):
    routes = source / "web" / "public" / "routes.py"
    added = '\n\ndef _things(n):\n    return ngettext("%(num)d new thing", "%(num)d new things", n)\n'
    routes.write_text(routes.read_text() + added)
    assert _run(source) == 1
    assert "'%(num)d new thing / %(num)d new things'" in capsys.readouterr().err


def test_a_catalogue_behind_the_template_fails(source, capsys):
    path = source / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file)
    catalog.delete("Log in")
    with path.open("wb") as file:
        write_po(file, catalog)
    assert _run(source) == 1
    assert "fr catalogue (run `make messages`): not in it but should be: 'Log in'" in capsys.readouterr().err


def _translate(path: Path, translate) -> None:
    """Give every entry of a catalogue a translation: translate(msgid) for each of its plural forms."""
    with path.open("rb") as file:
        catalog = read_po(file)
    for message in catalog:
        if message.id:
            message.flags.discard("fuzzy")  # checked by a translator
            message.string = (translate(message.id) if isinstance(message.id, str)
                              else tuple(translate(message.id[min(n, 1)]) for n in range(catalog.num_plurals)))
    with path.open("wb") as file:
        write_po(file, catalog)


def test_complete_counts_untranslated_entries_per_language_and_passes_when_all_are_translated(source, capsys):
    korean = source / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
    _translate(korean, lambda msgid: "" if msgid == "Log in" else f"«{msgid}»")
    assert _run(source, "--complete") == 1
    out = capsys.readouterr().out
    counts = r"^{}: \d+ strings, \d+ untranslated, \d+ fuzzy$"
    assert all(re.search(counts.format(code), out, re.M) for code in ("es", "fr", "ko", "ar"))
    assert re.search(r"^ko: \d+ strings, 1 untranslated, 0 fuzzy$", out, re.M)
    for code in ("es", "fr", "ko", "ar"):
        _translate(source / "translations" / code / "LC_MESSAGES" / "messages.po", lambda msgid: f"«{msgid}»")
    assert _run(source, "--complete") == 0, capsys.readouterr().err
    assert ", 0 untranslated, 0 fuzzy" in capsys.readouterr().out


def test_a_translation_that_renames_a_placeholder_fails(source, capsys):
    path = source / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    _translate(path, lambda msgid: msgid.replace("%(course)s", "%(curso)s"))
    assert _run(source) == 1
    assert "es: 'Your progress in %(course)s': " in capsys.readouterr().err
