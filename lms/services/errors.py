"""Errors a use case can end with. lms.web.errors maps each to one HTTP status in one place."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
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
