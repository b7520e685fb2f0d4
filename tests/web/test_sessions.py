"""Cohort and session pages, calendars, the staff's cohort editing and attendance, and cohort windows in the web."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from lms.models import Attendance, Cohort, LiveSession
from lms.services import calendars, enrolments, publishing
from tests.cohort_factories import local_now, make_cohort, publish_caring_cities, session_rows
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, make_instructor, table_counts


@pytest.fixture
def open_cohort(db, tmp_path):
    publishing.import_package(None, copy_package(tmp_path, EXAMPLE), publish=True)
    return make_cohort(EXAMPLE_SLUG, mode="open", key="now", name="Example run")


def ics_lines(data: bytes) -> list[str]:
    return re.sub(r"\r\n[ \t]", "", data.decode()).split("\r\n")


def test_the_caring_cities_cohort_page_shows_times_in_both_zones(client, db, login_as, make_user):
    publish_caring_cities()
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    login_as(make_user(timezone="Asia/Seoul"))
    html = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Mon 3 Jul 2023, 09:00–11:00 CEST / 16:00–18:00 KST" in html  # noqa: RUF001
    assert "Thu 20 Jul 2023, 09:00–11:00 CEST / 16:00–18:00 KST" in html  # noqa: RUF001
    assert "Friday 9 June 2023 at 23:59 CEST" in html and "Applications for Caring Cities 2023 closed" in html
    assert "zoom.us" not in html, "no joining link for people outside the cohort"
    assert client.get("/programmes/courses/caring-cities/cohorts").status_code == 200
    assert "/programmes/courses/caring-cities/cohorts" in client.get("/courses/caring-cities/").get_data(as_text=True)


def test_participants_see_the_joining_link_and_outsiders_do_not(client, db, login_as, make_user, open_cohort):
    participant = make_user()
    enrolments.enrol(participant, EXAMPLE_SLUG)
    login_as(participant)
    html = client.get(f"/programmes/cohorts/{open_cohort.id}").get_data(as_text=True)
    assert "https://zoom.us/j/999000" in html and "You are in this cohort" in html
    assert "https://zoom.us/j/999000" in client.get("/programmes/sessions").get_data(as_text=True)
    client.post("/logout")
    login_as("learner")
    assert "zoom.us" not in client.get(f"/programmes/cohorts/{open_cohort.id}").get_data(as_text=True)
    client.post("/logout")
    assert "zoom.us" not in client.get(f"/programmes/cohorts/{open_cohort.id}").get_data(as_text=True)


def test_a_session_downloads_as_ics_with_its_utc_instant(client, db):
    publish_caring_cities()
    session = db.session.execute(db.select(LiveSession).filter_by(key="orientation")).scalar_one()
    response = client.get(f"/programmes/sessions/{session.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "DTSTART:20230703T070000Z" in ics_lines(response.data)
    event = next(iter(Calendar.from_ical(response.data).walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2023, 7, 3, 7, 0, tzinfo=UTC)


def test_a_cohort_downloads_as_one_calendar(client, db):
    publish_caring_cities()
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    data = client.get(f"/programmes/cohorts/{cohort.id}/sessions.ics").data
    starts = sorted(e.decoded("dtstart") for e in Calendar.from_ical(data).walk("VEVENT"))
    assert starts == [datetime(2023, 7, day, 7, 0, tzinfo=UTC) for day in (3, 6, 13, 20)]
    assert len({line for line in ics_lines(data) if line.startswith("UID:")}) == 4


def test_the_private_feed_works_without_logging_in_until_it_is_reset(client, db, login_as, make_user, open_cohort):
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    login_as(learner)
    page = client.get("/programmes/calendar").get_data(as_text=True)
    url = re.search(r'value="(http://lms\.test/programmes/feed/[^"]+\.ics)"', page).group(1)
    path = url.removeprefix("http://lms.test")
    client.post("/logout")
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar" and b"zoom.us" in feed.data
    login_as(learner)
    client.post("/programmes/calendar/reset")
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert client.get(calendars.feed_url(learner)).status_code == 200


# Staff: cohorts and sessions.


def test_an_admin_creates_a_cohort_and_a_session_in_the_web(client, db, login_as):
    publish_caring_cities()
    login_as("admin")
    assert client.get("/staff/cohorts/new").status_code == 200
    response = client.post("/staff/cohorts/new", data={
        "course": "caring-cities", "name": "Caring Cities 2031", "timezone": "Asia/Seoul",
        "applications_open": "2031-01-01T00:00", "application_deadline": "2031-02-01T23:59",
        "starts_on": "2031-03-03", "ends_on": "2031-03-28", "capacity": "40", "enrolment_mode": "application"})
    assert response.status_code == 302
    cohort = db.session.execute(db.select(Cohort).filter_by(name="Caring Cities 2031")).scalar_one()
    assert cohort.application_deadline_at == datetime(2031, 2, 1, 14, 59, tzinfo=UTC)
    response = client.post(f"/staff/cohorts/{cohort.id}/sessions/new", data={
        "title": "Orientation", "timezone": "Asia/Seoul", "starts_at": "2031-03-03T16:00",
        "ends_at": "2031-03-03T18:00", "join_url": "https://zoom.us/j/42"})
    assert response.status_code == 302
    session = db.session.execute(db.select(LiveSession).filter_by(cohort_id=cohort.id)).scalar_one()
    assert session.starts_at == datetime(2031, 3, 3, 7, 0, tzinfo=UTC)
    html = client.get(f"/staff/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Orientation" in html and "Edit the cohort" in html


def test_a_nonexistent_local_time_is_explained_on_the_form(client, db, login_as):
    publish_caring_cities()
    login_as("admin")
    response = client.post("/staff/cohorts/new", data={
        "course": "caring-cities", "name": "Spring", "timezone": "Europe/Madrid",
        "application_deadline": "2024-03-31T02:30", "starts_on": "2024-04-01", "ends_on": "2024-04-30",
        "enrolment_mode": "application"})
    assert response.status_code == 422
    assert "does not exist in Europe/Madrid" in response.get_data(as_text=True)


def test_an_admin_edits_a_cohort_and_a_session(client, db, login_as, open_cohort):
    login_as("admin")
    form = client.get(f"/staff/cohorts/{open_cohort.id}/edit").get_data(as_text=True)
    assert 'value="Example run"' in form
    response = client.post(f"/staff/cohorts/{open_cohort.id}/edit", data={
        "name": "Example run (extended)", "timezone": "Europe/Madrid",
        "starts_on": open_cohort.starts_on.isoformat(), "ends_on": "2099-12-31", "enrolment_mode": "open",
        "allow_late_attempts": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    cohort = db.session.get(Cohort, open_cohort.id)
    assert cohort.name == "Example run (extended)" and cohort.allow_late_attempts
    session = session_rows(cohort)[0]
    response = client.post(f"/staff/sessions/{session.id}/edit", data={
        "title": "Session 1", "timezone": "Europe/Madrid", "starts_at": "2099-01-05T10:00",
        "ends_at": "2099-01-05T12:00", "recording_url": "https://video.example.org/1"})
    assert response.status_code == 302
    db.session.expire_all()
    session = db.session.get(LiveSession, session.id)
    assert session.recording_url == "https://video.example.org/1" and session.sequence == 1


def test_instructors_see_cohorts_and_take_attendance_but_do_not_edit(client, db, login_as, open_cohort):
    login_as(make_instructor(EXAMPLE_SLUG))
    assert client.get("/staff/").status_code == 200
    assert "Attendance" in client.get(f"/staff/cohorts/{open_cohort.id}").get_data(as_text=True)
    session = session_rows(open_cohort)[0]
    assert client.get(f"/staff/sessions/{session.id}/attendance").status_code == 200
    assert client.get(f"/staff/cohorts/{open_cohort.id}/edit").status_code == 403
    assert client.post(f"/staff/cohorts/{open_cohort.id}/edit", data={"name": "x"}).status_code == 403
    assert client.get(f"/staff/sessions/{session.id}/edit").status_code == 403
    assert "Edit the cohort" not in client.get(f"/staff/cohorts/{open_cohort.id}").get_data(as_text=True)
    response = client.post("/staff/cohorts/new", data={
        "course": EXAMPLE_SLUG, "name": "Mine", "timezone": "UTC", "starts_on": "2030-01-01",
        "ends_on": "2030-01-02", "enrolment_mode": "open"})
    assert response.status_code == 403


def test_attendance_by_hand_and_from_a_messy_zoom_report(client, db, login_as, make_user, open_cohort):
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    for learner in (ana, ben):
        enrolments.enrol(learner, EXAMPLE_SLUG)
    session = session_rows(open_cohort)[0]
    login_as(make_instructor(EXAMPLE_SLUG))
    sheet = client.get(f"/staff/sessions/{session.id}/attendance").get_data(as_text=True)
    assert "Ana was present" in sheet and "Ben was present" in sheet
    client.post(f"/staff/sessions/{session.id}/attendance", data={"present": [str(ben.id)], "confirm_early": "yes"})
    report = ("\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Extra\r\n"
              f"Ana P,{ana.email.upper()},x,y,75,No,1\r\n"
              "Visitor,visitor@nowhere.org,x,y,60,No,1\r\n"
              ",,x,y,5,Yes\r\n").encode()
    response = client.post(f"/staff/sessions/{session.id}/attendance/import",
                           data={"report": (io.BytesIO(report), "participants.csv"),
                                 "min_minutes": "0", "confirm_early": "y"}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Marked present: 1" in html and "visitor@nowhere.org" in html and "line 4" in html
    present = {row.user_id: row.source for row in db.session.execute(db.select(Attendance)).scalars()}
    assert present == {ana.id: "zoom-import", ben.id: "manual"}


def test_attendance_for_a_session_not_started_yet_asks_for_confirmation(client, db, login_as, make_user,
                                                                          open_cohort):
    ana = make_user(display_name="Ana")
    enrolments.enrol(ana, EXAMPLE_SLUG)
    session = session_rows(open_cohort)[0]  # in two days
    login_as(make_instructor(EXAMPLE_SLUG))
    url = f"/staff/sessions/{session.id}/attendance"

    asked = client.post(url, data={"present": [str(ana.id)]})

    html = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "has not started yet" in html and 'name="confirm_early"' in html
    assert f'value="{ana.id}" id="present-{ana.id}" checked' in html, "the ticks are kept"
    assert db.session.execute(db.select(Attendance)).first() is None
    report = f"User Email,Duration (Minutes)\n{ana.email},75\n".encode()
    imported = client.post(f"{url}/import", data={"report": (io.BytesIO(report), "p.csv"), "min_minutes": "0"},
                           content_type="multipart/form-data")
    assert imported.status_code == 422 and "Import even if the session has not started yet" in \
        imported.get_data(as_text=True)
    assert db.session.execute(db.select(Attendance)).first() is None

    assert client.post(url, data={"present": [str(ana.id)], "confirm_early": "yes"}).status_code == 302
    assert db.session.execute(db.select(Attendance.user_id)).scalar_one() == ana.id


def test_an_instructor_of_another_course_sees_the_cohort_but_not_its_attendance(client, db, login_as, make_user,
                                                                                   open_cohort):
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    login_as("instructor")
    session = session_rows(open_cohort)[0]
    page = client.get(f"/staff/cohorts/{open_cohort.id}")
    assert page.status_code == 200 and "Attendance" not in page.get_data(as_text=True)
    assert "zoom.us" not in page.get_data(as_text=True), "the joining links are for the course's staff and learners"
    assert client.get(f"/staff/sessions/{session.id}/attendance").status_code == 403
    before = table_counts(db)
    response = client.post(f"/staff/sessions/{session.id}/attendance", data={"present": [str(learner.id)]})
    assert response.status_code == 403 and table_counts(db) == before


def test_an_unreadable_report_is_refused_on_the_page(client, db, login_as, open_cohort):
    login_as("admin")
    session = session_rows(open_cohort)[0]
    response = client.post(f"/staff/sessions/{session.id}/attendance/import",
                           data={"report": (io.BytesIO(b"just,some\ncolumns,here\n"), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "No column of e-mail addresses" in response.get_data(as_text=True)


# Cohort windows in the learner's pages.


def test_before_the_start_the_lesson_page_says_when_the_cohort_opens(client, db, login_as, make_user):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=20))
    learner = login_as("learner")
    from lms.models import Course

    enrolments.enrol_user(learner, db.session.get(Course, cohort.course_id), cohort_id=cohort.id)
    db.session.commit()
    response = client.get("/courses/caring-cities/lessons/m1-what-is-a-caring-city")
    assert response.status_code == 403 and "opens on" in response.get_data(as_text=True)
    for page in ("/courses/caring-cities/", "/learning"):
        html = client.get(page).get_data(as_text=True)
        assert "opens on" in html, page
        assert "/courses/caring-cities/lessons/" not in html, f"{page} offers no lesson link before the start"


def test_after_the_end_the_quiz_page_explains_why_no_attempt_starts(client, db, login_as):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=2),
                         opens=local_now() - timedelta(days=60), deadline=local_now() - timedelta(days=40))
    learner = login_as("learner")
    from lms.models import Course

    enrolments.enrol_user(learner, db.session.get(Course, cohort.course_id), cohort_id=cohort.id)
    db.session.commit()
    assert client.get("/courses/caring-cities/lessons/m1-what-is-a-caring-city").status_code == 200
    html = client.get("/courses/caring-cities/quizzes/m1-quiz").get_data(as_text=True)
    assert "new quiz attempts are closed" in html and 'name="attempt"' not in html


def test_pages_carry_no_inline_script_or_style(client, db, login_as, open_cohort):
    login_as("admin")
    session = session_rows(open_cohort)[0]
    for url in (f"/programmes/cohorts/{open_cohort.id}", "/programmes/sessions", "/programmes/calendar",
                "/programmes/applications", "/staff/", f"/staff/cohorts/{open_cohort.id}",
                f"/staff/cohorts/{open_cohort.id}/applications", f"/staff/sessions/{session.id}/attendance",
                f"/staff/sessions/{session.id}/edit", f"/staff/cohorts/{open_cohort.id}/sessions/new"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "<script" not in html and "style=" not in html and "<style" not in html, url
        for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
            if 'type="submit"' in tag or 'type="hidden"' in tag:
                continue
            input_id = re.search(r'\bid="([^"]+)"', tag).group(1)
            assert f'for="{input_id}"' in html, (url, input_id)


def test_the_course_cohorts_page_queries_do_not_grow_with_the_number_of_cohorts(client, db, login_as,
                                                                                 count_queries):
    publish_caring_cities()
    login_as("learner")
    counts = []
    for number in range(3):
        make_cohort(name=f"Run {number}", key=f"run-{number}", capacity=20)
        client.get("/programmes/courses/caring-cities/cohorts")
        with count_queries() as queries:
            html = client.get("/programmes/courses/caring-cities/cohorts").get_data(as_text=True)
        counts.append(len(queries))
    assert "Run 2" in html and "Run 0" in html
    assert counts[0] == counts[2], counts
