"""Reading cohort discussions: whose space a person is in, a course's board, a thread's page, the count on a lesson
page. Writing is lms.services.discussion_posts; moderation lms.services.discussion_moderation.

The rules (who sees what, who may write, edit, remove) are lms.core.discussions; here we gather the rows for them in
a fixed number of queries, whatever the number of threads and posts. A thread a person may not see is "not found"
(404), never "forbidden": its id tells a learner of another cohort nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, bindparam, case, false, func, or_, select, true

from lms import authz
from lms.core import clock
from lms.core import discussions as rules
from lms.core.discussions import BoardSort, Place, PostState, ThreadKind, Viewer
from lms.extensions import db
from lms.models import (
    Cohort,
    Course,
    CourseVersion,
    DiscussionMute,
    DiscussionPost,
    DiscussionRead,
    DiscussionThread,
    Enrolment,
    EnrolmentStatus,
    User,
)
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import catalog, discussion_mail, learning, staffing
from lms.services.catalog import VersionOutline
from lms.services.errors import NotAllowed, NotFound
from lms.services.paging import Page, paginate

THREADS_PER_PAGE = 25
REPLIES_PER_PAGE = 50


@dataclass(frozen=True)
class Space:
    """A person's view of one course's discussions."""

    course: Course
    version: CourseVersion
    viewer: Viewer
    cohorts: tuple[Cohort, ...] = ()  # for staff: the course's cohorts, whose spaces they may choose

    @property
    def outline(self) -> VersionOutline:
        return catalog.version_outline(self.version)


def course_space(actor: User, slug: str) -> Space:
    """The course's discussions as ``actor`` sees them: its learners their own space, its staff every space."""
    course, version, enrolment = learning.study_context(actor, slug)
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
    return or_(own_space, and_(DiscussionThread.cohort_id.is_(None),
                               DiscussionThread.kind == ThreadKind.ANNOUNCEMENT.value))


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
    course: Course
    version: CourseVersion
    viewer: Viewer


_THREAD_CONTEXT = (
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
    if row is None:
        raise NotFound(_("There is no such discussion."))
    thread, course, version, enrolment = row
    is_staff = authz.can_moderate_discussions(actor, course.id, staffing.teaching_course_ids(actor))
    viewer = Viewer(actor.id, is_staff, None if is_staff or enrolment is None else enrolment.cohort_id)
    if (not is_staff and enrolment is None) or not rules.can_see_thread(viewer, thread.cohort_id, thread.kind):
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
             .where(DiscussionPost.thread_id == DiscussionThread.id,
                    DiscussionPost.id > func.coalesce(read_up_to, 0))
             .correlate(DiscussionThread, DiscussionRead).scalar_subquery())
    reads = and_(DiscussionRead.thread_id == DiscussionThread.id, DiscussionRead.user_id == viewer.user_id)
    ordering = [DiscussionThread.pinned.desc()]
    if order == BoardSort.UNANSWERED:
        ordering.append(case((and_(DiscussionThread.kind == ThreadKind.QUESTION.value,
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
    post: DiscussionPost
    author: User | None
    state: PostState
    shows_text: bool
    can_edit: bool
    can_remove: bool
    unread: bool
    comments: tuple[PostView, ...] = ()


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
    moved to its newest post. Eight queries at most, whatever the number of posts."""
    visit = visit_thread(actor, thread_id)
    thread, viewer = visit.thread, visit.viewer
    read_up_to = db.session.execute(select(DiscussionRead.last_read_post_id).where(
        DiscussionRead.user_id == actor.id, DiscussionRead.thread_id == thread.id)).scalar()
    seen = read_up_to if read_up_to is not None else 0
    # Moved and committed before the posts are loaded: a commit expires what the session holds, and every post
    # read again afterwards would cost a query of its own.
    _move_read_position(actor.id, thread.id, read_up_to, thread.last_post_id)
    db.session.commit()
    now = clock.now()
    edit_minutes = current_app.config["DISCUSSION_EDIT_MINUTES"]

    def view(post: DiscussionPost, author: User | None, comments: tuple[PostView, ...] = ()) -> PostView:
        state = rules.post_state(post.deleted_at, post.hidden_at)
        removed = state == PostState.REMOVED
        return PostView(post, author, state, rules.shows_text(state, viewer, post.author_id),
                        rules.can_edit(viewer, post.author_id, post.created_at, now, edit_minutes=edit_minutes,
                                       removed=removed),
                        rules.can_remove(viewer, post.author_id, removed=removed), post.id > seen, comments)

    with_author = select(DiscussionPost, User).outerjoin(User, User.id == DiscussionPost.author_id)
    firsts = db.session.execute(with_author.where(
        DiscussionPost.thread_id == thread.id,
        or_(DiscussionPost.is_opening, DiscussionPost.id == thread.answer_post_id if thread.answer_post_id
            else false()))).all()
    opening = next(view(post, author) for post, author in firsts if post.is_opening)
    answer = next((view(post, author) for post, author in firsts if not post.is_opening), None)
    replies_statement = (with_author.where(DiscussionPost.thread_id == thread.id, DiscussionPost.parent_id.is_(None),
                                           DiscussionPost.is_opening.is_(False))
                         .order_by(DiscussionPost.id))

    def replies_with_comments(limited):
        replies = db.session.execute(limited).all()
        comments: dict[int, list[PostView]] = {}
        if replies:
            for post, author in db.session.execute(with_author.where(
                    DiscussionPost.parent_id.in_([reply.id for reply, _author in replies]))
                    .order_by(DiscussionPost.id)):
                comments.setdefault(post.parent_id, []).append(view(post, author))
        return [view(reply, author, tuple(comments.get(reply.id, ()))) for reply, author in replies]

    replies = paginate(replies_statement, page, REPLIES_PER_PAGE, replies_with_comments)
    muted = muted_until(actor.id, thread.course_id, thread.cohort_id) is not None
    can_write = rules.can_write_in(viewer, locked=thread.locked, muted_until=None, now=now) and not (
        muted and not viewer.is_staff)
    return ThreadPage(visit, opening, answer, replies, can_write,
                      rules.can_mark_answer(viewer, thread.author_id, thread.kind), muted,
                      discussion_mail.is_following(actor.id, thread.id))


def _move_read_position(user_id: int, thread_id: int, read_up_to: int | None, newest: int) -> None:
    """Forward only: reading an older page again never marks newer posts unread."""
    if read_up_to is None:
        insert_ignoring_conflicts(db.session, DiscussionRead,
                                  {"user_id": user_id, "thread_id": thread_id, "last_read_post_id": newest},
                                  ["user_id", "thread_id"])
    elif read_up_to < newest:
        db.session.execute(DiscussionRead.__table__.update()
                           .where(DiscussionRead.user_id == user_id, DiscussionRead.thread_id == thread_id,
                                  DiscussionRead.last_read_post_id < newest)
                           .values(last_read_post_id=newest))


def muted_until(user_id: int, course_id: int, cohort_id: int | None):
    """When the person's mute in this space ends, if they are muted now; None otherwise."""
    return db.session.execute(
        select(func.max(DiscussionMute.until)).where(
            DiscussionMute.user_id == user_id, DiscussionMute.course_id == course_id,
            DiscussionMute.cohort_id.is_(None) if cohort_id is None else DiscussionMute.cohort_id == cohort_id,
            DiscussionMute.until > clock.now())).scalar()


# The lesson page's link.


@dataclass(frozen=True)
class LessonDiscussion:
    """What the lesson page's link counts: the lesson's discussions and the replies in them, each said with its noun
    (a bare number read as the number of discussions when it counted every post)."""

    threads: int
    replies: int


def lesson_discussion(actor: User, course_id: int, cohort_id: int | None, lesson_key: str) -> LessonDiscussion:
    """The lesson's threads that ``actor`` sees and their replies, for "Discuss this lesson (1 discussion, 2 replies)"
    (its reflection thread is not one: the page shows the reflection answers under their question).
    ``cohort_id`` is the learner's cohort (the lesson page has it already: one query here)."""
    is_staff = authz.can_moderate_discussions(actor, course_id, staffing.teaching_course_ids(actor))
    viewer = Viewer(actor.id, is_staff, None if is_staff else cohort_id)
    threads, replies = db.session.execute(
        select(func.count(DiscussionThread.id), func.coalesce(func.sum(DiscussionThread.reply_count), 0))
        .where(DiscussionThread.course_id == course_id, DiscussionThread.place == Place.LESSON.value,
               DiscussionThread.item_key == lesson_key, DiscussionThread.kind != ThreadKind.REFLECTION.value,
               visible_threads(viewer))).one()
    return LessonDiscussion(int(threads), int(replies))
