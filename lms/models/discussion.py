"""Cohort discussions: threads, their posts (replies and one level of comments), the edit history, each person's
read position, reports of posts and mutes.

A thread lives in a course's space: a cohort's (``cohort_id``) or, for learners outside any cohort and for
course-wide announcements, the course's own (``cohort_id`` NULL). Where in the course it belongs is ``place``:
"general", or "module"/"lesson" with the item's key from the package (stable across versions). The thread's opening
text is its first post (``is_opening``), so replies, edits and moderation treat every text alike. Counts the board
shows (replies, last activity) are kept on the thread, so the board never counts posts.

A lesson's reflection question (docs/course-packages.md) has a thread of kind "reflection" in each space, opened
by nobody (``author_id`` NULL, the question as its opening post); each learner's answer is a reply by its author.
Reports, search and completion count a learner's reflections as their posts in such threads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow
from lms.models.user import User


class DiscussionThread(Base):
    __tablename__ = "discussion_threads"
    __table_args__ = (
        CheckConstraint("place IN ('general', 'module', 'lesson')", name="place_known"),
        CheckConstraint("kind IN ('discussion', 'question', 'announcement', 'reflection')", name="kind_known"),
        Index("ix_discussion_threads_space", "course_id", "cohort_id", "last_activity_at"),
        # A place's threads (a lesson page's "Discuss this lesson (n)", the board filtered to a place), without reading
        # every thread of the course.
        Index("ix_discussion_threads_place", "course_id", "place", "item_key"),
        Index("ix_discussion_threads_announcement_pending", "announcement_pending"),
        # One reflection thread per lesson per space (lms.services.reflections creates it on first need): a cohort's,
        # and the course's own, whose NULL cohort a unique index over the three columns would never compare equal.
        Index("uq_discussion_threads_cohort_reflection", "course_id", "cohort_id", "item_key", unique=True,
              sqlite_where=text("kind = 'reflection' AND cohort_id IS NOT NULL"),
              postgresql_where=text("kind = 'reflection' AND cohort_id IS NOT NULL")),
        Index("uq_discussion_threads_course_reflection", "course_id", "item_key", unique=True,
              sqlite_where=text("kind = 'reflection' AND cohort_id IS NULL"),
              postgresql_where=text("kind = 'reflection' AND cohort_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(16), default="general")
    item_key: Mapped[str] = mapped_column(String(64), default="")  # the module or lesson id; "" for general
    kind: Mapped[str] = mapped_column(String(16), default="discussion")
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_id: Mapped[int] = mapped_column(Integer, default=0)  # the newest post's id: unread markers compare to it
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # replies and comments, not the opening post
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The post accepted as the answer to a question (no foreign key: posts already point at their thread, and a
    # cycle between the two tables would make their creation order ambiguous; posts are never deleted, only removed).
    answer_post_id: Mapped[int | None] = mapped_column(Integer)
    # An announcement whose e-mail to every member is still to be written: the worker fans it out (one message per
    # member in the outbox) and clears the flag in the same transaction, so it is done once, never in the request.
    announcement_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # The opening post waits for a moderator, or was rejected (pre-moderation): only its author and staff see it.
    in_review: Mapped[bool] = mapped_column(Boolean, default=False)

    author: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[author_id])


class DiscussionPost(Base):
    __tablename__ = "discussion_posts"
    __table_args__ = (
        CheckConstraint("review_state IN ('published', 'pending', 'rejected')", name="review_state_known"),
        Index("ix_discussion_posts_thread", "thread_id", "id"),
        Index("ix_discussion_posts_review_state", "review_state"),
        # A person's posts by state: what they contributed (lms.services.reflection_contributions, on every lesson
        # page and dashboard) asks for their published posts. With author_id alone, SQLite chose the review state's
        # index instead and read every published post of every course.
        Index("ix_discussion_posts_author_review", "author_id", "review_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_posts.id", ondelete="CASCADE"))
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    html: Mapped[str] = mapped_column(Text)  # sanitised, made when written (lms.core.discussion_markdown)
    language: Mapped[str] = mapped_column(String(16), default="en")  # the author's language when they wrote it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # removed by its author
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # hidden by staff
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Pre-moderation (a cohort setting): a learner's first posts are "pending" until a moderator approves
    # ("published") or rejects them, with a reason shown to the author ("rejected").
    review_state: Mapped[str] = mapped_column(String(16), default="published")
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What search reads (lms.core.discussion_search.searched_text): the plain text, the thread's title first for an
    # opening post. Loaded only by search (raiseload: a page that reads it by accident fails in tests).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True,
                                             deferred_raiseload=True)

    author: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[author_id])


class DiscussionRevision(Base):
    """A post's text before an edit: the history the author's edits leave."""

    __tablename__ = "discussion_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))  # the thread's title then, for an opening post
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when that text was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiscussionRead(Base):
    """How far a person has read a thread: the newest post id they have seen."""

    __tablename__ = "discussion_reads"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id", ondelete="CASCADE"), index=True)
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)


class DiscussionReport(Base):
    """Someone's report of a post, waiting in the course staff's moderation queue until resolved."""

    __tablename__ = "discussion_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DiscussionMute(Base):
    """A person may not post in a course's space (a cohort's, or the course's own) until ``until``."""

    __tablename__ = "discussion_mutes"
    __table_args__ = (Index("ix_discussion_mutes_user_course", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    muted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiscussionFollow(Base):
    """A person follows a thread (from their first post in it, or by choice): they hear of its new posts, each or
    in the daily digest. ``notified_up_to_post_id`` is the newest post they were told about."""

    __tablename__ = "discussion_follows"
    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id", ondelete="CASCADE"), index=True)
    notified_up_to_post_id: Mapped[int] = mapped_column(Integer, default=0)


MAIL_MODES = ("each", "digest", "off")


class DiscussionSetting(Base):
    """How a person hears of discussions by e-mail: each new post, a daily digest, or not at all (one-click
    unsubscribe sets "off"). No row: each new post."""

    __tablename__ = "discussion_settings"
    __table_args__ = (CheckConstraint("mail_mode IN ('each', 'digest', 'off')", name="mail_mode_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    mail_mode: Mapped[str] = mapped_column(String(8), default="each")
