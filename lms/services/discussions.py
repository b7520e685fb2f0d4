"""Reading cohort discussions: whose space a person is in, a course's board, a thread's page, the count on a lesson
page. Writing is lms.services.discussion_posts; moderation lms.services.discussion_moderation.

The rules (who sees what, who may write, edit, remove) are lms.core.discussions; here we gather the rows for them in
a fixed number of queries, whatever the number of threads and posts. A thread a person may not see is "not found"
(404), never "forbidden": its id tells a learner of another cohort nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Boolean, ColumnElement, and_, bindparam, case, false, func, or_, select, true

from lms import authz
from lms.core import clock
from lms.core import discussions as rules
from lms.core.discussions import BoardSort, Place, PostState, ReviewState, ThreadKind, Viewer
from lms.extensions import db
from lms.models import (
    Cohort,
    Course,
    CourseVersion,
    DiscussionMute,
    DiscussionPost,
    DiscussionRead,
    DiscussionReport,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    SignedInUser,
    User,
    constants_in_sql,
    written_into_sql,
)
from lms.models.plain import CourseRow, PostRow, VersionRow
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import catalog, course_context, discussion_mail, staffing, transactions
from lms.services.catalog import VersionOutline
from lms.services.errors import NotAllowed, NotFound
from lms.services.paging import Page, page_within, paginate

THREADS_PER_PAGE = 25
REPLIES_PER_PAGE = 50


@dataclass(frozen=True)
class Space:
    """A person's view of one course's discussions."""

    course: CourseRow
    version: VersionRow
    viewer: Viewer
    cohorts: tuple[Cohort, ...] = ()  # for staff: the course's cohorts, whose spaces they may choose

    @property
    def outline(self) -> VersionOutline:
        return catalog.version_outline(self.version)


def course_space(actor: User, slug: str) -> Space:
    """The course's discussions as ``actor`` sees them: its learners their own space, its staff every space."""
    course, version, enrolment = course_context.study_context(actor, slug)
    is_staff = authz.can_moderate_discussions(actor, course.id, staffing.teaching_course_ids(actor))
    if enrolment is None and not is_staff:
        raise NotAllowed(_("Enrol in this course to take part in its discussions."))
    cohorts: tuple[Cohort, ...] = ()
    if is_staff:
        cohorts = tuple(db.session.execute(
            select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.starts_on, Cohort.id)).scalars())
    viewer = Viewer(actor.id, is_staff, None if is_staff or enrolment is None else enrolment.cohort_id)
    return Space(course, version, viewer, cohorts)


def visible_threads(viewer: Viewer) -> ColumnElement[bool]:
    """lms.core.discussions.can_see_thread as a condition on DiscussionThread, for listing in SQL."""
    if viewer.is_staff:
        return true()
    own_space = (DiscussionThread.cohort_id.is_(None) if viewer.cohort_id is None
                 else DiscussionThread.cohort_id == viewer.cohort_id)
    return and_(or_(own_space, and_(DiscussionThread.cohort_id.is_(None),
                                    DiscussionThread.kind == written_into_sql(ThreadKind.ANNOUNCEMENT.value))),
                or_(DiscussionThread.in_review.is_(False), DiscussionThread.author_id == viewer.user_id))


def counted_posts() -> ColumnElement[bool]:
    """lms.core.discussions.counts_as_reply as a condition on DiscussionPost: what "N new" counts, like the reply
    count kept on the thread."""
    return and_(DiscussionPost.deleted_at.is_(None), DiscussionPost.hidden_at.is_(None),
                DiscussionPost.review_state == written_into_sql(ReviewState.PUBLISHED.value))


def reported_by_reader() -> ColumnElement[bool]:
    """Whether the reader (the parameter user_id) has a report of the DiscussionPost open: it waits for the staff, so
    the post says "You reported this post" instead of offering Report (lms.core.discussions.can_report)."""
    return select(DiscussionReport.id).where(
        DiscussionReport.post_id == DiscussionPost.id, DiscussionReport.reporter_id == bindparam("user_id"),
        DiscussionReport.resolved_at.is_(None)).exists()


def listed_for(reader_id, reader_is_staff) -> ColumnElement[bool]:
    """lms.core.discussions.is_listed as a condition on DiscussionPost: posts in review are their author's and the
    staff's only. The reader's id and whether they are staff are values or a statement's parameters."""
    return or_(reader_is_staff, DiscussionPost.review_state == written_into_sql(ReviewState.PUBLISHED.value),
               DiscussionPost.author_id == reader_id)


def listed_posts(viewer: Viewer) -> ColumnElement[bool]:
    """listed_for the viewer: true for staff, the rule's two conditions for a learner."""
    return listed_for(viewer.user_id, true() if viewer.is_staff else false())


def state_of(post: DiscussionPost | PostRow) -> PostState:
    return rules.post_state(post.deleted_at, post.hidden_at, post.review_state)


def readable_posts(viewer: Viewer) -> ColumnElement[bool]:
    """lms.core.discussions.shows_text as a condition on DiscussionPost: never a removed post's text; a hidden one to
    staff and to its author only."""
    shown = DiscussionPost.deleted_at.is_(None)
    if viewer.is_staff:
        return shown
    return and_(shown, or_(DiscussionPost.hidden_at.is_(None), DiscussionPost.author_id == viewer.user_id))


@dataclass(frozen=True)
class ThreadVisit:
    """A thread with who is looking at it, after the per-object check."""

    thread: DiscussionThread
    course: CourseRow
    version: VersionRow
    viewer: Viewer


_THREAD_CONTEXT = constants_in_sql(
    select(DiscussionThread, Course, CourseVersion, Enrolment)
    .join(Course, Course.id == DiscussionThread.course_id)
    .join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
    .outerjoin(Enrolment, (Enrolment.course_id == Course.id) & (Enrolment.user_id == bindparam("user_id"))
               & (Enrolment.status == EnrolmentStatus.ACTIVE))
    .where(DiscussionThread.id == bindparam("thread_id"))
)


def visit_thread(actor: User, thread_id: int) -> ThreadVisit:
    """The thread, if ``actor`` may see it; NotFound otherwise (whoever asks, whatever the reason)."""
    row = db.session.execute(_THREAD_CONTEXT, {"user_id": actor.id, "thread_id": thread_id}).first()
    return _checked_visit(actor, row)


def _checked_visit(actor: User, row) -> ThreadVisit:
    """The per-object check on a row that starts with _THREAD_CONTEXT's columns."""
    if row is None:
        raise NotFound(_("There is no such discussion."))
    thread, course, version, enrolment = row[:4]
    is_staff = authz.can_moderate_discussions(actor, course.id, staffing.teaching_course_ids(actor))
    viewer = Viewer(actor.id, is_staff, None if is_staff or enrolment is None else enrolment.cohort_id)
    if (not is_staff and enrolment is None) or not rules.can_see_thread(
            viewer, thread.cohort_id, thread.kind, in_review=thread.in_review, author_id=thread.author_id):
        raise NotFound(_("There is no such discussion."))
    return ThreadVisit(thread, course, version, viewer)


# The board.


@dataclass(frozen=True)
class ThreadRow:
    thread: DiscussionThread
    author: User | None
    unread: int

    @property
    def answered(self) -> bool:
        return rules.is_answered(self.thread.kind, self.thread.answer_post_id)


@dataclass(frozen=True)
class Board:
    space: Space
    place: Place | None  # None: every thread of the space
    item_key: str
    sort: BoardSort
    cohort_id: int | None  # staff: the one cohort's space they chose to read, or None for all
    threads: Page[ThreadRow]
    new_posts: int  # on the whole board (the place chosen), not only this page


def board(actor: User, slug: str, *, place: str = "", item_key: str = "", sort: str = "latest", page: int = 1,
          cohort_id: int | None = None) -> Board:
    space = course_space(actor, slug)
    chosen_place = _place(space, place, item_key)
    order = BoardSort(sort) if sort in BoardSort.__members__.values() else BoardSort.LATEST
    viewer = space.viewer
    where = [DiscussionThread.course_id == space.course.id, visible_threads(viewer)]
    if chosen_place is not None:
        where += [DiscussionThread.place == chosen_place.value, DiscussionThread.item_key == item_key]
    if viewer.is_staff and cohort_id is not None:
        where.append(or_(DiscussionThread.cohort_id == cohort_id, DiscussionThread.cohort_id.is_(None)))
    read_up_to = DiscussionRead.last_read_post_id
    newer = (select(func.count(DiscussionPost.id))
             .where(DiscussionPost.thread_id == DiscussionThread.id, counted_posts(),
                    DiscussionPost.id > func.coalesce(read_up_to, 0))
             .correlate(DiscussionThread, DiscussionRead).scalar_subquery())
    reads = and_(DiscussionRead.thread_id == DiscussionThread.id, DiscussionRead.user_id == viewer.user_id)
    ordering = [DiscussionThread.pinned.desc()]
    if order == BoardSort.UNANSWERED:
        ordering.append(case((and_(DiscussionThread.kind == written_into_sql(ThreadKind.QUESTION.value),
                                   DiscussionThread.answer_post_id.is_(None)), 0), else_=1))
    ordering += [DiscussionThread.last_activity_at.desc(), DiscussionThread.id.desc()]
    statement = (select(DiscussionThread, User, read_up_to, newer)
                 .outerjoin(User, User.id == DiscussionThread.author_id)
                 .outerjoin(DiscussionRead, reads).where(*where).order_by(*ordering))

    def rows(limited):
        return [ThreadRow(thread, author, rules.unread_count(thread.last_post_id, read, thread.reply_count, after))
                for thread, author, read, after in db.session.execute(limited)]

    threads = paginate(statement, page, THREADS_PER_PAGE, rows)
    unread_threads = (select(DiscussionThread.reply_count, DiscussionThread.last_post_id, read_up_to, newer)
                      .outerjoin(DiscussionRead, reads)
                      .where(*where, DiscussionThread.last_post_id > func.coalesce(read_up_to, 0)))
    new_posts = sum(rules.unread_count(last, read, replies, after)
                    for replies, last, read, after in db.session.execute(unread_threads))
    return Board(space, chosen_place, item_key if chosen_place else "", order, cohort_id if viewer.is_staff else None,
                 threads, new_posts)


def _place(space: Space, place: str, item_key: str) -> Place | None:
    """The place asked for, checked against the course's current outline."""
    if not place:
        return None
    if place not in Place.__members__.values():
        raise NotFound(_("There is no such place in this course's discussions."))
    chosen = Place(place)
    if chosen == Place.MODULE:
        space.outline.module(item_key)
    elif chosen == Place.LESSON:
        space.outline.lesson(item_key)
    return chosen


def place_title(outline: VersionOutline, place: str, item_key: str) -> str:
    """What a place is called on pages: the module's or lesson's title, or "General"."""
    for module in outline.modules:
        if place == Place.MODULE and module.module_key == item_key:
            return module.title
    for lesson in outline.lessons:
        if place == Place.LESSON and lesson.key == item_key:
            return lesson.title
    return _("General")


# A thread's page.


@dataclass(frozen=True)
class PostView:
    post: DiscussionPost | PostRow  # the ORM row, or its plain columns where a page reads them so
    author: User | SignedInUser | None
    state: PostState
    shows_text: bool
    can_edit: bool
    can_remove: bool
    can_report: bool
    unread: bool
    comments: tuple[PostView, ...] = ()
    reported: bool = False  # by the reader, whose report waits for the staff: the page says so instead of "Report"


def post_view(post: DiscussionPost | PostRow, author: User | SignedInUser | None, viewer: Viewer, *, now: datetime,
              edit_minutes: int, reported: bool, unread: bool = False, comments: tuple[PostView, ...] = ()) -> PostView:
    """How ``viewer`` sees a post, by lms.core.discussions' rules: the thread page's and the reflection's answers'."""
    state = state_of(post)
    removed = state == PostState.REMOVED
    return PostView(post, author, state, rules.shows_text(state, viewer, post.author_id),
                    rules.can_edit(viewer, post.author_id, post.created_at, now, edit_minutes=edit_minutes,
                                   removed=removed),
                    rules.can_remove(viewer, post.author_id, removed=removed),
                    rules.can_report(viewer, post.author_id, state, reported=reported), unread, comments, reported)


@dataclass(frozen=True)
class ThreadPage:
    visit: ThreadVisit
    opening: PostView
    answer: PostView | None  # shown first, above the replies
    replies: Page[PostView]
    can_write: bool
    can_mark_answer: bool
    muted: bool
    following: bool = False

    @property
    def thread(self) -> DiscussionThread:
        return self.visit.thread

    @property
    def place_title(self) -> str:
        return place_title(catalog.version_outline(self.visit.version), self.thread.place, self.thread.item_key)


def thread_page(actor: User, thread_id: int, page: int = 1) -> ThreadPage:
    """The thread with its replies (the accepted answer first), each reply's comments, and the reader's position
    moved to its newest post. Two queries, whatever the number of posts: the thread with everything about its reader
    and its number of replies (_THREAD_PAGE_CONTEXT), and the page's posts (_PAGE_POSTS); and the read position's
    write when there is something new to mark read."""
    now = clock.now()
    row = db.session.execute(_THREAD_PAGE_CONTEXT, {"user_id": actor.id, "thread_id": thread_id, "now": now}).first()
    visit = _checked_visit(actor, row)
    read_up_to, mute_ends, following, all_replies, listed_replies = row[4:]
    thread, viewer = visit.thread, visit.viewer
    seen = read_up_to if read_up_to is not None else 0
    if _move_read_position(actor.id, thread.id, read_up_to, thread.last_post_id):
        transactions.commit_keeping_loaded()
    edit_minutes = current_app.config["DISCUSSION_EDIT_MINUTES"]

    def view(post: DiscussionPost, author: User | None, reported: bool, comments: tuple[PostView, ...] = ()):
        return post_view(post, author, viewer, now=now, edit_minutes=edit_minutes, reported=reported,
                         unread=post.id > seen, comments=comments)

    per_page = REPLIES_PER_PAGE
    replies_total = listed_replies if not viewer.is_staff else all_replies
    page = page_within(page, replies_total, per_page)
    rows = db.session.execute(_PAGE_POSTS, {"thread_id": thread.id, "answer_id": thread.answer_post_id,
                                            "user_id": actor.id, "reader_is_staff": viewer.is_staff,
                                            "limit": per_page, "offset": (page - 1) * per_page}).all()
    replied_to = {post.id for post, _author, is_reply_on_page, _reported in rows if is_reply_on_page}
    firsts: list[PostView] = []  # the opening post, and the accepted answer when there is one
    comments: dict[int, list[PostView]] = {}
    for post, author, _on_page, reported in rows:
        if post.is_opening or post.id == thread.answer_post_id:
            firsts.append(view(post, author, reported))
        if post.parent_id in replied_to:
            comments.setdefault(post.parent_id, []).append(view(post, author, reported))
    replies = Page([view(post, author, reported, tuple(comments.get(post.id, ()))) for post, author, on_page, reported
                    in rows if on_page], replies_total, page, per_page)
    opening = next(first for first in firsts if first.post.is_opening)
    answer = next((first for first in firsts if not first.post.is_opening), None)
    muted = mute_ends is not None
    can_write = rules.can_write_in(viewer, locked=thread.locked, muted_until=None, now=now) and not (
        muted and not viewer.is_staff)
    return ThreadPage(visit, opening, answer, replies, can_write,
                      rules.can_mark_answer(viewer, thread.author_id, thread.kind), muted, bool(following))


def _move_read_position(user_id: int, thread_id: int, read_up_to: int | None, newest: int) -> bool:
    """Forward only: reading an older page again never marks newer posts unread. True if it wrote (or tried to)."""
    if read_up_to is None:
        insert_ignoring_conflicts(db.session, DiscussionRead,
                                  {"user_id": user_id, "thread_id": thread_id, "last_read_post_id": newest},
                                  ["user_id", "thread_id"])
        return True
    if read_up_to < newest:
        db.session.execute(DiscussionRead.__table__.update()
                           .where(DiscussionRead.user_id == user_id, DiscussionRead.thread_id == thread_id,
                                  DiscussionRead.last_read_post_id < newest)
                           .values(last_read_post_id=newest))
        return True
    return False


def _mute_ends(user_id, course_id, same_space: ColumnElement[bool], now):
    """When the person's mute in a space ends, if they are muted at ``now`` (NULL otherwise), as a scalar select."""
    return select(func.max(DiscussionMute.until)).where(
        DiscussionMute.user_id == user_id, DiscussionMute.course_id == course_id, same_space,
        DiscussionMute.until > now).scalar_subquery()


def mute_ends_in_space(in_cohort: bool):
    """_mute_ends for statements built once: of user_id, course_id, now, and cohort_id's space if ``in_cohort``."""
    same_space = DiscussionMute.cohort_id == bindparam("cohort_id") if in_cohort else DiscussionMute.cohort_id.is_(None)
    return _mute_ends(bindparam("user_id"), bindparam("course_id"), same_space, bindparam("now"))


def muted_until(user_id: int, course_id: int, cohort_id: int | None):
    """When the person's mute in this space ends, if they are muted now; None otherwise (asked before a write)."""
    space = {"user_id": user_id, "course_id": course_id, "cohort_id": cohort_id, "now": clock.now()}
    return db.session.execute(select(mute_ends_in_space(cohort_id is not None)), space).scalar()


# listed_for in statements built once, the reader a parameter: whether they are staff is known only after the
# thread's row is read, so the context query counts the replies both ways.
_LISTED_FOR_A_LEARNER = listed_for(bindparam("user_id"), false())
_LISTED_FOR_THE_READER = listed_for(bindparam("user_id"), bindparam("reader_is_staff", type_=Boolean))


def _reply_count(listed: ColumnElement[bool]):
    return select(func.count(DiscussionPost.id)).where(
        DiscussionPost.thread_id == DiscussionThread.id, DiscussionPost.parent_id.is_(None),
        DiscussionPost.is_opening.is_(False), listed).scalar_subquery()


# The thread page's one query for the thread and its reader: the per-object check's columns, where the reader had
# read up to, whether they are muted in the thread's space, and whether they follow it.
_THREAD_PAGE_CONTEXT = constants_in_sql(
    _THREAD_CONTEXT
    .add_columns(DiscussionRead.last_read_post_id,
                 _mute_ends(bindparam("user_id"), DiscussionThread.course_id,
                            or_(DiscussionMute.cohort_id == DiscussionThread.cohort_id,
                                and_(DiscussionMute.cohort_id.is_(None), DiscussionThread.cohort_id.is_(None))),
                            bindparam("now")),
                 discussion_mail.follows(bindparam("user_id"), DiscussionThread.id),
                 _reply_count(true()), _reply_count(_LISTED_FOR_A_LEARNER))
    .outerjoin(DiscussionRead, (DiscussionRead.thread_id == DiscussionThread.id)
               & (DiscussionRead.user_id == bindparam("user_id")))
)


# A page of the thread's replies, by thread, LIMIT and OFFSET: their ids, oldest first.
_REPLY_IDS = constants_in_sql(
    select(DiscussionPost.id)
    .where(DiscussionPost.thread_id == bindparam("thread_id"), DiscussionPost.parent_id.is_(None),
           DiscussionPost.is_opening.is_(False), _LISTED_FOR_THE_READER)
    .order_by(DiscussionPost.id).limit(bindparam("limit")).offset(bindparam("offset"))
)
# The posts a page of a thread shows, with their authors, whether each is one of the page's replies and whether the
# reader's report of it is open: the opening post, the accepted answer (wherever it is), the page's replies and their
# comments. Built once: building a statement costs more than running it.
_PAGE_POSTS = constants_in_sql(
    select(DiscussionPost, User, DiscussionPost.id.in_(_REPLY_IDS), reported_by_reader())
    .outerjoin(User, User.id == DiscussionPost.author_id)
    .where(DiscussionPost.thread_id == bindparam("thread_id"), _LISTED_FOR_THE_READER,
           or_(DiscussionPost.is_opening, DiscussionPost.id == bindparam("answer_id"),
               DiscussionPost.id.in_(_REPLY_IDS), DiscussionPost.parent_id.in_(_REPLY_IDS)))
    .order_by(DiscussionPost.id)
)
