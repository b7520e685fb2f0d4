"""The one rule for links people click: http(s), no whitespace, no control characters."""

import pytest

from lms.core.session_links import link_problem, safe_link


@pytest.mark.parametrize("url", ["https://zoom.us/j/123", "http://example.org/a?b=c#d", ""])
def test_good_links_pass(url):
    assert link_problem(url) is None and safe_link(url) == url


@pytest.mark.parametrize(("url", "message"), [
    ("https://zoom.us/j/1\r\nATTENDEE:evil", "control characters"),
    ("https://zoom.us/j/\x00", "control characters"),
    ("https://zoom.us/j/\x1b[31m", "control characters"),
    ("https://zoom.us/j/\x7f", "control characters"),
    ("javascript:alert(1)", "must start with https://"),
    ("https://zoom us/j/1", "spaces"),
])
def test_bad_links_are_refused_and_never_shown(url, message):
    assert message in link_problem(url)
    assert safe_link(url) == ""
