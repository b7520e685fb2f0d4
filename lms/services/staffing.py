"""Who is staff of which course: the ``course_staff`` rows that lms.authz's per-course predicates read.

An instructor becomes staff of a course when an administrator assigns them (``flask lms assign-instructor``, the form
on the reports index) or when they import the course's first version. Administrators need no row.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, false, select, true

from lms import authz
from lms.extensions import db
from lms.models import Course, CourseStaff, Role, User
from lms.services import accounts, audit, catalog
from lms.services.errors import Invalid, NotAllowed


def teaching_course_ids(actor: User | None) -> frozenset[int]:
    """The ids of the courses the actor is staff of (empty for anonymous people and learners)."""
    if actor is None or not actor.is_authenticated or actor.role != Role.INSTRUCTOR:
        return frozenset()
    return frozenset(db.session.execute(
        select(CourseStaff.course_id).where(CourseStaff.user_id == actor.id)).scalars())


def staff_courses_condition(actor: User | None) -> ColumnElement[bool]:
    """lms.authz.is_course_staff as a condition on Course, for listing in SQL the courses the actor is staff of."""
    if authz.is_admin(actor):
        return true()
    if not authz.has_role(actor, Role.INSTRUCTOR):
        return false()
    return Course.id.in_(select(CourseStaff.course_id).where(CourseStaff.user_id == actor.id))


def add_instructor(course_id: int, user: User) -> CourseStaff:
    """Make an instructor staff of a course (idempotent); the caller commits."""
    existing = db.session.execute(
        select(CourseStaff).filter_by(course_id=course_id, user_id=user.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = CourseStaff(course_id=course_id, user_id=user.id, role="instructor")
    db.session.add(row)
    return row


def instructor_by_email(email: str) -> User:
    """The instructor with this address, or Invalid saying why not (no account, another role)."""
    user = accounts.find_by_email(email)
    if user is None:
        raise Invalid(_("No account has the e-mail address %(email)s.", email=email.strip()), field="email")
    if user.role != Role.INSTRUCTOR:
        raise Invalid(_("%(email)s is not an instructor (role: %(role)s). Change the role first.", email=user.email,
                        role=user.role), field="email")
    return user


def assign_to_course(actor: User | None, course: Course, user: User) -> CourseStaff:
    """Make the instructor staff of the course, audited the first time; the caller commits."""
    row = add_instructor(course.id, user)
    if row in db.session.new:  # assigning again changes nothing
        audit.record(actor, "course.assign_instructor", "course", course.slug,
                     {"instructor": user.email, "instructor_id": user.id})
    return row


def assign_instructor(actor: User | None, slug: str, email: str) -> CourseStaff:
    """Make an instructor staff of a course: its reports, authoring and attendance (lms.authz.is_course_staff);
    idempotent. ``actor`` None: the operator at the command line."""
    if actor is not None and not authz.can_assign_instructors(actor):
        raise NotAllowed(_("Only administrators can assign instructors."))
    course = catalog.find_course(slug)
    if course is None:
        raise Invalid(_("There is no such course."), field="course")
    row = assign_to_course(actor, course, instructor_by_email(email))
    db.session.commit()
    return row
