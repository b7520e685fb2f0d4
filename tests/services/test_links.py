"""lms.services.links: every absolute address the services send out resolves to a page of the URL map."""

from __future__ import annotations

import inspect
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import BuildError

from lms.services import links

SAMPLES = {"slug": "caring-cities", "cohort_id": 7, "token": "a-token.with_parts", "public_id": "LMS-2026-ABCD",
           "thread_id": 7}
BUILDERS = [(name, function) for name, function in inspect.getmembers(links, inspect.isfunction)
            if function.__module__ == links.__name__ and name not in ("base_url", "absolute")]


def test_there_are_links_to_check():
    assert len(BUILDERS) >= 7


@pytest.mark.parametrize(("name", "builder"), BUILDERS, ids=[name for name, _ in BUILDERS])
def test_each_link_resolves_on_the_url_map(app, name, builder):
    arguments = {parameter: SAMPLES[parameter] for parameter in inspect.signature(builder).parameters}
    with app.app_context():
        url = builder(**arguments)
        assert url.startswith(app.config["BASE_URL"].rstrip("/") + "/")
        endpoint, values = app.url_map.bind("").match(urlsplit(url).path)
    assert values == arguments, f"{name} builds {url}, which {endpoint} reads as {values}"


def test_a_link_to_a_page_that_does_not_exist_is_refused(app):
    with app.app_context(), pytest.raises(BuildError):
        links.absolute("learner.no_such_page")
