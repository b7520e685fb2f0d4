"""Attendance at live sessions: marked by the course's staff (its instructors and administrators) on a sheet, or
imported from the participants report Zoom exports.

One row per person and session (a unique constraint), so importing the same report twice, or marking someone who
was imported, changes nothing. The report is read by lms.core.zoom_report.parse_participants_report; people are matched
by e-mail (the account's, or the one given in their application to the cohort). Rows that match nobody are returned
to the person importing, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import delete, select

from lms import authz
from lms.core import clock, schedule, zoom_report
from lms.extensions import db
from lms.models import Attendance, Cohort, Course, Enrolment, EnrolmentStatus, LiveSession, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import audit, cohorts, completion, live_sessions, staffing, wording
from lms.services.errors import Conflict, Invalid, NotAllowed


def may_take_attendance(actor: User | None, course_id: int) -> bool:
    """Whether the actor takes attendance for this course's cohorts (its staff: lms.authz.can_take_attendance)."""
    return actor is None or authz.can_take_attendance(actor, course_id, staffing.teaching_course_ids(actor))


def _session_for_attendance(actor: User | None, session_id: int) -> tuple[LiveSession, Cohort]:
    session = live_sessions.load_live_session(session_id)
    cohort = cohorts.load_cohort(session.cohort_id)
    if not may_take_attendance(actor, cohort.course_id):
        raise NotAllowed(_("Only the course's instructors and administrators can see and mark its attendance."))
    return session, cohort


def _course_of(cohort: Cohort) -> Course:
    return db.session.get(Course, cohort.course_id)


@dataclass(frozen=True)
class SheetRow:
    user: User
    present: bool
    source: str  # "manual", "zoom-import" or ""
    minutes: int | None


@dataclass(frozen=True)
class AttendanceSheet:
    session: LiveSession
    cohort: Cohort
    when: str
    rows: tuple[SheetRow, ...]

    @property
    def present(self) -> int:
        return sum(1 for row in self.rows if row.present)


def _members(cohort_id: int) -> list[User]:
    return list(db.session.execute(
        select(User).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(User.display_name, User.id)
    ).scalars())


def attendance_sheet(actor: User, session_id: int) -> AttendanceSheet:
    session, cohort = _session_for_attendance(actor, session_id)
    marks = {row.user_id: row for row in db.session.execute(
        select(Attendance).where(Attendance.session_id == session.id)).scalars()}
    members = _members(cohort.id)
    # People marked present who have since left the cohort still appear: attendance is history.
    missing = set(marks) - {user.id for user in members}
    if missing:
        members += list(db.session.execute(select(User).where(User.id.in_(missing))).scalars())
    rows = tuple(SheetRow(user, user.id in marks, marks[user.id].source if user.id in marks else "",
                          marks[user.id].minutes if user.id in marks else None) for user in members)
    when = schedule.format_session_time(session.starts_at, session.ends_at, session.timezone, actor.timezone,
                                        wording.current_language())
    return AttendanceSheet(session, cohort, when, rows)


class SessionNotStarted(Conflict):
    """Marking people present at a session that has not begun: most likely the wrong session, so it is done only
    when the person confirms."""


def _require_started(actor: User, session: LiveSession, unless_confirmed: bool) -> None:
    if not unless_confirmed or session.starts_at <= clock.now():
        return
    when = schedule.format_session_time(session.starts_at, session.ends_at, session.timezone, actor.timezone,
                                        wording.current_language())
    raise SessionNotStarted(f"“{session.title}” has not started yet ({when}). Is this the right session? "
                            "Confirm to mark people present anyway.")


def mark_attendance(actor: User, session_id: int, present_user_ids: set[int], *,
                    ask_if_early: bool = False) -> AttendanceSheet:
    """Make the sheet say exactly this: the people listed are present, the cohort's other members are not. With
    ``ask_if_early`` (the staff pages, until the person confirms), marking anyone present before the session starts
    raises SessionNotStarted."""
    session, cohort = _session_for_attendance(actor, session_id)
    members = {user.id for user in _members(session.cohort_id)}
    marked = set(db.session.execute(
        select(Attendance.user_id).where(Attendance.session_id == session.id)).scalars())
    unknown = present_user_ids - members - marked
    if unknown:
        raise Invalid(_("Some of the people marked are not in this cohort."))
    if present_user_ids - marked:
        _require_started(actor, session, ask_if_early)
    now = clock.now()
    for user_id in sorted(present_user_ids - marked):
        insert_ignoring_conflicts(db.session, Attendance, {
            "session_id": session.id, "user_id": user_id, "source": "manual", "marked_by_id": actor.id,
            "marked_at": now}, ["session_id", "user_id"])
    absent = marked - present_user_ids
    if absent:
        db.session.execute(delete(Attendance).where(Attendance.session_id == session.id,
                                                    Attendance.user_id.in_(absent)))
    if present_user_ids - marked or absent:  # a sheet saved unchanged is no edit
        audit.record(actor, "attendance.mark", "live_session", session.id,
                     {"present": present_user_ids - marked, "absent": absent, "cohort_id": session.cohort_id})
        completion.reevaluate(_course_of(cohort), (present_user_ids - marked) | absent)
    db.session.commit()
    return attendance_sheet(actor, session_id)


@dataclass(frozen=True)
class ImportOutcome:
    marked: tuple[tuple[User, int], ...]  # newly marked present, with minutes
    already: tuple[User, ...]  # were already marked
    too_short: tuple[tuple[User, int], ...]  # matched, but stayed less than the minimum
    unmatched: tuple[zoom_report.Participant, ...]  # e-mails of nobody in the cohort
    skipped: tuple[zoom_report.SkippedRow, ...]  # rows without a usable e-mail
    problems: tuple[str, ...]


def import_zoom_report(actor: User, session_id: int, data: bytes, *, min_minutes: int = 0,
                       ask_if_early: bool = False) -> ImportOutcome:
    """Mark present the cohort's members found in Zoom's participants report, by their account's confirmed e-mail
    address only: an address someone typed anywhere else (or never confirmed) would let a stranger's Zoom name mark
    a member present. ``ask_if_early``: as for mark_attendance."""
    session, cohort = _session_for_attendance(actor, session_id)
    try:
        report = zoom_report.parse_participants_report(data)
    except zoom_report.ReportUnreadable as error:
        raise Invalid(wording.word(error.phrase), field="report") from None
    _require_started(actor, session, ask_if_early)  # a report that can't be read is said first
    by_email = {user.email: user for user in _members(session.cohort_id) if user.email_verified}  # stored normalised
    now = clock.now()
    marked, already, too_short, unmatched = [], [], [], []
    for person in report.participants:
        user = by_email.get(person.email)
        if user is None:
            unmatched.append(person)
            continue
        if person.minutes < min_minutes:
            too_short.append((user, person.minutes))
            continue
        inserted = insert_ignoring_conflicts(db.session, Attendance, {
            "session_id": session.id, "user_id": user.id, "source": "zoom-import", "minutes": person.minutes,
            "marked_by_id": actor.id, "marked_at": now}, ["session_id", "user_id"])
        if inserted:
            marked.append((user, person.minutes))
        else:
            already.append(user)
    audit.record(actor, "attendance.import", "live_session", session.id,
                 {"present": [user.id for user, _ in marked], "already": len(already), "too_short": len(too_short),
                  "unmatched": len(unmatched), "min_minutes": min_minutes, "cohort_id": session.cohort_id})
    completion.reevaluate(_course_of(cohort), {user.id for user, _ in marked})
    db.session.commit()
    skipped = tuple(replace(row, reason=wording.word(row.reason)) for row in report.skipped)
    return ImportOutcome(tuple(marked), tuple(already), tuple(too_short), tuple(unmatched), skipped,
                         report.problems)
