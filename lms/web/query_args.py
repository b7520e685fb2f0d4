"""Whole numbers from URLs, bounded by what the database can hold: an id or a page number too large for it is the
client's mistake (400/404), not an overflow inside a query (500)."""

from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL; SQLite's limit is higher)
MAX_PAGE = 1_000_000


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number past MAX_ID matches no route (404), like an id that does not exist."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Before any blueprint: rules bind their converters when they are added."""
    app.url_map.converters["int"] = DatabaseIdConverter


def _whole_number(name: str, default: int | None, maximum: int) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        return default  # as before: a link with ?page=abc shows the first page
    if number > maximum:
        abort(400, description=_("The number in “%(name)s” is too large.", name=name))
    return number


def form_id(name: str) -> int:
    """An id posted in a form (a hidden field); one missing, malformed or too large for the database is 0, which
    names nothing, so the service answers as for any id that does not exist."""
    number = request.form.get(name, type=int) or 0
    return number if 0 < number <= MAX_ID else 0


def page_arg(name: str = "page", default: int = 1) -> int:
    return max(_whole_number(name, default, MAX_PAGE) or default, 1)


def id_arg(name: str) -> int | None:
    """An optional id from the query (a filter); one that can't exist is a 404 rather than an empty page."""
    number = _whole_number(name, None, MAX_ID)
    if number is not None and number < 1:
        abort(404)
    return number
