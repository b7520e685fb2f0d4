"""Builders for cohorts, sessions and applications. Like tests.factories, each goes through the real services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lms.core import clock, schedule
from lms.models import Application, Cohort, LiveSession, User
from lms.services import applications, cohorts, live_sessions, publishing
from tests.factories import COURSES, EXAMPLE, EXAMPLE_SLUG, copy_package, edit_file

CARING_CITIES = COURSES / "caring-cities"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
MOTIVATION = "Our city is drafting a care strategy and I lead the team that designs neighbourhood services."


def publish_caring_cities():
    return publishing.import_package(None, CARING_CITIES, publish=True).version


def local_now(tz: str = "Europe/Madrid") -> datetime:
    return clock.now().astimezone(schedule.zone(tz)).replace(tzinfo=None, second=0, microsecond=0)


def make_cohort(course_slug: str = "caring-cities", *, key: str | None = None, tz: str = "Europe/Madrid",
                opens: datetime | None = None, deadline: datetime | None = None, starts_on: date | None = None,
                ends_on: date | None = None, capacity: int | None = None, mode: str = "application",
                late: bool = False, sessions: int = 2, name: str = "Test cohort") -> Cohort:
    """A cohort running now by default: applications opened a week ago and close in a week (local times)."""
    now = local_now(tz)
    today = now.date()
    data = cohorts.CohortData(
        name=name, timezone=tz, key=key, starts_on=starts_on or today - timedelta(days=1),
        ends_on=ends_on or today + timedelta(days=30),
        applications_open=opens if opens is not None else now - timedelta(days=7),
        application_deadline=deadline if deadline is not None else now + timedelta(days=7),
        capacity=capacity, enrolment_mode=mode, allow_late_attempts=late)
    cohort = cohorts.create_cohort(None, course_slug, data)
    for number in range(sessions):
        day = datetime.combine(today + timedelta(days=2 + 7 * number), datetime.min.time())
        live_sessions.add_session(None, cohort.id, live_sessions.SessionData(
            title=f"Session {number + 1}", starts_at=day.replace(hour=9), ends_at=day.replace(hour=11),
            timezone=tz, join_url=f"https://zoom.us/j/99900{number}", description="Live discussion."))
    return cohort


def session_rows(cohort: Cohort) -> list[LiveSession]:
    return live_sessions.sessions_of(cohort.id)


def answers(user: User | None = None, **changes: str) -> applications.Answers:
    values = {"full_name": user.display_name if user else "Ana Pérez", "organisation": "Ayuntamiento de Barcelona",
              "position": "Head of social services", "city": "Barcelona", "country": "ES", "language": "es",
              "motivation": MOTIVATION}
    values.update(changes)
    return applications.Answers(**values)


def apply(user: User, cohort: Cohort, *, letter: bytes = PDF, filename: str = "carta.pdf", now=None,
          **changes: str) -> Application:
    return applications.submit_application(user, cohort.id, answers(user, **changes),
                                           applications.LetterUpload(filename, letter), now=now)


def example_with_open_cohort(tmp_path, capacity=None, min_sessions=None):
    """The example package published, with an open-mode cohort running now and two live sessions."""
    package = copy_package(tmp_path, EXAMPLE)
    if min_sessions is not None:
        edit_file(package / "course.yaml", "min_sessions_attended: 1", f"min_sessions_attended: {min_sessions}")
    publishing.import_package(None, package, publish=True)
    return make_cohort(EXAMPLE_SLUG, mode="open", capacity=capacity, key="now", sessions=2)


def enrol_in_cohort(learner, cohort):
    """Enrol the learner in the cohort directly (as an accepted application does), committed."""
    from lms.extensions import db
    from lms.models import Course
    from lms.services import enrolments

    enrolment = enrolments.enrol_user(learner, db.session.get(Course, cohort.course_id), cohort_id=cohort.id)
    db.session.commit()  # enrol_user leaves the commit to its caller
    return enrolment
