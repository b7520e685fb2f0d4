"""Issue 20: what a package's cohorts do to learners, said in words before publishing (not problems)."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.core.packages.cohort_warnings import cohort_warnings
from tests.core.packages.builders import edit, load, valid_files

V = valid_files()
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _package(files):
    result = load(files)
    assert result.ok, result.problems
    return result.package


def test_an_application_cohort_warns_of_nothing():
    assert cohort_warnings(_package(V), NOW) == []


def test_an_open_cohort_says_who_joins_it_and_from_when_they_can_study():
    files = edit(V, "course.yaml", "enrolment: application", "enrolment: open")
    files = edit(files, "course.yaml", "    timezone: Europe/Madrid\n",
                 "    timezone: Europe/Madrid\n    enrolment: open\n")
    [warning] = cohort_warnings(_package(files), NOW)
    assert str(warning) == ("course.yaml:39: learners who enrol from 1 February 2030 (until 28 February 2030) join "
                            "'Spring 2030' and cannot study until 4 March 2030")


def test_a_session_longer_than_its_template_says_what_duration_minutes_is_for():
    files = edit(V, "course.yaml", "ends_at: 2030-03-04T17:00", "ends_at: 2030-03-04T17:30")
    [warning] = cohort_warnings(_package(files), NOW)
    assert warning.message == (
        "cohort 'spring-2030': the kick-off session on 2030-03-04 lasts 90 minutes, longer than its live session's "
        "duration_minutes (60), which the course page shows learners as the session's length; make them agree")
