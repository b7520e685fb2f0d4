"""Reflections shared with the cohort: a lesson's reflection question (docs/course-packages.md), answered under the
lesson. The answers live in the lesson's discussion thread of kind "reflection" in the learner's space (their
cohort's, or the course's own for learners outside cohorts), one thread per lesson and space, opened here on first
need; each answer is a reply post by its author, so the discussions' rules (sanitiser, length, rate limits, locks,
mutes, editing, removal, moderation) apply to it as to any post. What counts towards completion is
lms.services.reflection_contributions.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.exc import IntegrityError

from lms.core import clock
from lms.core import discussions as rules
from lms.core.discussion_markdown import render_post
from lms.core.discussions import Place, ThreadKind
from lms.extensions import db
from lms.models import CourseVersion, DiscussionPost, DiscussionThread, User, written_into_sql
from lms.services import catalog, completion, course_context, course_languages, discussion_posts, discussions
from lms.services.course_languages import CourseReading
from lms.services.errors import Invalid, NotAllowed, NotFound


def question_in(version: CourseVersion, lesson_key: str, reading: CourseReading | None) -> tuple[str, str]:
    """The lesson's question in the reading language where translated (else the source's), and that language."""
    source = catalog.reflection_question(version, lesson_key)
    text = reading.text("lesson", lesson_key) if reading is not None else None
    translated = (text.data or {}).get("reflection", "") if text is not None else ""
    if source and translated:
        return translated, reading.language if reading is not None else version.language
    return source, version.language


def answer_posts(post) -> list[ColumnElement[bool]]:
    """The answers to a reflection thread's question (``post``: DiscussionPost or an alias of it): its replies, not the
    comments on them nor the question itself, unless removed by their authors."""
    return [post.is_opening.is_(False), post.parent_id.is_(None), post.deleted_at.is_(None)]


def space_thread_where(in_cohort: bool) -> list[ColumnElement[bool]]:
    """The reflection thread of lesson_key in course_id's space: cohort_id's if ``in_cohort``, else outside cohorts."""
    return [DiscussionThread.course_id == bindparam("course_id"),
            DiscussionThread.kind == written_into_sql(ThreadKind.REFLECTION.value),
            DiscussionThread.cohort_id == bindparam("cohort_id") if in_cohort else DiscussionThread.cohort_id.is_(None),
            DiscussionThread.item_key == bindparam("lesson_key")]


_SPACE_THREAD = {in_cohort: select(DiscussionThread).where(*space_thread_where(in_cohort))
                 for in_cohort in (False, True)}


def answer(actor: User, slug: str, lesson_key: str, body: str) -> DiscussionPost:
    """The learner's answer to the lesson's question, as their reply in their space's reflection thread (opened now
    if it is the space's first answer); completion is evaluated again. One answer each: edit it to change it."""
    course, version, enrolment = course_context.study_context_to_edit(actor, slug)
    if enrolment is None:
        raise NotAllowed(_("Enrol in this course to share your reflection."))
    lesson = catalog.version_outline(version).lesson(lesson_key)  # NotFound for a lesson not in this version
    question = catalog.reflection_question(version, lesson_key)
    if not question:
        raise NotFound(_("This lesson asks no reflection question."))
    thread = space_thread(course.id, enrolment.cohort_id, lesson_key, lesson.title, question, version.language)
    visit = discussions.visit_thread(actor, thread.id)
    discussion_posts.require_can_write(visit)
    already = db.session.execute(select(DiscussionPost.id).where(
        DiscussionPost.thread_id == thread.id, DiscussionPost.author_id == actor.id,
        *answer_posts(DiscussionPost)).limit(1)).scalar()
    if already is not None:
        raise Invalid(_("You have already shared your reflection on this lesson; edit it instead."), field="body")
    post = discussion_posts.add_post(actor, thread, body, parent_id=None, is_opening=False,
                                     waits=discussion_posts.review_needed(visit.viewer, thread.cohort_id))
    completion.reevaluate(course, [actor.id])
    db.session.commit()
    return post


def _find_thread(course_id: int, cohort_id: int | None, lesson_key: str) -> DiscussionThread | None:
    return db.session.execute(_SPACE_THREAD[cohort_id is not None], {
        "course_id": course_id, "cohort_id": cohort_id, "lesson_key": lesson_key}).scalar()


def space_thread(course_id: int, cohort_id: int | None, lesson_key: str, title: str, question: str,
                 language: str) -> DiscussionThread:
    """The space's reflection thread for the lesson, opened if it is the first need: titled with the lesson, the
    question as its opening post, by nobody (so no learner's count of posts includes it). Two learners answering
    first at once: the unique index keeps one thread, and the second finds it. Flushes; the caller commits."""
    existing = _find_thread(course_id, cohort_id, lesson_key)
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with db.session.begin_nested():
            thread = DiscussionThread(course_id=course_id, cohort_id=cohort_id, place=Place.LESSON.value,
                                      item_key=lesson_key, kind=ThreadKind.REFLECTION.value,
                                      title=title[:rules.TITLE_MAX], author_id=None, created_at=now,
                                      last_activity_at=now)
            db.session.add(thread)
            db.session.flush()
            opening = DiscussionPost(thread_id=thread.id, is_opening=True, author_id=None, body=question,
                                     html=render_post(question), language=language, created_at=now)
            db.session.add(opening)
            db.session.flush()
            thread.last_post_id = opening.id
            db.session.flush()
    except IntegrityError:
        found = _find_thread(course_id, cohort_id, lesson_key)
        if found is None:
            raise
        return found
    return thread


@dataclass(frozen=True)
class QuestionPage:
    """The question on a page of its own: where an answer the service refused is shown again, with the reason."""

    slug: str
    lesson_key: str
    lesson_title: str
    question: str
    language: str


def question_page(actor: User, slug: str, lesson_key: str, interface_language: str | None) -> QuestionPage:
    course, version, enrolment = course_context.study_context(actor, slug)
    reading = course_languages.reading_for(version, enrolment, interface_language)
    lesson = course_languages.localised_outline(catalog.version_outline(version), reading).lesson(lesson_key)
    question, language = question_in(version, lesson_key, reading)
    if not question:
        raise NotFound(_("This lesson asks no reflection question."))
    return QuestionPage(course.slug, lesson_key, lesson.title, question, language)
