"""Fixtures the service tests share."""

import pytest

from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort, make_cohort
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import make_instructor


@pytest.fixture
def two_cohorts(db, make_user, tmp_path):
    """Two cohorts of the example course: Ana and Ben in the first, Chloé in the second; their instructor."""
    first = example_with_open_cohort(tmp_path)
    second = make_cohort(SLUG, mode="open", key="second", name="Second cohort", sessions=0)
    ana, ben, chloe = (make_user(display_name=name, city=city, country="ES")
                       for name, city in (("Ana", "Madrid"), ("Ben", "Sevilla"), ("Chloé", "Bilbao")))
    enrol_in_cohort(ana, first)
    enrol_in_cohort(ben, first)
    enrol_in_cohort(chloe, second)
    staff = make_instructor(SLUG)
    return {"first": first, "second": second, "ana": ana, "ben": ben, "chloe": chloe, "staff": staff}
