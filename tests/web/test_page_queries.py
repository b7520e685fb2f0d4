"""The query count of every page a learner opens more than once per session, pinned (issue 18).

bench/bench_pages.py prints the same pages' CPU cost beside their counts; a count that grows is a page that got
dearer on every view, so a change to one of these numbers must be deliberate (update it here, say why in the commit).
The learner has done a bit of everything (lessons, a submitted quiz, an attended live session, a certificate), so
that every part of each page runs.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.models import Role
from lms.services import (
    attendance,
    catalog,
    certificates,
    course_versions,
    discussion_posts,
    learning,
    quizzes,
    reflections,
)
from lms.services.errors import Invalid
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort, make_cohort, session_rows
from tests.factories import EXAMPLE_RIGHT_ANSWERS, EXAMPLE_SLUG, make_course, make_user

QUIZ = "basics-quiz"

# page name → (path, queries); {lesson} and {attempt} are filled in below.
BUDGET = {
    "home": ("/", 1),
    # The enrolments with their courses, versions and cohorts; what the learner did; certificates; applications.
    # Upcoming live sessions and the certificates of the next step are read only for the courses whose next step
    # needs them (one query more, for a learner with only live sessions left: see the test below).
    "dashboard": ("/learning", 5),
    # The course, its version, the enrolment and its cohort; what the learner did; pending applications.
    "course page": (f"/courses/{EXAMPLE_SLUG}/", 4),
    "lesson": (f"/courses/{EXAMPLE_SLUG}/lessons/{{lesson}}", 4),
    # A lesson that asks a reflection question the learner has answered (issue 17): its space's thread, whether
    # the reader is muted, their answer and the number of the others' answers come with the link's count in one
    # query; a page of those answers is one more.
    "lesson with a reflection": (f"/courses/{EXAMPLE_SLUG}/lessons/{{reflection_lesson}}", 5),
    # The cohort's window no longer reads the cohort again (the study context keeps it: Enrolment.cohort).
    "quiz": (f"/courses/{EXAMPLE_SLUG}/quizzes/{QUIZ}", 3),
    # The attempt with the version it was taken on, the course, its current version, the enrolment and its cohort in
    # one query; the learner's attempts at the quiz.
    "quiz result": (f"/courses/{EXAMPLE_SLUG}/attempts/{{attempt}}", 3),
    "live sessions": ("/programmes/sessions", 3),
    # One query more than issue 18 pinned: every certificate's version at once (IN), for the course titles in the
    # reader's language (issue 15).
    "certificates": ("/certificates", 3),
    "discussions": (f"/courses/{EXAMPLE_SLUG}/discussions/", 5),
    # The thread with its reader's read position, mute and following and its number of replies in one query; the
    # page's posts (opening, answer, replies, their comments) in one more.
    "thread": ("/discussions/{thread}", 3),
    # The reader, the course with their enrolment, the count of matches, the page's post ids, then those posts with
    # their thread, author, highlight and page in the thread (issue 17, search).
    "discussion search": (f"/courses/{EXAMPLE_SLUG}/discussions/search?q=reply", 5),
}


@pytest.fixture
def busy_learner(db, tmp_path, login_as):
    """A logged-in learner of an open cohort with lessons done, a quiz passed, a session attended, a certificate, a
    discussion thread with replies."""
    cohort = example_with_open_cohort(tmp_path)
    learner = login_as("learner")
    enrol_in_cohort(learner, cohort)
    admin = make_user(role=Role.ADMIN)
    attendance.mark_attendance(admin, session_rows(cohort)[0].id, {learner.id})
    course, version = catalog.published_version(EXAMPLE_SLUG)
    lessons = course_versions.version_package(version).lessons
    for lesson in lessons[:2]:
        learning.complete_lesson(learner, EXAMPLE_SLUG, lesson.id)
    attempt = quizzes.quiz_page(learner, EXAMPLE_SLUG, QUIZ).attempt
    quizzes.submit_attempt(learner, EXAMPLE_SLUG, QUIZ, attempt.id, EXAMPLE_RIGHT_ANSWERS)
    if certificates.certificates_by_course(learner).get(course.id) is None:
        certificates.issue_by_admin(admin, learner.id, EXAMPLE_SLUG, "Query budget test")
    thread = discussion_posts.start_thread(learner, EXAMPLE_SLUG, discussion_posts.Draft(
        title="Where do I start?", body="Which lesson first?"))
    for number in range(3):
        discussion_posts.reply(learner, thread.id, f"Reply {number + 1}")
    reflection_lesson = next(lesson.id for lesson in lessons if lesson.reflection)
    for person in (learner, make_user(), make_user()):
        if person is not learner:
            enrol_in_cohort(person, cohort)
        reflections.answer(person, EXAMPLE_SLUG, reflection_lesson, "What my city would use first")
    return {"lesson": lessons[2].id, "attempt": attempt.id, "thread": thread.id,
            "reflection_lesson": reflection_lesson, "learner": learner, "cohort": cohort}


@pytest.mark.parametrize("page", list(BUDGET))
def test_each_learner_page_runs_its_pinned_number_of_queries(client, count_queries, busy_learner, page):
    path, budget = BUDGET[page]
    url = path.format(**busy_learner)
    assert client.get(url).status_code == 200  # the first view may fill per-process caches
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == budget, "\n".join(queries)


def _viewed_again(client, url: str) -> tuple[str, list[str]]:
    """The page viewed a second time (the first records the visit: ORM statements, the writes), and the statements
    that view ran through the ORM."""
    assert client.get(url).status_code == 200
    through_the_orm = []

    def note(orm_execute_state):
        through_the_orm.append(str(orm_execute_state.statement)[:200])

    event.listen(Session, "do_orm_execute", note)
    try:
        response = client.get(url)
    finally:
        event.remove(Session, "do_orm_execute", note)
    assert response.status_code == 200
    return response.get_data(as_text=True), through_the_orm


def test_a_lesson_read_again_runs_no_statement_through_the_orm(client, busy_learner):
    """The signed-in person, the course context, what the learner did and the lesson's discussion link are plain
    rows read on the session's connection: the ORM's execution costs as much Python again as a statement's run."""
    _html, through_the_orm = _viewed_again(client, BUDGET["lesson"][0].format(**busy_learner))
    assert through_the_orm == []


def test_a_reflection_lesson_reads_the_readers_own_answer_as_plain_columns(client, busy_learner):
    """The reflection's statement (its thread, the reader's mute and own answer, the others' count) is read on the
    session's connection too, the answer as a PostRow written by the reader; only the page of the others' answers,
    with their authors, goes through the ORM."""
    html, through_the_orm = _viewed_again(client, BUDGET["lesson with a reflection"][0].format(**busy_learner))
    assert len(through_the_orm) == 1 and "discussion_posts" in through_the_orm[0], through_the_orm
    own = html.split('class="post post-own"', 1)[1].split("</article>", 1)[0]
    assert "What my city would use first" in own


@pytest.mark.parametrize("page", ["course page", "lesson", "quiz", "quiz result"])
def test_learner_pages_build_no_form_object_for_their_one_hidden_field(client, busy_learner, monkeypatch, page):
    """Their buttons (enrol, complete, try again) carry only the CSRF token: a WTForms form built on every view cost
    about 4 % of the lesson page. The token is still there, as WTForms writes it."""
    from flask_wtf import FlaskForm

    built = []
    original = FlaskForm.__init__

    def counting_init(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FlaskForm, "__init__", counting_init)
    html = client.get(BUDGET[page][0].format(**busy_learner)).get_data(as_text=True)
    assert built == []
    if page in ("lesson", "quiz"):  # "mark as complete", "submit" (the course page and a passed result offer none)
        assert re.search(r'<input id="csrf_token" name="csrf_token" type="hidden" value="[^"]+">', html)


def test_a_thread_with_something_new_costs_one_write_more_and_reads_nothing_again(client, count_queries,
                                                                                  busy_learner, make_user):
    """The first view after a new post moves the reader's read position and commits: what the page loaded before
    that commit is shown as loaded, not read again (the course, its version and the thread cost two queries more)."""
    url = BUDGET["thread"][0].format(**busy_learner)
    client.get(url)
    discussion_posts.reply(make_user(role=Role.ADMIN), busy_learner["thread"], "Something new")
    with count_queries() as queries:
        html = client.get(url).get_data(as_text=True)
    assert "Something new" in html
    assert len(queries) == BUDGET["thread"][1] + 1, "\n".join(queries)
    assert sum(query.lstrip().upper().startswith("UPDATE") for query in queries) == 1


def test_a_reflection_not_yet_answered_costs_no_more_than_a_plain_lesson(client, count_queries, busy_learner,
                                                                         login_as):
    """The space's thread (others answered), the reader's mute and their (missing) answer come with the lesson's
    link count: no query more than a lesson without a question (it was three more)."""
    client.post("/logout")
    enrol_in_cohort(login_as("learner"), busy_learner["cohort"])
    url = BUDGET["lesson with a reflection"][0].format(**busy_learner)
    client.get(url)
    with count_queries() as queries:
        html = client.get(url).get_data(as_text=True)
    assert 'name="body"' in html  # the answer form: the reader may answer
    assert len(queries) == BUDGET["lesson"][1], "\n".join(queries)


def _reads(queries: list[str]) -> int:
    return sum(query.lstrip().upper().startswith("SELECT") for query in queries)


def test_the_dashboard_costs_the_same_with_more_courses_and_cohorts(client, count_queries, busy_learner, tmp_path):
    """Each cohort's window used to read its cohort again, one query per course (the preload's rows were let go)."""
    with count_queries() as queries:
        assert client.get("/learning").status_code == 200
    one_course = len(queries)
    learner = busy_learner["learner"]
    for number in range(2):
        slug = f"more-{number}"
        make_course(tmp_path / slug, lessons=4, slug=slug)
        enrol_in_cohort(learner, make_cohort(slug, mode="open", key=f"more-{number}", sessions=1))
    with count_queries() as queries:
        html = client.get("/learning").get_data(as_text=True)
    assert html.count('class="card"') >= 3
    assert len(queries) == one_course == BUDGET["dashboard"][1], "\n".join(queries)


def _finish_lessons_and_quiz(learner) -> None:
    """Every lesson, reflection (the example course asks one) and the quiz: live sessions may still be missing."""
    version = catalog.published_version(EXAMPLE_SLUG)[1]
    for lesson in course_versions.version_package(version).lessons:
        learning.complete_lesson(learner, EXAMPLE_SLUG, lesson.id)
        if lesson.reflection:
            with contextlib.suppress(Invalid):  # answered already (the busy learner)
                reflections.answer(learner, EXAMPLE_SLUG, lesson.id, "What my city would use first")
    attempt = quizzes.quiz_page(learner, EXAMPLE_SLUG, QUIZ).attempt
    if attempt is not None:
        quizzes.submit_attempt(learner, EXAMPLE_SLUG, QUIZ, attempt.id, EXAMPLE_RIGHT_ANSWERS)


def test_a_finished_course_page_asks_for_the_certificate_and_the_dashboard_has_it_already(client, count_queries,
                                                                                          busy_learner):
    _finish_lessons_and_quiz(busy_learner["learner"])
    counts = {}
    for page in ("dashboard", "course page"):
        with count_queries() as queries:
            assert client.get(BUDGET[page][0]).status_code == 200
        counts[page] = len(queries)
    assert counts == {"dashboard": BUDGET["dashboard"][1], "course page": BUDGET["course page"][1] + 1}


def test_with_only_live_sessions_left_the_next_step_reads_the_upcoming_ones(client, count_queries, login_as, tmp_path):
    """Every lesson and the quiz done, two sessions to attend: the next step names the next session (one query
    more: for every course at once on the dashboard)."""
    cohort = example_with_open_cohort(tmp_path, min_sessions=2)
    learner = login_as("learner")
    enrol_in_cohort(learner, cohort)
    _finish_lessons_and_quiz(learner)
    for page in ("dashboard", "course page"):
        with count_queries() as queries:
            assert client.get(BUDGET[page][0]).status_code == 200
        assert any("FROM live_sessions" in query for query in queries)
        assert len(queries) == BUDGET[page][1] + 1, "\n".join(queries)


def test_a_lesson_view_that_moves_the_resume_point_reads_no_more_than_a_repeat_view(client, count_queries,
                                                                                   busy_learner):
    """Opening another lesson writes the resume point and commits; the page then shows what it had loaded instead
    of reading the course, its version and the enrolment again."""
    path = BUDGET["lesson"][0]
    here, other = path.format(**busy_learner), path.format(lesson=_other_lesson(busy_learner["lesson"]))
    client.get(here)
    client.get(other)  # both lessons' texts are now in the per-process cache; the resume point is on the other
    with count_queries() as queries:
        response = client.get(here)
    assert response.status_code == 200
    assert len(queries) > _reads(queries) == BUDGET["lesson"][1], "\n".join(queries)


def _other_lesson(lesson_key: str) -> str:
    version = catalog.published_version(EXAMPLE_SLUG)[1]
    return next(lesson.id for lesson in course_versions.version_package(version).lessons if lesson.id != lesson_key)


def test_the_course_and_lesson_pages_cost_the_same_whatever_the_number_of_lessons(client, count_queries, login_as,
                                                                                  tmp_path):
    learner = login_as("learner")
    counts = []
    for size in (3, 30):
        slug = f"lessons-{size}"
        lessons = [lesson.id for lesson in course_versions.version_package(
            make_course(tmp_path, lessons=size, slug=slug)).lessons]
        client.post(f"/courses/{slug}/enrol")
        for lesson in lessons[:-1]:
            learning.complete_lesson(learner, slug, lesson)
        counted = []
        for url in (f"/courses/{slug}/", f"/courses/{slug}/lessons/{lessons[1]}"):
            client.get(url)  # the lesson's text and the outline are cached per process
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        counts.append(counted)
    assert counts[0] == counts[1] == [BUDGET["course page"][1], BUDGET["lesson"][1]], counts
