"""lms.services.discussion_search on the database the suite runs on (SQLite's FTS5, or PostgreSQL's tsvector when
LMS_TEST_DATABASE_URL points at one): what is found, by whom, how it is highlighted, and that no query breaks it."""

import pytest

from lms.core.discussion_search import QUERY_MAX
from lms.services import discussion_moderation, discussion_posts, discussion_search, discussions, enrolments
from lms.services.discussion_posts import Draft
from lms.services.discussions import REPLIES_PER_PAGE
from lms.services.errors import NotAllowed
from tests.services.test_discussions import SLUG, _thread


def _found(person, query, page=1):
    return [(hit.thread.title, hit.post.body) for hit in discussion_search.search(person, SLUG, query, page).hits.items]


def _texts(person, query):
    return [hit.highlight.striptags() for hit in discussion_search.search(person, SLUG, query).hits.items]


def test_a_post_is_found_by_a_word_of_its_text_and_an_opening_post_by_its_title(two_cohorts):
    thread = _thread(two_cohorts["ana"], title="Mapping care needs")
    discussion_posts.reply(two_cohorts["ben"], thread.id, "We walked the **neighbourhood** with nurses.")
    assert _found(two_cohorts["ben"], "neighbourhood") == [
        ("Mapping care needs", "We walked the **neighbourhood** with nurses.")]
    assert _found(two_cohorts["ben"], "Mapping") == [("Mapping care needs", "In *Madrid* we start with a survey.")]
    assert _found(two_cohorts["ben"], "elephants") == []


def test_a_learner_of_another_cohort_never_sees_a_match(two_cohorts):
    thread = _thread(two_cohorts["ana"], title="Budget for home care")
    discussion_posts.reply(two_cohorts["ana"], thread.id, "Our budget doubled.")
    assert len(_found(two_cohorts["ben"], "budget")) == 2
    assert _found(two_cohorts["chloe"], "budget") == []
    assert len(_found(two_cohorts["staff"], "budget")) == 2  # staff search every cohort's space


def test_a_course_wide_announcement_is_found_in_every_cohort_and_outsiders_are_refused(two_cohorts, make_user):
    discussion_posts.start_thread(two_cohorts["staff"], SLUG, Draft(title="Timetable", body="Sessions move to "
                                                                    "Thursday.", kind="announcement"))
    assert _found(two_cohorts["ana"], "thursday") and _found(two_cohorts["chloe"], "thursday")
    with pytest.raises(NotAllowed):
        discussion_search.search(make_user(), SLUG, "thursday")


def test_removed_posts_are_never_found_and_hidden_ones_only_by_staff_and_their_author_marked(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    removed = discussion_posts.reply(two_cohorts["ana"], thread.id, "A zeppelin story")
    hidden = discussion_posts.reply(two_cohorts["ben"], thread.id, "A zeppelin insult")
    discussion_posts.remove_post(two_cohorts["ana"], removed.id)
    discussion_moderation.hide_post(two_cohorts["staff"], hidden.id, "Keep it civil")
    assert _found(two_cohorts["ana"], "zeppelin") == []
    for person in (two_cohorts["ben"], two_cohorts["staff"]):
        [hit] = discussion_search.search(person, SLUG, "zeppelin").hits.items
        assert hit.post.id == hidden.id and hit.hidden


def test_an_edit_is_searched_and_the_text_it_replaced_is_not(two_cohorts):
    thread = _thread(two_cohorts["ana"], title="Old heading")
    opening = discussions.thread_page(two_cohorts["ana"], thread.id).opening.post
    discussion_posts.edit_post(two_cohorts["ana"], opening.id, "Now about libraries", title="New heading")
    assert _found(two_cohorts["ben"], "libraries") == [("New heading", "Now about libraries")]
    assert _found(two_cohorts["ben"], "survey") == [] and _found(two_cohorts["ben"], "Old") == []


def test_the_highlight_marks_the_match_and_keeps_the_posts_markup_as_text(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    discussion_posts.reply(two_cohorts["ana"], thread.id, 'Care <script>alert("x")</script> and <b>care</b> & more')
    [hit] = discussion_search.search(two_cohorts["ben"], SLUG, "alert").hits.items
    html = str(hit.highlight)
    assert "<mark>alert</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html and "&amp; more" in html


def test_a_result_knows_the_page_of_the_thread_it_is_on(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    for number in range(REPLIES_PER_PAGE + 2):
        reply = discussion_posts.reply(two_cohorts["ana"], thread.id, f"Reply {number}"
                                       + (" with the word platypus" if number == REPLIES_PER_PAGE + 1 else ""))
    discussion_posts.reply(two_cohorts["ben"], thread.id, "A platypus comment", parent_id=reply.id)
    pages = {hit.post.body: hit.thread_page for hit in discussion_search.search(two_cohorts["ben"], SLUG,
                                                                                  "platypus").hits.items}
    assert pages == {f"Reply {REPLIES_PER_PAGE + 1} with the word platypus": 2, "A platypus comment": 2}
    assert discussion_search.search(two_cohorts["ben"], SLUG, "survey").hits.items[0].thread_page == 1


def test_a_word_finds_its_other_forms_in_a_spanish_post(two_cohorts, db):
    two_cohorts["ana"].preferred_language = "es"
    db.session.commit()
    _thread(two_cohorts["ana"], title="Las ciudades cuidadoras")
    assert _found(two_cohorts["ben"], "ciudad") == [("Las ciudades cuidadoras", "In *Madrid* we start with a survey.")]


def test_results_come_a_page_at_a_time(two_cohorts):
    for number in range(discussion_search.RESULTS_PER_PAGE + 3):
        _thread(two_cohorts["ana"], title=f"Walrus {number}")
    first = discussion_search.search(two_cohorts["ben"], SLUG, "walrus")
    second = discussion_search.search(two_cohorts["ben"], SLUG, "walrus", page=2)
    assert first.hits.total == discussion_search.RESULTS_PER_PAGE + 3 and second.hits.page == 2
    assert len(first.hits.items) == discussion_search.RESULTS_PER_PAGE and len(second.hits.items) == 3
    assert not {hit.post.id for hit in first.hits.items} & {hit.post.id for hit in second.hits.items}


HOSTILE_QUERIES = ['"', '"""', "'", "care'", '"care', "(", ")", "care)", "NEAR(care", "care AND", "AND", "OR",
                   "or or", "NOT", "-care", "- -", "*", "care*", "^care", "care:", "search_text:care", "!", "&", "|",
                   "!care & | :*", "<->", "<script>alert(1)</script>", "\x00", "care\x00care", "\x02care\x03",
                   "%", "_", "\\", "care%", "'; DROP TABLE discussion_posts; --", "ñ", "도시", "🙂", " ",
                   "x" * QUERY_MAX, "care " * 40]


def test_any_query_gives_results_or_a_message_never_an_error(two_cohorts):
    thread = _thread(two_cohorts["ana"])
    discussion_posts.reply(two_cohorts["ana"], thread.id, "Care, care and more care <script>.")
    answered = {}
    for query in HOSTILE_QUERIES:
        results = discussion_search.search(two_cohorts["ben"], SLUG, query)
        answered[query] = results.message or results.hits.total
        for hit in results.hits.items:
            assert "<script" not in str(hit.highlight)
    care = discussion_search.search(two_cohorts["ben"], SLUG, "care").hits.total
    assert care == 2 and answered["care)"] == answered["care*"] == answered['"care'] == care  # the word, as typed
    assert isinstance(answered[" "], str) and isinstance(answered["\x00"], str)


def test_an_empty_or_too_long_query_is_answered_with_a_message(two_cohorts):
    _thread(two_cohorts["ana"])
    for query in ("", "   ", "\x00"):
        results = discussion_search.search(two_cohorts["ben"], SLUG, query)
        assert results.message and results.hits.items == []
    too_long = discussion_search.search(two_cohorts["ben"], SLUG, "survey " * 40)
    assert str(QUERY_MAX) in too_long.message and too_long.hits.items == []
    assert discussion_search.search(two_cohorts["ben"], SLUG, "survey").message == ""


def test_without_a_full_text_index_the_same_posts_are_found_by_like(two_cohorts, monkeypatch, db):
    """What a SQLite built without FTS5 does (and it works on any database: the suite checks it on both)."""
    thread = _thread(two_cohorts["ana"], title="Walking with nurses")
    discussion_posts.reply(two_cohorts["ana"], thread.id, "Nurses know 100% of the streets")
    discussion_posts.reply(two_cohorts["ana"], thread.id, "Only doctors here")
    indexed = {query: sorted(_found(two_cohorts["ben"], query)) for query in ("nurses", '"the streets"',
                                                                              "nurses -streets", "doctors or walking")}
    monkeypatch.setitem(discussion_search._backends, str(db.engine.url), "like")
    assert {query: sorted(_found(two_cohorts["ben"], query)) for query in indexed} == indexed
    assert _texts(two_cohorts["ben"], "100%") == ["Nurses know 100% of the streets"]
    [hit] = discussion_search.search(two_cohorts["ben"], SLUG, "doctors").hits.items
    assert "<mark>doctors</mark>" in str(hit.highlight)


def test_learners_outside_any_cohort_search_their_courses_space(db, make_user, tmp_path):
    from tests.factories import make_course

    make_course(tmp_path, lessons=1, slug="open-course")
    ana, ben = make_user(), make_user()
    for learner in (ana, ben):
        enrolments.enrol(learner, "open-course")
    discussion_posts.start_thread(ana, "open-course", Draft(title="Hello", body="Anyone from Quito?"))
    assert [hit.thread.title for hit in discussion_search.search(ben, "open-course", "quito").hits.items] == ["Hello"]
