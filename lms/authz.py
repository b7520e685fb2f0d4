"""Who may do what: pure predicates over users and objects, shared by services and blueprint gates.

The per-object pattern later features follow: a service loads the object, asks a predicate here, and raises
NotAllowed when it says no; views never load an object by id any other way.
"""

from __future__ import annotations

from typing import Protocol


class Actor(Protocol):
    role: str
    active: bool

    @property
    def is_authenticated(self) -> bool: ...


def has_role(actor: Actor | None, *roles: str) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.active and actor.role in roles)


def is_admin(actor: Actor | None) -> bool:
    return has_role(actor, "admin")


def is_staff(actor: Actor | None) -> bool:
    return has_role(actor, "admin", "instructor")


def can_manage_users(actor: Actor | None) -> bool:
    return is_admin(actor)


def can_manage_mail(actor: Actor | None) -> bool:
    """See the outgoing-mail queue, retry or discard failed messages."""
    return is_admin(actor)


# Course staff. An instructor works on the courses they are staff of (``course_staff`` rows: made by
# ``flask lms assign-instructor``, the form on the reports index, or by importing a course's first version);
# administrators on every course. ``teaching_course_ids`` are the ids of the courses the actor is staff of.

TeachingIds = frozenset[int] | set[int]


def is_course_staff(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds) -> bool:
    if is_admin(actor):
        return True
    return has_role(actor, "instructor") and course_id in teaching_course_ids


def can_create_course(actor: Actor | None) -> bool:
    """Import the first version of a new course (whoever does becomes its staff)."""
    return is_staff(actor)


def can_author_course(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds) -> bool:
    """Import new versions of a course, preview, diff, publish and export them."""
    return is_course_staff(actor, course_id, teaching_course_ids)


# Cohorts, applications and live sessions.


def can_manage_cohorts(actor: Actor | None) -> bool:
    """Create and edit cohorts and their live sessions."""
    return is_admin(actor)


# Who reviews applications: these roles read applications and letters of support, decide on them, export them, and
# receive the digest of new applications (lms.services.application_review.notify_reviewers selects them by role).
APPLICATION_REVIEWER_ROLES = ("admin",)


def can_review_applications(actor: Actor | None) -> bool:
    """Read applications and letters of support, decide on them, export them."""
    return has_role(actor, *APPLICATION_REVIEWER_ROLES)


def can_take_attendance(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds) -> bool:
    """See the learners of a cohort's session, and mark or import their attendance: the course's staff."""
    return is_course_staff(actor, course_id, teaching_course_ids)


def can_read_letter(actor: Actor | None, applicant_id: int) -> bool:
    """A letter of support: the applicant who uploaded it and administrators, nobody else."""
    if is_admin(actor):
        return True
    return bool(actor is not None and actor.is_authenticated and actor.active
                and getattr(actor, "id", None) == applicant_id)


def can_see_join_link(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds, *,
                      enrolled_in_cohort: bool) -> bool:
    """The joining link (and recording) of a live session: learners enrolled in its cohort, and the course's staff."""
    return is_course_staff(actor, course_id, teaching_course_ids) or bool(
        enrolled_in_cohort and actor is not None and actor.active)


# Certificates.


def can_manage_certificates(actor: Actor | None) -> bool:
    """Issue a certificate by hand (with a reason), revoke one, see every certificate."""
    return is_admin(actor)


def can_download_certificate(actor: Actor | None, owner_id: int) -> bool:
    """A certificate's PDF and credential: the learner it was issued to, and administrators."""
    if is_admin(actor):
        return True
    return bool(actor is not None and actor.is_authenticated and actor.active
                and getattr(actor, "id", None) == owner_id)


# Progress reports and analytics.


def can_view_reports(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds) -> bool:
    """A course's reports (every learner's progress, answers and attendance): the course's staff; never learners."""
    return is_course_staff(actor, course_id, teaching_course_ids)


def can_use_report_api(actor: Actor | None) -> bool:
    """The JSON report endpoints for integrations."""
    return is_admin(actor)


def can_assign_instructors(actor: Actor | None) -> bool:
    return is_admin(actor)


# Discussions. Learners read and write in their own cohort's space (lms.core.discussions has the rules of spaces).


def can_moderate_discussions(actor: Actor | None, course_id: int, teaching_course_ids: TeachingIds) -> bool:
    """See every cohort's discussions of a course, post announcements, pin, lock, hide, restore and mute: the
    course's staff."""
    return is_course_staff(actor, course_id, teaching_course_ids)
