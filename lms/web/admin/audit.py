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
