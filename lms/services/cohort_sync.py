"""Cohorts and live sessions declared by a course package, created or updated when a version is published.

A package may create cohorts and later change the ones it created, and nothing else: publishing runs with an
instructor's rights, while cohorts are the administrators' (dates, capacity, joining links). A cohort whose key names
one made by staff, or one staff edited since a package last set it, is a file:line problem at import and at publish
time. A manual edit releases the cohort from the package (lms.services.cohorts.release_from_package sets
package_values to None), so the two never fight over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update

from lms.core import clock, schedule
from lms.core.i18n import N_, Listing, Nn_, Phrase
from lms.core.packages import CohortSpec, EnrolmentMode, Package, Problem, SessionTemplate
from lms.extensions import db
from lms.models import Cohort, Course, Enrolment, EnrolmentStatus, LiveSession, User
from lms.services import audit
from lms.services.cohorts import cohort_data, cohort_times
from lms.services.live_sessions import session_data


@dataclass(frozen=True)
class SessionPlan:
    key: str
    values: dict[str, Any]  # as stored in package_values (JSON: instants as ISO 8601 in UTC)
    row: LiveSession | None  # None: publishing creates it
    changes: dict[str, dict[str, Any]]  # for an existing session: field -> {"from", "to"}


@dataclass(frozen=True)
class CohortPlan:
    """What publishing a package does to one of its cohorts."""

    spec: CohortSpec
    values: dict[str, Any]
    row: Cohort | None  # None: publishing creates it
    changes: dict[str, dict[str, Any]]
    sessions: tuple[SessionPlan, ...]
    refusal: Phrase | None  # why the package may not touch this existing cohort

    @property
    def is_new(self) -> bool:
        return self.row is None

    @property
    def sessions_added(self) -> tuple[SessionPlan, ...]:
        return tuple(plan for plan in self.sessions if plan.row is None)

    @property
    def sessions_changed(self) -> tuple[SessionPlan, ...]:
        return tuple(plan for plan in self.sessions if plan.row is not None and plan.changes)

    @property
    def changes_anything(self) -> bool:
        return self.is_new or bool(self.changes or self.sessions_added or self.sessions_changed)

    def summary_lines(self) -> list[Phrase]:
        """What publishing does to this cohort, one sentence per change, for the diff page and `flask lms diff`
        (worded in the reader's language; ``str()`` for English)."""
        name, key = self.spec.name, self.spec.id
        if self.refusal:
            return [Phrase(N_("Cohort “%(name)s” (%(key)s) cannot be changed by this package: %(why)s."),
                           name=name, key=key, why=self.refusal)]
        if self.is_new:
            singular, plural = Nn_("Creates cohort “%(name)s” (%(key)s) with %(num)d live session.",
                                   "Creates cohort “%(name)s” (%(key)s) with %(num)d live sessions.")
            return [Phrase(singular, plural=plural, name=name, key=key, num=len(self.sessions))]
        lines = [Phrase(N_("Changes cohort “%(name)s” (%(key)s): %(changes)s."), name=name, key=key,
                        changes=_describe_changes(self.changes))] if self.changes else []
        lines += [Phrase(N_("Adds live session “%(title)s” (%(key)s)."), title=plan.values["title"], key=plan.key)
                  for plan in self.sessions_added]
        lines += [Phrase(N_("Changes live session %(key)s: %(changes)s."), key=plan.key,
                         changes=_describe_changes(plan.changes)) for plan in self.sessions_changed]
        return lines


_FIELD_LABELS = {"enrolment_mode": N_("enrolment"), "name": N_("name"), "timezone": N_("time zone"),
                 "applications_open_at": N_("applications open"),
                 "application_deadline_at": N_("application deadline"), "starts_on": N_("first day"),
                 "ends_on": N_("last day"), "capacity": N_("capacity"), "title": N_("title"),
                 "description": N_("description"), "starts_at": N_("start"), "ends_at": N_("end"),
                 "join_url": N_("joining link")}


def _describe_changes(changes: dict[str, dict[str, Any]]) -> Listing:
    def shown(value: Any) -> Phrase | str:
        if value is None or value == "":
            return Phrase(N_("none"))
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return str(value)

    return Listing((Phrase(N_("%(field)s from %(old)s to %(new)s"),
                           field=Phrase(_FIELD_LABELS[name]) if name in _FIELD_LABELS else name,
                           old=shown(change["from"]), new=shown(change["to"]))
                    for name, change in changes.items()), separator="; ")


def _package_cohort_values(spec: CohortSpec) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment is not None else None

    return {"enrolment_mode": spec.enrolment.value, "name": spec.name, "timezone": spec.timezone,
            "applications_open_at": iso(spec.applications_open),
            "application_deadline_at": iso(spec.application_deadline), "starts_on": spec.starts_on.isoformat(),
            "ends_on": spec.ends_on.isoformat(), "capacity": spec.capacity}


def _package_session_values(spec: CohortSpec, templates: dict[str, SessionTemplate]) -> list[tuple[str, dict]]:
    """(key, values) of each session the cohort declares; a template used twice gets keys ``t``, ``t-2``..."""
    used: dict[str, int] = {}
    result = []
    for item in spec.sessions:
        used[item.template] = used.get(item.template, 0) + 1
        key = item.template if used[item.template] == 1 else f"{item.template}-{used[item.template]}"
        template = templates.get(item.template)
        result.append((key, {"title": template.title if template else item.template,
                             "description": template.description if template else "",
                             "starts_at": item.starts_at.astimezone(UTC).isoformat(),
                             "ends_at": item.ends_at.astimezone(UTC).isoformat(),
                             "timezone": spec.timezone, "join_url": item.join_url or ""}))
    return result


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("starts_on", "ends_on"):
        return date.fromisoformat(value)
    if name.endswith("_at"):
        return datetime.fromisoformat(value)
    return value


def _differences(row: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: {"from": getattr(row, name), "to": _from_json(name, value)} for name, value in values.items()
            if getattr(row, name) != _from_json(name, value)}


def _set_by_package(row: Cohort | LiveSession) -> bool:
    """Whether the row is exactly what a package last made it: staff neither made it nor changed it since (rows
    edited before edits released them from the package still differ from what it set)."""
    return row.package_values is not None and not _differences(row, row.package_values)


def _refusal(cohort: Cohort, sessions: list[LiveSession]) -> Phrase | None:
    if cohort.package_values is None:
        return Phrase(N_("cohort '%(key)s' already exists and was made or edited by an administrator; a package may "
                         "only change cohorts it created and nobody edited since. Give this cohort another id, or "
                         "ask an administrator to change the existing one"), key=cohort.key)
    if not _set_by_package(cohort) or not all(_set_by_package(row) for row in sessions):
        return Phrase(N_("cohort '%(key)s' was edited by an administrator since a package last set it; a package "
                         "may only change cohorts nobody edited since. Give this cohort another id, or ask an "
                         "administrator to change the existing one"), key=cohort.key)
    return None


def plan_package_cohorts(course: Course | None, package: Package) -> list[CohortPlan]:
    """What publishing ``package`` would do to each cohort it declares (the diff shows it, publishing applies it)."""
    existing: dict[str, Cohort] = {}
    sessions: dict[int, list[LiveSession]] = {}
    if course is not None and package.cohorts:
        existing = {cohort.key: cohort for cohort in db.session.execute(
            select(Cohort).where(Cohort.course_id == course.id,
                                 Cohort.key.in_([spec.id for spec in package.cohorts]))).scalars()}
        for row in db.session.execute(select(LiveSession).where(
                LiveSession.cohort_id.in_([cohort.id for cohort in existing.values()]))).scalars():
            sessions.setdefault(row.cohort_id, []).append(row)
    templates = {template.id: template for template in package.live_sessions}
    plans = []
    for spec in package.cohorts:
        cohort = existing.get(spec.id)
        values = _package_cohort_values(spec)
        rows = {row.key: row for row in sessions.get(cohort.id, [])} if cohort is not None else {}
        session_plans = tuple(
            SessionPlan(key, session_values, rows.get(key),
                        _differences(rows[key], session_values) if key in rows else {})
            for key, session_values in _package_session_values(spec, templates))
        plans.append(CohortPlan(
            spec=spec, values=values, row=cohort, sessions=session_plans,
            changes=_differences(cohort, values) if cohort is not None else {},
            refusal=_refusal(cohort, sessions.get(cohort.id, [])) if cohort is not None else None))
    return plans


def package_cohort_problems(plans: list[CohortPlan]) -> list[Problem]:
    # A file:line problem, in English like every package problem (docs/translating-python.md).
    return [Problem("course.yaml", plan.spec.line, str(plan.refusal)) for plan in plans if plan.refusal]


def sync_package_cohorts(actor: User | None, course: Course, package: Package) -> list[Cohort]:
    """Create the package's cohorts and sessions that do not exist yet (by key) and update the ones it created
    before, audited like manual changes. Nothing is deleted: a cohort or session a new version leaves out stays,
    with its applications and attendance. Runs inside the publishing transaction (no commit here); the caller has
    refused the package if any plan has a refusal."""
    synced = []
    for plan in plan_package_cohorts(course, package):
        assert plan.refusal is None, plan.refusal
        cohort = plan.row
        if cohort is None:
            cohort = Cohort(course_id=course.id, key=plan.spec.id, allow_late_attempts=False)
            _apply_package_values(cohort, plan.values)
            db.session.add(cohort)
            db.session.flush()
            audit.record(actor, "cohort.create", "cohort", cohort.id,
                         {"course": course.slug, "by_package_version": package.version,
                          **audit.fields_of(cohort_data(cohort))})
        elif plan.changes:
            stops_capturing = cohort.enrolment_mode == EnrolmentMode.OPEN and plan.spec.enrolment != EnrolmentMode.OPEN
            before = cohort_data(cohort)
            _apply_package_values(cohort, plan.values)
            audit.record(actor, "cohort.update", "cohort", cohort.id,
                         {**audit.changes(before, cohort_data(cohort)), "by_package_version": package.version})
            if stops_capturing:
                _let_waiting_learners_go(actor, cohort, package.version)
        else:
            cohort.package_values = plan.values
        for session_plan in plan.sessions:
            _sync_session(actor, cohort, session_plan, package.version)
        synced.append(cohort)
    return synced


@dataclass(frozen=True)
class ReleasePlan:
    """A cohort an earlier version of the package created to take every learner who enrols (``enrolment: open``)
    that this version leaves out: publishing keeps it, with its learners' records, but it stops taking learners,
    and the learners waiting for it to start leave it and can study at once (issue 20: removing a far-off cohort
    must not keep anyone locked out)."""

    row: Cohort
    waiting: int  # learners in it who cannot study yet because it has not started
    refusal: None = None  # shown like a CohortPlan on the version page

    def summary_lines(self) -> list[Phrase]:
        name, key = self.row.name, self.row.key
        if self.waiting:
            singular, plural = Nn_(
                "Cohort “%(name)s” (%(key)s) is left out of this version: it is kept, with its learners' records, but "
                "stops taking the learners who enrol; the %(num)d learner waiting for it to start on %(day)s leaves "
                "it and can study at once.",
                "Cohort “%(name)s” (%(key)s) is left out of this version: it is kept, with its learners' records, but "
                "stops taking the learners who enrol; the %(num)d learners waiting for it to start on %(day)s leave "
                "it and can study at once.")
            return [Phrase(singular, plural=plural, name=name, key=key, num=self.waiting,
                           day=f"{self.row.starts_on:%Y-%m-%d}")]
        return [Phrase(N_("Cohort “%(name)s” (%(key)s) is left out of this version: it is kept, with its learners' "
                          "records, but stops taking the learners who enrol."), name=name, key=key)]


def plan_released_cohorts(course: Course | None, package: Package, now: datetime | None = None) -> list[ReleasePlan]:
    """The open-mode cohorts, made by an earlier version of the package and not ended, that ``package`` leaves out."""
    if course is None:
        return []
    now = now or clock.now()
    declared = [spec.id for spec in package.cohorts]
    query = select(Cohort).where(Cohort.course_id == course.id, Cohort.enrolment_mode == EnrolmentMode.OPEN,
                                 Cohort.package_values.is_not(None))
    if declared:
        query = query.where(Cohort.key.not_in(declared))
    plans = []
    for cohort in db.session.execute(query.order_by(Cohort.starts_on, Cohort.id)).scalars():
        phase = schedule.cohort_phase(cohort_times(cohort), now)
        if phase is schedule.CohortPhase.ENDED:
            continue
        waiting = db.session.execute(select(func.count()).select_from(Enrolment).where(_active_in(cohort))
                                     ).scalar_one() if phase is schedule.CohortPhase.NOT_STARTED else 0
        plans.append(ReleasePlan(cohort, waiting))
    return plans


def _active_in(cohort: Cohort) -> Any:
    return (Enrolment.cohort_id == cohort.id) & (Enrolment.status == EnrolmentStatus.ACTIVE.value)


def release_left_out_cohorts(actor: User | None, course: Course, package: Package) -> None:
    """Apply plan_released_cohorts: the cohort takes nobody more (it becomes an invitation cohort, still the
    package's), and its waiting learners leave it. Inside the publishing transaction (no commit here)."""
    for plan in plan_released_cohorts(course, package):
        cohort = plan.row
        before = cohort_data(cohort)
        cohort.enrolment_mode = EnrolmentMode.INVITE.value
        cohort.package_values = {**(cohort.package_values or {}), "enrolment_mode": EnrolmentMode.INVITE.value}
        audit.record(actor, "cohort.update", "cohort", cohort.id,
                     {**audit.changes(before, cohort_data(cohort)), "by_package_version": package.version,
                      "reason": "left out of the package"})
        _let_waiting_learners_go(actor, cohort, package.version)


def _let_waiting_learners_go(actor: User | None, cohort: Cohort, package_version: str) -> None:
    """Learners an open-mode cohort took who are still waiting for it to start leave it: in an open course they
    study at once. Learners of a cohort that has started stay in it."""
    if schedule.cohort_phase(cohort_times(cohort), clock.now()) is not schedule.CohortPhase.NOT_STARTED:
        return
    moved = db.session.execute(update(Enrolment).where(_active_in(cohort)).values(cohort_id=None)).rowcount
    if moved:
        audit.record(actor, "cohort.release_learners", "cohort", cohort.id,
                     {"learners": moved, "by_package_version": package_version})


def _apply_package_values(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, _from_json(name, value))
    row.package_values = values


def _sync_session(actor: User | None, cohort: Cohort, plan: SessionPlan, package_version: str) -> None:
    row = plan.row
    if row is None:
        row = LiveSession(cohort_id=cohort.id, key=plan.key, sequence=0, recording_url="")
        _apply_package_values(row, plan.values)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "session.create", "live_session", row.id,
                     {"cohort_id": cohort.id, "by_package_version": package_version,
                      **audit.fields_of(session_data(row))})
    elif plan.changes:
        before = session_data(row)
        _apply_package_values(row, plan.values)
        if "starts_at" in plan.changes or "ends_at" in plan.changes:
            row.sequence = (row.sequence or 0) + 1  # calendars replace the event
        audit.record(actor, "session.update", "live_session", row.id,
                     {**audit.changes(before, session_data(row)), "by_package_version": package_version})
    else:
        row.package_values = plan.values
