"""Every staff list that filters, and the discussion board, does it through one component, the filter bar
(`filter_bar` in _macros.html): inline on a desktop, folded behind its label on a phone. Issue 12 point 7 found the
people list and the certificate search still on an older form of their own."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class SearchForms(HTMLParser):
    """Each GET form of the page that filters it, with whether it sits inside a filter bar. The discussions'
    search box (class "search-box") leads to its own results page: it is not a filter of the list."""

    def __init__(self) -> None:
        super().__init__()
        self.open_tags: list[tuple[str, str]] = []
        self.forms: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "get" \
                and "search-box" not in (attributes.get("class") or "").split():
            self.forms.append(any(t == "details" and "filter-bar" in c.split() for t, c in self.open_tags))
        if tag not in {"input", "br", "img", "meta", "link", "hr", "source", "track"}:
            self.open_tags.append((tag, attributes.get("class") or ""))

    def handle_endtag(self, tag):
        for index in range(len(self.open_tags) - 1, -1, -1):
            if self.open_tags[index][0] == tag:
                del self.open_tags[index:]
                break


def test_the_discussion_board_filters_through_the_filter_bar(client, login_as, tmp_path):
    from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort
    from tests.factories import EXAMPLE_SLUG

    cohort = example_with_open_cohort(tmp_path)
    enrol_in_cohort(login_as("learner"), cohort)
    for url in (f"/courses/{EXAMPLE_SLUG}/discussions/", f"/courses/{EXAMPLE_SLUG}/discussions/?sort=unanswered"):
        page = SearchForms()
        page.feed(client.get(url).get_data(as_text=True))
        assert page.forms and all(page.forms), url


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users?q=seoul", "/certificates/admin/",
                                 "/certificates/admin/?q=ana", "/admin/audit"])
def test_staff_filters_are_filter_bars(client, login_as, url):
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 200
    page = SearchForms()
    page.feed(response.get_data(as_text=True))
    assert page.forms, "the page has a filter"  # the header's own forms are POST
    assert all(page.forms), f"a filter outside the filter bar on {url}: {page.forms}"


def test_an_active_search_opens_the_filter_bar_on_a_phone(client, login_as):
    login_as("admin")
    html = client.get("/certificates/admin/?q=ana").get_data(as_text=True)
    assert '<details class="filter-bar" open>' in html
    assert '<details class="filter-bar">' in client.get("/certificates/admin/").get_data(as_text=True)
