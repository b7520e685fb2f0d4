"""Cohorts and live sessions: from packages and from staff, the cohort window, attendance, reminders, calendars."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from lms.models import Attendance, AuditEntry, Cohort, Course, Enrolment, LiveSession, OutboxMessage, ReminderSent
from lms.services import (
    attendance,
    calendars,
    cohort_pages,
    cohorts,
    learning,
    live_sessions,
    publishing,
    quizzes,
    reminders,
)
from lms.services import outbox as outbox_service
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.cohort_factories import CARING_CITIES, local_now, make_cohort, publish_caring_cities, session_rows
from tests.factories import EXAMPLE, copy_package, edit_file, make_instructor, set_version, table_counts

# Cohorts declared by packages.


def test_publishing_caring_cities_creates_its_2023_cohort_with_four_sessions(db):
    publish_caring_cities()
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    assert (cohort.name, cohort.timezone, cohort.enrolment_mode) == ("Caring Cities 2023", "Europe/Madrid",
                                                                     "application")
    assert cohort.application_deadline_at == datetime(2023, 6, 9, 21, 59, tzinfo=UTC)
    assert (cohort.starts_on, cohort.ends_on) == (date(2023, 7, 3), date(2023, 7, 23))
    sessions = session_rows(cohort)
    assert [s.key for s in sessions] == ["orientation", "session-1", "session-2", "session-3"]
    assert [s.starts_at for s in sessions] == [datetime(2023, 7, day, 7, 0, tzinfo=UTC) for day in (3, 6, 13, 20)]
    assert all(s.ends_at - s.starts_at == timedelta(hours=2) for s in sessions)
    assert sessions[1].title == "Session 1: What is a Caring City and caring city services?"


def _republish_with_changes(package, version: str = "1.1.1", actor=None):
    set_version(package, version)
    edit_file(package / "course.yaml", 'starts_at: "2023-07-20T09:00"', 'starts_at: "2023-07-20T10:00"')
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Caring Cities 2023 (first run)")
    return publishing.import_package(actor, package, publish=True)


def _cohort_yaml_line(package, key: str) -> int:
    lines = (package / "course.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip() == f'- id: "{key}"')


def test_republishing_updates_the_cohort_the_package_created_and_audits_it(db, tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    instructor = make_instructor()
    publishing.import_package(instructor, package, publish=True)
    created = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor_id)
                                 .where(AuditEntry.target_type != "course")).all()
    assert sorted(created) == [("cohort.create", instructor.id)] + [("session.create", instructor.id)] * 4

    _republish_with_changes(package, actor=instructor)

    db.session.expire_all()
    rows = db.session.execute(db.select(Cohort)).scalars().all()
    assert len(rows) == 1, "re-publishing does not duplicate the cohort"
    cohort = rows[0]
    assert cohort.name == "Caring Cities 2023 (first run)"
    sessions = session_rows(cohort)
    assert len(sessions) == 4
    assert sessions[3].starts_at == datetime(2023, 7, 20, 8, 0, tzinfo=UTC) and sessions[3].sequence == 1
    entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.action.in_(
        ["cohort.update", "session.update"])).order_by(AuditEntry.id)).scalars().all()
    assert [(e.action, e.actor_id) for e in entries] == [("cohort.update", instructor.id),
                                                         ("session.update", instructor.id)]
    assert entries[0].details["name"] == {"from": "Caring Cities 2023", "to": "Caring Cities 2023 (first run)"}
    assert entries[0].details["by_package_version"] == "1.1.1"


@pytest.mark.parametrize("edit", ["cohort", "session", "added session"])
def test_a_package_cannot_change_a_cohort_an_administrator_edited(db, tmp_path, edit):
    package = copy_package(tmp_path, CARING_CITIES)
    publishing.import_package(None, package, publish=True)
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    orientation = session_rows(cohort)[0]
    if edit == "cohort":
        cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, capacity=25))
    elif edit == "session":
        live_sessions.update_session(None, orientation.id, live_sessions.SessionData(
            **{**live_sessions.session_data(orientation).__dict__, "join_url": "https://zoom.us/j/123456789"}))
    else:
        live_sessions.add_session(None, cohort.id, live_sessions.SessionData(
            title="Extra", starts_at=datetime(2023, 7, 21, 9), ends_at=datetime(2023, 7, 21, 10),
            timezone="Europe/Madrid"))
    instructor = make_instructor("caring-cities")
    before = table_counts(db)

    with pytest.raises(publishing.PackageRejected) as refused:
        _republish_with_changes(package, actor=instructor)

    [problem] = refused.value.problems
    assert (problem.file, problem.line) == ("course.yaml", _cohort_yaml_line(package, "2023"))
    assert "cohort '2023'" in problem.message and "administrator" in problem.message
    db.session.rollback()
    db.session.expire_all()
    assert table_counts(db) == before, "nothing of the version was stored"
    assert db.session.get(Cohort, cohort.id).name == "Caring Cities 2023"


def test_a_package_cannot_take_over_a_cohort_staff_created(db, tmp_path):
    """The security probe: an instructor's package reuses the key of the administrators' cohort to rename it, change
    its dates and capacity and add sessions with any joining link."""
    publish_caring_cities()
    staff_cohort = make_cohort(key="2027", name="Caring Cities 2027", capacity=30, sessions=1)
    package = copy_package(tmp_path, CARING_CITIES)
    set_version(package, "1.2.0")
    edit_file(package / "course.yaml", 'id: "2023"', 'id: "2027"')
    edit_file(package / "course.yaml", "join_url: https://zoom.us/j/0000000000",
              "join_url: https://evil.example/phish")
    instructor = make_instructor("caring-cities")

    report = publishing.diff_against_current(package)
    [plan] = report.cohort_changes
    assert plan.refusal and "cannot be changed by this package" in plan.summary_lines()[0]
    with pytest.raises(publishing.PackageRejected) as refused:
        publishing.import_package(instructor, package, publish=True)
    assert [(p.file, p.line) for p in refused.value.problems] == [("course.yaml", _cohort_yaml_line(package, "2027"))]
    db.session.rollback()
    db.session.expire_all()
    cohort = db.session.get(Cohort, staff_cohort.id)
    assert (cohort.name, cohort.capacity) == ("Caring Cities 2027", 30)
    assert all("evil" not in row.join_url for row in session_rows(cohort))


def test_a_draft_imported_before_an_edit_is_refused_at_publish_time(db, tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    publishing.import_package(None, package, publish=True)
    set_version(package, "1.1.1")
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Renamed")
    publishing.import_package(None, package)
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, capacity=25))

    report = publishing.diff_versions(None, "caring-cities", "1.1.1")
    assert report.cohort_changes[0].refusal
    with pytest.raises(publishing.PackageRejected):
        publishing.publish_version(None, "caring-cities", "1.1.1")


def test_the_diff_says_what_publishing_changes_in_existing_cohorts(db, tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    publishing.import_package(None, package, publish=True)
    set_version(package, "1.1.1")
    edit_file(package / "course.yaml", 'starts_at: "2023-07-20T09:00"', 'starts_at: "2023-07-20T10:00"')
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Caring Cities 2023 (first run)")

    [plan] = publishing.diff_against_current(package).cohort_changes
    assert plan.summary_lines() == [
        "Changes cohort “Caring Cities 2023 (first run)” (2023): name from Caring Cities 2023 to "
        "Caring Cities 2023 (first run).",
        "Changes live session session-3: start from 2023-07-20 07:00 UTC to 2023-07-20 08:00 UTC.",
    ]


# Staff-made cohorts.


def test_a_deadline_at_a_time_that_does_not_exist_is_refused(db):
    publish_caring_cities()
    data = cohorts.CohortData(name="Spring", timezone="Europe/Madrid", starts_on=date(2024, 4, 1),
                              ends_on=date(2024, 4, 30), application_deadline=datetime(2024, 3, 31, 2, 30))
    with pytest.raises(Invalid, match="does not exist") as error:
        cohorts.create_cohort(None, "caring-cities", data)
    assert error.value.field == "application_deadline"


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_on": date(2024, 3, 1)}, "ends_on"), ({"timezone": "Europe/Atlantis"}, "timezone"),
    ({"capacity": 0}, "capacity"), ({"name": "  "}, "name"), ({"enrolment_mode": "lottery"}, "enrolment_mode"),
    ({"applications_open": datetime(2024, 3, 10), "application_deadline": datetime(2024, 3, 1)},
     "application_deadline"),
])
def test_invalid_cohorts_are_refused_with_the_field(db, changes, field):
    publish_caring_cities()
    data = cohorts.CohortData(**{"name": "Spring", "timezone": "Europe/Madrid", "starts_on": date(2024, 4, 1),
                                 "ends_on": date(2024, 4, 30), **changes})
    with pytest.raises(Invalid) as error:
        cohorts.create_cohort(None, "caring-cities", data)
    assert error.value.field == field


def test_only_administrators_create_cohorts(db, make_user):
    publish_caring_cities()
    data = cohorts.CohortData(name="x", timezone="UTC", starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2))
    for role in ("learner", "instructor"):
        with pytest.raises(NotAllowed):
            cohorts.create_cohort(make_user(role), "caring-cities", data)
    assert cohorts.create_cohort(make_user("admin"), "caring-cities", data).id


def test_a_duplicate_key_is_a_conflict(db):
    publish_caring_cities()
    with pytest.raises(Conflict):
        make_cohort(key="2023")


def test_sessions_must_end_after_they_start_and_links_must_be_web_links(db):
    publish_caring_cities()
    cohort = make_cohort(sessions=0)
    base = {"title": "S", "timezone": "Europe/Madrid", "starts_at": datetime(2030, 1, 1, 9),
            "ends_at": datetime(2030, 1, 1, 11)}
    with pytest.raises(Invalid, match="end after"):
        live_sessions.add_session(None, cohort.id,
                                  live_sessions.SessionData(**{**base, "ends_at": datetime(2030, 1, 1, 9)}))
    with pytest.raises(Invalid, match="https://"):
        live_sessions.add_session(None, cohort.id, live_sessions.SessionData(**base, join_url="javascript:alert(1)"))


# Open enrolment joins the open cohort.


def _example_with_open_cohort(tmp_path, capacity=None, min_sessions=None):
    package = copy_package(tmp_path, EXAMPLE)
    if min_sessions is not None:
        edit_file(package / "course.yaml", "min_sessions_attended: 1", f"min_sessions_attended: {min_sessions}")
    publishing.import_package(None, package, publish=True)
    return make_cohort("example-all-features", mode="open", capacity=capacity, key="now", sessions=2)


def test_enrolling_in_an_open_course_joins_its_open_cohort(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learner = make_user()
    enrolment = learning.enrol(learner, "example-all-features")
    assert enrolment.cohort_id == cohort.id
    assert learning.enrol(learner, "example-all-features").cohort_id == cohort.id


def test_a_full_open_cohort_refuses_more_learners(db, make_user, tmp_path):
    _example_with_open_cohort(tmp_path, capacity=1)
    learning.enrol(make_user(), "example-all-features")
    with pytest.raises(Conflict, match="is full"):
        learning.enrol(make_user(), "example-all-features")


# The cohort window.


def _enrol_in(db, learner, cohort):
    return learning.enrol_user(learner, db.session.get(Course, cohort.course_id), cohort_id=cohort.id)


def test_before_the_cohort_starts_the_learner_is_told_when_it_opens(db, make_user):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=30))
    learner = make_user()
    _enrol_in(db, learner, cohort)
    with pytest.raises(NotAllowed, match=r"opens on"):
        learning.lesson_page(learner, "caring-cities", "m1-what-is-a-caring-city")
    assert learning.lesson_page(make_user("instructor"), "caring-cities", "m1-what-is-a-caring-city")


def test_after_the_cohort_ends_lessons_stay_readable_but_no_new_attempts(db, make_user):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=1),
                         opens=local_now() - timedelta(days=60), deadline=local_now() - timedelta(days=50))
    learner = make_user()
    _enrol_in(db, learner, cohort)
    assert learning.lesson_page(learner, "caring-cities", "m1-what-is-a-caring-city").html
    page = quizzes.quiz_page(learner, "caring-cities", "m1-quiz")
    assert page.attempt is None and "new quiz attempts are closed" in page.closed_message

    cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, allow_late_attempts=True))
    page = quizzes.quiz_page(learner, "caring-cities", "m1-quiz")
    assert page.attempt is not None and page.closed_message is None


# Attendance counts towards completion.


def test_attended_sessions_count_in_the_learners_progress(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path, min_sessions=2)
    learner, staff = make_user(), make_instructor("example-all-features")
    learning.enrol(learner, "example-all-features")
    first, second = session_rows(cohort)
    attendance.mark_attendance(staff, first.id, {learner.id})
    assert learning.course_page(learner, "example-all-features").state.sessions_attended == 1
    attendance.mark_attendance(staff, first.id, {learner.id})  # marking again counts once
    assert learning.course_page(learner, "example-all-features").state.sessions_attended == 1
    attendance.mark_attendance(staff, second.id, {learner.id})
    page = learning.course_page(learner, "example-all-features")
    assert page.state.sessions_attended == 2 and page.state.progress.sessions_missing == 0


def test_mark_attendance_sets_the_sheet_exactly(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    staff = make_instructor("example-all-features")
    ana, ben = make_user(), make_user()
    for learner in (ana, ben):
        learning.enrol(learner, "example-all-features")
    session = session_rows(cohort)[0]
    attendance.mark_attendance(staff, session.id, {ana.id, ben.id})
    sheet = attendance.mark_attendance(staff, session.id, {ben.id})
    assert [(row.user.id, row.present) for row in sheet.rows if row.present] == [(ben.id, True)]
    with pytest.raises(Invalid):
        attendance.mark_attendance(staff, session.id, {make_user().id})
    with pytest.raises(NotAllowed):
        attendance.attendance_sheet(ana, session.id)


def test_only_the_courses_instructors_and_admins_take_its_attendance(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learner = make_user()
    learning.enrol(learner, "example-all-features")
    session = session_rows(cohort)[0]
    outsider = make_user("instructor")  # an instructor, but not of this course
    with pytest.raises(NotAllowed):
        attendance.attendance_sheet(outsider, session.id)
    with pytest.raises(NotAllowed):
        attendance.mark_attendance(outsider, session.id, {learner.id})
    with pytest.raises(NotAllowed):
        attendance.import_zoom_report(outsider, session.id, f"User Email,Duration (Minutes)\n{learner.email},60\n"
                                      .encode())
    assert db.session.execute(db.select(db.func.count()).select_from(Attendance)).scalar_one() == 0
    assert attendance.mark_attendance(make_user("admin"), session.id, {learner.id}).present == 1


MESSY_ZOOM = (
    "\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Extra column\r\n"
    "{ana_name},{ana_email_upper},07/03/2023 09:01:00 AM,07/03/2023 10:30:00 AM,89,No,x\r\n"
    "Stranger,stranger@elsewhere.org,07/03/2023 09:01:00 AM,07/03/2023 10:30:00 AM,89,No,x\r\n"
    "{ben_name},{ben_email},07/03/2023 09:01:00 AM,07/03/2023 09:04:00 AM,3,No\r\n"
    "Dial-in,,07/03/2023 09:01:00 AM,07/03/2023 10:30:00 AM,89,Yes,x,y,z\r\n"
)


def test_importing_zoom_report_matches_by_email_and_lists_the_rest(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    staff = make_instructor("example-all-features")
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    for learner in (ana, ben):
        learning.enrol(learner, "example-all-features")
    session = session_rows(cohort)[0]
    data = MESSY_ZOOM.format(ana_name=ana.display_name, ana_email_upper=ana.email.upper(), ben_name="Ben",
                             ben_email=ben.email).encode("utf-8")
    outcome = attendance.import_zoom_report(staff, session.id, data, min_minutes=10)
    assert [(user.id, minutes) for user, minutes in outcome.marked] == [(ana.id, 89)]
    assert [(user.id, minutes) for user, minutes in outcome.too_short] == [(ben.id, 3)]
    assert [p.email for p in outcome.unmatched] == ["stranger@elsewhere.org"]
    assert [row.name for row in outcome.skipped] == ["Dial-in"]
    again = attendance.import_zoom_report(staff, session.id, data, min_minutes=10)
    assert not again.marked and [user.id for user in again.already] == [ana.id]
    rows = db.session.execute(db.select(Attendance)).scalars().all()
    assert [(row.user_id, row.source, row.minutes) for row in rows] == [(ana.id, "zoom-import", 89)]


def test_importing_zoom_report_matches_only_confirmed_account_addresses(db, make_user, tmp_path):
    from lms.services import accounts

    cohort = _example_with_open_cohort(tmp_path)
    staff = make_instructor("example-all-features")
    unconfirmed = accounts.create_user("claimed@example.org", "a good long password", accounts.Profile("Mallory"),
                                       verified=False)
    learning.enrol(unconfirmed, "example-all-features")
    data = MESSY_ZOOM.format(ana_name="Mallory", ana_email_upper="CLAIMED@EXAMPLE.ORG", ben_name="Ben",
                             ben_email="ben@example.org").encode("utf-8")
    outcome = attendance.import_zoom_report(staff, session_rows(cohort)[0].id, data)
    assert not outcome.marked
    assert "claimed@example.org" in [p.email for p in outcome.unmatched]


def test_joining_from_two_devices_does_not_reach_the_minimum_minutes(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    staff = make_instructor("example-all-features")
    ben = make_user(display_name="Ben")
    learning.enrol(ben, "example-all-features")
    session = session_rows(cohort)[0]
    data = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
            f"Ben (laptop),{ben.email},07/03/2023 09:01:00 AM,07/03/2023 09:07:00 AM,6\r\n"
            f"Ben (phone),{ben.email},07/03/2023 09:01:00 AM,07/03/2023 09:07:00 AM,6\r\n").encode()
    outcome = attendance.import_zoom_report(staff, session.id, data, min_minutes=10)
    assert not outcome.marked and [(user.id, minutes) for user, minutes in outcome.too_short] == [(ben.id, 6)]


def test_an_unreadable_report_is_invalid(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    with pytest.raises(Invalid, match="e-mail"):
        attendance.import_zoom_report(make_user("admin"), session_rows(cohort)[0].id, b"Name,Minutes\nAna,3\n")


# Reminders.


def test_reminders_are_sent_once_even_when_the_command_runs_twice(db, make_user, outbox, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learners = [make_user(timezone="Asia/Seoul"), make_user()]
    for learner in learners:
        learning.enrol(learner, "example-all-features")
    first = session_rows(cohort)[0]
    now = first.starts_at - timedelta(hours=20)
    run = reminders.send_reminders(now=now, hours_before=24)
    assert (run.queued, run.already_sent, run.sessions) == (2, 0, 1)
    again = reminders.send_reminders(now=now + timedelta(minutes=15), hours_before=24)
    assert (again.queued, again.already_sent) == (0, 2)
    assert len(outbox) == 2
    assert db.session.execute(db.select(db.func.count()).select_from(ReminderSent)).scalar() == 2
    seoul = next(m for m in outbox.messages if m["To"] == learners[0].email)
    body = seoul.get_body(preferencelist=("plain",)).get_content()
    assert "09:00–11:00 CE" in body and "KST" in body and "https://zoom.us/j/999000" in body  # noqa: RUF001


def test_sessions_too_far_ahead_or_past_get_no_reminder(db, make_user, outbox, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learning.enrol(make_user(), "example-all-features")
    first = session_rows(cohort)[0]
    assert reminders.send_reminders(now=first.starts_at - timedelta(hours=30), hours_before=24).queued == 0
    assert reminders.send_reminders(now=first.starts_at + timedelta(minutes=1), hours_before=24).queued == 0
    assert len(outbox) == 0


def test_a_reminder_waits_in_the_outbox_while_the_mail_server_is_down(app, db, make_user, outbox, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learning.enrol(make_user(), "example-all-features")
    now = session_rows(cohort)[0].starts_at - timedelta(hours=1)
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_TIMEOUT": 2}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)  # nothing listens on port 9 (discard): the connection is refused
    try:
        assert reminders.send_reminders(now=now, hours_before=24).queued == 1
        attempt = outbox_service.drain()
    finally:
        app.config.update(saved)
    assert (attempt.sent, attempt.retrying) == (0, 1)
    assert reminders.send_reminders(now=now, hours_before=24).queued == 0  # queued once, whatever the server does
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))  # the retry is due
    db.session.commit()
    assert len(outbox) == 1


# Calendars.


def test_the_feed_lists_the_learners_sessions_with_links_and_a_reset_token_stops_working(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learner = make_user()
    learning.enrol(learner, "example-all-features")
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
    cohort = _example_with_open_cohort(tmp_path)
    participant, outsider = make_user(), make_user()
    learning.enrol(participant, "example-all-features")
    session = session_rows(cohort)[0]
    assert b"zoom.us" in calendars.session_calendar(participant, session.id)[1]
    assert b"zoom.us" not in calendars.session_calendar(outsider, session.id)[1]
    assert b"zoom.us" not in calendars.cohort_calendar(None, cohort.id)[1]
    assert b"zoom.us" in calendars.cohort_calendar(make_instructor("example-all-features"), cohort.id)[1]
    assert b"zoom.us" not in calendars.cohort_calendar(make_user("instructor"), cohort.id)[1], "another course's"


def test_session_views_hide_the_joining_link_from_outsiders(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    participant = make_user(timezone="Asia/Seoul")
    learning.enrol(participant, "example-all-features")
    inside = cohort_pages.cohort_page(participant, cohort.id)
    outside = cohort_pages.cohort_page(make_user(), cohort.id)
    assert inside.enrolled and inside.sessions[0].join_url.startswith("https://zoom.us/")
    assert not outside.enrolled and outside.sessions[0].join_url == ""
    assert "KST" in inside.sessions[0].when
    upcoming = live_sessions.my_sessions(participant)
    assert [item.view.session.title for item in upcoming] == ["Session 1", "Session 2"]


def test_withdrawn_enrolments_leave_the_cohort_list(db, make_user, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learner = make_user()
    learning.enrol(learner, "example-all-features")
    learning.unenrol(learner, "example-all-features")
    summary = next(s for s in cohorts.list_cohorts(None) if s.cohort.id == cohort.id)
    assert summary.enrolled == 0
    assert db.session.execute(db.select(Enrolment)).scalar_one().cohort_id == cohort.id


@pytest.mark.parametrize("join_url", ["https://zoom.us/j/1\r\nATTENDEE:evil", "https://zoom.us/j/1\x1b[0m"])
def test_a_session_link_with_control_characters_is_refused(db, join_url):
    publish_caring_cities()
    cohort = make_cohort(sessions=0)
    with pytest.raises(Invalid, match="control characters") as refused:
        live_sessions.add_session(None, cohort.id, live_sessions.SessionData(
            title="Orientation", starts_at=datetime(2031, 3, 3, 9), ends_at=datetime(2031, 3, 3, 10),
            timezone="Europe/Madrid", join_url=join_url))
    assert refused.value.field == "join_url"


def test_a_package_session_link_with_control_characters_is_a_problem(tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    edit_file(package / "course.yaml", "join_url: https://zoom.us/j/0000000000",
              'join_url: "https://zoom.us/j/0\\e[31m"')
    result = publishing.validate(package)
    assert any("join_url" in problem.message or "http" in problem.message for problem in result.problems), \
        result.problems


def test_a_bad_stored_link_never_breaks_a_calendar_or_the_feed(client, db, login_as, tmp_path):
    cohort = _example_with_open_cohort(tmp_path)
    learner = login_as("learner")
    learning.enrol(learner, "example-all-features")
    row = session_rows(cohort)[0]
    for stored in ("https://zoom.us/j/1\r\nATTENDEE:evil", "javascript:alert(1)"):
        db.session.execute(db.update(LiveSession).where(LiveSession.id == row.id).values(join_url=stored))
        db.session.commit()
        for url in (f"/programmes/sessions/{row.id}.ics", f"/programmes/cohorts/{cohort.id}/sessions.ics",
                    calendars.feed_url(learner).removeprefix("http://lms.test")):
            response = client.get(url)
            assert response.status_code == 200, url
            assert b"evil" not in response.data and b"javascript" not in response.data
        assert "javascript:" not in client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
