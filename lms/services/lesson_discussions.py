"""What a lesson page shows of the lesson's discussions: the link to them with their count, and the lesson's
reflection question with the answers of the reader's space (lms.services.reflections writes them).

Both are read together, in one statement built once per kind of reader and space: building a statement costs more
than running it, and this runs on every lesson page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.orm import aliased

from lms import authz
from lms.core import clock
from lms.core.discussions import Place, ThreadKind, Viewer
from lms.extensions import db
from lms.models import (
    CourseVersion,
    DiscussionPost,
    DiscussionThread,
    SignedInUser,
    User,
    constants_in_sql,
    written_into_sql,
)
from lms.models.plain import PostRow, plain_fields, plain_values
from lms.services import discussions, reflections, staffing
from lms.services.course_languages import CourseReading
from lms.services.discussions import PostView
from lms.services.paging import Page, page_within
from lms.services.reflections import answer_posts

ANSWERS_PER_PAGE = 10


@dataclass(frozen=True)
class LessonDiscussion:
    """What the lesson page's link counts: the lesson's discussions and the replies in them, each said with its noun
    (a bare number read as the number of discussions when it counted every post)."""

    threads: int
    replies: int


@dataclass(frozen=True)
class LessonReflection:
    """What the lesson page shows under the lesson's text."""

    question: str
    language: str  # the question's language, for `lang`
    thread_id: int | None  # None until someone of the reader's space answers
    own: PostView | None = None  # the reader's answer
    answers: Page[PostView] | None = None  # the space's other answers, newest first (once the reader answered)
    can_answer: bool = False  # an enrolled learner who has not answered, in an open thread, not muted
    locked: bool = False
    muted: bool = False
    member: bool = False  # an enrolled learner (staff looking around only read the question)


@dataclass(frozen=True)
class LessonPageDiscussions:
    link: LessonDiscussion
    reflection: LessonReflection | None  # None when the lesson asks no reflection question


def lesson_page_discussions(actor: User, version: CourseVersion, lesson_key: str, *, enrolled: bool,
                            cohort_id: int | None, reading: CourseReading | None,
                            answers_page: int = 1) -> LessonPageDiscussions:
    """The link's count and the reflection as ``actor`` sees them (``cohort_id``: the learner's cohort, which the
    lesson page has already). One query; a second for a page of the others' answers once the reader answered and
    someone else did too."""
    course_id = version.course_id
    question, language = reflections.question_in(version, lesson_key, reading)
    if not question or not enrolled:
        reflection = LessonReflection(question, language, None) if question else None
        return LessonPageDiscussions(lesson_discussion(actor, course_id, cohort_id, lesson_key), reflection)
    now = clock.now()
    # Plain rows, on the session's connection: the ORM's execution of this statement cost as much Python again.
    row = db.session.connection().execute(
        _WITH_REFLECTION[_reader(actor, course_id, cohort_id), cohort_id is not None], {
            "course_id": course_id, "lesson_key": lesson_key, "cohort_id": cohort_id, "user_id": actor.id,
            "now": now}).one()
    threads, replies, thread_id, locked, mute_ends, others, *own_columns = row
    (own_post,) = plain_values(own_columns, PostRow)
    link, muted = LessonDiscussion(int(threads), int(replies)), mute_ends is not None
    if thread_id is None:
        return LessonPageDiscussions(link, LessonReflection(question, language, None, can_answer=not muted,
                                                            muted=muted, member=True))
    viewer = Viewer(actor.id, False, cohort_id)
    edit_minutes = current_app.config["DISCUSSION_EDIT_MINUTES"]

    def view(post: DiscussionPost | PostRow, author: User | SignedInUser | None, reported: bool) -> PostView:
        return discussions.post_view(post, author, viewer, now=now, edit_minutes=edit_minutes, reported=reported)

    # The reader's own answer, whose author is the reader; nobody reports their own.
    own = view(own_post, actor, False) if own_post is not None else None
    answers = None
    if own is not None:
        page = page_within(answers_page, others, ANSWERS_PER_PAGE)
        rows = db.session.execute(_OTHERS_ANSWERS_PAGE, {
            "thread_id": thread_id, "user_id": actor.id, "limit": ANSWERS_PER_PAGE,
            "offset": (page - 1) * ANSWERS_PER_PAGE}) if others else ()
        answers = Page([view(post, author, reported) for post, author, reported in rows], others, page,
                       ANSWERS_PER_PAGE)
    return LessonPageDiscussions(link, LessonReflection(
        question, language, thread_id, own, answers, can_answer=own is None and not locked and not muted,
        locked=locked, muted=muted, member=True))


def lesson_discussion(actor: User, course_id: int, cohort_id: int | None, lesson_key: str) -> LessonDiscussion:
    """The lesson's threads that ``actor`` sees and their replies, for "Discuss this lesson (1 discussion, 2 replies)"
    (its reflection thread is not one: the page shows the reflection answers under their question).
    ``cohort_id`` is the learner's cohort (the lesson page has it already: one query here)."""
    # Two counts: on the session's connection, without the ORM's execution (half this query's Python).
    threads, replies = db.session.connection().execute(_LESSON_DISCUSSION[_reader(actor, course_id, cohort_id)], {
        "course_id": course_id, "lesson_key": lesson_key, "cohort_id": cohort_id, "user_id": actor.id}).one()
    return LessonDiscussion(int(threads), int(replies))


def _reader(actor: User, course_id: int, cohort_id: int | None) -> str:
    if authz.can_moderate_discussions(actor, course_id, staffing.teaching_course_ids(actor)):
        return "staff"
    return "outside cohorts" if cohort_id is None else "cohort"


def _lesson_discussion(viewer: Viewer) -> Select:
    return (select(func.count(DiscussionThread.id).label("threads"),
                   func.coalesce(func.sum(DiscussionThread.reply_count), 0).label("replies"))
            .where(DiscussionThread.course_id == bindparam("course_id"), DiscussionThread.place == Place.LESSON.value,
                   DiscussionThread.item_key == bindparam("lesson_key"),
                   DiscussionThread.kind != written_into_sql(ThreadKind.REFLECTION.value),
                   discussions.visible_threads(viewer)))


def _others_answers(thread_id) -> list[ColumnElement[bool]]:
    """The answers the reader (user_id) reads under their own: the others' that count as replies (not hidden, not
    waiting for a moderator: discussions.counted_posts)."""
    return [DiscussionPost.thread_id == thread_id, *answer_posts(DiscussionPost),
            DiscussionPost.author_id.is_distinct_from(bindparam("user_id")), discussions.counted_posts()]


def _with_reflection(link: Select, in_cohort: bool) -> Select:
    """One row: the link's count, then, thread or not, the space's reflection thread (id, locked), when the reader's
    mute in the space ends, how many of the others' answers they read, and the columns of their own answer (a
    PostRow; the first, should two have slipped in at once)."""
    counts, own = link.subquery(), aliased(DiscussionPost)
    others = (select(func.count(DiscussionPost.id)).where(*_others_answers(DiscussionThread.id))
              .correlate(DiscussionThread).scalar_subquery())
    return (select(counts.c.threads, counts.c.replies, DiscussionThread.id, DiscussionThread.locked,
                   discussions.mute_ends_in_space(in_cohort), others,
                   *(getattr(own, name) for name in plain_fields(PostRow)))
            .select_from(counts)
            .outerjoin(DiscussionThread, and_(*reflections.space_thread_where(in_cohort)))
            .outerjoin(own, and_(own.thread_id == DiscussionThread.id, own.author_id == bindparam("user_id"),
                                 *answer_posts(own)))
            .order_by(own.id).limit(1))


# Built once per kind of reader: staff see every thread, a learner their cohort's (the cohort a parameter) and the
# course-wide announcements, a learner outside cohorts the threads outside cohorts; the reader (a parameter) also
# sees their own threads waiting for a moderator. With the reflection, per space too (staff enrolled as learners
# have one).
_READER = bindparam("user_id")
_LESSON_DISCUSSION = {
    "staff": constants_in_sql(_lesson_discussion(Viewer(_READER, True, None))),  # type: ignore[arg-type]
    "outside cohorts": constants_in_sql(_lesson_discussion(Viewer(_READER, False, None))),  # type: ignore[arg-type]
    "cohort": constants_in_sql(
        _lesson_discussion(Viewer(_READER, False, bindparam("cohort_id")))),  # type: ignore[arg-type]
}
_WITH_REFLECTION = {(reader, in_cohort): constants_in_sql(_with_reflection(link, in_cohort))
                    for reader, link in _LESSON_DISCUSSION.items() for in_cohort in (False, True)}
# A page of the others' answers, with their authors and whether the reader's report of each is open.
_OTHERS_ANSWERS_PAGE = constants_in_sql(
    select(DiscussionPost, User, discussions.reported_by_reader()).outerjoin(User, User.id == DiscussionPost.author_id)
    .where(*_others_answers(bindparam("thread_id"))).order_by(DiscussionPost.id.desc())
    .limit(bindparam("limit")).offset(bindparam("offset"))
)
