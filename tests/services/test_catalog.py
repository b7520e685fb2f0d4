"""lms.services.catalog: the one lookup of a course by slug, its published version and its outline."""

from __future__ import annotations

import pytest

from lms.services import catalog, publishing
from lms.services.errors import NotFound
from tests.factories import make_course


def test_find_course_is_the_one_lookup_by_slug(db, tmp_path):
    version = make_course(tmp_path, lessons=2, slug="synthetic", publish=False)
    assert catalog.find_course("synthetic").id == version.course_id
    assert catalog.find_course("no-such-course") is None
    with pytest.raises(NotFound, match="no-such-course"):
        catalog.get_course("no-such-course")


def test_only_a_published_version_is_served(db, tmp_path):
    version = make_course(tmp_path, lessons=3, slug="synthetic", publish=False)
    with pytest.raises(NotFound):
        catalog.published_version("synthetic")
    publishing.publish_version(None, "synthetic", version.version)
    course, published = catalog.published_version("synthetic")
    assert (course.slug, published.id) == ("synthetic", version.id)
    assert len(catalog.version_outline(published).lessons) == 3
