"""Private downloads (letters of support, calendars, exports): always an attachment, never cached, never rendered as
a page from our origin. Shared by the programmes and staff blueprints."""

from __future__ import annotations

import io

from flask import Response, send_file


def attachment(data: bytes | str, media_type: str, filename: str) -> Response:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    response = send_file(io.BytesIO(payload), mimetype=media_type, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
