"""The discussion pages: the lesson page's link, names without e-mail addresses, a constant number of queries per
board and thread page, the XSS corpus through titles and bodies, and the per-person posting limit."""

import pytest

from lms.services import discussion_posts, discussions
from lms.services.discussion_posts import Draft
from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import table_counts
from tests.web.test_xss_corpus import MARKDOWN, TEXT, executable_content


@pytest.fixture
def cohort(db, tmp_path):
    return example_with_open_cohort(tmp_path)


@pytest.fixture
def learner(cohort, login_as, make_user):
    person = make_user(city="Medellín", country="CO", display_name="Ana Learner")
    enrol_in_cohort(person, cohort)
    login_as(person)
    return person


def _lesson_key(person) -> str:
    return discussions.course_space(person, SLUG).outline.lessons[0].key


def test_the_lesson_page_links_to_its_discussion_with_the_number_of_posts(client, learner, cohort, make_user):
    lesson = _lesson_key(learner)
    other = make_user()
    enrol_in_cohort(other, cohort)
    thread = discussion_posts.start_thread(other, SLUG, Draft(title="On this lesson", body="Thoughts?",
                                                              place="lesson", item_key=lesson))
    discussion_posts.reply(other, thread.id, "Mine first")
    html = client.get(f"/courses/{SLUG}/lessons/{lesson}").get_data(as_text=True)
    assert f"/courses/{SLUG}/discussions/?place=lesson&amp;item={lesson}" in html
    assert "Discuss this lesson (2)" in html


def test_a_thread_shows_names_with_city_and_country_never_addresses(client, learner):
    response = client.post(f"/courses/{SLUG}/discussions/new",
                           data={"kind": "question", "place": "general", "title": "Care maps",
                                 "body": "How do you **map** care needs?"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Learner" in html and "Medellín" in html and "Colombia" in html
    assert learner.email not in html
    assert "<strong>map</strong>" in html


def test_board_and_thread_pages_run_the_same_queries_whatever_the_number_of_posts(client, learner, cohort,
                                                                                   make_user, count_queries):
    other = make_user()
    enrol_in_cohort(other, cohort)
    counts = []
    for size in (1, 30):
        thread = discussion_posts.start_thread(other, SLUG, Draft(title=f"Thread {size}", body="Opening"))
        for number in range(size):
            reply = discussion_posts.reply(other, thread.id, f"Reply {number}")
            discussion_posts.reply(learner, thread.id, f"Comment {number}", parent_id=reply.id)
        for extra in range(size):
            discussion_posts.start_thread(other, SLUG, Draft(title=f"Other {size}-{extra}", body="More"))
        client.get(f"/discussions/{thread.id}")  # the first visit writes the read position
        counted = []
        for url in (f"/courses/{SLUG}/discussions/", f"/discussions/{thread.id}"):
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counted.append(len(queries))
        counts.append(counted)
    assert counts[0] == counts[1], counts


def test_the_xss_corpus_never_comes_back_executable(client, learner):
    payloads = TEXT + MARKDOWN
    for number, payload in enumerate(payloads):
        thread = discussion_posts.start_thread(learner, SLUG, Draft(title=payload[:200] or "x",
                                                                    body=payload or "x", kind="question"))
        discussion_posts.reply(learner, thread.id, payload or "x")
        if number % 10 == 0:
            for url in (f"/discussions/{thread.id}", f"/courses/{SLUG}/discussions/"):
                problems, _text = executable_content(client.get(url).get_data(as_text=True))
                assert problems == [], (payload, problems)
    for page in (1, 2, 3):
        problems, _text = executable_content(client.get(f"/courses/{SLUG}/discussions/?page={page}")
                                             .get_data(as_text=True))
        assert problems == []


def test_posting_is_limited_per_person(app, client, learner, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_DISCUSSION_POST", "2 per hour")
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Limits", body="Opening"))
    for number in range(2):
        assert client.post(f"/discussions/{thread.id}/reply", data={"body": f"Reply {number}"}).status_code == 302
    before = table_counts(db)
    response = client.post(f"/discussions/{thread.id}/reply", data={"body": "One too many"})
    assert response.status_code == 429
    assert table_counts(db) == before
