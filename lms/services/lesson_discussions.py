"""What a lesson page shows of the lesson's discussions: the link to them with their count. The reflection under the
lesson is lms.services.reflections.lesson_reflection.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select

from lms import authz
from lms.core.discussions import Place, ThreadKind, Viewer
from lms.extensions import db
from lms.models import DiscussionThread, User
from lms.services import discussions, staffing


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
    reader = "staff" if is_staff else "outside cohorts" if cohort_id is None else "cohort"
    threads, replies = db.session.execute(_LESSON_DISCUSSION[reader], {
        "course_id": course_id, "lesson_key": lesson_key, "cohort_id": cohort_id, "user_id": actor.id}).one()
    return LessonDiscussion(int(threads), int(replies))


def _lesson_discussion(viewer: Viewer) -> Select:
    return (select(func.count(DiscussionThread.id), func.coalesce(func.sum(DiscussionThread.reply_count), 0))
            .where(DiscussionThread.course_id == bindparam("course_id"), DiscussionThread.place == Place.LESSON.value,
                   DiscussionThread.item_key == bindparam("lesson_key"),
                   DiscussionThread.kind != ThreadKind.REFLECTION.value, discussions.visible_threads(viewer)))


# The lesson page's count, built once per kind of reader (building a statement costs more than running it, and this
# one runs on every lesson page): staff see every thread, a learner their cohort's (the cohort a parameter) and the
# course-wide announcements, a learner outside cohorts the threads outside cohorts; the reader (a parameter) also
# sees their own threads waiting for a moderator.
_READER = bindparam("user_id")
_LESSON_DISCUSSION = {
    "staff": _lesson_discussion(Viewer(_READER, True, None)),  # type: ignore[arg-type]
    "outside cohorts": _lesson_discussion(Viewer(_READER, False, None)),  # type: ignore[arg-type]
    "cohort": _lesson_discussion(Viewer(_READER, False, bindparam("cohort_id"))),  # type: ignore[arg-type]
}
