"""Searching discussions, the pure part: what text of a post is searched, which PostgreSQL text search configuration
reads a post's language, how a person's query becomes an SQLite FTS5 expression, and how a highlighted fragment the
database returns becomes safe HTML.

The highlight rule: the database marks matches in the *plain text* of a post with two control characters that plain
text never holds (``plain_text`` removes them); the fragment is escaped whole, then the markers become ``<mark>``.
Neither the post's HTML nor the query can put markup on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup, escape

QUERY_MAX = 200  # characters: a question fits; a pasted page is refused with a message, never sent to the database
START_MARK = "\x02"
STOP_MARK = "\x03"
# PostgreSQL's text search parser reads "<b>" or "<script>…</script>" in a text as markup and skips it, words and
# all; what PostgreSQL reads has each "<" as this stand-in (plain text never holds it), turned back in ``highlighted``.
LESS_THAN_STAND_IN = "\x01"

# A post's language (the author's interface language when they wrote it) → the PostgreSQL text search configuration
# that stems its words. Languages PostgreSQL has no stemmer for (Korean, Arabic here) are read word by word.
TEXT_SEARCH_CONFIGS = {"en": "english", "es": "spanish", "fr": "french"}
FALLBACK_CONFIG = "simple"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "h3", "h4", "h5", "h6", "tr", "td",
                     "th", "table", "hr"})


def search_config(language: str) -> str:
    """The text search configuration for a post written in ``language`` ("es", "es-MX", "ko"…)."""
    return TEXT_SEARCH_CONFIGS.get(language.split("-")[0].split("_")[0].lower(), FALLBACK_CONFIG)


def search_config_sql(language_column: str) -> str:
    """``search_config`` as a PostgreSQL expression of type regconfig, for statements over many posts at once."""
    cases = " ".join(f"WHEN '{language}' THEN '{config}'" for language, config in TEXT_SEARCH_CONFIGS.items())
    return (f"CAST(CASE split_part(split_part(lower({language_column}), '-', 1), '_', 1) {cases} "
            f"ELSE '{FALLBACK_CONFIG}' END AS regconfig)")


def search_document_sql(text_column: str) -> str:
    """The text PostgreSQL indexes and highlights: ``text_column`` with LESS_THAN_STAND_IN for each "<"."""
    return f"replace({text_column}, '<', chr({ord(LESS_THAN_STAND_IN)}))"


def search_configs() -> tuple[str, ...]:
    """Every configuration a post may be in: a query is read in each, so it finds posts of any language."""
    return (*sorted(set(TEXT_SEARCH_CONFIGS.values())), FALLBACK_CONFIG)


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words a reader sees in a post's sanitised HTML, without markup or control characters."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    text = _CONTROL.sub(" ", "".join(parser.parts))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def searched_text(html: str, title: str | None = None) -> str:
    """What search reads of a post: the thread's title first for an opening post, then the post's text."""
    body = plain_text(html)
    if title is None:
        return body
    return f"{_CONTROL.sub(' ', title)}\n{body}"


def clean_query(query: str) -> str:
    """A query as typed, without control characters (PostgreSQL refuses NUL) or surrounding blanks."""
    return " ".join(_CONTROL.sub(" ", query).split())


def highlighted(fragment: str) -> Markup:
    """A fragment the database marked with START_MARK/STOP_MARK, as HTML: escaped, matches in <mark> (and "<" back
    where PostgreSQL read LESS_THAN_STAND_IN).
    A marker left open (a fragment cut short) is closed, so the page's markup stays balanced."""
    html, open_mark = [], False
    fragment = fragment.replace(LESS_THAN_STAND_IN, "<")
    for piece in re.split(f"([{START_MARK}{STOP_MARK}])", fragment):
        if piece == START_MARK and not open_mark:
            html.append("<mark>")
            open_mark = True
        elif piece == STOP_MARK and open_mark:
            html.append("</mark>")
            open_mark = False
        elif piece not in (START_MARK, STOP_MARK):
            html.append(str(escape(piece)))
    if open_mark:
        html.append("</mark>")
    return Markup("".join(html))  # noqa: S704 (every piece escaped above, the marks our own)


# SQLite FTS5: the query language there would take a person's quote or bracket as syntax and fail; each word is
# quoted here, so any input is a valid expression. The same forms as PostgreSQL's websearch_to_tsquery: words (all
# of them), "a phrase", -word (without it), "or" between alternatives.

_QUERY_PARTS = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    phrase: bool  # quoted: the words in this order, whole
    excluded: bool

    def fts5(self) -> str:
        quoted = '"' + " ".join(self.words) + '"'
        return quoted if self.phrase else quoted + " *"  # unquoted words match as beginnings ("ciudad" → ciudades)


def parsed_query(query: str) -> list[list[_Term]]:
    """The alternatives ("or") of ``query``, each a list of terms all of which must match; alternatives that ask for
    nothing (no word, or only exclusions) are left out."""
    alternatives: list[list[_Term]] = [[]]
    for match in _QUERY_PARTS.finditer(clean_query(query)):
        minus, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            alternatives.append([])
            continue
        excluded = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(_WORD.findall(quoted if quoted is not None else bare))
        if words:
            alternatives[-1].append(_Term(words, quoted is not None or len(words) > 1, excluded))
    return [terms for terms in alternatives if any(not term.excluded for term in terms)]


def fts5_expression(query: str) -> str | None:
    """The FTS5 MATCH expression for ``query``; None when it asks for nothing."""
    rendered = []
    for terms in parsed_query(query):
        wanted = " AND ".join(term.fts5() for term in terms if not term.excluded)
        unwanted = "".join(f" NOT {term.fts5()}" for term in terms if term.excluded)
        rendered.append(f"({wanted}{unwanted})")
    return " OR ".join(rendered) or None


def wanted_words(query: str) -> list[str]:
    """Every word the query looks for (not the excluded ones), longest first: what a fragment marks."""
    words = {word.lower() for terms in parsed_query(query) for term in terms if not term.excluded
             for word in term.words}
    return sorted(words, key=lambda word: (-len(word), word))


def marked_fragment(text: str, words: list[str], width: int = 200) -> str:
    """Where no full-text index makes the fragment: the part of ``text`` around the first word found, every
    occurrence of the words between the markers (any case)."""
    lowered = text.lower()
    found = [position for position in (lowered.find(word.lower()) for word in words) if position >= 0]
    start = max(0, min(found, default=0) - width // 4)
    fragment = text[start:start + width]
    if words:
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        fragment = pattern.sub(lambda match: f"{START_MARK}{match.group(0)}{STOP_MARK}", fragment)
    return ("… " if start else "") + fragment + (" …" if start + width < len(text) else "")
