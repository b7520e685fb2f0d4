"""Lesson links and package assets, shared by the learner's pages and the author's preview."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Response, url_for

from lms.models import VersionFile
from lms.web.downloads import set_media_type

# Files that a browser could run as a page from our origin are sandboxed.
_SANDBOXED = ("image/svg+xml", "text/html")


def asset_response(asset: VersionFile) -> Response:
    response = set_media_type(Response(asset.data, mimetype=asset.media_type), asset.media_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["ETag"] = asset.sha256
    if asset.media_type in _SANDBOXED:
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def lesson_links(endpoint: str, **values: str) -> Callable[[str], str]:
    """lesson key -> the URL of ``endpoint`` for that lesson. A lesson page links to every lesson of the course, so the
    route is built once and each key (a package id) is put in its place: building a URL costs more than the rest of
    the outline."""
    placeholder = "lesson-key-placeholder"
    head, tail = url_for(endpoint, lesson_key=placeholder, **values).rsplit(placeholder, 1)
    return lambda key: head + quote(key, safe="") + tail
