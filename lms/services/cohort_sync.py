"""Cohorts and live sessions declared by a course package, created or updated when a version is published.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from lms.core.packages import Package
from lms.extensions import db
from lms.models import Cohort, Course, LiveSession
from lms.services.live_sessions import sessions_of


def _package_cohort_values(spec) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment is not None else None

    return {"name": spec.name, "timezone": spec.timezone, "applications_open_at": iso(spec.applications_open),
            "application_deadline_at": iso(spec.application_deadline), "starts_on": spec.starts_on.isoformat(),
            "ends_on": spec.ends_on.isoformat(), "capacity": spec.capacity}


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("starts_on", "ends_on"):
        return date.fromisoformat(value)
    if name.endswith("_at"):
        return datetime.fromisoformat(value)
    return value


def _merge(row: Any, new: dict[str, Any]) -> bool:
    """Apply what the package changed since it was last applied; leave the rest (staff may have edited it)."""
    old = row.package_values or {}
    changed = False
    for name, value in new.items():
        package_changed = row.package_values is None or old.get(name) != value
        if package_changed and getattr(row, name) != _from_json(name, value):
            setattr(row, name, _from_json(name, value))
            changed = True
    row.package_values = new
    return changed


def sync_package_cohorts(course: Course, package: Package) -> list[Cohort]:
    """Create the package's cohorts and sessions that do not exist yet (by key) and update the ones that do with
    what the package changed. Nothing is deleted: a cohort or session a new version leaves out stays, with its
    applications and attendance. Runs inside the publishing transaction (no commit here)."""
    templates = {template.id: template for template in package.live_sessions}
    existing = {cohort.key: cohort for cohort in db.session.execute(
        select(Cohort).where(Cohort.course_id == course.id)).scalars()}
    synced = []
    for spec in package.cohorts:
        cohort = existing.get(spec.id)
        values = _package_cohort_values(spec)
        if cohort is None:
            cohort = Cohort(course_id=course.id, key=spec.id, enrolment_mode=package.enrolment.value,
                            allow_late_attempts=False, package_values=None)
            for name, value in values.items():
                setattr(cohort, name, _from_json(name, value))
            cohort.package_values = values
            db.session.add(cohort)
            db.session.flush()
        else:
            _merge(cohort, values)
        _sync_sessions(cohort, spec, templates)
        synced.append(cohort)
    return synced


def _sync_sessions(cohort: Cohort, spec, templates: dict) -> None:
    rows = {row.key: row for row in sessions_of(cohort.id)} if cohort.id else {}
    used: dict[str, int] = {}
    for item in spec.sessions:
        used[item.template] = used.get(item.template, 0) + 1
        key = item.template if used[item.template] == 1 else f"{item.template}-{used[item.template]}"
        template = templates.get(item.template)
        values = {"title": template.title if template else item.template,
                  "description": template.description if template else "",
                  "starts_at": item.starts_at.astimezone(UTC).isoformat(),
                  "ends_at": item.ends_at.astimezone(UTC).isoformat(),
                  "timezone": spec.timezone, "join_url": item.join_url or ""}
        row = rows.get(key)
        if row is None:
            row = LiveSession(cohort_id=cohort.id, key=key, sequence=0, recording_url="")
            for name, value in values.items():
                setattr(row, name, _from_json(name, value))
            row.package_values = values
            db.session.add(row)
        else:
            before = (row.starts_at, row.ends_at)
            _merge(row, values)
            if (row.starts_at, row.ends_at) != before:
                row.sequence = (row.sequence or 0) + 1
