"""lms.services.learning: enrolment, the lesson visit and the transaction rule (a called function never commits)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.models import Cohort, Course, CourseVersion, Enrolment, LessonProgress, User
from lms.services import accounts, catalog, enrolments, learning
from tests.factories import make_course

SLUG = "synthetic"


@pytest.fixture
def course(db, tmp_path):
    make_course(tmp_path, lessons=3, slug=SLUG)
    return catalog.get_course(SLUG)


def _enrolments(db, user) -> list[tuple[str, int]]:
    return list(db.session.execute(select(Enrolment.status, Enrolment.course_id).where(Enrolment.user_id == user.id)))


def test_enrol_user_leaves_the_commit_to_its_caller(db, make_user, course):
    learner = make_user()
    enrolments.enrol_user(learner, course)
    db.session.rollback()  # what the caller's failure after it (a refused decision, say) does
    assert _enrolments(db, learner) == []


def test_enrol_commits_the_enrolment(db, make_user, course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    db.session.rollback()
    assert _enrolments(db, learner) == [("active", course.id)]


def test_withdraw_enrolment_leaves_the_commit_to_its_caller(db, make_user, course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    enrolments.withdraw_enrolment(learner, course)
    db.session.rollback()
    assert _enrolments(db, learner) == [("active", course.id)]


def test_unenrol_commits_the_withdrawal(db, make_user, course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    enrolments.unenrol(learner, SLUG)
    db.session.rollback()
    assert _enrolments(db, learner) == [("withdrawn", course.id)]


def test_the_lesson_page_records_the_visit_once_with_its_own_commit(db, make_user, course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    lesson = catalog.version_outline(catalog.published_version(SLUG)[1]).lessons[1].key
    page = learning.lesson_page(learner, SLUG, lesson)
    db.session.rollback()
    assert page.lesson.key == lesson
    assert db.session.execute(select(LessonProgress.lesson_key).where(LessonProgress.user_id == learner.id)
                              ).scalars().all() == [lesson]
    assert enrolments.active_enrolment(learner, course.id).last_lesson_key == lesson


def test_the_pages_of_a_course_read_plain_values_and_load_no_entities(db, make_user, course):
    # An ORM entity costs about twice the Python of its columns: these pages only read, so they load none.
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    lesson = catalog.version_outline(catalog.published_version(SLUG)[1]).lessons[1].key
    signed_in = accounts.user_of_login(learner.id, accounts.start_login(learner))
    db.session.expunge_all()
    learning.course_page(signed_in, SLUG)
    learning.lesson_page(signed_in, SLUG, lesson)
    entries = learning.dashboard(signed_in).entries
    assert [entry.enrolment.last_lesson_key for entry in entries] == [lesson]
    loaded = {type(entity) for entity in db.session.identity_map.values()}
    assert not loaded & {Course, CourseVersion, Enrolment, Cohort, User}, loaded


def test_what_a_learner_contributed_is_looked_up_among_their_own_posts(db, make_user, course, query_plan):
    """learner_states (every lesson page and dashboard) asks for the learner's published reflection posts: the
    database must search that person's posts, not every published post of every course (SQLite chose the review
    state's index over the author's and read them all: 2 ms a page with 20,000 posts, 0.13 ms now)."""
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    outline = catalog.version_outline(catalog.published_version(SLUG)[1])
    plan = query_plan(lambda: learning.learner_state(learner, course.id, outline))
    assert any("ix_discussion_posts_author_review" in step for step in plan), "\n".join(plan)


def test_one_courses_progress_statement_reads_what_the_statement_for_several_reads(db, make_user, course):
    """Pages inside a course read the learner's progress with a statement that compares the course with a value (a
    list is written into the SQL at each execution); it must find what the dashboard's statement for several
    courses finds."""
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    outline = catalog.version_outline(catalog.published_version(SLUG)[1])
    for lesson in outline.lessons[:2]:
        learning.complete_lesson(learner, SLUG, lesson.key)
    connection = db.session.connection()
    for_several = connection.execute(learning._LEARNER_ROWS, {
        "user_id": learner.id, "course_ids": [course.id], "version_ids": [outline.version.id]}).all()
    for_one = connection.execute(learning._ONE_COURSE_ROWS, {
        "user_id": learner.id, "course_id": course.id, "version_id": outline.version.id}).all()
    assert sorted(for_one) == sorted(for_several)
    assert sorted(key for kind, _course, key in for_one if kind == "lesson") == sorted(
        lesson.key for lesson in outline.lessons[:2])
    assert learning.learner_state(learner, course.id, outline).completed_lessons == frozenset(
        lesson.key for lesson in outline.lessons[:2])
