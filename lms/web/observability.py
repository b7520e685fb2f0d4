"""Logs: one access line per request, a request id on every record, plain text or one JSON object per line.

Each request gets an id (``g.request_id``): the caller's ``X-Request-ID`` when it looks like one (a load balancer or
proxy that already made one), else a new random one. It is sent back in the ``X-Request-ID`` response header, and
every log record made while the request runs carries it, so one id finds everything a request logged on any
instance. ``LMS_LOG_JSON=1`` writes each record as a JSON object on one line, for log collectors.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request

from lms.services import audit

REQUEST_ID_HEADER = "X-Request-ID"
# Anything else (too short to be unique, too long, or with characters that could forge log lines) is replaced.
TRUSTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# The access line's fields, as record attributes (logging's ``extra``) and as JSON keys.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "cpu_ms", "user_id", "remote_addr")
# Load balancers ask every few seconds; their lines would drown the rest.
QUIET_ENDPOINTS = frozenset({"public.healthz", "static"})

access_log = logging.getLogger("lms.access")


def request_id_for(incoming: str | None) -> str:
    if incoming and TRUSTED_REQUEST_ID.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


_base_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_record_factory(*args, **kwargs)
    record.request_id = current_request_id() or "-"
    return record


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, request_id, the access fields
    when the record has them, and the traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter_for(app: Flask) -> logging.Formatter:
    if app.config["LOG_JSON"]:
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})


class _LmsHandler(logging.StreamHandler):
    """The handler create_app installs on the root logger, told apart from handlers someone else set up."""


def configure_logging(app: Flask) -> None:
    """Set the ``lms`` loggers' level, tag every record with the request id, and, unless the host process (pytest,
    an embedding program) already set logging up, write records to stderr as text or JSON."""
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("lms").setLevel(level)
    if logging.getLogRecordFactory() is not _record_with_request_id:
        logging.setLogRecordFactory(_record_with_request_id)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if isinstance(handler, _LmsHandler)]
    if root.handlers and not ours:
        return
    handler = ours[0] if ours else _LmsHandler()
    handler.setFormatter(formatter_for(app))
    if not ours:
        root.addHandler(handler)


def start_request() -> None:
    # Only a proxy of ours may name the request; a client could otherwise reuse another request's id.
    incoming = request.headers.get(REQUEST_ID_HEADER) if current_app.config["TRUSTED_PROXIES"] else None
    g.request_id = request_id_for(incoming)
    g.request_started = time.perf_counter()
    g.request_cpu_started = time.thread_time()


# URL parts that are secrets (password-reset and confirmation links, private calendar feeds): logs are read by more
# people, and kept longer, than the secrets may be.
SECRET_URL_PARTS = ("token",)
MASK = "…"


def logged_path() -> str:
    """The request's path with its secret parts masked: ``/reset-password/…``, ``/programmes/feed/….ics``."""
    path = request.path
    for name in SECRET_URL_PARTS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, MASK)
    return path


def finish_request(response: Response) -> Response:
    request_id = current_request_id() or request_id_for(None)  # never expected; no response goes without one
    response.headers[REQUEST_ID_HEADER] = request_id
    level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
    if not access_log.isEnabledFor(level):  # a line nobody writes is not worth its fields (health checks, files)
        return response
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    # The CPU this request's thread spent: on a busy machine the wall time also counts the waits for a core.
    cpu_started = g.get("request_cpu_started")
    cpu_ms = round((time.thread_time() - cpu_started) * 1000, 2) if cpu_started is not None else None
    # The user only if the request loaded one: logging never costs a query.
    user = g.get("_login_user")
    user_id = user.id if user is not None and user.is_authenticated else None
    path = _CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", logged_path())  # no forged lines
    fields = {"method": request.method, "path": path, "status": response.status_code,
              "duration_ms": duration_ms, "cpu_ms": cpu_ms, "user_id": user_id, "remote_addr": request.remote_addr}
    access_log.log(level, "%s %s %s %sms cpu=%sms user=%s addr=%s", request.method, path, response.status_code,
                   duration_ms, cpu_ms, user_id or "-", request.remote_addr, extra=fields)
    return response


def request_origin() -> audit.Origin | None:
    """Where the current action comes from, for the audit log: the request's remote address (the client's, behind
    trusted proxies) and its id; None outside a request (the command line)."""
    if not has_request_context():
        return None
    return audit.Origin(request.remote_addr or "unknown", current_request_id())


def init_app(app: Flask) -> None:
    """Call first in create_app, so the request id exists before any other hook can log or answer."""
    configure_logging(app)
    app.before_request(start_request)
    app.after_request(finish_request)
    # Services never read the request: the audit log asks the web layer where an action comes from.
    audit.set_origin_reader(app, request_origin)
