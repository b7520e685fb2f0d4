"""Live sessions of a cohort (webinars, workshops): added and changed by staff, shown with times in two zones, and
the sessions a learner takes part in. "Session" here always means a live session, never a log-in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, select

from lms import authz
from lms.core import clock, schedule, session_links
from lms.extensions import db
from lms.models import Attendance, Cohort, Enrolment, EnrolmentStatus, LiveSession, User
from lms.services import audit, cohorts, staffing, wording
from lms.services.cohorts import flush_unique, load_cohort, record_edit, release_from_package, require_manager, to_utc
from lms.services.errors import Invalid, found


def load_live_session(session_id: int) -> LiveSession:
    """The live session, for a service that checks the actor's rights itself."""
    return found(db.session.get(LiveSession, session_id), _("There is no such live session."))


def get_live_session(actor: User | None, session_id: int) -> LiveSession:
    """The live session if the actor may see its cohort (cohorts.get_cohort), NotFound otherwise."""
    row = load_live_session(session_id)
    cohorts.get_cohort(actor, row.cohort_id)
    return row


def sessions_of(cohort_id: int) -> list[LiveSession]:
    return list(db.session.execute(
        select(LiveSession).where(LiveSession.cohort_id == cohort_id).order_by(LiveSession.starts_at, LiveSession.id)
    ).scalars())


@dataclass(frozen=True)
class SessionView:
    session: LiveSession
    when: str  # "Mon 3 Jul 2023, 09:00-11:00 CEST / 16:00-18:00 KST" (en dashes)
    join_url: str  # empty unless the viewer may join
    recording_url: str
    past: bool


def session_views(viewer: User | None, sessions: list[LiveSession], enrolled_ids: set[int],
                  now: datetime | None = None) -> tuple[SessionView, ...]:
    now = now or clock.now()
    viewer_tz = getattr(viewer, "timezone", None) if viewer is not None and viewer.is_authenticated else None
    teaching = staffing.teaching_course_ids(viewer)
    views = []
    for row in sessions:
        cohort = db.session.get(Cohort, row.cohort_id)  # loaded with the sessions by every caller: no query
        may_join = authz.can_see_join_link(viewer, cohort.course_id, teaching,
                                           enrolled_in_cohort=row.cohort_id in enrolled_ids)
        views.append(SessionView(
            session=row, when=schedule.format_session_time(row.starts_at, row.ends_at, row.timezone, viewer_tz,
                                                           wording.current_language()),
            join_url=session_links.safe_link(row.join_url) if may_join else "",
            recording_url=session_links.safe_link(row.recording_url) if may_join else "",
            past=row.ends_at <= now,
        ))
    return tuple(views)


@dataclass(frozen=True)
class UpcomingSession:
    view: SessionView
    cohort: Cohort
    attended: bool = False  # the staff marked the learner present


def learner_sessions(user: User) -> list[tuple[LiveSession, Cohort]]:
    """The live sessions of the cohorts the learner is enrolled in, in time order, with their cohort."""
    return [tuple(row) for row in db.session.execute(
        select(LiveSession, Cohort).join(Cohort, Cohort.id == LiveSession.cohort_id)
        .join(Enrolment, (Enrolment.cohort_id == Cohort.id) & (Enrolment.user_id == user.id)
              & (Enrolment.status == EnrolmentStatus.ACTIVE))
        .order_by(LiveSession.starts_at)
    ).all()]


def my_sessions(user: User, now: datetime | None = None) -> list[UpcomingSession]:
    """The live sessions of every cohort the learner is in, upcoming first, then past ones."""
    now = now or clock.now()
    rows = learner_sessions(user)
    enrolled = {cohort.id for _, cohort in rows}
    views = session_views(user, [row for row, _ in rows], enrolled, now)
    attended = set(db.session.execute(
        select(Attendance.session_id).where(Attendance.user_id == user.id,
                                            Attendance.session_id.in_([row.id for row, _ in rows]))
    ).scalars()) if rows else set()
    items = [UpcomingSession(view, cohort, row.id in attended)
             for view, (row, cohort) in zip(views, rows, strict=True)]
    return [item for item in items if not item.view.past] + [item for item in items if item.view.past][::-1]


def sessions_attended_select(*conditions: ColumnElement[bool]) -> Select:
    """(course id, session id) of each live session attended, once each; ``conditions`` narrow it (on
    Attendance.user_id and Cohort.course_id)."""
    return (
        select(Cohort.course_id, Attendance.session_id).distinct()
        .join(LiveSession, LiveSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .where(*conditions)
    )


@dataclass(frozen=True)
class SessionData:
    title: str
    starts_at: datetime  # naive: local time in ``timezone``
    ends_at: datetime
    timezone: str
    description: str = ""
    join_url: str = ""
    recording_url: str = ""
    key: str | None = None


def session_data(row: LiveSession) -> SessionData:
    def local(instant: datetime) -> datetime:
        return schedule.utc_to_local(instant, row.timezone).replace(tzinfo=None)

    return SessionData(title=row.title, starts_at=local(row.starts_at), ends_at=local(row.ends_at),
                       timezone=row.timezone, description=row.description, join_url=row.join_url,
                       recording_url=row.recording_url, key=row.key)


def _check_url(url: str, field: str) -> str:
    url = (url or "").strip()
    if problem := session_links.link_problem(url):
        raise Invalid(wording.word(problem), field=field)
    return url


def apply_session_data(row: LiveSession, data: SessionData) -> None:
    title = " ".join((data.title or "").split())
    if not title:
        raise Invalid(_("Give the session a title."), field="title")
    starts = to_utc(data.starts_at, data.timezone, "starts_at")
    ends = to_utc(data.ends_at, data.timezone, "ends_at")
    assert starts is not None and ends is not None
    if ends <= starts:
        raise Invalid(_("The session must end after it starts."), field="ends_at")
    if row.id is not None and (row.starts_at != starts or row.ends_at != ends):
        row.sequence = (row.sequence or 0) + 1
    row.title, row.description = title, (data.description or "").strip()
    row.starts_at, row.ends_at, row.timezone = starts, ends, data.timezone
    row.join_url = _check_url(data.join_url, "join_url")
    row.recording_url = _check_url(data.recording_url, "recording_url")


def add_session(actor: User | None, cohort_id: int, data: SessionData) -> LiveSession:
    require_manager(actor)
    cohort = load_cohort(cohort_id)
    key = data.key or f"session-{secrets.token_hex(3)}"
    row = LiveSession(cohort_id=cohort.id, key=key, sequence=0)
    apply_session_data(row, data)
    db.session.add(row)
    flush_unique(f"This cohort already has a session with the key '{key}'.")
    release_from_package(cohort)
    audit.record(actor, "session.create", "live_session", row.id,
                 {"cohort_id": cohort.id, **audit.fields_of(session_data(row))})
    db.session.commit()
    return row


def update_session(actor: User | None, session_id: int, data: SessionData) -> LiveSession:
    require_manager(actor)
    row = load_live_session(session_id)
    record_edit(actor, "session.update", "live_session", row, session_data, lambda: apply_session_data(row, data),
                released=lambda: (row, load_cohort(row.cohort_id)))
    db.session.commit()
    return row
