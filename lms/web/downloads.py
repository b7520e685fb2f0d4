"""Private downloads (letters of support, calendars, exports): always an attachment, never cached, never rendered as
a page from our origin. Shared by the blueprints."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from flask import Response, send_file, stream_with_context

from lms.core.csvsafe import stream_csv


def set_media_type(response: Response, media_type: str) -> Response:
    """Content-Type exactly ``media_type`` when it names its charset: Werkzeug appends "; charset=utf-8" to every text
    type given as a mimetype, so "text/csv; charset=utf-8" would otherwise carry the charset twice."""
    if "charset=" in media_type.lower():
        response.headers["Content-Type"] = media_type
    return response


def attachment(data: bytes | str, media_type: str, filename: str) -> Response:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    response = set_media_type(send_file(io.BytesIO(payload), mimetype=media_type, as_attachment=True,
                                        download_name=filename, max_age=0), media_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def csv_download(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str) -> Response:
    """A CSV file streamed as its rows come from the database (spreadsheet-safe cells: lms.core.csvsafe). Check
    access before calling: once the first byte is sent, an error can no longer become an error page."""
    response = Response(stream_with_context(stream_csv(header, rows)), mimetype="text/csv")  # Werkzeug adds the charset
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
