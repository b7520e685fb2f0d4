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
