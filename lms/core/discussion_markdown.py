"""What people write in discussions, as safe HTML: the lessons' Markdown (markdown-it-py, CommonMark with raw HTML
off) and the lessons' bleach allow-list (lms.core.packages.render.ALLOWED_TAGS), without images (a post cannot load
anything from elsewhere). Every link opens as user content: ``rel="nofollow ugc noopener"``.
"""

from __future__ import annotations

import bleach
from markdown_it import MarkdownIt

from lms.core.packages.render import ALLOWED_TAGS

POST_TAGS = ALLOWED_TAGS - {"img", "h1", "h2"}  # no images; headings smaller than the page's own
USER_CONTENT_REL = "nofollow ugc noopener"
_SAFE_SCHEMES = ("http", "https", "mailto")


def _link_attributes(tag: str, name: str, value: str) -> bool:
    return name in ("href", "title") or (name == "rel" and value == USER_CONTENT_REL)


class PostRenderer:
    """Not thread-safe (neither is a bleach Cleaner): make one per use, or keep one per thread."""

    def __init__(self) -> None:
        self._md = MarkdownIt("commonmark", {"html": False}).enable("table")
        self._cleaner = bleach.Cleaner(tags=POST_TAGS, attributes={"a": _link_attributes},
                                       protocols=_SAFE_SCHEMES, strip=True, strip_comments=True)

    def render(self, source: str) -> str:
        tokens = self._md.parse(source)
        for token in tokens:
            for child in token.children or []:
                if child.type == "link_open":
                    child.attrSet("rel", USER_CONTENT_REL)
        return self._cleaner.clean(self._md.renderer.render(tokens, self._md.options, {}))


def render_post(source: str) -> str:
    return PostRenderer().render(source)


def post_plain_text(source: str) -> str:
    """A post as an e-mail's plain-text part: the words without Markdown's marks (no ``**``), each link as
    "text (address)", list items as "- " or "1. ", quotes as "> ", code as written, table rows as "a | b". Raw HTML
    never reaches it (markdown-it parses with it off, so angle brackets stay the characters the author typed)."""
    blocks: list[tuple[str, bool]] = []  # each block's text, and whether it follows the one before on the next line
    prefixes: list[str] = []  # the marks that start each line of the current block: quotes and list items
    numbers: list[int | None] = []  # per open list: the next item's number, or None for bullets
    cells: list[str] | None = None  # the current table row's cells
    tight = False  # inside a tight list's item (markdown-it hides its paragraphs): one line per item
    joined = False  # the next block goes on the line after the last one: the items of a tight list, a table's rows
    for token in MarkdownIt("commonmark", {"html": False}).enable("table").parse(source):
        kind = token.type
        if kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            joined = joined and bool(numbers)
        elif kind == "list_item_open":
            number = numbers[-1]
            prefixes.append("- " if number is None else f"{number}. ")
            if number is not None:
                numbers[-1] = number + 1
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "paragraph_open":
            tight = token.hidden
        elif kind == "table_open":
            joined = False
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close" and cells is not None:
            blocks.append((_prefixed(" | ".join(cells), prefixes), joined))
            cells, joined = None, True
        elif kind == "inline" and token.children is not None:
            text = _inline_text(token.children)
            if cells is not None:
                cells.append(text)
                continue
            blocks.append((_prefixed(text, prefixes), tight and joined))
            joined = tight
            # A list item's mark goes on its first line only; what follows in the item is indented under it.
            prefixes[:] = [mark if mark == "> " else " " * len(mark) for mark in prefixes]
        elif kind in ("fence", "code_block"):
            blocks.append((_prefixed(token.content.rstrip("\n"), [*prefixes, "    "]), False))
            joined = False
        elif kind == "hr":
            blocks.append((_prefixed("----", prefixes), False))
            joined = False
    text = ""
    for block, follows in blocks:
        text += (("\n" if follows else "\n\n") if text else "") + block
    return text


def _inline_text(children) -> str:
    parts: list[str] = []
    links: list[tuple[str, int]] = []  # each open link's address and where its text starts
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open":
            links.append((str(child.attrGet("href") or ""), len(parts)))
        elif child.type == "link_close" and links:
            address, start = links.pop()
            shown = "".join(parts[start:])
            if address and address not in (shown, f"mailto:{shown}"):
                parts.append(f" ({address})")
    return "".join(parts)


def _prefixed(text: str, prefixes: list[str]) -> str:
    lead = "".join(prefixes)
    return "\n".join((lead + line) if line else lead.rstrip() for line in text.split("\n"))
