"""A missing _() is caught here, not noticed by a user: every page of the authorisation matrix, as each person sees it,
rendered in a pseudo-locale, where every translated string reads "«Ŧřȧƞşŀȧŧḗḓ»".

The catalogue is made at test time from lms/translations/messages.pot (every msgstr: its msgid with accented letters,
between « and », placeholders and HTML kept), compiled into a temporary folder and served as Arabic, so that dates,
numbers and the names of languages and countries come from CLDR in a script with no Latin letters, and pages are laid
out right to left. The people's data (names, cities, organisations, course texts) are written between the same brackets
when the world is built. So any word in Latin letters left outside brackets in a text node, a <title>, an aria-label,
title, placeholder, alt or a button's value is interface text that does not go through the catalogue.

Not checked: text inside an element whose `lang` is another language than the page's (course content in the course's
language, a language named in itself), text inside an element marked `translate="no"` (what is not words but a
record or identifiers: time-zone names, a cohort's key, an audit entry's stored details, sample people's names), and
tokens that are identifiers rather than words (with digits, @, /, ., _, - or :, such as e-mail addresses, versions,
slugs and ids; or acronyms in capitals such as UTC or PDF).
"""

# ruff: noqa: F811  (the matrix's fixtures are imported to be used, by name, as the tests' arguments)
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lms.core.discussion_markdown import render_post
from lms.demo.synthetic import write_synthetic_package
from tests.factories import EXAMPLE
from tests.web.test_authorization_matrix import (  # noqa: F401  (fixtures: the personas' clients and the world)
    GET,
    PERSONAS,
    World,
    _expected,
    _url,
    build_module_world,
    persona_clients,
    session_cookies,
    world,
)

POT = Path(__file__).resolve().parents[2] / "lms" / "translations" / "messages.pot"
SERVED_AS = "ar"
OPEN, CLOSE = "«", "»"
_ACCENTED = str.maketrans("aAbcCdDeEfgGhHiIjkKlLmnNoOprRsStTuUvwWyYzZ",
                          "ȧȦƀƈƇḓḒḗḖƒɠƓħĦīĪĵķĶŀĿḿƞȠǿǾƥřŘşŞŧŦŭŬṽẇẆẏẎẑẐ")
# What a translation must keep as it is: placeholders, tags, entities.
_KEPT = re.compile(r"(%\(\w+\)[sdif]|%%|<[^>]*>|&#?\w+;)")


def pseudo(text: str) -> str:
    """A translation that shows it is one: "Log in" -> "«Ŀǿɠ īƞ»", "%(name)s joined" -> "«%(name)s ĵǿīƞḗḓ»"."""
    parts = _KEPT.split(text)
    return OPEN + "".join(part if index % 2 else part.translate(_ACCENTED) for index, part in enumerate(parts)) + CLOSE


def wrapped(text: str) -> str:
    """People's data as the test writes it: between the brackets, so that it is not taken for interface text."""
    return f"{OPEN}{text}{CLOSE}" if text else text


# The catalogue.


def _pseudo_catalogue(folder: Path) -> Path:
    with POT.open("rb") as file:
        template = read_po(file)
    catalogue = Catalog(locale=SERVED_AS, domain="messages")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, str):
            string = pseudo(message.id)
        else:  # every plural form: the singular for "one", the plural for the others
            string = tuple(pseudo(message.id[1 if form != 1 else 0]) for form in range(catalogue.num_plurals))
        catalogue.add(message.id, string, context=message.context, flags=message.flags)
    path = folder / SERVED_AS / "LC_MESSAGES" / "messages.mo"
    path.parent.mkdir(parents=True)
    with path.open("wb") as file:
        write_mo(file, catalogue)
    return folder


@pytest.fixture(scope="module")
def pseudo_translations(app, tmp_path_factory):
    """The app serves the pseudo catalogue as Arabic for the tests of this module, and its own catalogues after."""
    babel = app.extensions["babel"]
    kept = babel.translation_directories
    with app.app_context():
        cache = babel.instance.domain_instance.cache  # the translations loaded so far, per language
    babel.translation_directories = [str(_pseudo_catalogue(tmp_path_factory.mktemp("pseudo")))]
    cache.clear()
    yield
    babel.translation_directories = kept
    cache.clear()


# The people's data, between brackets.

# The texts of a course package an author writes (YAML keys), as opposed to ids, codes, addresses and answers.
PACKAGE_TEXT_KEYS = frozenset({"title", "summary", "alt", "eligibility", "name", "organisation", "description",
                               "prompt", "text", "feedback", "feedback_correct", "feedback_incorrect", "explanation"})
_MARKDOWN_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)?)(.*)$")


def _markdown(text: str) -> str:
    """Each line's words between brackets, its Markdown kept: headings, list items, table cells, image alt texts."""
    lines = []
    for line in text.split("\n"):
        prefix, rest = _MARKDOWN_PREFIX.match(line).groups()
        if not rest.strip() or rest.startswith(("```", "---")) or set(rest.strip()) <= set("|-: "):
            lines.append(line)
        elif rest.startswith("|"):
            cells = rest.strip().strip("|").split("|")
            lines.append(prefix + "|" + "|".join(f" {wrapped(cell.strip())} " for cell in cells) + "|")
        elif rest.startswith("!["):
            lines.append(prefix + re.sub(r"!\[([^\]]*)\]", lambda m: f"![{wrapped(m.group(1))}]", rest))
        else:
            lines.append(prefix + wrapped(rest))
    return "\n".join(lines)


def _texts(value, key: str | None = None):
    if isinstance(value, dict):
        return {k: _texts(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_texts(item, key) for item in value]
    if isinstance(value, str) and key in PACKAGE_TEXT_KEYS:
        return _markdown(value)
    return value


def pseudo_package(folder: Path) -> Path:
    """Rewrite a package in place with every author's text between brackets (structure, ids and answers kept)."""
    for path in folder.rglob("*.yaml"):
        path.write_text(yaml.safe_dump(_texts(yaml.safe_load(path.read_text())), allow_unicode=True, sort_keys=False))
    for path in folder.rglob("*.md"):
        _, front, body = path.read_text().split("---\n", 2)
        front = yaml.safe_dump(_texts(yaml.safe_load(front)), allow_unicode=True, sort_keys=False)
        path.write_text(f"---\n{front}---\n{_markdown(body)}")
    return folder


# The rows' columns people write (or that come from a package's texts), wrapped once the world is built.
PEOPLES_COLUMNS = {
    "users": ("display_name", "organisation", "job_title", "city"),
    "cohorts": ("name",),
    "live_sessions": ("title", "description"),
    "applications": ("full_name", "organisation", "position", "city", "motivation", "decision_note"),
    "application_decisions": ("note",),
    "certificates": ("learner_name", "issue_reason", "revoke_reason"),
    "outbox_messages": ("subject", "last_error"),
    "discussion_threads": ("title",),
    "discussion_posts": ("body", "hidden_reason"),
    "discussion_revisions": ("title", "body"),
    "discussion_reports": ("reason",),
    "discussion_mutes": ("reason",),
}
# The audit entries' details that copy people's words (a name, a title, a reason) at the time of the action.
AUDIT_PEOPLES_DETAILS = frozenset({"name", "title", "description", "reason", "learner_name", "course_title",
                                   "applicant", "note"})


@pytest.fixture(scope="module")
def module_world(app, tmp_path_factory) -> World:
    """The authorisation matrix's world, its people's data between brackets, everyone preferring Arabic."""
    tmp = tmp_path_factory.mktemp("pseudo-world")
    example = pseudo_package(shutil.copytree(EXAMPLE, tmp / "packages" / EXAMPLE.name))
    def synthetic(*args, **kwargs) -> Path:
        return pseudo_package(write_synthetic_package(*args, **kwargs))

    built = build_module_world(app, tmp, example=example, synthetic=synthetic)
    for table, columns in PEOPLES_COLUMNS.items():
        for row in built.rows[table]:
            row.update({column: wrapped(row[column]) for column in columns if row.get(column)})
    for row in built.rows["discussion_posts"]:  # the sanitised HTML, made again from the wrapped Markdown
        row["html"] = render_post(row["body"])
    for row in built.rows["audit_log"]:
        row["details"] = {key: wrapped(value) if key in AUDIT_PEOPLES_DETAILS and isinstance(value, str) else value
                          for key, value in (row["details"] or {}).items()} or row["details"]
    for row in built.rows["users"]:
        row["preferred_language"] = SERVED_AS
    return built


# Reading a page.

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})
_CHECKED_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Visible(HTMLParser):
    """The text a person reads or hears, in the page's language: text nodes in document order (one stream, since a
    translated sentence may hold tags) and the attributes read aloud or shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_language: str | None = None
        self.open: list[tuple[str, str | None]] = []  # (tag, the language in force; None inside translate="no")
        self.stream: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def _language(self) -> str | None:
        return self.open[-1][1] if self.open else self.page_language

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_language = attrs.get("lang")
        language = None if attrs.get("translate") == "no" else attrs.get("lang") or self._language()
        if language == self.page_language:
            self.attributes += [(name, attrs[name]) for name in _CHECKED_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
                self.attributes.append(("value", attrs["value"]))
        if tag not in _VOID:
            self.open.append((tag, language))
        self.stream.append(" ")

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break
        self.stream.append(" ")

    def handle_data(self, data):
        if self._language() == self.page_language and not any(tag in ("script", "style") for tag, _ in self.open):
            self.stream.append(data)


_IDENTIFIER = re.compile(r"[\d@/._:\-#=&?+]")


def untranslated(text: str) -> list[str]:
    """The words of `text` outside every «…» (brackets nest: a translated sentence holds translated or people's
    text), each with a little of what surrounds it."""
    outside, depth = [], 0
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            outside.append(char)
    left = re.sub(r"\s+", " ", "".join(outside))
    found = []
    for match in re.finditer(r"\S+", left):
        token = match.group()
        if re.search(r"[A-Za-z]{2,}", token) and not _IDENTIFIER.search(token) and not token.isupper():
            found.append(f"{token!r} in “…{left[max(0, match.start() - 30):match.end() + 30].strip()}…”")
    return found


def page_problems(html: str) -> list[str]:
    page = _Visible()
    page.feed(html)
    problems = []
    if page.page_language != SERVED_AS:
        problems.append(f"<html lang> is {page.page_language!r}, not {SERVED_AS!r}")
    problems += untranslated("".join(page.stream))
    for name, value in page.attributes:
        problems += [f"{problem} (attribute {name})" for problem in untranslated(value)]
    return problems


# The pages.


@pytest.mark.parametrize("endpoint", sorted(GET))
def test_every_page_shows_only_translated_interface_text(app, pseudo_translations, world, persona_clients, endpoint):
    url = _url(app, endpoint, world)
    problems = []
    for persona in PERSONAS:
        if _expected(GET, endpoint)[persona] in ("login", "redirect"):
            continue
        response = persona_clients[persona].get(url, headers={"Accept-Language": SERVED_AS})
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        problems += [f"{persona}: {problem}" for problem in page_problems(html)] if html else []
    assert not problems, f"GET {url} ({endpoint}) shows text that no catalogue translated:\n  " + "\n  ".join(
        dict.fromkeys(problems))


# The checker itself.


def test_the_pseudo_translation_keeps_placeholders_tags_and_entities():
    assert pseudo("Hello %(name)s, <strong>welcome</strong> &amp; 100%%") == \
        "«Ħḗŀŀǿ %(name)s, <strong>ẇḗŀƈǿḿḗ</strong> &amp; 100%%»"


def test_a_word_outside_the_brackets_is_found_and_identifiers_are_not():
    html = ('<html lang="ar"><head><title>«Ŀǿɠ īƞ» · LMS-lite</title></head><body>'
            '<p>«Ẇḗŀƈǿḿḗ <strong>«Ana»</strong>» 2031-01-05 UTC ana@example.org Europe/Madrid</p>'
            '<p lang="en">Course text in English</p><button aria-label="Close">«x»</button>'
            '<p>Forgotten text</p><select translate="no"><option>America/Buenos Aires</option></select>'
            '<p>«Ķḗẏ»: <code translate="no">matrix</code> Left</p></body></html>')
    assert [problem.split(" in ")[0] for problem in page_problems(html)] == ["'Forgotten'", "'text'", "'Left'",
                                                                           "'Close'"]
