"""The web side of the audit log: how an entry's target and details read on the page."""

from __future__ import annotations

from typing import Any

from flask import url_for

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
    listed = [names.get(person, f"someone no longer registered (#{person})") for person in ids or []
              if isinstance(person, int)]
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _change(details: dict, name: str) -> str:
    change = details.get(name) or {}
    return f"from {detail_text(change.get('from'))} to {detail_text(change.get('to'))}"


_FIELD_NAMES = {"applications_open": "applications open", "application_deadline": "application deadline",
                "starts_on": "first day", "ends_on": "last day", "allow_late_attempts": "late attempts allowed",
                "enrolment_mode": "enrolment", "join_url": "joining link", "recording_url": "recording",
                "starts_at": "start", "ends_at": "end", "timezone": "time zone"}


def _changes(details: dict) -> str:
    changed = [f"{_FIELD_NAMES.get(name, name.replace('_', ' '))} {_change(details, name)}"
               for name, value in details.items() if isinstance(value, dict) and set(value) == {"from", "to"}]
    return "; ".join(changed) or "nothing"


def summary(entry: AuditEntry, names: dict[int, str]) -> str:
    """The entry as one sentence, with people's names rather than ids ("Marked Lucía Fernández present.")."""
    details, target = entry.details or {}, entry.target_id
    action = entry.action
    if action == "attendance.mark":
        parts = []
        if details.get("present"):
            parts.append(f"marked {_people(details['present'], names)} present")
        if details.get("absent"):
            parts.append(f"marked {_people(details['absent'], names)} absent")
        sentence = " and ".join(parts) or "changed nothing"
        return sentence[:1].upper() + sentence[1:] + "."
    if action == "attendance.import":
        present = _people(details.get("present"), names)
        marked = f"marked {present} present" if present else "marked nobody new present"
        return (f"Imported a Zoom report and {marked} ({detail_text(details.get('already'))} already marked, "
                f"{detail_text(details.get('too_short'))} too short, {detail_text(details.get('unmatched'))} not "
                "matched).")
    if action == "application.decide":
        return (f"Decided the application of {detail_text(details.get('applicant'))}: "
                f"{detail_text(details.get('status', {}).get('to'))} (it was "
                f"{detail_text(details.get('status', {}).get('from'))}).")
    if action == "user.role_change":
        return f"Changed the role of {detail_text(details.get('email'))} {_change(details, 'role')}."
    if action in ("user.activate", "user.deactivate"):
        verb = "Reactivated" if action == "user.activate" else "Deactivated"
        return f"{verb} the account of {detail_text(details.get('email'))}."
    if action == "course.import":
        return f"Imported version {detail_text(details.get('version'))} of {target}."
    if action == "course.publish":
        previous = details.get("previous_version")
        was = f" (replacing {previous})" if previous else ""
        return f"Published version {detail_text(details.get('version'))} of {target}{was}."
    if action == "course.assign_instructor":
        return f"Made {detail_text(details.get('instructor'))} an instructor of {target}."
    if action == "certificate.issue":
        return (f"Issued a certificate of {detail_text(details.get('course'))} to "
                f"{detail_text(details.get('learner'))} by hand: {detail_text(details.get('reason'))}")
    if action == "certificate.revoke":
        return (f"Revoked the certificate of {detail_text(details.get('learner_name'))} "
                f"({detail_text(details.get('course_title'))}): {detail_text(details.get('reason'))}")
    if action == "cohort.create":
        return f"Created the cohort “{detail_text(details.get('name'))}” of {detail_text(details.get('course'))}."
    if action == "session.create":
        return f"Added the live session “{detail_text(details.get('title'))}”."
    if action in ("cohort.update", "session.update"):
        what = "the cohort" if action == "cohort.update" else "the live session"
        return f"Changed {what}: {_changes(details)}."
    return ""


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
