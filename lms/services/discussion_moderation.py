"""Moderating a course's discussions: anyone who can read a post may report it; the course's staff see the open
reports in a queue, hide a post (its author sees why), restore it, and mute a person in a space for a while. In a
cohort that pre-moderates first posts, the same queue holds the posts waiting for approval: staff approve one (it
appears, counts and is mailed to the thread's followers then) or reject it with a reason its author reads. Every
staff action is in the audit log, written in the same transaction as the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import case, select, update
from sqlalchemy.orm import aliased

from lms.core import clock
from lms.core import discussions as rules
from lms.core.discussions import ReviewState
from lms.extensions import db
from lms.models import DiscussionMute, DiscussionPost, DiscussionReport, DiscussionThread, Enrolment, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import audit, discussion_mail, discussions
from lms.services.discussion_posts import count_state_change, post_and_visit, reevaluate_reflection
from lms.services.discussions import Space, ThreadVisit, state_of
from lms.services.errors import Invalid, NotAllowed, NotFound

MAX_MUTE_DAYS = 365


def report_post(actor: User, post_id: int, reason: str) -> bool:
    """Report a post to the course's staff; True when it reaches them, False when the person's report of it is
    still open. A person has one report per post: one the staff resolved opens again with the new reason (the post
    offers "Report" again once the staff have dealt with it)."""
    post, _visit = post_to_report(actor, post_id)
    text = _checked_reason(reason, _("Say what is wrong with this post."))
    now = clock.now()
    created = insert_ignoring_conflicts(db.session, DiscussionReport,
                                        {"post_id": post.id, "reporter_id": actor.id, "reason": text,
                                         "created_at": now}, ["post_id", "reporter_id"])
    reopened = not created and db.session.execute(update(DiscussionReport).where(
        DiscussionReport.post_id == post.id, DiscussionReport.reporter_id == actor.id,
        DiscussionReport.resolved_at.is_not(None)).values(
        reason=text, created_at=now, resolved_at=None, resolved_by_id=None)).rowcount > 0
    db.session.commit()
    return created or reopened


def post_to_report(actor: User, post_id: int) -> tuple[DiscussionPost, ThreadVisit]:
    """The post, if ``actor`` may report it: they read it, and it is not their own."""
    post, visit = post_and_visit(actor, post_id)
    if not rules.can_report(visit.viewer, post.author_id, state_of(post)):
        raise NotAllowed(_("You cannot report your own post: edit or remove it instead."))
    return post, visit


@dataclass(frozen=True)
class QueueItem:
    report: DiscussionReport
    reporter: User
    post: DiscussionPost
    author: User | None
    thread: DiscussionThread


@dataclass(frozen=True)
class WaitingPost:
    """A post waiting for approval, with its context: its thread and, for a comment, the reply it answers."""

    post: DiscussionPost
    author: User | None
    thread: DiscussionThread
    parent: DiscussionPost | None


@dataclass(frozen=True)
class ModerationPage:
    space: Space
    reports: list[QueueItem]
    waiting: list[WaitingPost]


def moderation_page(actor: User, slug: str) -> ModerationPage:
    """What the course's staff have to look at: the open reports and the posts waiting for approval."""
    space = _staff_space(actor, slug)
    return ModerationPage(space, _open_reports(space), _waiting_posts(space))


def moderation_queue(actor: User, slug: str) -> list[QueueItem]:
    """The open reports of the course's posts, oldest first, each with its post and thread: one query."""
    return _open_reports(_staff_space(actor, slug))


def _staff_space(actor: User, slug: str) -> Space:
    space = discussions.course_space(actor, slug)
    if not space.viewer.is_staff:
        raise NotAllowed(_("Only the course's staff moderate its discussions."))
    return space


def _waiting_posts(space: Space) -> list[WaitingPost]:
    """The course's posts waiting for a moderator, oldest first, with their context: one query."""
    author, parent = aliased(User), aliased(DiscussionPost)
    rows = db.session.execute(
        select(DiscussionPost, author, DiscussionThread, parent)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .outerjoin(author, author.id == DiscussionPost.author_id)
        .outerjoin(parent, parent.id == DiscussionPost.parent_id)
        .where(DiscussionThread.course_id == space.course.id,
               DiscussionPost.review_state == ReviewState.PENDING.value, DiscussionPost.deleted_at.is_(None))
        .order_by(DiscussionPost.id)).all()
    return [WaitingPost(*row) for row in rows]


def _open_reports(space: Space) -> list[QueueItem]:
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
    before = state_of(post)
    post.hidden_at, post.hidden_reason, post.hidden_by_id = clock.now(), text, actor.id
    count_state_change(post, before)
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
    before = state_of(post)
    post.hidden_at, post.hidden_reason, post.hidden_by_id = None, "", None
    count_state_change(post, before)
    _resolve_reports(actor, post.id)
    audit.record(actor, "discussion.restore", "discussion_post", post.id, {"thread_id": visit.thread.id})
    reevaluate_reflection(visit, post.author_id)
    db.session.commit()
    return post


def approve_post(actor: User, post_id: int) -> DiscussionPost:
    """Publish a post that waited: it appears to the space, counts (reply count, "N new") and goes to the thread's
    followers by e-mail, now. An opening post makes its thread appear."""
    post, visit = post_to_moderate(actor, post_id)
    before = _require_waiting(post)
    now = clock.now()
    post.review_state, post.reviewed_by_id, post.reviewed_at = ReviewState.PUBLISHED.value, actor.id, now
    thread = visit.thread
    if post.is_opening:
        thread.in_review, thread.last_activity_at = False, now
    else:
        db.session.execute(update(DiscussionThread).where(DiscussionThread.id == thread.id).values(
            last_activity_at=now, last_post_id=case((DiscussionThread.last_post_id < post.id, post.id),
                                                    else_=DiscussionThread.last_post_id))
            .execution_options(synchronize_session=False))
        count_state_change(post, before)
        author = db.session.get(User, post.author_id) if post.author_id is not None else None
        if author is not None:
            discussion_mail.notify_followers(thread, post, author)
    reevaluate_reflection(visit, post.author_id)  # an approved reflection answer counts towards completion now
    audit.record(actor, "discussion.approve", "discussion_post", post.id, {"thread_id": thread.id})
    db.session.commit()
    return post


def reject_post(actor: User, post_id: int, reason: str) -> DiscussionPost:
    """Refuse a post that waited: it stays unseen by the space; its author reads the reason under it."""
    post, visit = post_to_moderate(actor, post_id)
    _require_waiting(post)
    text = _checked_reason(reason, _("Say why the post is not published: its author reads it."))
    post.review_state, post.review_reason = ReviewState.REJECTED.value, text
    post.reviewed_by_id, post.reviewed_at = actor.id, clock.now()
    audit.record(actor, "discussion.reject", "discussion_post", post.id,
                 {"thread_id": visit.thread.id, "reason": text})
    db.session.commit()
    return post


def _require_waiting(post: DiscussionPost) -> rules.PostState:
    state = state_of(post)
    if not rules.can_review(state):
        raise Invalid(_("This post is not waiting for a moderator."))
    return state


def dismiss_reports(actor: User, post_id: int) -> ThreadVisit:
    """The staff read the reports of a post and leave it as it is."""
    post, visit = post_to_moderate(actor, post_id)
    _resolve_reports(actor, post.id)
    db.session.commit()
    return visit


def mute(actor: User, slug: str, user_id: int, days: int, reason: str) -> DiscussionMute:
    """The person writes nothing in their space of the course's discussions for ``days`` days."""
    space = _staff_space(actor, slug)
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
