"""Reading Zoom's participants report: encodings, header names, summaries above the table, rejoins."""

import pytest

from lms.core.zoom_report import ReportUnreadable, parse_participants_report

ZOOM = (
    "\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,"
    "In Waiting Room\r\n"
    "Ana Pérez,ana@city.gov,07/03/2023 09:01:00 AM,07/03/2023 10:30:00 AM,90,No,Y,No\r\n"
    "김민수,MINSU@Seoul.go.kr ,07/03/2023 09:00:00 AM,07/03/2023 09:40:00 AM,40,No,Y,No\r\n"
    "김민수,minsu@seoul.go.kr,07/03/2023 09:50:00 AM,07/03/2023 11:00:00 AM,70,No,Y,No\r\n"
    "Phone caller,,07/03/2023 09:05:00 AM,07/03/2023 09:30:00 AM,25,Yes,N,No\r\n"
    "Not an address,nobody,07/03/2023 09:05:00 AM,07/03/2023 09:30:00 AM,25,Yes,N,No\r\n"
    "\r\n"
).encode()


def test_zoom_report_with_bom_extra_columns_and_rejoins():
    report = parse_participants_report(ZOOM)
    people = {p.email: p for p in report.participants}
    assert set(people) == {"ana@city.gov", "minsu@seoul.go.kr"}
    assert people["minsu@seoul.go.kr"].minutes == 110 and people["minsu@seoul.go.kr"].lines == (3, 4)
    assert people["ana@city.gov"].name == "Ana Pérez"
    assert [(row.line, row.name) for row in report.skipped] == [(5, "Phone caller"), (6, "Not an address")]
    assert report.problems == ()


def test_zoom_report_with_the_meeting_summary_above_and_other_header_names():
    data = (
        b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        b"812 3456 7890,Caring Cities orientation,07/03/2023 08:55,07/03/2023 11:02,host@metropolis.org,127,3\n"
        b"\n"
        b"Participant;Email;Total duration (minutes)\n"
    )
    data = data.replace(b"Participant;Email;Total duration (minutes)\n",
                        b"Name,Email,Total duration (minutes)\nAna,ana@city.gov,88\n")
    report = parse_participants_report(data)
    assert [(p.email, p.minutes) for p in report.participants] == [("ana@city.gov", 88)]


def test_zoom_report_with_semicolons_and_windows_encoding():
    data = "Name;User Email;Duration (Minutes)\r\nJosé Núñez;jose@bogota.gov.co;45\r\n".encode("cp1252")
    report = parse_participants_report(data)
    assert [(p.name, p.email, p.minutes) for p in report.participants] == [("José Núñez", "jose@bogota.gov.co", 45)]


def test_zoom_report_in_utf16():
    data = "Name\tUser Email\tDuration (Minutes)\nAna\tana@city.gov\t30\n".encode("utf-16")
    assert [p.email for p in parse_participants_report(data).participants] == ["ana@city.gov"]


def test_zoom_report_without_durations_says_so():
    report = parse_participants_report(b"Email,Name\nana@city.gov,Ana\n")
    assert report.participants[0].minutes == 0 and report.problems


@pytest.mark.parametrize("data", [b"", b"   \n", b"Name,Join Time\nAna,09:00\n"])
def test_an_unusable_report_is_refused_with_a_reason(data):
    with pytest.raises(ReportUnreadable):
        parse_participants_report(data)


def test_a_person_on_two_devices_at_once_is_counted_once():
    """The laptop and the phone both joined for the whole hour: one hour, not two, towards the minimum minutes."""
    data = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
        b"Ana (laptop),ana@city.gov,07/03/2023 09:00:00 AM,07/03/2023 10:00:00 AM,60\r\n"
        b"Ana (phone),ana@city.gov,07/03/2023 09:00:00 AM,07/03/2023 10:00:00 AM,60\r\n"
        b"Bo,bo@city.gov,07/03/2023 09:00:00 AM,07/03/2023 09:40:00 AM,40\r\n"
        b"Bo,bo@city.gov,07/03/2023 09:30:00 AM,07/03/2023 10:00:00 AM,30\r\n"
        b"Cy,cy@city.gov,2023-07-03 09:00:10,2023-07-03 09:20:00,20\r\n"
        b"Cy,cy@city.gov,2023-07-03 09:30:00,2023-07-03 09:40:00,10\r\n"
    )
    minutes = {p.email: p.minutes for p in parse_participants_report(data).participants}
    assert minutes == {"ana@city.gov": 60, "bo@city.gov": 60, "cy@city.gov": 30}


def test_rows_without_times_count_their_duration():
    data = b"Email,Join Time,Leave Time,Duration (Minutes)\nana@city.gov,,,25\nana@city.gov,bad,time,5\n"
    assert parse_participants_report(data).participants[0].minutes == 30
