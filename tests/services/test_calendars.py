"""lms.services.calendars: session and cohort calendars, the personal feed and its token."""


import pytest
from icalendar import Calendar

from lms.services import (
    calendars,
    enrolments,
)
from lms.services.errors import NotFound
from tests.catalogues import translations
from tests.cohort_factories import example_with_open_cohort, session_rows
from tests.factories import EXAMPLE_SLUG, make_instructor

# Calendars.


def test_the_feed_lists_the_learners_sessions_with_links_and_a_reset_token_stops_working(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    token = calendars.feed_token(learner)
    assert calendars.feed_token(learner) == token, "one token per person until reset"
    events = list(Calendar.from_ical(calendars.feed_calendar(token)).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Session 1", "Session 2"]
    assert "https://zoom.us/j/999000" in str(events[0]["description"])
    assert events[0].decoded("dtstart") == session_rows(cohort)[0].starts_at
    new = calendars.reset_feed_token(learner)
    assert new != token
    with pytest.raises(NotFound):
        calendars.feed_calendar(token)
    assert calendars.feed_calendar(new)


def test_calendar_downloads_carry_the_joining_link_only_for_participants(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    participant, outsider = make_user(), make_user()
    enrolments.enrol(participant, EXAMPLE_SLUG)
    session = session_rows(cohort)[0]
    assert b"zoom.us" in calendars.session_calendar(participant, session.id)[1]
    assert b"zoom.us" not in calendars.session_calendar(outsider, session.id)[1]
    assert b"zoom.us" not in calendars.cohort_calendar(None, cohort.id)[1]
    assert b"zoom.us" in calendars.cohort_calendar(make_instructor(EXAMPLE_SLUG), cohort.id)[1]
    assert b"zoom.us" not in calendars.cohort_calendar(make_user("instructor"), cohort.id)[1], "another course's"


def test_the_feed_is_written_in_its_owners_language_whoever_fetches_it(app, db, make_user, tmp_path):
    """A calendar program fetches the feed with no session and no browser language: the descriptions are worded in
    the owner's language (translations from a temporary catalogue; the old code wrote English)."""
    example_with_open_cohort(tmp_path)
    learner = make_user(preferred_language="fr")
    enrolments.enrol(learner, EXAMPLE_SLUG)
    french = {"Programme page: %(url)s": "Page du programme : %(url)s", "Join: %(url)s": "Rejoindre : %(url)s",
              "My live sessions (LMS-lite)": "Mes sessions en direct (LMS-lite)"}
    with translations(app, "fr", french):
        calendar = Calendar.from_ical(calendars.feed_calendar(calendars.feed_token(learner)))
    description = str(next(iter(calendar.walk("VEVENT")))["description"])
    assert "Page du programme : " in description and "Rejoindre : https://zoom.us/j/999000" in description
    assert str(calendar["x-wr-calname"]) == "Mes sessions en direct (LMS-lite)"
