from lms.core.durations import duration_phrase


def test_durations_read_in_the_largest_whole_unit():
    assert [duration_phrase(s) for s in (0, 1, 59, 60, 61, 3599, 3600, 7300, 86400, 200000, -5)] == [
        "0 seconds", "1 second", "59 seconds", "1 minute", "1 minute", "59 minutes", "1 hour", "2 hours", "1 day",
        "2 days", "0 seconds"]
