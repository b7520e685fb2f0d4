"""The discussions' search page: the box on the board, results linking into their thread, a constant number of
queries whatever the number of matches, and the XSS corpus through posts and queries."""

import re

from lms.services import discussion_posts, discussion_search
from lms.services.discussion_posts import Draft
from lms.services.discussions import REPLIES_PER_PAGE
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.web.test_xss_corpus import MARKDOWN, TEXT, executable_content

SEARCH = f"/courses/{SLUG}/discussions/search"


def test_the_board_has_a_search_box_and_the_results_page_keeps_the_query(client, learner):
    board = client.get(f"/courses/{SLUG}/discussions/").get_data(as_text=True)
    assert re.search(rf'<form method="get" action="{SEARCH}" role="search"', board)
    assert 'name="q"' in board
    discussion_posts.start_thread(learner, SLUG, Draft(title="Street lighting", body="Lamps & safety"))
    html = client.get(SEARCH, query_string={"q": "lamps"}).get_data(as_text=True)
    assert 'value="lamps"' in html
    assert "<mark>Lamps</mark> &amp; safety" in html
    assert "1 post matches" in html


def test_a_result_links_to_the_post_on_its_page_of_the_thread(client, learner):
    thread = discussion_posts.start_thread(learner, SLUG, Draft(title="Long one", body="Opening"))
    for number in range(REPLIES_PER_PAGE + 1):
        reply = discussion_posts.reply(learner, thread.id, "The tortoise" if number == REPLIES_PER_PAGE else "Hi")
    html = client.get(SEARCH, query_string={"q": "tortoise"}).get_data(as_text=True)
    link = f"/discussions/{thread.id}?page=2#post-{reply.id}"
    assert f'href="{link}"' in html
    assert f'id="post-{reply.id}"' in client.get(link).get_data(as_text=True)


def test_an_empty_or_hostile_query_gets_a_message_not_an_error(client, learner):
    for query in ("", '"', "((", "<script>", "x" * 500, "\x00"):
        response = client.get(SEARCH, query_string={"q": query})
        assert response.status_code == 200, query
    assert "Type one or more words" in client.get(SEARCH).get_data(as_text=True)
    assert "at most 200 characters" in client.get(SEARCH, query_string={"q": "x" * 500}).get_data(as_text=True)


def test_the_results_page_runs_the_same_queries_whatever_the_number_of_matches(client, learner, count_queries):
    counts = []
    for more in (1, discussion_search.RESULTS_PER_PAGE + 4):
        for number in range(more):
            discussion_posts.start_thread(learner, SLUG, Draft(title=f"Gardens {more} {number}", body="Roof garden"))
        client.get(SEARCH, query_string={"q": "garden"})
        with count_queries() as queries:
            assert client.get(SEARCH, query_string={"q": "garden"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_xss_corpus_through_posts_and_queries_never_comes_back_executable(client, learner):
    for payload in TEXT + MARKDOWN:
        thread = discussion_posts.start_thread(learner, SLUG, Draft(title=f"alert {payload}"[:200],
                                                                    body=f"alert {payload}"))
        discussion_posts.reply(learner, thread.id, f"{payload} alert")
        response = client.get(SEARCH, query_string={"q": payload})
        assert response.status_code == 200, payload
        problems, _text = executable_content(response.get_data(as_text=True))
        assert problems == [], (payload, problems)
    for page in range(1, (2 * len(TEXT + MARKDOWN)) // discussion_search.RESULTS_PER_PAGE + 2):
        response = client.get(SEARCH, query_string={"q": "alert", "page": page})
        problems, _text = executable_content(response.get_data(as_text=True))
        assert problems == [] and "<mark>" in response.get_data(as_text=True), page
