"""The audit log: each staff action done through its real page (or command) leaves exactly one entry with who, what,
when and from where; refused actions leave none; the admin page lists, filters, links and exports them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from lms.models import AuditEntry, Certificate, Cohort, LiveSession, User
from lms.services import application_review, enrolments, publishing
from tests.cohort_factories import apply, make_cohort, publish_caring_cities, session_rows
from tests.factories import (
    DEFAULT_PASSWORD,
    EXAMPLE,
    EXAMPLE_SLUG,
    completable_online,
    copy_package,
    edit_file,
    make_instructor,
    set_version,
)
from tests.web.test_author import upload, zipped

SLUG = EXAMPLE_SLUG
LOCAL = "127.0.0.1"  # the test client's remote address


def entries(db, action: str | None = None) -> list[AuditEntry]:
    query = db.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.execute(query.execution_options(populate_existing=True)).scalars())


def only_entry(db, action: str) -> AuditEntry:
    found = entries(db, action)
    assert len(found) == 1, found
    return found[0]


def assert_by(entry: AuditEntry, actor: User) -> None:
    assert (entry.actor_id, entry.actor_email, entry.origin) == (actor.id, actor.email, LOCAL)
    assert entry.at.tzinfo is not None and abs(datetime.now(UTC) - entry.at) < timedelta(minutes=5)


@pytest.fixture
def open_cohort(db, tmp_path):
    publishing.import_package(None, copy_package(tmp_path, EXAMPLE), publish=True)
    return make_cohort(SLUG, mode="open", key="now", name="Example run")


# Publishing.


def test_uploading_and_publishing_record_one_entry_each(client, db, login_as, tmp_path):
    admin = login_as("admin")
    assert upload(client, zipped(EXAMPLE)).status_code == 302
    imported = only_entry(db, "course.import")
    assert_by(imported, admin)
    assert (imported.target_type, imported.target_id) == ("course", SLUG)
    assert imported.details["version"] == "1.0.0" and imported.details["content_hash"]
    assert entries(db, "course.publish") == []

    assert client.post(f"/author/{SLUG}/1.0.0/publish").status_code == 302
    published = only_entry(db, "course.publish")
    assert_by(published, admin)
    assert published.details == {"version": "1.0.0", "previous_version": None}
    client.post(f"/author/{SLUG}/1.0.0/publish")  # already published: nothing happens, nothing is recorded
    # Publishing also created the package's cohort and its sessions, each audited as the publisher's.
    assert [(entry.action, entry.actor_id) for entry in entries(db)] == [
        ("course.import", admin.id), ("cohort.create", admin.id), ("session.create", admin.id),
        ("session.create", admin.id), ("course.publish", admin.id)]


def test_a_refused_publish_and_a_rejected_upload_record_nothing(client, db, login_as, tmp_path):
    publishing.import_package(None, copy_package(tmp_path, EXAMPLE))
    newer = copy_package(tmp_path / "newer", EXAMPLE)
    set_version(newer, "1.1.0")
    publishing.import_package(None, newer, publish=True)
    before = len(entries(db))
    login_as("admin")
    response = client.post(f"/author/{SLUG}/1.0.0/publish", data={"replacing": "1.1.0"}, follow_redirects=True)
    assert "is not above the published version" in response.get_data(as_text=True)
    broken = copy_package(tmp_path / "broken", EXAMPLE)
    edit_file(broken / "course.yaml", "title:", "titel:")
    assert upload(client, zipped(broken)).status_code == 422
    assert len(entries(db)) == before


def test_publishing_at_the_command_line_is_recorded_without_an_actor(runner, db, tmp_path):
    publishing.import_package(None, copy_package(tmp_path, EXAMPLE))
    result = runner.invoke(args=["lms", "publish", SLUG, "1.0.0"])
    assert result.exit_code == 0, result.output
    entry = only_entry(db, "course.publish")
    assert (entry.actor_id, entry.actor_email, entry.origin, entry.request_id) == (None, None, "command line", None)
    assert (entry.target_type, entry.target_id, entry.details["version"]) == ("course", SLUG, "1.0.0")
    refused = runner.invoke(args=["lms", "publish", SLUG, "9.9.9"])
    assert refused.exit_code == 1 and len(entries(db, "course.publish")) == 1


# Applications.


@pytest.fixture
def cohort(db):
    publish_caring_cities()
    return make_cohort(name="Caring Cities 2030")


def test_a_decision_is_recorded_and_a_refused_one_is_not(client, db, make_user, login_as, cohort):
    application = apply(make_user(), cohort)
    admin = login_as("admin")
    response = client.post(f"/staff/applications/{application.id}", data={"decision": "accepted", "note": "Welcome"})
    assert response.status_code == 302
    entry = only_entry(db, "application.decide")
    assert_by(entry, admin)
    assert (entry.target_type, entry.target_id) == ("application", str(application.id))
    assert entry.details["status"] == {"from": "submitted", "to": "accepted"} and entry.details["note"] == "Welcome"

    refused = client.post(f"/staff/applications/{application.id}", data={"decision": "rejected", "note": ""})
    assert refused.status_code == 422
    assert len(entries(db, "application.decide")) == 1


def test_bulk_decisions_record_the_ones_made_and_not_the_refused(client, db, make_user, login_as):
    publish_caring_cities()
    small = make_cohort(capacity=1)
    ids = [apply(make_user(), small).id for _ in range(2)]
    login_as("admin")
    client.post(f"/staff/cohorts/{small.id}/applications/decide",
                data={"application_ids": [str(i) for i in ids], "decision": "accepted", "note": ""})
    assert [entry.target_id for entry in entries(db, "application.decide")] == [str(ids[0])]


# Attendance.


def test_marking_attendance_by_hand_and_importing_a_report(client, db, login_as, make_user, open_cohort):
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    for learner in (ana, ben):
        enrolments.enrol(learner, SLUG)
    session = session_rows(open_cohort)[0]
    instructor = login_as(make_instructor(SLUG))
    before = len(entries(db))

    client.post(f"/staff/sessions/{session.id}/attendance", data={"present": [str(ben.id)], "confirm_early": "yes"})
    marked = only_entry(db, "attendance.mark")
    assert_by(marked, instructor)
    assert (marked.target_type, marked.target_id) == ("live_session", str(session.id))
    assert marked.details["present"] == [ben.id] and marked.details["absent"] == []
    client.post(f"/staff/sessions/{session.id}/attendance", data={"present": [str(ben.id)]})  # unchanged
    assert len(entries(db, "attendance.mark")) == 1
    client.post(f"/staff/sessions/{session.id}/attendance", data={"present": []})
    assert entries(db, "attendance.mark")[-1].details["absent"] == [ben.id]

    report = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
              f"Ana P,{ana.email},x,y,75\r\nVisitor,visitor@nowhere.org,x,y,60\r\n").encode()
    response = client.post(f"/staff/sessions/{session.id}/attendance/import",
                           data={"report": (io.BytesIO(report), "participants.csv"), "min_minutes": "0",
                                 "confirm_early": "y"}, content_type="multipart/form-data")
    assert response.status_code == 200
    imported = only_entry(db, "attendance.import")
    assert_by(imported, instructor)
    assert imported.details["present"] == [ana.id] and imported.details["unmatched"] == 1

    unreadable = client.post(f"/staff/sessions/{session.id}/attendance/import",
                             data={"report": (io.BytesIO(b"just,some\ncolumns,here\n"), "x.csv"), "min_minutes": "0"},
                             content_type="multipart/form-data")
    assert unreadable.status_code == 422
    assert len(entries(db)) == before + 3


def test_attendance_refused_to_an_instructor_of_another_course_records_nothing(client, db, login_as, make_user,
                                                                               open_cohort):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    login_as("instructor")
    before = len(entries(db))
    response = client.post(f"/staff/sessions/{session_rows(open_cohort)[0].id}/attendance",
                           data={"present": [str(learner.id)]})
    assert response.status_code == 403 and len(entries(db)) == before


# Certificates.


@pytest.fixture
def certifying_course(db, tmp_path):
    package = copy_package(tmp_path)
    completable_online(package)
    return publishing.import_package(None, package, publish=True).version


def test_issuing_by_hand_and_revoking_are_recorded_and_refusals_are_not(client, db, login_as, make_user,
                                                                        certifying_course):
    learner = make_user(display_name="김민수")
    admin = login_as("admin")
    response = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG,
                                                         "reason": "Seoul workshop"})
    assert response.status_code == 302
    certificate = db.session.execute(db.select(Certificate)).scalar_one()
    issued = only_entry(db, "certificate.issue")
    assert_by(issued, admin)
    assert (issued.target_type, issued.target_id) == ("certificate", certificate.public_id)
    assert issued.details["learner"] == learner.email and issued.details["reason"] == "Seoul workshop"
    again = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG, "reason": "twice"})
    assert again.status_code == 422 and len(entries(db, "certificate.issue")) == 1

    assert client.post(f"/certificates/admin/{certificate.public_id}", data={"reason": "  "}).status_code == 422
    assert entries(db, "certificate.revoke") == []
    client.post(f"/certificates/admin/{certificate.public_id}", data={"reason": "Copied answers"})
    revoked = only_entry(db, "certificate.revoke")
    assert_by(revoked, admin)
    assert revoked.target_id == certificate.public_id and revoked.details["reason"] == "Copied answers"
    client.post(f"/certificates/admin/{certificate.public_id}", data={"reason": "Again"})
    assert len(entries(db, "certificate.revoke")) == 1


# People.


def test_role_changes_and_deactivation_are_recorded_each_once(client, db, login_as, make_user):
    person = make_user(display_name="Ana")
    admin = login_as("admin")
    client.post(f"/admin/users/{person.id}", data={"role": "instructor", "active": "y"})
    role = only_entry(db, "user.role_change")
    assert_by(role, admin)
    assert (role.target_type, role.target_id) == ("user", str(person.id))
    assert role.details == {"email": person.email, "role": {"from": "learner", "to": "instructor"}}
    assert entries(db, "user.deactivate") == []

    client.post(f"/admin/users/{person.id}", data={"role": "instructor"})  # the box unticked: deactivate
    assert only_entry(db, "user.deactivate").details == {"email": person.email}
    client.post(f"/admin/users/{person.id}", data={"role": "instructor"})  # saved unchanged
    client.post(f"/admin/users/{person.id}", data={"role": "instructor", "active": "y"})
    assert only_entry(db, "user.activate").target_id == str(person.id)
    assert len(entries(db)) == 3

    refused = client.post(f"/admin/users/{admin.id}", data={"role": "learner", "active": "y"}, follow_redirects=True)
    assert "cannot remove your own administrator role" in refused.get_data(as_text=True)
    assert len(entries(db)) == 3


# Cohorts, sessions and course staff.


def test_creating_and_editing_cohorts_and_sessions(client, db, login_as):
    publish_caring_cities()
    admin = login_as("admin")
    before = len(entries(db))
    client.post("/staff/cohorts/new", data={
        "course": "caring-cities", "name": "Caring Cities 2031", "timezone": "Asia/Seoul",
        "starts_on": "2031-03-03", "ends_on": "2031-03-28", "capacity": "40", "enrolment_mode": "application"})
    cohort = db.session.execute(db.select(Cohort).filter_by(name="Caring Cities 2031")).scalar_one()
    _by_package, created = entries(db, "cohort.create")  # the first: publishing made the package's 2023 cohort
    assert_by(created, admin)
    assert (created.target_type, created.target_id) == ("cohort", str(cohort.id))
    assert created.details["course"] == "caring-cities" and created.details["capacity"] == 40

    client.post(f"/staff/cohorts/{cohort.id}/edit", data={
        "name": "Caring Cities 2031", "timezone": "Asia/Seoul", "starts_on": "2031-03-03", "ends_on": "2031-03-28",
        "capacity": "45", "enrolment_mode": "application"})
    assert only_entry(db, "cohort.update").details == {"capacity": {"from": 40, "to": 45}}
    refused = client.post(f"/staff/cohorts/{cohort.id}/edit", data={
        "name": "x", "timezone": "Asia/Seoul", "starts_on": "2031-03-03", "ends_on": "2031-03-01",
        "enrolment_mode": "application"})
    assert refused.status_code == 422 and len(entries(db, "cohort.update")) == 1

    client.post(f"/staff/cohorts/{cohort.id}/sessions/new", data={
        "title": "Orientation", "timezone": "Asia/Seoul", "starts_at": "2031-03-03T16:00",
        "ends_at": "2031-03-03T18:00", "join_url": "https://zoom.us/j/42"})
    session = db.session.execute(db.select(LiveSession).filter_by(cohort_id=cohort.id)).scalar_one()
    added = entries(db, "session.create")[-1]
    assert (added.target_type, added.target_id) == ("live_session", str(session.id))
    assert added.details["title"] == "Orientation" and added.details["starts_at"] == "2031-03-03T16:00:00"
    client.post(f"/staff/sessions/{session.id}/edit", data={
        "title": "Orientation", "timezone": "Asia/Seoul", "starts_at": "2031-03-03T17:00",
        "ends_at": "2031-03-03T18:00", "join_url": "https://zoom.us/j/42"})
    assert only_entry(db, "session.update").details == {
        "starts_at": {"from": "2031-03-03T16:00:00", "to": "2031-03-03T17:00:00"}}
    assert len(entries(db)) == before + 4


def test_assigning_an_instructor_in_the_web_and_at_the_command_line(client, db, login_as, runner, make_user, cohort):
    first, second = make_user("instructor"), make_user("instructor")
    admin = login_as("admin")
    assert client.post("/reports/instructors", data={"course": "caring-cities", "email": first.email}) \
        .status_code == 302
    client.post("/reports/instructors", data={"course": "caring-cities", "email": first.email})  # already: no-op
    entry = only_entry(db, "course.assign_instructor")
    assert_by(entry, admin)
    assert (entry.target_type, entry.target_id) == ("course", "caring-cities")
    assert entry.details == {"instructor": first.email, "instructor_id": first.id}

    assert runner.invoke(args=["lms", "assign-instructor", "caring-cities", second.email]).exit_code == 0
    from_cli = entries(db, "course.assign_instructor")[-1]
    assert (from_cli.actor_email, from_cli.origin, from_cli.details["instructor"]) == (None, "command line",
                                                                                        second.email)


# Where an action comes from.


def test_the_origin_is_the_remote_address_not_a_forwarded_header(client, db, login_as, make_user):
    person = make_user()
    # On every request, log-in included: the session is bound to the address.
    client.environ_base.update({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"})
    login_as("admin")
    client.post(f"/admin/users/{person.id}", data={"role": "admin", "active": "y"})
    entry = only_entry(db, "user.role_change")
    assert entry.origin == "203.0.113.7"


def test_the_request_id_is_recorded_when_the_request_has_one(other_app, db, make_user):
    import config

    application = other_app(type("BehindAProxy", (config.TestConfig,), {"TRUSTED_PROXIES": 1}))
    admin, person = make_user("admin"), make_user()
    client = application.test_client()
    client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    client.post(f"/admin/users/{person.id}", data={"role": "instructor", "active": "y"},
                headers={"X-Request-ID": "proxy-request-42"})
    assert only_entry(db, "user.role_change").request_id == "proxy-request-42"


# The admin page.


def add_entry(db, action: str = "user.role_change", *, at: datetime | None = None, actor: str | None = "a@x.org",
              target_type: str = "user", target_id: str = "1", details: dict | None = None) -> None:
    db.session.add(AuditEntry(at=at or datetime.now(UTC), actor_email=actor, action=action, target_type=target_type,
                              target_id=target_id, details=details or {}, origin="192.0.2.1"))
    db.session.commit()


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_only_admins_read_the_audit_log(client, login_as, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as("learner")
    assert client.get(path).status_code == 403
    client.post("/logout")
    login_as(make_instructor())
    assert client.get(path).status_code == 403


def test_the_page_lists_newest_first_with_links_and_is_linked_from_the_administration(client, db, login_as,
                                                                                     make_user, cohort):
    application = apply(make_user(), cohort)
    admin = login_as("admin")
    application_review.decide(admin, application.id, "waitlisted", "Wait please")
    add_entry(db, "certificate.revoke", at=datetime.now(UTC) - timedelta(days=1), target_type="certificate",
              target_id="ABCD-EFGH", details={"reason": "<script>alert(1)</script>"})
    assert 'href="/admin/audit"' in client.get("/admin/").get_data(as_text=True)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "<caption>" in html and '<th scope="col">Who</th>' in html
    assert html.index(">application.decide</code>") < html.index(">certificate.revoke</code>")
    assert f'href="/staff/applications/{application.id}"' in html and 'href="/certificates/admin/ABCD-EFGH"' in html
    assert "submitted → waitlisted" in html and "Wait please" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert f'href="/staff/cohorts/{cohort.id}"' in html  # the cohort the factory created, by the command line
    assert "command line" in html


def test_filters_by_action_actor_and_dates(client, db, login_as):
    login_as("admin")
    add_entry(db, "user.role_change", actor="ana@city.gov", at=datetime(2026, 1, 10, 12, tzinfo=UTC),
              target_id="101")
    add_entry(db, "user.deactivate", actor="ana@city.gov", at=datetime(2026, 2, 10, 12, tzinfo=UTC), target_id="102")
    add_entry(db, "user.role_change", actor="ben@city.gov", at=datetime(2026, 3, 10, 12, tzinfo=UTC),
              target_id="103")
    add_entry(db, "course.publish", actor=None, at=datetime(2026, 3, 11, 12, tzinfo=UTC), target_type="course",
              target_id="demo", details={"version": "2.0.0"})

    def shown(query: str) -> set[str]:
        html = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return {target for target in ("101", "102", "103", "demo") if f"user {target}<" in html
                or f"course {target}<" in html}

    assert shown("") == {"101", "102", "103", "demo"}
    assert shown("action=user.role_change") == {"101", "103"}
    assert shown("actor=ANA@city.gov") == {"101", "102"}
    assert shown("actor=command+line") == {"demo"}
    assert shown("date_from=2026-02-01&date_to=2026-03-10") == {"102", "103"}
    assert shown("action=user.role_change&actor=ana@city.gov&date_to=2026-01-10") == {"101"}


def test_bad_filters_are_explained_and_ignored(client, db, login_as):
    login_as("admin")
    add_entry(db, at=datetime(2026, 1, 10, 12, tzinfo=UTC), target_id="101")
    add_entry(db, "user.activate", at=datetime(2026, 3, 5, 12, tzinfo=UTC), target_id="102")
    response = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-02-01&action=nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The end date must not be before the start date." in html and "Not a valid choice" in html
    assert "user 101<" not in html and "user 102<" in html  # the valid start date applies, the rest is left out
    assert "Not a valid date" in client.get("/admin/audit?date_from=2026-13-45").get_data(as_text=True)
    for extreme in ("date_to=9999-12-31", "date_from=0001-01-01"):
        for path in ("/admin/audit", "/admin/audit.csv"):
            response = client.get(f"{path}?{extreme}")
            assert response.status_code == 200, (path, extreme)
        assert "Choose a date between 2000 and 2199." in client.get(f"/admin/audit?{extreme}").get_data(as_text=True)


def test_dates_are_days_in_the_admins_time_zone(client, db, login_as, make_user):
    login_as(make_user("admin", timezone="Asia/Seoul"))
    add_entry(db, at=datetime(2026, 1, 9, 16, tzinfo=UTC), target_id="101")  # 10 January, 01:00 in Seoul
    html = client.get("/admin/audit?date_from=2026-01-10&date_to=2026-01-10").get_data(as_text=True)
    assert "user 101<" in html


def test_the_page_is_paginated_and_keeps_the_filters(client, db, login_as):
    login_as("admin")
    for number in range(55):
        add_entry(db, "user.activate", target_id=str(1000 + number))
    first = client.get("/admin/audit?action=user.activate").get_data(as_text=True)
    assert "55 entries" in first and "Page 1 of 2" in first
    assert "page=2" in first and "action=user.activate" in first
    second = client.get("/admin/audit?action=user.activate&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 1 + 5 and "user 1000<" in second


def test_the_page_runs_the_same_queries_whatever_the_number_of_entries(client, db, login_as, count_queries):
    login_as("admin")
    add_entry(db)
    with count_queries() as few:
        assert client.get("/admin/audit").status_code == 200
    for number in range(60):
        add_entry(db, "certificate.revoke" if number % 2 else "course.publish", target_type="course",
                  target_id=f"c{number}", details={"version": "1.0.0"})
    with count_queries() as many:
        assert client.get("/admin/audit").status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_the_csv_export_follows_the_filters_and_is_safe_for_spreadsheets(client, db, login_as):
    login_as("admin")
    add_entry(db, "user.role_change", actor="ana@city.gov", target_id="=HYPERLINK(1)",
              details={"role": {"from": "learner", "to": "admin"}, "name": "김민수"})
    add_entry(db, "user.deactivate", actor="ben@city.gov", target_id="7")
    response = client.get("/admin/audit.csv?actor=ana@city.gov")
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["at_utc", "actor_id", "actor_email", "action", "target_type", "target_id", "details",
                       "origin", "request_id"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["actor_email"] == "ana@city.gov" and row["target_id"] == "'=HYPERLINK(1)"
    assert '"to": "admin"' in row["details"] and "김민수" in row["details"] and row["origin"] == "192.0.2.1"


def test_entries_read_as_sentences_with_names(client, db, login_as, make_user):
    from lms.services import attendance, cohorts

    publish_caring_cities()
    cohort = make_cohort(sessions=1)
    lucia, ben = make_user(display_name="Lucía Fernández"), make_user(display_name="Ben Okafor")
    for learner in (lucia, ben):
        application_review.decide(None, apply(learner, cohort).id, "accepted")
    admin = login_as("admin")
    session = session_rows(cohort)[0]
    attendance.mark_attendance(admin, session.id, {lucia.id, ben.id})
    attendance.mark_attendance(admin, session.id, {ben.id})
    cohorts.update_cohort(admin, cohort.id, cohorts.cohort_data(cohort, allow_late_attempts=True))

    html = client.get("/admin/audit").get_data(as_text=True)

    assert "Marked Ben Okafor and Lucía Fernández present." in html \
        or "Marked Lucía Fernández and Ben Okafor present." in html
    assert "Marked Lucía Fernández absent." in html
    assert "Changed the cohort: late attempts allowed from no to yes." in html
    assert "True" not in html and "False" not in html
