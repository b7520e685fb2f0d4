"""The reflection under a lesson, as a person without JavaScript uses it: the question and a plain form, the answer
posted and shown with the cohort's, a refused answer kept on its own page, another cohort's thread not found, the XSS
corpus through answers, the posting limit, and the requirement on the course page and "My learning"."""

from sqlalchemy import select

from lms.extensions import db as _db
from lms.models import DiscussionPost, DiscussionThread
from lms.services import discussion_posts, learning, quizzes, reflections
from tests.cohort_factories import enrol_in_cohort, make_cohort
from tests.factories import EXAMPLE_RIGHT_ANSWERS, table_counts
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.web.test_discussions import PageForms
from tests.web.test_xss_corpus import MARKDOWN, TEXT, executable_content

LESSON_URL = f"/courses/{SLUG}/lessons/welcome"
ANSWER_URL = f"{LESSON_URL}/reflection"
QUESTION = "Which feature of this course would help the officials of your city most, and why?"


def _neighbour(cohort, make_user, **profile):
    person = make_user(**profile)
    enrol_in_cohort(person, cohort)
    return person


def test_the_lesson_asks_the_question_with_a_plain_form_that_posts_the_answer(client, learner, cohort, make_user):
    other = _neighbour(cohort, make_user, city="Quito", country="EC", display_name="Bea Neighbour")
    reflections.answer(other, SLUG, "welcome", "The **reports** help most.")
    html = client.get(LESSON_URL).get_data(as_text=True)
    assert QUESTION in html and "Bea Neighbour" not in html  # others' answers come after one's own
    page = PageForms()
    page.feed(html)
    action, fields = page.the_form("/lessons/welcome/reflection", ("body", ""))
    response = client.post(action, data={**dict(fields), "body": "Maps of *care* for Medellín."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/lessons/welcome#reflection")
    html = client.get(LESSON_URL).get_data(as_text=True)
    assert "Maps of <em>care</em> for Medellín." in html
    assert "Bea Neighbour" in html and "<strong>reports</strong>" in html
    assert 'name="body"' not in html.split('id="reflection"')[1].split("</section>")[0]  # no second form
    assert "/discussions/" in html.split("Open the discussion of these reflections")[0].rsplit("href=", 1)[1]


def test_a_refused_answer_comes_back_on_its_own_page_with_the_text_kept(client, learner, db):
    before = table_counts(db)
    response = client.post(ANSWER_URL, data={"body": "x" * 10_001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert QUESTION in html and "x" * 10_001 in html and "10000" in html.replace(",", "").replace("\u202f", "")
    assert client.post(ANSWER_URL, data={"body": "  "}).status_code == 422
    assert table_counts(db) == before


def test_answering_twice_is_refused_on_the_form(client, learner):
    assert client.post(ANSWER_URL, data={"body": "Once"}).status_code == 302
    response = client.post(ANSWER_URL, data={"body": "Twice"})
    assert response.status_code == 422 and "edit it instead" in response.get_data(as_text=True)


def test_a_learner_of_another_cohort_gets_404_for_the_reflection_thread(client, learner, cohort, make_user, db):
    second = make_cohort(SLUG, mode="open", key="second", name="Second cohort", sessions=0)
    stranger = _neighbour(second, make_user)
    post = reflections.answer(stranger, SLUG, "welcome", "In another cohort")
    assert client.get(f"/discussions/{post.thread_id}").status_code == 404
    assert client.post(f"/discussions/{post.thread_id}/reply", data={"body": "Hello"}).status_code == 404
    client.post(ANSWER_URL, data={"body": "Mine"})
    assert "In another cohort" not in client.get(LESSON_URL).get_data(as_text=True)


def test_answering_is_limited_like_posting(app, client, learner, cohort, make_user, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_DISCUSSION_POST", "1 per hour")
    assert client.post(ANSWER_URL, data={"body": "First"}).status_code == 302
    before = table_counts(db)
    assert client.post(ANSWER_URL, data={"body": "More"}).status_code == 429  # not 422 "already shared"
    assert table_counts(db) == before


def test_the_xss_corpus_through_answers_never_comes_back_executable(client, learner, cohort, make_user):
    other = _neighbour(cohort, make_user)
    reflections.answer(learner, SLUG, "welcome", "Mine")
    post = None
    for number, payload in enumerate(TEXT + MARKDOWN):
        if post is None:
            post = reflections.answer(other, SLUG, "welcome", payload or "x")
        else:
            discussion_posts.edit_post(other, post.id, payload or "x")
        if number % 3 == 0:
            for url in (LESSON_URL, f"/discussions/{post.thread_id}"):
                problems, _text = executable_content(client.get(url).get_data(as_text=True))
                assert problems == [], (payload, problems)


def test_the_course_page_and_my_learning_count_the_required_reflections(client, learner):
    for url in (f"/courses/{SLUG}/", "/learning"):
        assert "Reflections: 0 of 1" in client.get(url).get_data(as_text=True), url
    assert "Share at least 1 reflection with your cohort" in client.get(f"/courses/{SLUG}/").get_data(as_text=True)
    client.post(ANSWER_URL, data={"body": "Done"})
    assert "Reflections: 1 of 1" in client.get("/learning").get_data(as_text=True)


def test_the_next_step_names_the_missing_reflection(client, learner, db):
    for key in ("welcome", "going-further", "updated-rules"):
        learning.complete_lesson(learner, SLUG, key)
    attempt = quizzes.quiz_page(learner, SLUG, "basics-quiz").attempt
    quizzes.submit_attempt(learner, SLUG, "basics-quiz", attempt.id, EXAMPLE_RIGHT_ANSWERS)
    html = client.get(f"/courses/{SLUG}/").get_data(as_text=True)
    assert "Share your reflection on “Welcome to the example course”" in html
    assert f'href="{LESSON_URL}#reflection"' in html


def test_removing_ones_answer_from_the_lesson_brings_the_form_back(client, learner, db):
    client.post(ANSWER_URL, data={"body": "To remove"})
    post = db.session.execute(select(DiscussionPost).where(DiscussionPost.author_id == learner.id)).scalar_one()
    page = PageForms()
    page.feed(client.get(LESSON_URL).get_data(as_text=True))
    action, fields = next((a, f) for a, f in page.forms if a.endswith(f"/discussions/posts/{post.id}/remove"))
    assert client.post(action, data=dict(fields)).status_code == 302
    assert 'id="reflection-body"' in client.get(LESSON_URL).get_data(as_text=True)


def test_the_reflection_thread_names_the_question_not_a_former_member(client, learner):
    client.post(ANSWER_URL, data={"body": "Answered"})
    thread = _db.session.execute(select(DiscussionThread).where(DiscussionThread.kind == "reflection")).scalar_one()
    for url in (f"/discussions/{thread.id}", f"/courses/{SLUG}/discussions/?place=lesson&item=welcome"):
        html = client.get(url).get_data(as_text=True)
        assert "Reflection" in html and "a former member" not in html, url
    assert QUESTION in client.get(f"/discussions/{thread.id}").get_data(as_text=True)


def test_the_unanswered_reflection_is_kept_for_everyone_with_each_learners_own_token(app, client, learner, cohort,
                                                                                   make_user, login_as):
    """Until a learner answers, the reflection under the lesson is kept per process (kept_with_token): each learner's
    form holds their own session's token; once they answer, they see their own answer, not the kept form."""
    import re

    app.jinja_env.kept_parts.clear()
    neighbour = _neighbour(cohort, make_user, display_name="Bea Neighbour")
    tokens = []
    for person in (learner, neighbour):
        client.post("/logout", data={})  # a session of their own
        login_as(person)
        html = client.get(LESSON_URL).get_data(as_text=True)
        section = html.split('id="reflection"')[1].split("</section>")[0]
        [token] = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', section)
        assert set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)) == {token}
        assert QUESTION in section and 'id="reflection-body"' in section
        tokens.append(token)
    assert tokens[0] != tokens[1]
    kept = [key[2][1] for key in app.jinja_env.kept_parts if key[0] != "site header"]
    assert sum(values[0] == "lesson reflection" for values in kept) == 1
    client.post(ANSWER_URL, data={"body": "Bea answers: lights."})
    section = client.get(LESSON_URL).get_data(as_text=True).split('id="reflection"')[1].split("</section>")[0]
    assert "Bea answers: lights." in section and 'id="reflection-body"' not in section
