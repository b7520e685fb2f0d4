"""The time rules of cohorts: deadlines across zones and daylight-saving changes, cohort windows, two-zone display,
and Zoom's participants report."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.core import schedule
from lms.core.schedule import (
    ApplicationWindow,
    CohortPhase,
    CohortTimes,
    NonexistentLocalTime,
    application_refusal,
    application_window,
    cohort_phase,
    format_session_time,
    local_to_utc,
    study_access,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cohort(deadline_local: datetime | None, tz: str = "Europe/Madrid", opens_local: datetime | None = None,
           starts_on=date(2023, 7, 3), ends_on=date(2023, 7, 23)) -> CohortTimes:
    return CohortTimes(
        timezone=tz, starts_on=starts_on, ends_on=ends_on, name="Caring Cities 2023",
        applications_open_at=local_to_utc(opens_local, tz) if opens_local else None,
        application_deadline_at=local_to_utc(deadline_local, tz) if deadline_local else None,
    )


CARING_CITIES = cohort(datetime(2023, 6, 9, 23, 59), opens_local=datetime(2023, 5, 1, 0, 0))


# Converting local times.


def test_caring_cities_deadline_is_21_59_utc_in_summer():
    assert CARING_CITIES.application_deadline_at == utc(2023, 6, 9, 21, 59)


def test_a_time_skipped_by_spring_forward_is_refused_with_an_explanation():
    with pytest.raises(NonexistentLocalTime, match=r"does not exist in Europe/Madrid.*1 hour"):
        local_to_utc(datetime(2024, 3, 31, 2, 30), "Europe/Madrid")


def test_a_half_hour_daylight_saving_gap_is_refused_too():
    with pytest.raises(NonexistentLocalTime, match="30 minutes"):
        local_to_utc(datetime(2024, 10, 6, 2, 15), "Australia/Lord_Howe")


def test_a_time_repeated_when_clocks_go_back_means_the_first_occurrence():
    # 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); the first one counts.
    assert local_to_utc(datetime(2024, 10, 27, 2, 30), "Europe/Madrid") == utc(2024, 10, 27, 0, 30)


def test_times_on_either_side_of_a_change_use_their_own_offset():
    assert local_to_utc(datetime(2024, 3, 31, 1, 59), "Europe/Madrid") == utc(2024, 3, 31, 0, 59)
    assert local_to_utc(datetime(2024, 3, 31, 3, 0), "Europe/Madrid") == utc(2024, 3, 31, 1, 0)


def test_an_unknown_zone_is_refused():
    with pytest.raises(schedule.UnknownTimeZone):
        local_to_utc(datetime(2024, 1, 1), "Mars/Olympus_Mons")


def test_a_day_that_starts_at_01_00_starts_at_its_first_real_minute():
    # Santiago de Chile skips from 00:00 to 01:00 on 8 September 2024.
    assert schedule.start_of_day(date(2024, 9, 8), "America/Santiago") == utc(2024, 9, 8, 4, 0)


# Deadlines.


def test_an_application_during_the_deadline_minute_is_on_time():
    assert application_refusal(CARING_CITIES, utc(2023, 6, 9, 21, 59, 0)) is None
    assert application_refusal(CARING_CITIES, utc(2023, 6, 9, 21, 59, 59, 999999)) is None


def test_deadline_one_minute_late_is_refused():
    refusal = application_refusal(CARING_CITIES, utc(2023, 6, 9, 22, 0))
    assert str(refusal) == ("Applications for Caring Cities 2023 closed on Friday 9 June 2023 at 23:59 CEST "
                            "(Europe/Madrid). Late applications cannot be accepted.")


def test_the_deadline_is_the_cohorts_not_the_applicants_time_zone():
    # At 23:30 in Seoul on 9 June (14:30 UTC) Madrid is at 16:30: still open. At 07:00 on 10 June in Seoul
    # (22:00 UTC), Madrid has passed midnight: closed, whatever the applicant's clock says.
    assert application_window(CARING_CITIES, datetime(2023, 6, 9, 23, 30, tzinfo=schedule.zone("Asia/Seoul"))) \
        is ApplicationWindow.OPEN
    assert application_window(CARING_CITIES, datetime(2023, 6, 10, 7, 0, tzinfo=schedule.zone("Asia/Seoul"))) \
        is ApplicationWindow.CLOSED


def test_applications_are_not_open_before_the_opening_minute():
    assert application_window(CARING_CITIES, utc(2023, 4, 30, 21, 59, 59)) is ApplicationWindow.NOT_YET_OPEN
    assert application_window(CARING_CITIES, utc(2023, 4, 30, 22, 0)) is ApplicationWindow.OPEN
    assert "open on Monday 1 May 2023 at 00:00 CEST" in str(application_refusal(CARING_CITIES, utc(2023, 4, 1)))


@pytest.mark.parametrize(("tz", "deadline", "last_ok_utc"), [
    # The night clocks go back: 02:30 is read as its first occurrence (summer time).
    ("Europe/Madrid", datetime(2024, 10, 27, 2, 30), utc(2024, 10, 27, 0, 30, 59)),
    # Just after spring forward: 03:00 CEST.
    ("Europe/Madrid", datetime(2024, 3, 31, 3, 0), utc(2024, 3, 31, 1, 0, 59)),
    # Southern hemisphere: New Zealand moves to daylight time in September.
    ("Pacific/Auckland", datetime(2024, 9, 29, 12, 0), utc(2024, 9, 28, 23, 0, 59)),
    ("Pacific/Auckland", datetime(2024, 9, 28, 12, 0), utc(2024, 9, 28, 0, 0, 59)),
    # A zone with no daylight saving, and one a half hour off.
    ("Asia/Seoul", datetime(2023, 6, 9, 23, 59), utc(2023, 6, 9, 14, 59, 59)),
    ("Asia/Kolkata", datetime(2023, 6, 9, 23, 59), utc(2023, 6, 9, 18, 29, 59)),
    ("America/Sao_Paulo", datetime(2023, 6, 9, 23, 59), utc(2023, 6, 10, 2, 59, 59)),
])
def test_deadlines_across_zones_and_daylight_saving(tz, deadline, last_ok_utc):
    times = cohort(deadline, tz=tz)
    assert application_window(times, last_ok_utc) is ApplicationWindow.OPEN
    assert application_window(times, last_ok_utc + timedelta(seconds=1)) is ApplicationWindow.CLOSED


def test_a_cohort_without_dates_for_applications_is_always_open():
    assert application_window(cohort(None), utc(1999, 1, 1)) is ApplicationWindow.OPEN


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="naive"):
        application_window(CARING_CITIES, datetime(2023, 6, 9))


# Cohort windows.


def test_the_cohort_runs_from_local_midnight_of_its_first_day_to_the_end_of_its_last():
    assert cohort_phase(CARING_CITIES, utc(2023, 7, 2, 21, 59, 59)) is CohortPhase.NOT_STARTED
    assert cohort_phase(CARING_CITIES, utc(2023, 7, 2, 22, 0)) is CohortPhase.RUNNING
    assert cohort_phase(CARING_CITIES, utc(2023, 7, 23, 21, 59, 59)) is CohortPhase.RUNNING
    assert cohort_phase(CARING_CITIES, utc(2023, 7, 23, 22, 0)) is CohortPhase.ENDED


def test_before_the_start_learners_are_told_when_it_opens():
    access = study_access(CARING_CITIES, utc(2023, 6, 20))
    assert not access.can_read and not access.can_attempt
    assert "opens on Monday 3 July 2023" in str(access.message)


def test_after_the_end_lessons_stay_readable_but_attempts_close():
    access = study_access(CARING_CITIES, utc(2023, 8, 1))
    assert access.can_read and not access.can_attempt
    assert "ended on Sunday 23 July 2023" in str(access.message)


def test_staff_can_allow_late_attempts():
    access = study_access(CARING_CITIES, utc(2023, 8, 1), allow_late_attempts=True)
    assert access.can_read and access.can_attempt


def test_seats_left():
    assert schedule.seats_left(None, 100) is None
    assert schedule.seats_left(3, 1) == 2
    assert schedule.seats_left(3, 5) == 0


# Display in two zones.

ORIENTATION_START = local_to_utc(datetime(2023, 7, 3, 9, 0), "Europe/Madrid")
ORIENTATION_END = local_to_utc(datetime(2023, 7, 3, 11, 0), "Europe/Madrid")


def test_the_same_zone_is_shown_once():
    for viewer in ("Europe/Paris", None):
        assert format_session_time(ORIENTATION_START, ORIENTATION_END, "Europe/Madrid", viewer) == \
            "Mon 3 Jul 2023, 09:00–11:00 CEST"  # noqa: RUF001


def test_a_session_range_with_the_viewers_date_when_it_differs():
    assert format_session_time(ORIENTATION_START, ORIENTATION_END, "Europe/Madrid", "Asia/Seoul") == \
        "Mon 3 Jul 2023, 09:00–11:00 CEST / 16:00–18:00 KST"  # noqa: RUF001
    assert format_session_time(ORIENTATION_START, ORIENTATION_END, "Europe/Madrid", "America/Los_Angeles") == \
        "Mon 3 Jul 2023, 09:00–11:00 CEST / 00:00–02:00 PDT"  # noqa: RUF001
    assert format_session_time(ORIENTATION_START, ORIENTATION_END, "Europe/Madrid", "Pacific/Honolulu") == \
        "Mon 3 Jul 2023, 09:00–11:00 CEST / Sun 2 Jul 2023, 21:00–23:00 HST"  # noqa: RUF001


def test_daylight_saving_is_the_databases_not_arithmetic():
    # The same 09:00 Madrid session is 16:00 in Seoul in summer and 17:00 in winter.
    winter = local_to_utc(datetime(2023, 12, 4, 9, 0), "Europe/Madrid")
    assert format_session_time(winter, winter + timedelta(hours=2), "Europe/Madrid", "Asia/Seoul") == \
        "Mon 4 Dec 2023, 09:00–11:00 CET / 17:00–19:00 KST"  # noqa: RUF001


def test_zones_without_an_abbreviation_show_their_offset():
    assert format_session_time(ORIENTATION_START, ORIENTATION_END, "Europe/Madrid", "Asia/Dubai") == \
        "Mon 3 Jul 2023, 09:00–11:00 CEST / 11:00–13:00 UTC+04"  # noqa: RUF001


def test_refusals_and_times_are_written_in_the_readers_language():
    """The core gives a Phrase with the moment in it; the moment is written in the language the phrase is worded in
    (CLDR's day and month names and order), the sentence by the catalogue (here a stand-in translation)."""
    refusal = application_refusal(CARING_CITIES, utc(2023, 6, 9, 22, 0))
    spanish = {refusal.message: "Las solicitudes para %(cohort)s se cerraron el %(when)s."}
    assert refusal.render(lambda message: spanish.get(message, message), "es") == (
        "Las solicitudes para Caring Cities 2023 se cerraron el viernes, 9 de junio de 2023, 23:59 CEST "
        "(Europe/Madrid).")
    seoul = format_session_time(utc(2023, 7, 3, 7, 0), utc(2023, 7, 3, 9, 0), "Europe/Madrid", "Asia/Seoul", "ko")
    assert seoul == "2023년 7월 3일 (월), 09:00–11:00 CEST / 16:00–18:00 KST"  # noqa: RUF001
