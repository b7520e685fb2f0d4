"""What counts as contributing to a lesson's reflection, in one place for the completion rule, the learner's pages
and the reports: a post of the learner (an answer, a reply or a comment, not the question that opens the thread) in
the lesson's thread of kind "reflection", neither removed by its author nor hidden by the staff. A contribution is
the learner's in whichever space it was written: moving to another cohort keeps it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select

from lms.core.discussions import ReviewState, ThreadKind
from lms.models import DiscussionPost, DiscussionThread, written_into_sql


def contributions_select(*conditions: ColumnElement[bool]) -> Select:
    """(author id, course id, lesson id) of each reflection a learner contributed to, once each; ``conditions``
    narrow it (on DiscussionPost.author_id and DiscussionThread.course_id)."""
    return (
        select(DiscussionPost.author_id, DiscussionThread.course_id, DiscussionThread.item_key).distinct()
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(DiscussionThread.kind == written_into_sql(ThreadKind.REFLECTION.value),
               DiscussionPost.is_opening.is_(False),
               DiscussionPost.deleted_at.is_(None), DiscussionPost.hidden_at.is_(None),
               DiscussionPost.review_state == written_into_sql(ReviewState.PUBLISHED.value), *conditions)
    )
