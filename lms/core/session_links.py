"""Links people click (joining a live session, a recording): one rule for what is accepted and what is shown.

An http(s) address without whitespace or control characters. A control character in a link would break the lines of
an iCalendar file or an e-mail (CR LF starts a new property), and any scheme but http(s) (javascript:, data:) could
run code when clicked.
"""

from __future__ import annotations

import re

from lms.core.i18n import N_

# Also the package format's pattern (lms.core.packages.fields.HTTP_URL) and so the JSON Schema's.
HTTP_URL_PATTERN = r"https?://[^\s/\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*"
_HTTP_URL = re.compile(HTTP_URL_PATTERN)


def link_problem(url: str) -> str | None:
    """Why this link is refused (marked with N_: word it for the reader); None when it is acceptable (or empty)."""
    if not url:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        return N_("Links cannot contain control characters (such as line breaks or tabs).")
    if not url.startswith(("https://", "http://")):
        return N_("Links must start with https:// (or http://).")
    if not _HTTP_URL.fullmatch(url):
        return N_("Links cannot contain spaces.")
    return None


def safe_link(url: str) -> str:
    """The link to show or put in a calendar; empty for a stored value that breaks the rule (never an error)."""
    return url if url and link_problem(url) is None else ""
