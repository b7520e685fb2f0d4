"""Markdown to safe HTML, with every link and image checked against the package and rewritten for where it is served.

markdown-it-py parses CommonMark (plus tables) with raw HTML off, so HTML in a lesson is shown as text. We walk its
tokens to check and rewrite link targets (that is where we know the line of each link), render, and then let bleach
strip anything outside a small allow-list, so that a bug in either step cannot let script through.

bleach's parser (html5lib) takes time quadratic in the number of children of an element: leaving each element, its
tree walker scans the grandparent's children. A crafted lesson could make that minutes, so we clean a long lesson in
batches of top-level blocks (which are balanced fragments) and refuse an element with more than MAX_CHILDREN children.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

import bleach
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from lms.core.packages.files import ASSETS, IMAGE_EXTENSIONS, case_hint, extension
from lms.core.packages.model import Problem


class LinkBuilder(Protocol):
    """Where lessons and assets are served from; the importer decides, the package only names them."""

    def lesson_url(self, lesson_id: str) -> str: ...

    def asset_url(self, asset_path: str) -> str: ...


class PlaceholderLinks:
    """The builder used when the caller gives none: placeholders that name the target."""

    def lesson_url(self, lesson_id: str) -> str:
        return f"#lesson-{lesson_id}"

    def asset_url(self, asset_path: str) -> str:
        return asset_path  # already "assets/…"


@dataclass(frozen=True)
class LinkTargets:
    """What a relative link may point at."""

    lesson_ids: Mapping[str, str]  # lesson file path -> lesson id, for lessons whose id is valid
    lesson_paths: Collection[str]  # every lesson file listed by a module, whether or not it is valid
    files: Collection[str]  # every path in the package, including files refused for a reason already reported


ALLOWED_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "img", "em", "strong", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
})
_SAFE_SCHEMES = ("http", "https", "mailto")
_DROPPED_SCHEMES = ("javascript", "vbscript", "data", "file")  # never links; removed without fuss
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_EXTERNAL_REL = "noopener noreferrer"
_IMAGE_TYPES = ", ".join(sorted(e.lstrip(".") for e in IMAGE_EXTENSIONS))
MAX_CHILDREN = 1000  # child elements of one element: a 1,000-row table, a 1,000-item list, 1,000 links in a paragraph
_BLOCKS_PER_CLEAN = 200  # top-level blocks cleaned together: few calls for a normal lesson, bounded cost for a huge one
# Inline tokens that are HTML elements of their own (text and soft breaks are text, not elements).
_INLINE_ELEMENTS = frozenset({"image", "code_inline", "hardbreak"})
_CROWDED = {
    "table": "table has more than {n} rows; split it, or put the data in a CSV file under assets/",
    "tr": "table row has more than {n} cells; split the table",
    "bullet_list": "list has more than {n} items; split it",
    "ordered_list": "list has more than {n} items; split it",
    "inline": "paragraph has more than {n} links, images or formatted words; split it",
}


def _cell_alignment(tag: str, name: str, value: str) -> bool:
    return name == "align" and value in ("left", "center", "right")


def _code_language(tag: str, name: str, value: str) -> bool:
    return name == "class" and re.fullmatch(r"language-[A-Za-z0-9_+-]+", value) is not None


def _heading_id(tag: str, name: str, value: str) -> bool:
    return name == "id" and re.fullmatch(r"[a-z0-9_-]{1,100}", value) is not None


_ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "title"],
    "th": _cell_alignment,
    "td": _cell_alignment,
    "code": _code_language,
}


class MarkdownRenderer:
    """Renders one package's Markdown. Not thread-safe (neither is a bleach Cleaner): make one per load."""

    def __init__(self, targets: LinkTargets, links: LinkBuilder, *, element_budget: int,
                 heading_ids: bool = False) -> None:
        self._targets = targets
        self._links = links
        self._budget = element_budget  # HTML elements left to make, for the whole package
        self._budget_reported = False
        self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        attributes = _ALLOWED_ATTRIBUTES
        if heading_ids:  # a long document's own "#section" links need targets: GitHub-style ids on h1-h3
            self._md.use(anchors_plugin, min_level=1, max_level=3)
            attributes = {**_ALLOWED_ATTRIBUTES, **{f"h{level}": _heading_id for level in range(1, 7)}}
        self._cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=attributes,
                                       protocols=_SAFE_SCHEMES, strip=True, strip_comments=True)

    def block(self, source: str, *, file: str, line: int, problems: list[Problem], exact_lines: bool = True) -> str:
        """HTML of a Markdown document. With ``exact_lines`` (a lesson body starting at ``line``) each link problem
        points at its own line; otherwise (a YAML value) at ``line``."""
        if self._budget_reported:
            return ""  # the package is refused already; parsing more would only cost time
        tokens = self._md.parse(source)
        for token in tokens:
            if token.type == "inline":
                first = line + token.map[0] if exact_lines and token.map else line
                self._check_links(token.children or [], file, first, exact_lines, problems)
            elif token.type in ("th_open", "td_open"):
                _style_to_align(token)
        shape = _shape(tokens)
        if shape.crowded is not None:
            where = line + shape.crowded.map[0] if exact_lines and shape.crowded.map else line
            problems.append(Problem(file, where, _crowded_message(shape.crowded)))
            return ""  # the package is refused; not worth the time to clean
        if not self._spend(shape.elements, file, line, problems):
            return ""
        return "".join(self._cleaner.clean(self._md.renderer.render(batch, self._md.options, {}))
                       for batch in _batches(tokens))

    def inline(self, source: str, *, file: str, line: int, problems: list[Problem]) -> str:
        """HTML of one line of inline Markdown (a choice), without a wrapping <p>."""
        if self._budget_reported:
            return ""
        tokens = self._md.parseInline(source)
        for token in tokens:
            self._check_links(token.children or [], file, line, False, problems)
        shape = _shape(tokens)
        if shape.crowded is not None:
            problems.append(Problem(file, line, _crowded_message(shape.crowded)))
            return ""
        if not self._spend(shape.elements, file, line, problems):
            return ""
        return self._cleaner.clean(self._md.renderer.render(tokens, self._md.options, {}))

    def _spend(self, elements: int, file: str, line: int, problems: list[Problem]) -> bool:
        """Take ``elements`` from the package's budget; False (and one problem for the package) once it is spent."""
        self._budget -= elements
        if self._budget >= 0:
            return True
        if not self._budget_reported:
            self._budget_reported = True
            problems.append(Problem(file, line, "the package's Markdown makes more HTML elements than the limit "
                                                "(Limits.max_markdown_elements); split the course or its lessons"))
        return False

    def _check_links(self, children: list[Token], file: str, line: int, count_lines: bool,
                     problems: list[Problem]) -> None:
        hidden_links: list[bool] = []  # a stack: does each open link lose its <a>?
        for child in children:
            if child.type in ("softbreak", "hardbreak") and count_lines:
                line += 1
            elif child.type == "link_open":
                href, message = self._link_target(str(child.attrGet("href") or ""), file)
                if message:
                    problems.append(Problem(file, line, message))
                if href is None:
                    child.hidden = True
                else:
                    child.attrSet("href", href)
                    if _is_external(href):
                        child.attrSet("rel", _EXTERNAL_REL)
                hidden_links.append(child.hidden)
            elif child.type == "link_close":
                child.hidden = hidden_links.pop() if hidden_links else False
            elif child.type == "image":
                src, message = self._image_source(str(child.attrGet("src") or ""), file)
                if message:
                    problems.append(Problem(file, line, message))
                if src is None:
                    del child.attrs["src"]
                else:
                    child.attrSet("src", src)

    def _link_target(self, href: str, file: str) -> tuple[str | None, str | None]:
        """(rewritten href or None to drop the link, problem message or None)."""
        if href.startswith("#"):
            return href, None
        scheme = _SCHEME.match(href)
        if scheme:
            name = scheme.group(1).lower()
            if name in _SAFE_SCHEMES:
                return href, None
            if name in _DROPPED_SCHEMES:
                return None, None
            return None, (f"link to '{_short(href)}' uses the unsupported scheme '{name}:'; "
                          "use http://, https://, mailto: or a relative path")
        if href.startswith("//"):
            return "https:" + href, None
        if href.startswith("/"):
            return None, f"link to '{_short(href)}' starts with '/'; link to lessons and assets by relative path"
        path, fragment = _split_relative(href)
        target = _resolve(file, path)
        if target is None:
            return None, f"link to '{_short(href)}' points outside the package"
        if target in self._targets.lesson_ids:
            return _with_fragment(self._links.lesson_url(self._targets.lesson_ids[target]), fragment), None
        if target.startswith(ASSETS) and target in self._targets.files:
            return _with_fragment(self._links.asset_url(target), fragment), None
        if target in self._targets.lesson_paths or (target in self._targets.files and target.endswith(".md")):
            return None, None  # a lesson with problems of its own (or an unlisted one), reported there
        if target not in self._targets.files:
            what = "lesson" if target.endswith(".md") else "asset" if target.startswith(ASSETS) else "file"
            return None, (f"link to missing {what} '{_short(href)}': {target} is not in the package"
                          f"{case_hint(target, self._targets.files)}")
        return None, f"link to '{_short(href)}' points to {target}, which is neither a lesson nor an asset"

    def _image_source(self, src: str, file: str) -> tuple[str | None, str | None]:
        if _SCHEME.match(src) or src.startswith("//"):
            return None, (f"image '{_short(src)}' is not in the package; images must come from the package's "
                          "assets/ folder: save it there and link to it by relative path")
        if src.startswith("/"):
            return None, f"image '{_short(src)}' starts with '/'; link to images in assets/ by relative path"
        path, _ = _split_relative(src)
        target = _resolve(file, path)
        if target is None or not target.startswith(ASSETS):
            return None, f"image '{_short(src)}' is not in assets/; images must come from the package's assets/ folder"
        if extension(target) not in IMAGE_EXTENSIONS:
            return None, f"image '{_short(src)}' is not an image file; images may be {_IMAGE_TYPES}"
        if target not in self._targets.files:
            return None, (f"image '{_short(src)}' does not exist: {target} is not in the package"
                          f"{case_hint(target, self._targets.files)}")
        return self._links.asset_url(target), None


def render_document(source: str, *, file: str, element_budget: int = 200_000) -> str:
    """A documentation page (such as docs/course-packages.md) as safe HTML: the lessons' Markdown and sanitiser, with
    ids on headings so that the page's own "#section" links work. Relative links are dropped: outside a package
    there is nothing to resolve them in."""
    renderer = MarkdownRenderer(LinkTargets({}, (), ()), PlaceholderLinks(), element_budget=element_budget,
                                heading_ids=True)
    return renderer.block(source, file=file, line=1, problems=[])


def _batches(tokens: list[Token]) -> list[list[Token]]:
    """The tokens in runs of at most _BLOCKS_PER_CLEAN whole top-level blocks."""
    batches: list[list[Token]] = [[]]
    blocks = 0
    for token in tokens:
        batches[-1].append(token)
        if token.level == 0 and token.nesting <= 0:  # a top-level block ends: a closing tag, or a block on its own
            blocks += 1
            if blocks % _BLOCKS_PER_CLEAN == 0:
                batches.append([])
    return [batch for batch in batches if batch]


@dataclass(frozen=True)
class _Shape:
    elements: int  # HTML elements the tokens will make (about: what rendering and cleaning cost)
    crowded: Token | None  # the first element with more than MAX_CHILDREN child elements


def _shape(tokens: list[Token]) -> _Shape:
    """Count from the tokens, before any HTML exists. For a paragraph's inline elements the crowded token is its
    inline token. The top level is not checked for crowding: it is cleaned in batches."""
    openers: list[Token | None] = [None]
    counts = [0]
    elements = 0
    crowded = None
    for token in tokens:
        if token.nesting == -1:
            openers.pop()
            counts.pop()
            continue
        counts[-1] += 1
        if crowded is None and counts[-1] > MAX_CHILDREN and openers[-1] is not None:
            # Rows are children of a table's tbody; the author knows the table.
            in_table_part = openers[-1].type in ("thead_open", "tbody_open")
            crowded = openers[-2] if in_table_part else openers[-1]
        if token.nesting == 1:
            elements += 1
            openers.append(token)
            counts.append(0)
        elif token.type == "inline":
            inline_elements, most_children = _inline_shape(token)
            elements += inline_elements
            if crowded is None and most_children > MAX_CHILDREN:
                crowded = token
        else:
            elements += 1  # hr, a code block
    return _Shape(elements, crowded)


def _inline_shape(token: Token) -> tuple[int, int]:
    """(HTML elements in an inline run, the most child elements any of them has, the paragraph's own included)."""
    counts = [0]
    most = 0
    elements = 0
    for child in token.children or []:
        if child.nesting == 1:
            elements += 1
            counts[-1] += 1
            counts.append(0)
        elif child.nesting == -1:
            most = max(most, counts.pop())
        elif child.type in _INLINE_ELEMENTS:
            elements += 1
            counts[-1] += 1
    return elements, max(most, *counts)


def _crowded_message(token: Token) -> str:
    kind = token.type.removesuffix("_open")
    template = _CROWDED.get(kind, "block has more than {n} parts; split it")
    return "this " + template.format(n=f"{MAX_CHILDREN:,}")


def _split_relative(href: str) -> tuple[str, str]:
    without_fragment, _, fragment = href.partition("#")
    path = without_fragment.partition("?")[0]
    return unquote(path), fragment


def _with_fragment(url: str, fragment: str) -> str:
    # A builder may already use the fragment (the placeholder "#lesson-<id>" does); a URL has only one.
    return f"{url}#{fragment}" if fragment and "#" not in url else url


def _resolve(file: str, path: str) -> str | None:
    """The package path a relative link in ``file`` points at; None when it leaves the package."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file), path))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def _is_external(href: str) -> bool:
    return href.lower().startswith(("http:", "https:"))


def _style_to_align(token: Token) -> None:
    # markdown-it writes column alignment as a style attribute, which we do not allow; the align attribute is inert.
    style = token.attrGet("style")
    if style is None:
        return
    del token.attrs["style"]
    alignment = str(style).removeprefix("text-align:")
    if alignment in ("left", "center", "right"):
        token.attrSet("align", alignment)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
