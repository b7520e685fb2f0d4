"""The web side of the audit log: how an entry's target and details read on the page."""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.core import admissions
from lms.core.i18n import N_
from lms.models import AuditEntry


def target_url(entry: AuditEntry) -> str | None:
    """The page of the entry's target, for the kinds of target that have one."""
    target, details = entry.target_type, entry.details or {}
    if target == "course":
        if details.get("version"):
            return url_for("author.version", slug=entry.target_id, version=details["version"])
        return url_for("reports.overview", slug=entry.target_id)
    if target == "certificate":
        return url_for("certificates.admin_detail", public_id=entry.target_id)
    if not entry.target_id.isdigit():
        return None
    endpoint, argument = {"application": ("staff.application", "application_id"),
                          "cohort": ("staff.cohort", "cohort_id"),
                          "live_session": ("staff.attendance_sheet", "session_id"),
                          "user": ("admin.user_detail", "user_id")}.get(target, (None, None))
    return url_for(endpoint, **{argument: int(entry.target_id)}) if endpoint else None


def _people(ids: Any, names: dict[int, str]) -> str:
    listed = [names.get(person) or _("someone no longer registered (#%(id)s)", id=person) for person in ids or []
              if isinstance(person, int)]
    return format_list(listed, locale=str(get_locale() or "en")) if listed else ""


# The stored values that are words, as the reader says them (the stored value itself stays in "All details").
_VALUE_LABELS = {
    **{status.value: label for status, label in admissions.STATUS_LABELS.items()},
    "learner": N_("learner"), "instructor": N_("instructor"), "admin": N_("administrator"),
    "application": N_("by application"), "open": N_("open to anyone"), "invite": N_("by invitation"),
}


def _worded(value: Any) -> str:
    """A detail's value inside a sentence: yes/no, "none" and known status words in the reader's language."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return format_list([_worded(item) for item in value], locale=str(get_locale() or "en")) if value \
            else _("none")
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and value in _VALUE_LABELS:
        return _(_VALUE_LABELS[value])
    return str(value)


_FIELD_NAMES = {"applications_open": _l("applications open"), "application_deadline": _l("application deadline"),
                "starts_on": _l("first day"), "ends_on": _l("last day"),
                "allow_late_attempts": _l("late attempts allowed"), "enrolment_mode": _l("enrolment"),
                "join_url": _l("joining link"), "recording_url": _l("recording"), "starts_at": _l("start"),
                "ends_at": _l("end"), "timezone": _l("time zone"), "name": _l("name"), "title": _l("title"),
                "description": _l("description"), "capacity": _l("capacity"), "role": _l("role"),
                "status": _l("status"), "active": _l("active"),
                "premoderate_first_posts": _l("first posts pre-moderated")}


def _change(details: dict, name: str) -> str:
    change = details.get(name) or {}
    return _("%(field)s from %(old)s to %(new)s", field=_FIELD_NAMES.get(name, name),
             old=_worded(change.get("from")), new=_worded(change.get("to")))


def _changes(details: dict) -> str:
    changed = [_change(details, name) for name, value in details.items()
               if isinstance(value, dict) and set(value) == {"from", "to"}]
    return "; ".join(changed) or _("nothing")


def _attendance(details: dict, names: dict[int, str]) -> str:
    present, absent = _people(details.get("present"), names), _people(details.get("absent"), names)
    if present and absent:
        return _("Marked %(present)s present and %(absent)s absent.", present=present, absent=absent)
    if present:
        return _("Marked %(people)s present.", people=present)
    if absent:
        return _("Marked %(people)s absent.", people=absent)
    return _("Changed nothing.")


def _attendance_import(details: dict, names: dict[int, str]) -> str:
    counts = {"already": _worded(details.get("already")), "too_short": _worded(details.get("too_short")),
              "unmatched": _worded(details.get("unmatched"))}
    present = _people(details.get("present"), names)
    if present:
        return _("Imported a Zoom report and marked %(present)s present (%(already)s already marked, %(too_short)s "
                 "too short, %(unmatched)s not matched).", present=present, **counts)
    return _("Imported a Zoom report and marked nobody new present (%(already)s already marked, %(too_short)s too "
             "short, %(unmatched)s not matched).", **counts)


def summary(entry: AuditEntry, names: dict[int, str]) -> str:
    """The entry as one sentence in the reader's language, worded now from the stored action and details (so an
    entry reads in whichever language its reader uses), with people's names rather than ids ("Marked Lucía
    Fernández present.")."""
    details, target = entry.details or {}, entry.target_id
    action = entry.action

    def value(name: str) -> str:
        return _worded(details.get(name))

    if action == "attendance.mark":
        return _attendance(details, names)
    if action == "attendance.import":
        return _attendance_import(details, names)
    if action == "application.decide":
        status = details.get("status") or {}
        return _("Decided the application of %(applicant)s: %(new)s (it was %(old)s).", applicant=value("applicant"),
                 new=_worded(status.get("to")), old=_worded(status.get("from")))
    if action == "user.role_change":
        role = details.get("role") or {}
        return _("Changed the role of %(email)s from %(old)s to %(new)s.", email=value("email"),
                 old=_worded(role.get("from")), new=_worded(role.get("to")))
    if action == "user.activate":
        return _("Reactivated the account of %(email)s.", email=value("email"))
    if action == "user.deactivate":
        return _("Deactivated the account of %(email)s.", email=value("email"))
    if action == "course.import":
        return _("Imported version %(version)s of %(course)s.", version=value("version"), course=target)
    if action == "course.publish":
        if details.get("previous_version"):
            return _("Published version %(version)s of %(course)s (replacing %(previous)s).",
                     version=value("version"), course=target, previous=value("previous_version"))
        return _("Published version %(version)s of %(course)s.", version=value("version"), course=target)
    if action == "course.assign_instructor":
        return _("Made %(instructor)s an instructor of %(course)s.", instructor=value("instructor"), course=target)
    if action == "certificate.issue":
        return _("Issued a certificate of %(course)s to %(learner)s by hand: %(reason)s", course=value("course"),
                 learner=value("learner"), reason=value("reason"))
    if action == "certificate.revoke":
        return _("Revoked the certificate of %(learner)s (%(course)s): %(reason)s", learner=value("learner_name"),
                 course=value("course_title"), reason=value("reason"))
    if action == "cohort.create":
        return _("Created the cohort “%(name)s” of %(course)s.", name=value("name"), course=value("course"))
    if action == "session.create":
        return _("Added the live session “%(title)s”.", title=value("title"))
    if action == "cohort.update":
        return _("Changed the cohort: %(changes)s.", changes=_changes(details))
    if action == "session.update":
        return _("Changed the live session: %(changes)s.", changes=_changes(details))
    return ""


TARGET_TYPES = {"course": _l("course"), "certificate": _l("certificate"), "application": _l("application"),
                "cohort": _l("cohort"), "live_session": _l("live session"), "user": _l("user")}


def detail_text(value: Any) -> str:
    """A detail's value as a person reads it: a change as "old → new", lists comma-separated."""
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{detail_text(value['from'])} → {detail_text(value['to'])}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {detail_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(detail_text(item) for item in value) or "none"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
