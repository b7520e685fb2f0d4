"""lms.services.cohorts, live_sessions, cohort_sync and cohort_pages: cohorts from packages and from staff, open
enrolment, the cohort window, session views and what views may load."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.models import AuditEntry, Cohort, Enrolment, LiveSession
from lms.services import (
    calendars,
    catalog,
    cohort_pages,
    cohorts,
    enrolments,
    learning,
    live_sessions,
    package_validation,
    publishing,
    quizzes,
    version_diff,
)
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.cohort_factories import (
    CARING_CITIES,
    enrol_in_cohort,
    example_with_open_cohort,
    local_now,
    make_cohort,
    publish_caring_cities,
    session_rows,
)
from tests.factories import EXAMPLE_SLUG, copy_package, edit_file, make_instructor, set_version, table_counts

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


def _republish_with_changes(package, version: str = "1.3.1", actor=None):
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
    assert entries[0].details["by_package_version"] == "1.3.1"


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

    with pytest.raises(package_validation.PackageRejected) as refused:
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
    set_version(package, "1.4.0")
    edit_file(package / "course.yaml", 'id: "2023"', 'id: "2027"')
    edit_file(package / "course.yaml", "join_url: https://zoom.us/j/0000000000",
              "join_url: https://evil.example/phish")
    instructor = make_instructor("caring-cities")

    report = version_diff.diff_against_current(package)
    [plan] = report.cohort_changes
    assert plan.refusal and "cannot be changed by this package" in str(plan.summary_lines()[0])
    with pytest.raises(package_validation.PackageRejected) as refused:
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
    set_version(package, "1.3.1")
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Renamed")
    publishing.import_package(None, package)
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, capacity=25))

    report = version_diff.diff_versions(None, "caring-cities", "1.3.1")
    assert report.cohort_changes[0].refusal
    with pytest.raises(package_validation.PackageRejected):
        publishing.publish_version(None, "caring-cities", "1.3.1")


def test_the_diff_says_what_publishing_changes_in_existing_cohorts(db, tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    publishing.import_package(None, package, publish=True)
    set_version(package, "1.3.1")
    edit_file(package / "course.yaml", 'starts_at: "2023-07-20T09:00"', 'starts_at: "2023-07-20T10:00"')
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Caring Cities 2023 (first run)")

    [plan] = version_diff.diff_against_current(package).cohort_changes
    assert [str(line) for line in plan.summary_lines()] == [
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


def test_enrolling_in_an_open_course_joins_its_open_cohort(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learner = make_user()
    enrolment = enrolments.enrol(learner, EXAMPLE_SLUG)
    assert enrolment.cohort_id == cohort.id
    assert enrolments.enrol(learner, EXAMPLE_SLUG).cohort_id == cohort.id


def test_a_full_open_cohort_refuses_more_learners(db, make_user, tmp_path):
    example_with_open_cohort(tmp_path, capacity=1)
    enrolments.enrol(make_user(), EXAMPLE_SLUG)
    with pytest.raises(Conflict, match="is full"):
        enrolments.enrol(make_user(), EXAMPLE_SLUG)


# The cohort window.


def test_before_the_cohort_starts_the_learner_is_told_when_it_opens(db, make_user):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=30))
    learner = make_user()
    enrol_in_cohort(learner, cohort)
    with pytest.raises(NotAllowed, match=r"opens on"):
        learning.lesson_page(learner, "caring-cities", "m1-what-is-a-caring-city")
    assert learning.lesson_page(make_user("instructor"), "caring-cities", "m1-what-is-a-caring-city")


def test_after_the_cohort_ends_lessons_stay_readable_but_no_new_attempts(db, make_user):
    publish_caring_cities()
    today = local_now().date()
    cohort = make_cohort(starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=1),
                         opens=local_now() - timedelta(days=60), deadline=local_now() - timedelta(days=50))
    learner = make_user()
    enrol_in_cohort(learner, cohort)
    assert learning.lesson_page(learner, "caring-cities", "m1-what-is-a-caring-city").html
    page = quizzes.quiz_page(learner, "caring-cities", "m1-quiz")
    assert page.attempt is None and "new quiz attempts are closed" in page.closed_message

    cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, allow_late_attempts=True))
    page = quizzes.quiz_page(learner, "caring-cities", "m1-quiz")
    assert page.attempt is not None and page.closed_message is None


# Session views.


def test_session_views_hide_the_joining_link_from_outsiders(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    participant = make_user(timezone="Asia/Seoul")
    enrolments.enrol(participant, EXAMPLE_SLUG)
    inside = cohort_pages.cohort_page(participant, cohort.id)
    outside = cohort_pages.cohort_page(make_user(), cohort.id)
    assert inside.enrolled and inside.sessions[0].join_url.startswith("https://zoom.us/")
    assert not outside.enrolled and outside.sessions[0].join_url == ""
    assert "KST" in inside.sessions[0].when
    upcoming = live_sessions.my_sessions(participant)
    assert [item.view.session.title for item in upcoming] == ["Session 1", "Session 2"]


def test_withdrawn_enrolments_leave_the_cohort_list(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    enrolments.unenrol(learner, EXAMPLE_SLUG)
    summary = next(s for s in cohorts.list_cohorts(None) if s.cohort.id == cohort.id)
    assert summary.enrolled == 0
    assert db.session.execute(db.select(Enrolment)).scalar_one().cohort_id == cohort.id


def test_views_load_a_cohort_only_as_the_actor_may_see_it(db, make_user, tmp_path):
    package = copy_package(tmp_path)
    publishing.import_package(None, package)  # imported, not published: its cohorts are not public yet
    course = catalog.get_course(EXAMPLE_SLUG)
    cohort = cohorts.create_cohort(None, course.slug, cohorts.CohortData(
        name="Draft run", timezone="UTC", starts_on=date(2030, 1, 1), ends_on=date(2030, 2, 1)))
    session = live_sessions.add_session(None, cohort.id, live_sessions.SessionData(
        title="Kick-off", starts_at=datetime(2030, 1, 2, 9), ends_at=datetime(2030, 1, 2, 10), timezone="UTC"))
    learner, admin = make_user(), make_user("admin")
    with pytest.raises(NotFound):
        cohorts.get_cohort(learner, cohort.id)
    with pytest.raises(NotFound):
        live_sessions.get_live_session(learner, session.id)
    assert cohorts.get_cohort(admin, cohort.id).id == cohort.id
    assert live_sessions.get_live_session(admin, session.id).id == session.id


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
    result = package_validation.validate(package)
    assert any("join_url" in problem.message or "http" in problem.message for problem in result.problems), \
        result.problems


def test_a_bad_stored_link_never_breaks_a_calendar_or_the_feed(client, db, login_as, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learner = login_as("learner")
    enrolments.enrol(learner, EXAMPLE_SLUG)
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
