"""The demo accounts `flask lms demo` creates for a local trial, and the demo instructor's courses."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Role, User
from lms.services import accounts, staffing

DEMO_PASSWORD = "demo-password-123"  # noqa: S105  (printed on purpose: demo accounts for a local trial)
DEMO_ACCOUNTS = (
    ("admin@example.org", "Ada Admin", Role.ADMIN, "Programme staff", "Barcelona", "ES"),
    ("instructor@example.org", "María José Núñez", Role.INSTRUCTOR, "UCLG Learning", "Bogotá", "CO"),
    ("learner@example.org", "김민수", Role.LEARNER, "Seoul Metropolitan Government", "Seoul", "KR"),
)
DEMO_INSTRUCTOR = next(email for email, _, role, *_ in DEMO_ACCOUNTS if role == Role.INSTRUCTOR)


def ensure_demo_accounts() -> list[User]:
    """Create the demo admin, instructor and learner if missing (idempotent); returns the three accounts."""
    users = []
    for email, name, role, organisation, city, country in DEMO_ACCOUNTS:
        user = accounts.find_by_email(email)
        if user is None:
            profile = accounts.Profile(display_name=name, organisation=organisation, city=city, country=country)
            user = accounts.create_user(email, DEMO_PASSWORD, profile, role)
        users.append(user)
    return users


def make_demo_instructor_staff(email: str = DEMO_INSTRUCTOR) -> list[str]:
    """Make the demo instructor an instructor of every course in the database (``flask lms demo``, after the bundled
    courses are imported), so a local trial can author, take attendance and read reports. Idempotent; returns the
    slugs."""
    instructor = accounts.find_by_email(email)
    if instructor is None or instructor.role != Role.INSTRUCTOR:
        return []
    courses = db.session.execute(select(Course).order_by(Course.slug)).scalars().all()
    for course in courses:
        staffing.add_instructor(course.id, instructor)
    db.session.commit()
    return [course.slug for course in courses]
