"""Where a form may send the browser back to after it is done (log-in, the language menu): only this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: anything with a scheme or host (including '//evil' and '/\\evil') is ignored."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 32 for char in target):
        return None
    return target
