from lms.core.durations import duration_phrase


def test_durations_read_in_the_largest_whole_unit():
    assert [duration_phrase(s) for s in (0, 1, 59, 60, 61, 3599, 3600, 7300, 86400, 200000, -5)] == [
        "0 seconds", "1 second", "59 seconds", "1 minute", "1 minute", "59 minutes", "1 hour", "2 hours", "1 day",
        "2 days", "0 seconds"]


def test_durations_are_worded_in_the_readers_language_with_its_plural_forms():
    assert duration_phrase(720, "es") == "12 minutos"
    assert duration_phrase(3600, "fr") == "1\u00a0heure"  # French keeps the number and the unit together
    assert duration_phrase(720, "ko") == "12분"  # CLDR has only the short form for Korean: never "12 duration-minute"
    assert duration_phrase(2 * 86400, "ar") == "يومان"  # Arabic's dual
    assert duration_phrase(3 * 86400, "ar") == "3 أيام"
