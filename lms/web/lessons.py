"""Serving package assets, shared by the learner's pages and the author's preview."""

from __future__ import annotations

from flask import Response

from lms.models import VersionFile

# Files that a browser could run as a page from our origin are sandboxed.
_SANDBOXED = ("image/svg+xml", "text/html")


def asset_response(asset: VersionFile) -> Response:
    response = Response(asset.data, mimetype=asset.media_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["ETag"] = asset.sha256
    if asset.media_type in _SANDBOXED:
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
