"""lms.services.cohorts, live_sessions, cohort_sync and cohort_pages: cohorts from packages and from staff, open
enrolment, the cohort window, session views and what views may load."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.models import Cohort, Enrolment
from lms.services import (
    catalog,
    cohort_pages,
    cohorts,
    learning,
    live_sessions,
    publishing,
    quizzes,
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
from tests.factories import copy_package, edit_file, set_version

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


def test_republishing_updates_what_the_package_changed_and_keeps_staff_edits(db, tmp_path):
    package = copy_package(tmp_path, CARING_CITIES)
    publishing.import_package(None, package, publish=True)
    cohort = db.session.execute(db.select(Cohort).filter_by(key="2023")).scalar_one()
    orientation = session_rows(cohort)[0]
    live_sessions.update_session(None, orientation.id, live_sessions.SessionData(
        **{**live_sessions.session_data(orientation).__dict__, "join_url": "https://zoom.us/j/123456789"}))
    cohorts.update_cohort(None, cohort.id, cohorts.cohort_data(cohort, capacity=25, allow_late_attempts=True))

    set_version(package, "1.1.1")
    edit_file(package / "course.yaml", 'starts_at: "2023-07-20T09:00"', 'starts_at: "2023-07-20T10:00"')
    edit_file(package / "course.yaml", "name: Caring Cities 2023", "name: Caring Cities 2023 (first run)")
    publishing.import_package(None, package, publish=True)

    db.session.expire_all()
    rows = db.session.execute(db.select(Cohort)).scalars().all()
    assert len(rows) == 1, "re-publishing does not duplicate the cohort"
    cohort = rows[0]
    assert cohort.name == "Caring Cities 2023 (first run)"
    assert cohort.capacity == 25 and cohort.allow_late_attempts, "staff edits the package did not touch stay"
    sessions = session_rows(cohort)
    assert len(sessions) == 4
    assert sessions[0].join_url == "https://zoom.us/j/123456789"
    assert sessions[3].starts_at == datetime(2023, 7, 20, 8, 0, tzinfo=UTC) and sessions[3].sequence == 1


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
    enrolment = learning.enrol(learner, "example-all-features")
    assert enrolment.cohort_id == cohort.id
    assert learning.enrol(learner, "example-all-features").cohort_id == cohort.id


def test_a_full_open_cohort_refuses_more_learners(db, make_user, tmp_path):
    example_with_open_cohort(tmp_path, capacity=1)
    learning.enrol(make_user(), "example-all-features")
    with pytest.raises(Conflict, match="is full"):
        learning.enrol(make_user(), "example-all-features")


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
    learning.enrol(participant, "example-all-features")
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
    learning.enrol(learner, "example-all-features")
    learning.unenrol(learner, "example-all-features")
    summary = next(s for s in cohorts.list_cohorts(None) if s.cohort.id == cohort.id)
    assert summary.enrolled == 0
    assert db.session.execute(db.select(Enrolment)).scalar_one().cohort_id == cohort.id


def test_views_load_a_cohort_only_as_the_actor_may_see_it(db, make_user, tmp_path):
    package = copy_package(tmp_path)
    publishing.import_package(None, package)  # imported, not published: its cohorts are not public yet
    course = catalog.get_course("example-all-features")
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
