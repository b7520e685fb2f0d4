"""The demo cohort that `make run` creates, so a new user can try the whole flow: apply, be accepted, attend."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from lms.core import clock, schedule
from lms.extensions import db
from lms.models import Cohort, Course, LiveSession
from lms.services import cohorts, live_sessions

DEMO_KEY = "demo"


def ensure_demo_cohort(course_slug: str, today: date, *, timezone: str = "Europe/Madrid") -> Cohort | None:
    """An application cohort dated from today: applications open, a deadline in three weeks, weekly live sessions
    at 09:00 in ``timezone``. Re-dated when run again after its applications closed. None if the course is absent."""
    course = db.session.execute(select(Course).filter_by(slug=course_slug)).scalar_one_or_none()
    if course is None:
        return None
    cohort = db.session.execute(select(Cohort).filter_by(course_id=course.id, key=DEMO_KEY)).scalar_one_or_none()
    if cohort is not None and schedule.application_open(cohorts.cohort_times(cohort), clock.now()):
        return cohort
    data = cohorts.CohortData(
        name=f"{course_slug.replace('-', ' ').title()} — demo run", timezone=timezone, key=DEMO_KEY,
        starts_on=today, ends_on=today + timedelta(days=42),
        applications_open=datetime.combine(today - timedelta(days=1), datetime.min.time()),
        application_deadline=datetime.combine(today + timedelta(days=21), datetime.min.time()).replace(hour=23,
                                                                                                      minute=59),
        capacity=30, enrolment_mode="application",
    )
    if cohort is None:
        cohort = Cohort(course_id=course.id, key=DEMO_KEY)
        db.session.add(cohort)
    cohorts.apply_cohort_data(cohort, data)
    db.session.flush()
    existing = {row.key: row for row in live_sessions.sessions_of(cohort.id)}
    titles = ["Orientation", "Session 1", "Session 2", "Session 3"]
    for number, title in enumerate(titles):
        day = today + timedelta(days=3 + 7 * number)
        session = live_sessions.SessionData(
            title=f"{title} (demo)", timezone=timezone,
            starts_at=datetime.combine(day, datetime.min.time()).replace(hour=9),
            ends_at=datetime.combine(day, datetime.min.time()).replace(hour=11),
            description="A live session of the demo cohort.", join_url="https://zoom.us/j/0000000000")
        row = existing.get(f"demo-{number}") or LiveSession(cohort_id=cohort.id, key=f"demo-{number}", sequence=0)
        live_sessions.apply_session_data(row, session)
        db.session.add(row)
    db.session.commit()
    return cohort
