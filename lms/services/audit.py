"""The audit log of staff actions: ``record`` for the services that do them, and the administrators' listing and CSV
export.

``record`` adds the entry to the caller's session and never commits: the commit that makes the action happen writes
its entry too, and a rollback (a refusal, an error) leaves neither. Call it after the checks that may refuse the
action, before the commit. Entries are never changed (lms.models.audit refuses it).

Where an action came from is the web layer's knowledge, not the services' (they never read the request): the web
layer registers a reader with ``set_origin_reader`` that gives the request's remote address and id; outside a request
(``flask lms …``) the reader gives nothing and the origin is "command line".
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, select

from lms import authz
from lms.core import clock, schedule
from lms.extensions import db
from lms.models import AuditEntry, User
from lms.models.audit import COMMAND_LINE
from lms.services.errors import NotAllowed
from lms.services.paging import Page, paginate

# Every action the log knows, with the label the admin page shows (lazy: worded in the reader's language). The names
# are stable: filters, exports and scripts read them.
ACTIONS: dict[str, LazyString] = {
    "course.import": _l("Course version imported"),
    "course.publish": _l("Course version published"),
    "course.delete_version": _l("Draft course version deleted"),
    "course.assign_instructor": _l("Instructor assigned to a course"),
    "application.decide": _l("Application decided"),
    "attendance.mark": _l("Attendance marked by hand"),
    "attendance.import": _l("Attendance imported from a Zoom report"),
    "certificate.issue": _l("Certificate issued by hand"),
    "certificate.revoke": _l("Certificate revoked"),
    "user.role_change": _l("Role changed"),
    "user.activate": _l("Account activated"),
    "user.deactivate": _l("Account deactivated"),
    "cohort.create": _l("Cohort created"),
    "cohort.update": _l("Cohort edited"),
    "cohort.release_learners": _l("Learners waiting for a cohort left out of its package released from it"),
    "session.create": _l("Live session added"),
    "session.update": _l("Live session edited"),
    "theme.update": _l("Site theme changed"),
    "mail.retry": _l("Failed e-mail queued again"),
    "mail.discard": _l("Failed e-mail discarded"),
    "discussion.pin": _l("Discussion pinned or unpinned"),
    "discussion.lock": _l("Discussion locked or unlocked"),
    "discussion.hide": _l("Discussion post hidden"),
    "discussion.restore": _l("Discussion post restored"),
    "discussion.mute": _l("Person muted in a discussion space"),
    "discussion.approve": _l("Discussion post approved (pre-moderation)"),
    "discussion.reject": _l("Discussion post rejected (pre-moderation)"),
}

PER_PAGE = 50
CSV_HEADER = ("at_utc", "actor_id", "actor_email", "action", "target_type", "target_id", "details", "origin",
              "request_id")


# Where an action came from.


@dataclass(frozen=True)
class Origin:
    address: str  # the request's remote address, or "command line"
    request_id: str | None = None


COMMAND_LINE_ORIGIN = Origin(COMMAND_LINE)
_ORIGIN_READER = "lms.audit.origin_reader"


def set_origin_reader(app: Flask, reader: Callable[[], Origin | None]) -> None:
    """Tell the log how to find where the current action comes from; the reader returns None outside a request."""
    app.extensions[_ORIGIN_READER] = reader


def current_origin() -> Origin:
    reader = current_app.extensions.get(_ORIGIN_READER)
    return (reader() if reader is not None else None) or COMMAND_LINE_ORIGIN


# Writing.


def record(actor: User | None, action: str, target_type: str, target_id: object,
           details: Mapping[str, Any] | None = None) -> AuditEntry:
    """Add one entry for an action ``actor`` (None: the operator at the command line) is doing in this transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to lms.services.audit.ACTIONS")
    origin = current_origin()
    entry = AuditEntry(
        at=clock.now(), actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None, action=action, target_type=target_type,
        target_id=str(target_id), details=_jsonable(dict(details or {})), origin=origin.address[:64],
        request_id=origin.request_id[:64] if origin.request_id else None,
    )
    db.session.add(entry)
    return entry


def changes(before: object, after: object) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for the fields that differ between two snapshots (dataclasses or mappings)."""
    old, new = fields_of(before), fields_of(after)
    return {name: {"from": old.get(name), "to": value} for name, value in new.items() if old.get(name) != value}


def fields_of(snapshot: object) -> dict[str, Any]:
    """A dataclass's (or mapping's) fields as a dict, for details."""
    if dataclasses.is_dataclass(snapshot) and not isinstance(snapshot, type):
        return dataclasses.asdict(snapshot)
    return dict(snapshot)  # type: ignore[call-overload]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# Reading (administrators).


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""  # an actor's e-mail address, or "command line"
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    timezone: str = "UTC"  # the zone the dates are days of (the reader's)


def _require_reader(actor: User) -> None:
    if not authz.is_admin(actor):
        raise NotAllowed(_("Only administrators can read the audit log."))


def _filtered(filters: AuditFilters) -> Select:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    who = filters.actor.strip().lower()
    if who == COMMAND_LINE:
        query = query.where(AuditEntry.actor_email.is_(None))
    elif who:
        query = query.where(AuditEntry.actor_email == who)
    if filters.date_from is not None:
        query = query.where(AuditEntry.at >= schedule.start_of_day(filters.date_from, filters.timezone))
    if filters.date_to is not None:
        query = query.where(AuditEntry.at < schedule.start_of_day(filters.date_to + timedelta(days=1),
                                                                   filters.timezone))
    return query


# Details that hold people's ids (attendance), shown by name on the page.
PEOPLE_DETAILS = ("present", "absent")


def names_of_people_in(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The display names of the people the entries' details name by id: one query for a whole page."""
    ids = {person for entry in entries for key in PEOPLE_DETAILS
           for person in ((entry.details or {}).get(key) or []) if isinstance(person, int)}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def list_entries(actor: User, filters: AuditFilters = AuditFilters(), page: int = 1,
                 per_page: int = PER_PAGE) -> Page[AuditEntry]:
    """Entries newest first, one page at a time (two queries, whatever the page holds)."""
    _require_reader(actor)
    return paginate(_filtered(filters), page, per_page)


def export_rows(actor: User, filters: AuditFilters = AuditFilters()) -> Iterator[tuple[object, ...]]:
    """Every entry the filters select, newest first, as CSV_HEADER's columns."""
    _require_reader(actor)
    return _csv_rows(_filtered(filters))


def _csv_rows(query: Select) -> Iterator[tuple[object, ...]]:
    for entry in db.session.execute(query.execution_options(yield_per=1000)).scalars():
        yield (entry.at.isoformat(timespec="seconds"), entry.actor_id, entry.actor_email, entry.action,
               entry.target_type, entry.target_id, json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
               entry.origin, entry.request_id)
