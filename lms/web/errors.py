"""Every error a person can meet, mapped in one place: service errors, HTTP errors and crashes.

Pages use the site layout; clients that ask for JSON get JSON. A crash rolls the transaction back, is logged with its
traceback, and shows the person only a plain 500 page.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db
from lms.services.errors import ServiceError

log = logging.getLogger(__name__)

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This conflicts with what is already there"),
    413: _l("The file is too large"),
    422: _l("Please check what you entered"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

EXPLANATIONS = {
    400: _l("Please go back and try again."),
    403: _l("If you think you should have access, contact the programme staff."),
    404: _l("The address may be mistyped, or the page may have moved."),
    405: _l("Please go back and use the page's own buttons and links."),
    413: _l("Please upload a smaller file."),
    429: _l("Please wait a moment before trying again."),
    500: _l("The error has been logged. Please try again in a few minutes."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, message: str | None = None):
    title = str(TITLES.get(status) or _("Error"))
    detail = message or str(EXPLANATIONS.get(status, ""))
    if _wants_json():
        return jsonify(error=title, message=detail, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=detail), status


def handle_service_error(error: ServiceError):
    db.session.rollback()
    return render_error(error.status_code, error.message)


def handle_csrf_error(error: CSRFError):
    return render_error(400, _("This form has expired or was not sent from this site. Reload the page and try "
                               "again."))


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return handle_crash(error)
    message = None
    if status == 400 and error.description and error.description != type(error).description:
        message = error.description
    response = make_response(render_error(status, message))
    # What the error says in its headers is part of the answer: Content-Range on a 416, Allow on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_crash(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, InternalServerError):
        log.exception("unhandled error on %s %s", request.method, request.path, exc_info=original)
    db.session.rollback()
    return render_error(500)


def register(app: Flask) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_crash)
