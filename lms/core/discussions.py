"""The rules of cohort discussions, pure: who sees which space, who may write where, how long an author may edit,
what a post shows, how a board is sorted and what is unread. Services gather the rows and ask here; pages and
reports never decide these things themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TITLE_MAX = 200
BODY_MAX = 10_000  # characters of Markdown: a long reflection fits, a pasted book does not
REASON_MAX = 1_000
DEFAULT_EDIT_MINUTES = 30


class Place(StrEnum):
    GENERAL = "general"
    MODULE = "module"
    LESSON = "lesson"


class ThreadKind(StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"
    ANNOUNCEMENT = "announcement"  # staff only; a course-wide one is seen in every space of the course
    REFLECTION = "reflection"  # a lesson's reflection question: opened by the engine, never by a person


class BoardSort(StrEnum):
    LATEST = "latest"  # latest activity first
    UNANSWERED = "unanswered"  # questions without an accepted answer first, then by latest activity


class PostState(StrEnum):
    SHOWN = "shown"
    REMOVED = "removed"  # removed by its author
    HIDDEN = "hidden"  # hidden by staff, with a reason shown to its author
    PENDING = "pending"  # waiting for a moderator (pre-moderation): seen by its author and staff only
    REJECTED = "rejected"  # refused by a moderator, with a reason shown to its author


class ReviewState(StrEnum):
    """Where a post stands in pre-moderation (stored on the post)."""

    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Viewer:
    """Who reads a course's discussions: a member of one space (their cohort's, or the course's own when
    ``cohort_id`` is None), or the course's staff, who see every space."""

    user_id: int
    is_staff: bool
    cohort_id: int | None = None


def can_see_thread(viewer: Viewer, thread_cohort_id: int | None, kind: str, *, in_review: bool = False,
                   author_id: int | None = None) -> bool:
    """Learners see their own space and the course-wide announcements; staff see every space of the course. A thread
    whose opening post waits for a moderator (or was rejected) is its author's and the staff's only."""
    if viewer.is_staff:
        return True
    if in_review and author_id != viewer.user_id:
        return False
    if thread_cohort_id == viewer.cohort_id:
        return True
    return thread_cohort_id is None and kind == ThreadKind.ANNOUNCEMENT


def can_start_thread(viewer: Viewer, kind: str) -> bool:
    if kind == ThreadKind.REFLECTION:
        return False  # lms.services.reflections opens them, one per lesson and space
    return kind in ThreadKind.__members__.values() and (kind != ThreadKind.ANNOUNCEMENT or viewer.is_staff)


def can_write_in(viewer: Viewer, *, locked: bool, muted_until: datetime | None, now: datetime) -> bool:
    """Replying and commenting: a locked thread takes posts from staff only; a muted person writes nothing."""
    if viewer.is_staff:
        return True
    if muted_until is not None and muted_until > now:
        return False
    return not locked


def can_edit(viewer: Viewer, author_id: int | None, created_at: datetime, now: datetime, *,
             edit_minutes: int, removed: bool) -> bool:
    """Authors edit their own post for ``edit_minutes`` after writing it (staff moderate; they do not rewrite)."""
    if removed or author_id != viewer.user_id:
        return False
    return now - created_at <= timedelta(minutes=edit_minutes)


def can_remove(viewer: Viewer, author_id: int | None, *, removed: bool) -> bool:
    """Authors remove their own posts, at any time."""
    return not removed and author_id == viewer.user_id


def can_report(viewer: Viewer, author_id: int | None, state: PostState, *, reported: bool = False) -> bool:
    """Anyone who reads a post may report it, except its author (who may edit or remove it instead); what waits for
    a moderator is already in front of one, and so is a post the reader ``reported`` (their report still open)."""
    return (state not in (PostState.REMOVED, PostState.PENDING, PostState.REJECTED) and author_id != viewer.user_id
            and not reported)


def can_mark_answer(viewer: Viewer, thread_author_id: int | None, kind: str) -> bool:
    return kind == ThreadKind.QUESTION and (viewer.is_staff or thread_author_id == viewer.user_id)


def can_comment_on(parent_is_opening: bool, parent_parent_id: int | None) -> bool:
    """Comments hang on replies only: one level, never on the opening post or on another comment."""
    return not parent_is_opening and parent_parent_id is None


def post_state(deleted_at: datetime | None, hidden_at: datetime | None,
               review_state: str = ReviewState.PUBLISHED) -> PostState:
    if deleted_at is not None:
        return PostState.REMOVED
    if review_state == ReviewState.PENDING:
        return PostState.PENDING
    if review_state == ReviewState.REJECTED:
        return PostState.REJECTED
    if hidden_at is not None:
        return PostState.HIDDEN
    return PostState.SHOWN


def counts_as_reply(state: PostState) -> bool:
    """What a thread's reply count (and so the board's, the lesson page's and "N new") counts: the replies and
    comments every member of the space can read. A removed or hidden post is read by nobody, or only by its author
    and the staff, so it leaves the count; a restored one comes back into it."""
    return state == PostState.SHOWN


def reply_count_change(is_opening: bool, before: PostState, after: PostState) -> int:
    """How a thread's reply count moves when one of its posts goes from ``before`` to ``after`` (+1, -1 or 0)."""
    if is_opening:
        return 0
    return int(counts_as_reply(after)) - int(counts_as_reply(before))


def shows_text(state: PostState, viewer: Viewer, author_id: int | None) -> bool:
    """A hidden, pending or rejected post's text is still shown to its author (with the reason) and to staff; a
    removed one to nobody."""
    if state == PostState.SHOWN:
        return True
    if state in (PostState.HIDDEN, PostState.PENDING, PostState.REJECTED):
        return viewer.is_staff or author_id == viewer.user_id
    return False


def is_listed(state: PostState, viewer: Viewer, author_id: int | None) -> bool:
    """A post waiting for a moderator, or rejected, is not even a placeholder for the others of the space: for them
    it was never written. Its author and staff see it where it stands."""
    if state in (PostState.PENDING, PostState.REJECTED):
        return viewer.is_staff or author_id == viewer.user_id
    return True


def needs_review(viewer: Viewer, *, cohort_premoderates: bool, has_approved_post: bool) -> bool:
    """Pre-moderation: in a cohort that asks for it, a learner's posts wait for a moderator until one of their posts
    in that cohort's space has been approved (or published before the setting was on). Staff never wait."""
    return not viewer.is_staff and cohort_premoderates and not has_approved_post


def can_review(state: PostState) -> bool:
    """Moderators approve or reject what waits, nothing else."""
    return state == PostState.PENDING


def unread_count(last_post_id: int, read_up_to: int | None, reply_count: int, posts_after_read: int) -> int:
    """Posts newer than the reader's position; a thread never opened counts whole (its opening post included)."""
    if read_up_to is None:
        return reply_count + 1
    if last_post_id <= read_up_to:
        return 0
    return posts_after_read


def is_answered(kind: str, answer_post_id: int | None) -> bool:
    return kind == ThreadKind.QUESTION and answer_post_id is not None


def clean_text(text: str) -> str:
    """What is stored of what someone typed: line endings made one kind, and no blank edges."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
