"""Participation in the course's discussions: per learner (the learner table, its CSV, the learner's history) and
per cohort (the overview).

What counts (the one place this is decided)
    - threads: the opening posts a learner wrote in threads of kind discussion or question;
    - replies: their other posts (replies and comments) in such threads;
    - reflections: their posts in threads of kind "reflection" (a lesson's reflection question, answered by the
      learner and shared with the cohort).
    Announcements (staff only) count nowhere. A post removed by its author or hidden by staff does not count.
    Posts are counted wherever they stand in the course (the cohort's space or the course's own).

Per cohort, members are the active enrolments of the report's population; a participant is a member with at least
one counted post; a recent participant one with a counted post in the last ``RECENT_DAYS`` days. Each figure is one
grouped query, whatever the number of learners and posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, case, func, select

from lms.core import clock
from lms.core.discussions import ThreadKind
from lms.models import DiscussionPost, DiscussionThread, Enrolment
from lms.services.discussions import counted_posts as readable_posts
from lms.services.discussions import place_title
from lms.services.reports.columns import Column
from lms.services.reports.population import core_rows, population_conditions, population_user_ids
from lms.services.reports.scope import ReportScope

# Stored as the thread's kind by lms.services.reflections; counted by its value, which is all the data holds.
REFLECTION_KIND = "reflection"
CONVERSATION_KINDS = (ThreadKind.DISCUSSION.value, ThreadKind.QUESTION.value)
# A programme meets weekly (live sessions, the weekly activity chart): "in the last 7 days" says whether a cohort's
# discussions are alive now, which a count since the start hides once a cohort goes quiet after its first weeks.
RECENT_DAYS = 7


def counted_posts(course_id: int) -> list:
    """SQL conditions on DiscussionPost joined to its DiscussionThread: the posts participation counts."""
    return [
        DiscussionThread.course_id == course_id,
        DiscussionThread.kind.in_((*CONVERSATION_KINDS, REFLECTION_KIND)),
        # What every member reads: not removed, not hidden, not waiting for a moderator (pre-moderation).
        readable_posts(),
    ]


def _tally(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_CONVERSATION = DiscussionThread.kind.in_(CONVERSATION_KINDS)
_THREADS = _tally(and_(_CONVERSATION, DiscussionPost.is_opening))
_REPLIES = _tally(and_(_CONVERSATION, ~DiscussionPost.is_opening))
_REFLECTIONS = _tally(DiscussionThread.kind == REFLECTION_KIND)


@dataclass(frozen=True)
class Participation:
    threads: int = 0
    replies: int = 0
    reflections: int = 0


NO_PARTICIPATION = Participation()


def participation_by_user(scope: ReportScope, user_ids: Sequence[int]) -> dict[int, Participation]:
    """Each given learner's counts (learners who never posted are left out: ``NO_PARTICIPATION``), in one query."""
    if not user_ids:
        return {}
    rows = core_rows(
        select(DiscussionPost.author_id, _THREADS, _REPLIES, _REFLECTIONS)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(*counted_posts(scope.course.id), DiscussionPost.author_id.in_(list(user_ids)))
        .group_by(DiscussionPost.author_id)
    )
    return {author_id: Participation(int(threads), int(replies), int(reflections))
            for author_id, threads, replies, reflections in rows}


@dataclass(frozen=True)
class CohortActivity:
    cohort_id: int | None  # None: the learners outside any cohort (an open course's)
    name: str
    members: int
    threads: int
    replies: int
    reflections: int
    participants: int  # members with at least one counted post
    recent_participants: int  # members with a counted post in the last RECENT_DAYS days

    # A cohort with no members has no share (None: "—" on the page, empty in the CSV, null in the JSON): 0 of 0 is
    # not 0%.
    @property
    def participant_percent(self) -> float | None:
        return round(100 * self.participants / self.members, 1) if self.members else None

    @property
    def recent_percent(self) -> float | None:
        return round(100 * self.recent_participants / self.members, 1) if self.members else None


COHORT_ACTIVITY_COLUMNS: tuple[Column[CohortActivity], ...] = (
    Column("cohort", _l("Cohort"), lambda r: r.name),
    Column("members", _l("Members"), lambda r: r.members, cell="number"),
    Column("threads", _l("Threads"), lambda r: r.threads, cell="number"),
    Column("replies", _l("Replies"), lambda r: r.replies, cell="number"),
    Column("reflections", _l("Reflections"), lambda r: r.reflections, cell="number"),
    Column("participants", _l("Took part"), lambda r: r.participants, cell="number"),
    Column("participant_percent", _l("Share of members who took part"), lambda r: r.participant_percent,
           cell="percent"),
    Column("recent_participants", lazy_ngettext("Took part in the last day", "Took part in the last %(num)d days",
                                                RECENT_DAYS), lambda r: r.recent_participants, cell="number"),
    Column("recent_percent", lazy_ngettext("Share in the last day", "Share in the last %(num)d days", RECENT_DAYS),
           lambda r: r.recent_percent, cell="percent"),
)


def cohort_activity(scope: ReportScope) -> list[CohortActivity]:
    """Per cohort of the report's population (every cohort of the course, or the one picked), in one query: each
    member's counts summed per cohort. Cohorts in the picker's order; the learners outside any cohort last."""
    since = clock.now() - timedelta(days=RECENT_DAYS)
    per_member = (
        select(DiscussionPost.author_id.label("user_id"), _THREADS.label("threads"), _REPLIES.label("replies"),
               _REFLECTIONS.label("reflections"), func.max(DiscussionPost.created_at).label("last_posted_at"))
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(*counted_posts(scope.course.id), DiscussionPost.author_id.in_(population_user_ids(scope)))
        .group_by(DiscussionPost.author_id)
    ).subquery()
    found: dict[int | None, tuple] = {}
    for cohort_id, *figures in core_rows(
        select(Enrolment.cohort_id, func.count(Enrolment.id),
               func.coalesce(func.sum(per_member.c.threads), 0), func.coalesce(func.sum(per_member.c.replies), 0),
               func.coalesce(func.sum(per_member.c.reflections), 0), func.count(per_member.c.user_id),
               _tally(per_member.c.last_posted_at >= since))
        .outerjoin(per_member, per_member.c.user_id == Enrolment.user_id)
        .where(*population_conditions(scope))
        .group_by(Enrolment.cohort_id)
    ):
        found[cohort_id] = tuple(int(figure) for figure in figures)
    empty = (0,) * 6
    cohorts = [scope.cohort] if scope.cohort is not None else list(scope.cohorts)
    rows = [CohortActivity(c.id, c.name, *found.get(c.id, empty)) for c in cohorts]
    if None in found:
        rows.append(CohortActivity(None, _("No cohort"), *found[None]))
    return rows


@dataclass(frozen=True)
class HistoryPost:
    """One of the learner's counted posts, for their history page."""

    post_id: int
    thread_id: int
    thread_title: str
    kind: str  # "thread", "reply", "comment" or "reflection"
    place: str  # where the thread belongs: "General", or its module's or lesson's title
    written_at: datetime


def posts_of(scope: ReportScope, user_id: int) -> list[HistoryPost]:
    """The learner's counted posts in the course, oldest first, in one query."""
    posts = []
    for post_id, thread_id, title, thread_kind, place, item_key, is_opening, parent_id, written_at in core_rows(
        select(DiscussionPost.id, DiscussionThread.id, DiscussionThread.title, DiscussionThread.kind,
               DiscussionThread.place, DiscussionThread.item_key, DiscussionPost.is_opening,
               DiscussionPost.parent_id, DiscussionPost.created_at)
        .join(DiscussionThread, DiscussionThread.id == DiscussionPost.thread_id)
        .where(*counted_posts(scope.course.id), DiscussionPost.author_id == user_id)
        .order_by(DiscussionPost.created_at, DiscussionPost.id)
    ):
        if thread_kind == REFLECTION_KIND:
            kind = "reflection"
        elif is_opening:
            kind = "thread"
        else:
            kind = "comment" if parent_id is not None else "reply"
        posts.append(HistoryPost(post_id, thread_id, title, kind, place_title(scope.outline, place, item_key),
                                 written_at))
    return posts
