"""lms.services.reflections: a lesson's reflection question answered as a reply in the lesson's reflection thread of
the learner's space, one thread per lesson and space, the discussions' rules applied, and the completion rule
evaluated again whenever a learner's contributions change."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.discussions import Viewer, can_start_thread
from lms.extensions import db as _db
from lms.models import Certificate, DiscussionPost, DiscussionThread, Enrolment
from lms.models.user import Role
from lms.services import (
    attendance,
    catalog,
    course_context,
    discussion_moderation,
    discussion_posts,
    discussions,
    enrolments,
    learning,
    lesson_discussions,
    publishing,
    quizzes,
    reflections,
)
from lms.services.discussion_posts import Draft
from lms.services.errors import Invalid, NotAllowed, NotFound
from tests.cohort_factories import enrol_in_cohort, make_cohort, session_rows
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import copy_package, edit_file, make_instructor, make_user, set_version

LESSON = "welcome"  # the example course's lesson that asks a reflection question (one is required)
QUESTION = "Which feature of this course would help the officials of your city most, and why?"


@pytest.fixture
def course(db, tmp_path):
    """The example course with two running cohorts (two live sessions each), its instructor and an admin."""
    publishing.import_package(None, copy_package(tmp_path / "published"), publish=True)
    first = make_cohort(SLUG, mode="open", key="first", name="First cohort")
    second = make_cohort(SLUG, mode="open", key="second", name="Second cohort", sessions=0)
    return {"first": first, "second": second, "staff": make_instructor(SLUG), "admin": make_user(Role.ADMIN)}


def member(cohort, **profile):
    person = make_user(**profile)
    enrol_in_cohort(person, cohort)
    return person


def panel(person, page: int = 1):
    _course, version, enrolment = course_context.study_context(person, SLUG)
    return lesson_discussions.lesson_page_discussions(
        person, version, LESSON, enrolled=enrolment is not None, cohort_id=enrolment.cohort_id if enrolment else None,
        reading=None, answers_page=page).reflection


def reflection_threads() -> list[DiscussionThread]:
    return list(_db.session.execute(select(DiscussionThread).where(DiscussionThread.kind == "reflection")
                                    .order_by(DiscussionThread.id)).scalars())


def test_the_first_answer_opens_the_spaces_thread_and_the_next_ones_reply_in_it(course):
    ana, ben, chloe = member(course["first"]), member(course["first"]), member(course["second"])
    ana_post = reflections.answer(ana, SLUG, LESSON, "Maps of *care*.")
    ben_post = reflections.answer(ben, SLUG, LESSON, "The quizzes.")
    chloe_post = reflections.answer(chloe, SLUG, LESSON, "The live sessions.")
    first, second = reflection_threads()
    assert (first.cohort_id, second.cohort_id) == (course["first"].id, course["second"].id)
    assert first.place == "lesson" and first.item_key == LESSON and first.author_id is None
    assert ana_post.thread_id == ben_post.thread_id == first.id and chloe_post.thread_id == second.id
    opening = _db.session.execute(select(DiscussionPost).where(DiscussionPost.thread_id == first.id,
                                                               DiscussionPost.is_opening)).scalar_one()
    assert opening.author_id is None and opening.body == QUESTION  # counted as nobody's post
    assert first.reply_count == 2 and ana_post.author_id == ana.id and "<em>care</em>" in ana_post.html


def test_learners_outside_cohorts_share_the_courses_own_thread_and_it_is_unique(db, tmp_path):
    publishing.import_package(None, copy_package(tmp_path / "published"), publish=True)
    ana, ben = make_user(), make_user()
    for person in (ana, ben):
        enrolments.enrol(person, SLUG)
    reflections.answer(ana, SLUG, LESSON, "One")
    reflections.answer(ben, SLUG, LESSON, "Two")
    [thread] = reflection_threads()
    assert thread.cohort_id is None and thread.reply_count == 2
    _db.session.add(DiscussionThread(course_id=thread.course_id, cohort_id=None, place="lesson", item_key=LESSON,
                                     kind="reflection", title="A second one"))
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()


def test_the_lesson_shows_the_question_then_the_learners_answer_and_the_spaces_answers_newest_first(course):
    ana, ben, carl = (member(course["first"]) for _ in range(3))
    chloe = member(course["second"])
    before = panel(ana)
    assert before.question == QUESTION and before.can_answer and before.own is None and before.answers is None
    reflections.answer(ben, SLUG, LESSON, "Ben's")
    reflections.answer(chloe, SLUG, LESSON, "Chloe's, another cohort")
    assert panel(ana).answers is None  # nobody's answers before one's own
    reflections.answer(ana, SLUG, LESSON, "Ana's")
    reflections.answer(carl, SLUG, LESSON, "Carl's")
    after = panel(ana)
    assert after.own.post.body == "Ana's" and not after.can_answer and after.own.can_edit and after.own.can_remove
    assert [view.post.body for view in after.answers.items] == ["Carl's", "Ben's"]
    assert after.thread_id is not None


def test_an_answer_the_reader_reported_is_not_offered_for_report_again_until_the_staff_resolve_it(course):
    ana, ben, carl = (member(course["first"]) for _ in range(3))
    for person in (ana, ben, carl):
        reflections.answer(person, SLUG, LESSON, f"{person.display_name}'s")
    carls, bens = panel(ana).answers.items
    discussion_moderation.report_post(ana, bens.post.id, "Rude")
    carls, bens = panel(ana).answers.items
    assert bens.reported and not bens.can_report and carls.can_report and not carls.reported
    assert panel(carl).answers.items[1].can_report  # another reader's report is theirs
    discussion_moderation.dismiss_reports(course["staff"], bens.post.id)
    carls, bens = panel(ana).answers.items
    assert bens.can_report and not bens.reported


def test_answers_are_paginated(course, monkeypatch):
    monkeypatch.setattr(lesson_discussions, "ANSWERS_PER_PAGE", 2)
    people = [member(course["first"]) for _ in range(4)]
    for number, person in enumerate(people):
        reflections.answer(person, SLUG, LESSON, f"Answer {number}")
    first_page, second_page = panel(people[0], 1).answers, panel(people[0], 2).answers
    assert first_page.total == 3 and first_page.pages == 2
    assert [v.post.body for v in first_page.items] + [v.post.body for v in second_page.items] == \
        ["Answer 3", "Answer 2", "Answer 1"]


def test_one_answer_each_until_it_is_removed(course):
    ana = member(course["first"])
    post = reflections.answer(ana, SLUG, LESSON, "First thoughts")
    with pytest.raises(Invalid):
        reflections.answer(ana, SLUG, LESSON, "Second thoughts")
    discussion_posts.remove_post(ana, post.id)
    assert panel(ana).own is None and panel(ana).can_answer
    assert reflections.answer(ana, SLUG, LESSON, "Second thoughts").body == "Second thoughts"


def test_an_empty_or_too_long_answer_is_refused_and_nothing_is_written(course):
    ana = member(course["first"])
    with pytest.raises(Invalid):
        reflections.answer(ana, SLUG, LESSON, "   ")
    with pytest.raises(Invalid):
        reflections.answer(ana, SLUG, LESSON, "x" * 10_001)
    _db.session.rollback()
    assert _db.session.execute(select(DiscussionPost).where(DiscussionPost.author_id == ana.id)).first() is None


def test_a_lesson_without_a_question_and_a_person_outside_the_course_are_refused(course):
    ana = member(course["first"])
    with pytest.raises(NotFound):
        reflections.answer(ana, SLUG, "going-further", "Nothing asked")
    with pytest.raises(NotFound):
        reflections.answer(ana, SLUG, "no-such-lesson", "Nothing asked")
    with pytest.raises(NotAllowed):
        reflections.answer(make_user(), SLUG, LESSON, "Not enrolled")


def test_a_muted_learner_and_a_locked_thread_take_no_answer(course):
    ana, ben, carl = (member(course["first"]) for _ in range(3))
    first = reflections.answer(ana, SLUG, LESSON, "Open")
    discussion_moderation.mute(course["staff"], SLUG, ben.id, 3, "Spam")
    assert panel(ben).muted and not panel(ben).can_answer
    with pytest.raises(NotAllowed):
        reflections.answer(ben, SLUG, LESSON, "Still here")
    discussion_posts.set_locked(course["staff"], first.thread_id, True)
    assert panel(carl).locked and not panel(carl).can_answer
    with pytest.raises(NotAllowed):
        reflections.answer(carl, SLUG, LESSON, "Too late")


def test_a_learner_of_another_cohort_does_not_find_the_reflection_thread(course):
    ana, chloe = member(course["first"]), member(course["second"])
    post = reflections.answer(ana, SLUG, LESSON, "Mine")
    with pytest.raises(NotFound):
        discussions.thread_page(chloe, post.thread_id)
    with pytest.raises(NotFound):
        discussion_posts.reply(chloe, post.thread_id, "Let me in")
    assert discussions.thread_page(course["staff"], post.thread_id).thread.kind == "reflection"


def test_nobody_starts_a_reflection_thread_by_hand(course):
    ana = member(course["first"])
    assert not can_start_thread(Viewer(ana.id, True), "reflection")
    with pytest.raises(NotAllowed):
        discussion_posts.start_thread(ana, SLUG, Draft(title="Mine", body="Mine", kind="reflection",
                                                       place="lesson", item_key=LESSON))


# Completion: the example course requires one reflection.


def study_and_attend(person, course) -> None:
    for key in ("welcome", "going-further", "updated-rules"):
        learning.complete_lesson(person, SLUG, key)
    page = quizzes.quiz_page(person, SLUG, "basics-quiz")
    assert quizzes.submit_attempt(person, SLUG, "basics-quiz", page.attempt.id, RIGHT).passed
    attendance.mark_attendance(course["admin"], session_rows(course["first"])[0].id, {person.id})


def certificates_of(person) -> list[Certificate]:
    return list(_db.session.execute(select(Certificate).where(Certificate.user_id == person.id,
                                                              Certificate.revoked_at.is_(None))).scalars())


def state(person):
    course_row = catalog.get_course(SLUG)
    return learning.learner_state(person, course_row.id, catalog.version_outline(catalog.published_version(SLUG)[1]))


def test_answering_the_missing_reflection_completes_the_course_and_issues_the_certificate(course):
    ana = member(course["first"])
    study_and_attend(ana, course)
    progress = state(ana).progress
    assert not progress.complete and progress.next_reflection == LESSON and certificates_of(ana) == []
    assert learning.next_steps(ana, {catalog.get_course(SLUG).id: (enrolments.active_enrolment(
        ana, catalog.get_course(SLUG).id), progress)})[catalog.get_course(SLUG).id].kind == "reflection"
    reflections.answer(ana, SLUG, LESSON, "The reports")
    assert state(ana).progress.complete and len(certificates_of(ana)) == 1


def test_removing_or_hiding_an_answer_reevaluates_but_never_takes_a_certificate_back(course):
    ana, ben = member(course["first"]), member(course["first"])
    ben_post = reflections.answer(ben, SLUG, LESSON, "Before the rest")
    discussion_moderation.hide_post(course["staff"], ben_post.id, "Off topic")
    study_and_attend(ben, course)
    enrolment = enrolments.active_enrolment(ben, catalog.get_course(SLUG).id)
    assert enrolment.completed_at is None and enrolment.progress_percent < 100  # hidden: not counted
    discussion_moderation.restore_post(course["staff"], ben_post.id)
    assert enrolment.completed_at is not None and len(certificates_of(ben)) == 1  # restoring re-evaluated
    study_and_attend(ana, course)
    ana_post = reflections.answer(ana, SLUG, LESSON, "Done")
    assert len(certificates_of(ana)) == 1
    discussion_posts.remove_post(ana, ana_post.id)
    assert not state(ana).progress.complete  # the rule no longer holds…
    assert len(certificates_of(ana)) == 1  # …but a certificate states what was true when it was issued
    assert enrolments.active_enrolment(ana, catalog.get_course(SLUG).id).completed_at is not None


def test_a_reply_in_the_reflection_thread_counts_as_contributing(course):
    ana, ben = member(course["first"]), member(course["first"])
    post = reflections.answer(ana, SLUG, LESSON, "Mine")
    discussion_posts.reply(ben, post.thread_id, "I agree with Ana")
    assert state(ben).progress.reflections_done == 1


def test_a_new_version_without_the_requirement_completes_and_one_asking_again_keeps_the_answer(course, tmp_path):
    ana, ben = member(course["first"]), member(course["first"])
    reflections.answer(ben, SLUG, LESSON, "Kept across versions")
    study_and_attend(ana, course)
    package = copy_package(tmp_path / "v2")
    set_version(package, "1.1.0")
    edit_file(package / "course.yaml", "  min_reflections: 1", "  min_reflections: 0")
    publishing.import_package(None, package, publish=True)
    assert len(certificates_of(ana)) == 1  # carried over: nothing is missing any more
    assert (state(ben).progress.reflections_done, state(ben).progress.reflections_required) == (1, 0)
    package = copy_package(tmp_path / "v3")
    set_version(package, "1.2.0")
    publishing.import_package(None, package, publish=True)
    assert state(ben).progress.reflections_done == 1 and state(ben).progress.reflections_required == 1


def test_a_version_that_drops_the_question_stops_counting_the_answer(course, tmp_path):
    ben = member(course["first"])
    reflections.answer(ben, SLUG, LESSON, "Answered in 1.0.0")
    package = copy_package(tmp_path / "v2")
    set_version(package, "1.1.0")
    edit_file(package / "course.yaml", "  min_reflections: 1", "  min_reflections: 0")
    text = (package / "basics" / "01-welcome.md").read_text(encoding="utf-8")
    (package / "basics" / "01-welcome.md").write_text(
        text.replace("reflection: >-\n  Which feature of this course would help the officials of your city most, "
                     "and why?\n", ""), encoding="utf-8")
    (package / "basics" / "01-welcome.es.md").write_text(
        "\n".join(line for line in (package / "basics" / "01-welcome.es.md").read_text(encoding="utf-8").split("\n")
                  if not line.startswith(("reflection:", "  ¿Qué función"))), encoding="utf-8")
    publishing.import_package(None, package, publish=True)
    assert state(ben).progress.reflections_done == 0
    assert reflections.question_in(catalog.published_version(SLUG)[1], LESSON, None)[0] == ""


def test_an_answer_is_activity_and_not_a_discussion_of_the_lesson(course):
    """The lesson page's "Discuss this lesson (1 discussion, 2 replies)" counts the lesson's discussions, not its
    reflection thread (the answers show under the question); answering sets the learner's last activity."""
    ana = member(course["first"])
    post = reflections.answer(ana, SLUG, LESSON, "Maps of care.")
    thread = _db.session.get(DiscussionThread, post.thread_id)
    assert lesson_discussions.lesson_discussion(ana, thread.course_id, course["first"].id, LESSON) == \
        lesson_discussions.LessonDiscussion(threads=0, replies=0)
    enrolment = _db.session.execute(select(Enrolment).where(Enrolment.user_id == ana.id)).scalar_one()
    assert enrolment.last_activity_at == post.created_at
