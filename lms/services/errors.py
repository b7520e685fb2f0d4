"""Errors a use case can end with. lms.web.errors maps each to one HTTP status in one place.

The message is for the person who caused the error, in their language: services word it with gettext where they raise
(``raise Invalid(_("Please give your name."), field="display_name")``), so it is in the request's language on a page,
the site default (LMS_DEFAULT_LANGUAGE) on the command line, and the recipient's inside ``force_locale``. A lazy
string (lazy_gettext, for a module-level constant) is worded here, when raised, so ``message`` is always a plain str
that can be flashed, logged or put into JSON. See docs/translating.md.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: object, *, field: str | None = None) -> None:
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    status_code = 404


class NotAllowed(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class Invalid(ServiceError):
    status_code = 422


def found(row: T | None, message: str) -> T:
    """``row``, or NotFound with ``message`` when the look-up found nothing: a loader's one line,
    ``return found(db.session.get(Cohort, cohort_id), "There is no such cohort.")``."""
    if row is None:
        raise NotFound(message)
    return row
