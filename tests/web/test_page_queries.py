"""The query count of every page a learner opens more than once per session, pinned (issue 18).

bench/bench_pages.py prints the same pages' CPU cost beside their counts; a count that grows is a page that got
dearer on every view, so a change to one of these numbers must be deliberate (update it here, say why in the commit).
The learner has done a bit of everything (lessons, a submitted quiz, an attended live session, a certificate), so
that every part of each page runs.
"""

from __future__ import annotations

import re

import pytest

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
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort, session_rows
from tests.factories import EXAMPLE_RIGHT_ANSWERS, EXAMPLE_SLUG, make_user

QUIZ = "basics-quiz"

# page name → (path, queries); {lesson} and {attempt} are filled in below.
BUDGET = {
    "home": ("/", 1),
    "dashboard": ("/learning", 9),
    "course page": (f"/courses/{EXAMPLE_SLUG}/", 8),
    "lesson": (f"/courses/{EXAMPLE_SLUG}/lessons/{{lesson}}", 4),
    # A lesson that asks a reflection question the learner has answered (issue 17): its space's thread, whether
    # the reader is muted, their answer, and a page of the others' answers with their count.
    "lesson with a reflection": (f"/courses/{EXAMPLE_SLUG}/lessons/{{reflection_lesson}}", 9),
    "quiz": (f"/courses/{EXAMPLE_SLUG}/quizzes/{QUIZ}", 4),
    "quiz result": (f"/courses/{EXAMPLE_SLUG}/attempts/{{attempt}}", 8),
    "live sessions": ("/programmes/sessions", 3),
    # One query more than issue 18 pinned: every certificate's version at once (IN), for the course titles in the
    # reader's language (issue 15).
    "certificates": ("/certificates", 3),
    "discussions": (f"/courses/{EXAMPLE_SLUG}/discussions/", 5),
    # One more than issue 18 pinned: whether the reader follows the thread (discussion e-mail, issue 17).
    "thread": ("/discussions/{thread}", 12),
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
            "reflection_lesson": reflection_lesson}


@pytest.mark.parametrize("page", list(BUDGET))
def test_each_learner_page_runs_its_pinned_number_of_queries(client, count_queries, busy_learner, page):
    path, budget = BUDGET[page]
    url = path.format(**busy_learner)
    assert client.get(url).status_code == 200  # the first view may fill per-process caches
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == budget, "\n".join(queries)


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
