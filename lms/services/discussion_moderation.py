"""Moderating a course's discussions: anyone who can read a post may report it; the course's staff see the open
reports in a queue, hide a post (its author sees why), restore it, and mute a person in a space for a while. Every
staff action is in the audit log, written in the same transaction as the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from lms.core import clock
from lms.core import discussions as rules
from lms.extensions import db
from lms.models import DiscussionMute, DiscussionPost, DiscussionReport, DiscussionThread, Enrolment, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import audit, discussions
from lms.services.discussion_posts import post_and_visit, reevaluate_reflection
from lms.services.discussions import ThreadVisit
from lms.services.errors import Invalid, NotAllowed, NotFound

MAX_MUTE_DAYS = 365


def report_post(actor: User, post_id: int, reason: str) -> bool:
    """Report a post to the course's staff; True when this is the person's first report of it."""
    post, _visit = post_and_visit(actor, post_id)
    text = _checked_reason(reason, _("Say what is wrong with this post."))
    created = insert_ignoring_conflicts(db.session, DiscussionReport,
                                        {"post_id": post.id, "reporter_id": actor.id, "reason": text,
                                         "created_at": clock.now()}, ["post_id", "reporter_id"])
    db.session.commit()
    return created


@dataclass(frozen=True)
class QueueItem:
    report: DiscussionReport
    reporter: User
    post: DiscussionPost
    author: User | None
    thread: DiscussionThread


def moderation_queue(actor: User, slug: str) -> list[QueueItem]:
    """The open reports of the course's posts, oldest first, each with its post and thread: one query."""
    space = discussions.course_space(actor, slug)
    if not space.viewer.is_staff:
        raise NotAllowed(_("Only the course's staff moderate its discussions."))
    reporter, author = aliased(User), aliased(User)
    rows = db.session.execute(
        select(DiscussionReport, reporter, DiscussionPost, author, DiscussionThread)
        .join(reporter, reporter.id == DiscussionReport.reporter_id)
        .join(DiscussionPost, DiscussionPost.id == DiscussionReport.post_id)
        .outerjoin(author, author.id == DiscussionPost.author_id)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(DiscussionThread.course_id == space.course.id, DiscussionReport.resolved_at.is_(None))
        .order_by(DiscussionReport.id)).all()
    return [QueueItem(*row) for row in rows]


def hide_post(actor: User, post_id: int, reason: str) -> DiscussionPost:
    post, visit = post_to_moderate(actor, post_id)
    text = _checked_reason(reason, _("Say why the post is hidden: its author reads it."))
    post.hidden_at, post.hidden_reason, post.hidden_by_id = clock.now(), text, actor.id
    _resolve_reports(actor, post.id)
    audit.record(actor, "discussion.hide", "discussion_post", post.id,
                 {"thread_id": visit.thread.id, "reason": text})
    reevaluate_reflection(visit, post.author_id)
    db.session.commit()
    return post


def restore_post(actor: User, post_id: int) -> DiscussionPost:
    post, visit = post_to_moderate(actor, post_id)
    if post.hidden_at is None:
        raise Invalid(_("This post is not hidden."))
    post.hidden_at, post.hidden_reason, post.hidden_by_id = None, "", None
    _resolve_reports(actor, post.id)
    audit.record(actor, "discussion.restore", "discussion_post", post.id, {"thread_id": visit.thread.id})
    reevaluate_reflection(visit, post.author_id)
    db.session.commit()
    return post


def dismiss_reports(actor: User, post_id: int) -> ThreadVisit:
    """The staff read the reports of a post and leave it as it is."""
    post, visit = post_to_moderate(actor, post_id)
    _resolve_reports(actor, post.id)
    db.session.commit()
    return visit


def mute(actor: User, slug: str, user_id: int, days: int, reason: str) -> DiscussionMute:
    """The person writes nothing in their space of the course's discussions for ``days`` days."""
    space = discussions.course_space(actor, slug)
    if not space.viewer.is_staff:
        raise NotAllowed(_("Only the course's staff moderate its discussions."))
    if not 1 <= days <= MAX_MUTE_DAYS:
        raise Invalid(_("Mute for 1 to %(max)d days.", max=MAX_MUTE_DAYS), field="days")
    enrolment = db.session.execute(select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.course_id == space.course.id)).scalar()
    if enrolment is None:
        raise NotFound(_("This person is not a learner of the course."))
    text = _checked_reason(reason, _("Say why the person is muted."))
    until = clock.now() + timedelta(days=days)
    row = DiscussionMute(user_id=user_id, course_id=space.course.id, cohort_id=enrolment.cohort_id, until=until,
                         reason=text, muted_by_id=actor.id, created_at=clock.now())
    db.session.add(row)
    audit.record(actor, "discussion.mute", "user", user_id,
                 {"course": space.course.slug, "cohort_id": enrolment.cohort_id, "until": until, "reason": text})
    db.session.commit()
    return row


def post_to_moderate(actor: User, post_id: int) -> tuple[DiscussionPost, ThreadVisit]:
    """The post, if ``actor`` is staff of its course (NotFound if they cannot see it, NotAllowed if not staff)."""
    post, visit = post_and_visit(actor, post_id)
    if not visit.viewer.is_staff:
        raise NotAllowed(_("Only the course's staff moderate its discussions."))
    return post, visit


def _resolve_reports(actor: User, post_id: int) -> None:
    db.session.execute(update(DiscussionReport).where(
        DiscussionReport.post_id == post_id, DiscussionReport.resolved_at.is_(None)).values(
        resolved_at=clock.now(), resolved_by_id=actor.id))


def _checked_reason(reason: str, missing: str) -> str:
    text = rules.clean_text(reason)
    if not text:
        raise Invalid(missing, field="reason")
    if len(text) > rules.REASON_MAX:
        raise Invalid(_("At most %(max)d characters.", max=rules.REASON_MAX), field="reason")
    return text
