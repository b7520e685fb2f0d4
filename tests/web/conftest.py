"""Fixtures the page tests share. A module with a cohort or learner of its own (another course, another setting)
defines its own fixture of that name, which pytest uses instead."""

import pytest

from tests.cohort_factories import enrol_in_cohort, example_with_open_cohort


@pytest.fixture
def cohort(db, tmp_path):
    """The example course's open cohort, running now."""
    return example_with_open_cohort(tmp_path)


@pytest.fixture
def learner(cohort, login_as, make_user):
    """Ana Learner of Medellín, in ``cohort`` and logged in."""
    person = make_user(city="Medellín", country="CO", display_name="Ana Learner")
    enrol_in_cohort(person, cohort)
    login_as(person)
    return person
