"""Writing in cohort discussions: starting a thread, replying, commenting on a reply, editing within the author's
window (the earlier text kept), removing one's own post, accepting an answer, and the staff's pin and lock.

Each use case takes the acting user, checks with lms.core.discussions, and commits once. What people type is kept as
written (Markdown) next to its sanitised HTML (lms.core.discussion_markdown), made once when written.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.core import clock
from lms.core import discussions as rules
from lms.core.discussion_markdown import render_post
from lms.core.discussions import Place, PostState, ReviewState, ThreadKind, Viewer
from lms.extensions import db
from lms.models import Cohort, DiscussionPost, DiscussionRead, DiscussionRevision, DiscussionThread, Enrolment, User
from lms.services import audit, completion, discussion_mail, discussion_search, discussions, wording
from lms.services.discussions import ThreadVisit
from lms.services.errors import Invalid, NotAllowed, NotFound


@dataclass(frozen=True)
class Draft:
    """A thread as the form gives it."""

    title: str
    body: str
    kind: str = ThreadKind.DISCUSSION.value
    place: str = Place.GENERAL.value
    item_key: str = ""
    cohort_id: int | None = None  # staff only: the cohort's space; None for the course's own (or course-wide)


def start_thread(actor: User, slug: str, draft: Draft) -> DiscussionThread:
    space = discussions.course_space(actor, slug)
    viewer = space.viewer
    if not rules.can_start_thread(viewer, draft.kind):
        raise NotAllowed(_("Only the course's staff post announcements."))
    place = Place(draft.place) if draft.place in Place.__members__.values() else None
    if place is None:
        raise Invalid(_("Choose where the discussion belongs."), field="place")
    item_key = "" if place == Place.GENERAL else draft.item_key
    if place == Place.MODULE:
        space.outline.module(item_key)
    elif place == Place.LESSON:
        space.outline.lesson(item_key)
    cohort_id = viewer.cohort_id
    if viewer.is_staff:
        if draft.cohort_id is not None and draft.cohort_id not in {cohort.id for cohort in space.cohorts}:
            raise Invalid(_("Choose one of this course's cohorts."), field="cohort_id")
        cohort_id = draft.cohort_id
    _require_not_muted(viewer, space.course.id, cohort_id)
    waits = review_needed(viewer, cohort_id)
    title = _checked_title(draft.title)
    thread = DiscussionThread(course_id=space.course.id, cohort_id=cohort_id, place=place.value, item_key=item_key,
                              kind=draft.kind, title=title, author_id=actor.id, created_at=clock.now(),
                              last_activity_at=clock.now(), in_review=waits)
    db.session.add(thread)
    db.session.flush()
    add_post(actor, thread, draft.body, parent_id=None, is_opening=True, waits=waits)
    if thread.kind == ThreadKind.ANNOUNCEMENT:
        discussion_mail.queue_announcement(thread)
    db.session.commit()
    return thread


def reply(actor: User, thread_id: int, body: str, parent_id: int | None = None) -> DiscussionPost:
    """A reply to the thread, or (``parent_id``) a comment on one of its replies."""
    visit = discussions.visit_thread(actor, thread_id)
    require_can_write(visit)
    if parent_id is not None:
        parent = db.session.get(DiscussionPost, parent_id)
        if (parent is None or parent.thread_id != visit.thread.id
                or not rules.is_listed(discussions.state_of(parent), visit.viewer, parent.author_id)):
            raise NotFound(_("There is no such post in this discussion."))
        if not rules.can_comment_on(parent.is_opening, parent.parent_id):
            raise Invalid(_("Comments go on replies only; reply to the discussion instead."), field="body")
    waits = review_needed(visit.viewer, visit.thread.cohort_id)
    post = add_post(actor, visit.thread, body, parent_id=parent_id, is_opening=False, waits=waits)
    reevaluate_reflection(visit, actor.id)
    db.session.commit()
    return post


def review_needed(viewer: Viewer, cohort_id: int | None) -> bool:
    """Whether a post by ``viewer`` in this cohort's space waits for a moderator (lms.core.discussions.needs_review):
    the cohort asks for it and the person has no approved post there yet."""
    if viewer.is_staff or cohort_id is None:
        return False
    if not db.session.execute(select(Cohort.premoderate_first_posts).where(Cohort.id == cohort_id)).scalar():
        return False
    approved = db.session.execute(
        select(DiscussionPost.id).join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(DiscussionPost.author_id == viewer.user_id, DiscussionThread.cohort_id == cohort_id,
               DiscussionPost.review_state == ReviewState.PUBLISHED.value).limit(1)).first()
    return rules.needs_review(viewer, cohort_premoderates=True, has_approved_post=approved is not None)


def add_post(actor: User, thread: DiscussionThread, body: str, *, parent_id: int | None,
             is_opening: bool, waits: bool = False) -> DiscussionPost:
    """The post, counted on its thread and told to the followers; one that ``waits`` for a moderator is neither
    until approved (lms.services.discussion_moderation.approve_post), except an opening post's own thread."""
    text = _checked_body(body)
    now = clock.now()
    post = DiscussionPost(thread_id=thread.id, parent_id=parent_id, is_opening=is_opening, author_id=actor.id,
                          body=text, html=render_post(text), language=wording.language_of(actor), created_at=now,
                          review_state=(ReviewState.PENDING if waits else ReviewState.PUBLISHED).value)
    db.session.add(post)
    discussion_search.index_post(post, thread.title if is_opening else None)  # flushes: the post has its id
    if is_opening or not waits:
        db.session.execute(update(DiscussionThread).where(DiscussionThread.id == thread.id).values(
            last_post_id=post.id, last_activity_at=now,
            reply_count=DiscussionThread.reply_count + (0 if is_opening else 1)))
    if thread.kind != ThreadKind.ANNOUNCEMENT and not waits:
        # Writing a post the reports count (lms.services.reports.participation) is activity, as a lesson read is:
        # "Last activity" and "inactive for N days" would call a learner who only posts inactive.
        db.session.execute(update(Enrolment).where(Enrolment.course_id == thread.course_id,
                                                   Enrolment.user_id == actor.id).values(last_activity_at=now))
    _mark_read(actor.id, thread.id, post.id)  # one's own post is never "new" to oneself
    if not is_opening and not waits:
        discussion_mail.notify_followers(thread, post, actor)
    discussion_mail.follow(actor.id, thread.id, post.id)  # who writes in a thread hears of what follows
    return post


def _mark_read(user_id: int, thread_id: int, post_id: int) -> None:
    row = db.session.execute(select(DiscussionRead).filter_by(user_id=user_id, thread_id=thread_id)).scalar()
    if row is None:
        db.session.add(DiscussionRead(user_id=user_id, thread_id=thread_id, last_read_post_id=post_id))
    elif row.last_read_post_id < post_id:
        row.last_read_post_id = post_id


def post_to_edit(actor: User, post_id: int) -> tuple[DiscussionPost, ThreadVisit]:
    """The post, if ``actor`` is its author and still within DISCUSSION_EDIT_MINUTES of writing it."""
    post, visit = post_and_visit(actor, post_id)
    if post.author_id != actor.id:
        raise NotAllowed(_("Only its author can edit a post."))
    if not rules.can_edit(visit.viewer, post.author_id, post.created_at, clock.now(),
                          edit_minutes=current_app.config["DISCUSSION_EDIT_MINUTES"],
                          removed=post.deleted_at is not None):
        raise NotAllowed(_("This post can no longer be edited."))
    return post, visit


def edit_post(actor: User, post_id: int, body: str, title: str | None = None) -> DiscussionPost:
    """The author's edit, within DISCUSSION_EDIT_MINUTES of writing; the text it replaces is kept."""
    post, visit = post_to_edit(actor, post_id)
    text = _checked_body(body)
    new_title = _checked_title(title) if post.is_opening and title is not None else None
    db.session.add(DiscussionRevision(post_id=post.id, title=visit.thread.title if post.is_opening else None,
                                      body=post.body, written_at=post.edited_at or post.created_at))
    post.body, post.html, post.edited_at = text, render_post(text), clock.now()
    if new_title is not None:
        visit.thread.title = new_title
    discussion_search.index_post(post, visit.thread.title if post.is_opening else None)
    db.session.commit()
    return post


def remove_post(actor: User, post_id: int) -> DiscussionPost:
    """The author removes their post: its text goes; where it stood, "removed by its author" (replies stay)."""
    post, visit = post_and_visit(actor, post_id)
    if not rules.can_remove(visit.viewer, post.author_id, removed=post.deleted_at is not None):
        raise NotAllowed(_("Only its author can remove a post."))
    before = discussions.state_of(post)
    post.deleted_at = clock.now()
    count_state_change(post, before)
    if visit.thread.answer_post_id == post.id:
        visit.thread.answer_post_id = None
    reevaluate_reflection(visit, post.author_id)
    db.session.commit()
    return post


def revisions(actor: User, post_id: int) -> list[DiscussionRevision]:
    """A post's earlier texts, newest first, for whoever may read the post's text."""
    post, visit = post_and_visit(actor, post_id)
    state = discussions.state_of(post)
    if not rules.shows_text(state, visit.viewer, post.author_id):
        return []
    return list(db.session.execute(select(DiscussionRevision).where(DiscussionRevision.post_id == post.id)
                                   .order_by(DiscussionRevision.id.desc())).scalars())


def mark_answer(actor: User, thread_id: int, post_id: int | None) -> DiscussionThread:
    """Accept a reply as the question's answer (None: no answer accepted any more)."""
    visit = discussions.visit_thread(actor, thread_id)
    thread = visit.thread
    if not rules.can_mark_answer(visit.viewer, thread.author_id, thread.kind):
        raise NotAllowed(_("Only the question's author and the course's staff mark its answer."))
    if post_id is not None:
        post = db.session.get(DiscussionPost, post_id)
        if (post is None or post.thread_id != thread.id or post.is_opening
                or discussions.state_of(post) != PostState.SHOWN):
            raise NotFound(_("There is no such post in this discussion."))
    thread.answer_post_id = post_id
    db.session.commit()
    return thread


def set_pinned(actor: User, thread_id: int, pinned: bool) -> DiscussionThread:
    return _set_thread_flag(actor, thread_id, "pinned", pinned, "discussion.pin")


def set_locked(actor: User, thread_id: int, locked: bool) -> DiscussionThread:
    return _set_thread_flag(actor, thread_id, "locked", locked, "discussion.lock")


def _set_thread_flag(actor: User, thread_id: int, flag: str, value: bool, action: str) -> DiscussionThread:
    """Staff pin or lock a thread; a change is audited, setting what is already set is not."""
    visit = _staff_visit(actor, thread_id)
    if getattr(visit.thread, flag) != value:
        setattr(visit.thread, flag, value)
        audit.record(actor, action, "discussion_thread", visit.thread.id, {flag: value})
    db.session.commit()
    return visit.thread


# Shared checks.


def count_state_change(post: DiscussionPost, before: PostState) -> None:
    """Keep the thread's reply count to the posts everyone reads after ``post`` left state ``before``; the caller
    commits. An UPDATE of the counter, not a read and a write: two moderators at once still count right."""
    change = rules.reply_count_change(post.is_opening, before, discussions.state_of(post))
    if change:
        db.session.execute(update(DiscussionThread).where(DiscussionThread.id == post.thread_id)
                           .values(reply_count=DiscussionThread.reply_count + change)
                           .execution_options(synchronize_session=False))


def reevaluate_reflection(visit: ThreadVisit, author_id: int | None) -> None:
    """A post in a reflection thread written, removed, hidden or restored: its author's contributions changed, and
    so may their completion (lms.services.reflection_contributions says what counts)."""
    if visit.thread.kind == ThreadKind.REFLECTION and author_id is not None:
        db.session.flush()
        completion.reevaluate(visit.course, [author_id])


def _staff_visit(actor: User, thread_id: int) -> ThreadVisit:
    visit = discussions.visit_thread(actor, thread_id)
    if not visit.viewer.is_staff:
        raise NotAllowed(_("Only the course's staff moderate its discussions."))
    return visit


def post_and_visit(actor: User, post_id: int) -> tuple[DiscussionPost, ThreadVisit]:
    """The post and its thread, if ``actor`` may see both; NotFound otherwise."""
    post = db.session.get(DiscussionPost, post_id)
    if post is None:
        raise NotFound(_("There is no such post."))
    visit = discussions.visit_thread(actor, post.thread_id)
    if not rules.is_listed(discussions.state_of(post), visit.viewer, post.author_id):
        raise NotFound(_("There is no such post."))
    return post, visit


def require_can_write(visit: ThreadVisit) -> None:
    thread = visit.thread
    if thread.locked and not visit.viewer.is_staff:
        raise NotAllowed(_("This discussion is locked: it takes no new posts."))
    _require_not_muted(visit.viewer, thread.course_id, thread.cohort_id)


def _require_not_muted(viewer: Viewer, course_id: int, cohort_id: int | None) -> None:
    if viewer.is_staff:
        return
    until = discussions.muted_until(viewer.user_id, course_id, cohort_id)
    if until is not None:
        raise NotAllowed(_("You cannot post in this course's discussions for now."))


def _checked_title(title: str) -> str:
    text = " ".join(title.split())
    if not text:
        raise Invalid(_("Give the discussion a title."), field="title")
    if len(text) > rules.TITLE_MAX:
        raise Invalid(_("A title has at most %(max)d characters.", max=rules.TITLE_MAX), field="title")
    return text


def _checked_body(body: str) -> str:
    text = rules.clean_text(body)
    if not text:
        raise Invalid(_("Write something first."), field="body")
    if len(text) > rules.BODY_MAX:
        raise Invalid(_("A post has at most %(max)d characters; this one has %(length)d.", max=rules.BODY_MAX,
                        length=len(text)), field="body")
    return text


def set_following(actor: User, thread_id: int, following: bool) -> ThreadVisit:
    """Follow a thread one can see, or stop following it."""
    visit = discussions.visit_thread(actor, thread_id)
    if following:
        discussion_mail.follow(actor.id, thread_id, visit.thread.last_post_id)
    else:
        discussion_mail.unfollow(actor.id, thread_id)
    db.session.commit()
    return visit
