"""lms.services.attendance: the sheet, who may take it, the Zoom import, and attendance in the progress rule."""

import unicodedata

import pytest

from lms.models import Attendance
from lms.services import (
    attendance,
    enrolments,
    learning,
)
from lms.services.errors import Invalid, NotAllowed
from tests.cohort_factories import example_with_open_cohort, session_rows
from tests.factories import EXAMPLE_SLUG, make_instructor

# Attendance counts towards completion.


def test_attended_sessions_count_in_the_learners_progress(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path, min_sessions=2)
    learner, staff = make_user(), make_instructor(EXAMPLE_SLUG)
    enrolments.enrol(learner, EXAMPLE_SLUG)
    first, second = session_rows(cohort)
    attendance.mark_attendance(staff, first.id, {learner.id})
    assert learning.course_page(learner, EXAMPLE_SLUG).state.sessions_attended == 1
    attendance.mark_attendance(staff, first.id, {learner.id})  # marking again counts once
    assert learning.course_page(learner, EXAMPLE_SLUG).state.sessions_attended == 1
    attendance.mark_attendance(staff, second.id, {learner.id})
    page = learning.course_page(learner, EXAMPLE_SLUG)
    assert page.state.sessions_attended == 2 and page.state.progress.sessions_missing == 0


def test_mark_attendance_sets_the_sheet_exactly(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    staff = make_instructor(EXAMPLE_SLUG)
    ana, ben = make_user(), make_user()
    for learner in (ana, ben):
        enrolments.enrol(learner, EXAMPLE_SLUG)
    session = session_rows(cohort)[0]
    attendance.mark_attendance(staff, session.id, {ana.id, ben.id})
    sheet = attendance.mark_attendance(staff, session.id, {ben.id})
    assert [(row.user.id, row.present) for row in sheet.rows if row.present] == [(ben.id, True)]
    with pytest.raises(Invalid):
        attendance.mark_attendance(staff, session.id, {make_user().id})
    with pytest.raises(NotAllowed):
        attendance.attendance_sheet(ana, session.id)


def test_only_the_courses_instructors_and_admins_take_its_attendance(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
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
    cohort = example_with_open_cohort(tmp_path)
    staff = make_instructor(EXAMPLE_SLUG)
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    for learner in (ana, ben):
        enrolments.enrol(learner, EXAMPLE_SLUG)
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


def test_a_zoom_report_address_typed_with_combining_accents_finds_the_member(db, make_user, tmp_path):
    """The same NFC rule as logging in (lms.core.emails): Zoom may write the address decomposed and in capitals."""
    cohort = example_with_open_cohort(tmp_path)
    staff = make_instructor(EXAMPLE_SLUG)
    jose = make_user(email="jos\u00e9.n\u00fa\u00f1ez@example.org", display_name="José")
    enrolments.enrol(jose, EXAMPLE_SLUG)
    typed = unicodedata.normalize("NFD", "JOS\u00c9.N\u00da\u00d1EZ@example.org")
    data = f"Name (Original Name),User Email,Duration (Minutes)\r\nJosé,{typed},45\r\n".encode()
    outcome = attendance.import_zoom_report(staff, session_rows(cohort)[0].id, data)
    assert [(user.id, minutes) for user, minutes in outcome.marked] == [(jose.id, 45)] and not outcome.unmatched


def test_an_unreadable_report_is_invalid(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    with pytest.raises(Invalid, match="e-mail"):
        attendance.import_zoom_report(make_user("admin"), session_rows(cohort)[0].id, b"Name,Minutes\nAna,3\n")


def test_joining_from_two_devices_does_not_reach_the_minimum_minutes(db, make_user, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    staff = make_instructor(EXAMPLE_SLUG)
    ben = make_user(display_name="Ben")
    enrolments.enrol(ben, EXAMPLE_SLUG)
    session = session_rows(cohort)[0]
    data = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
            f"Ben (laptop),{ben.email},07/03/2023 09:01:00 AM,07/03/2023 09:07:00 AM,6\r\n"
            f"Ben (phone),{ben.email},07/03/2023 09:01:00 AM,07/03/2023 09:07:00 AM,6\r\n").encode()
    outcome = attendance.import_zoom_report(staff, session.id, data, min_minutes=10)
    assert not outcome.marked and [(user.id, minutes) for user, minutes in outcome.too_short] == [(ben.id, 6)]


def test_importing_zoom_report_matches_only_confirmed_account_addresses(db, make_user, tmp_path):
    from lms.services import accounts

    cohort = example_with_open_cohort(tmp_path)
    staff = make_instructor(EXAMPLE_SLUG)
    unconfirmed = accounts.create_user("claimed@example.org", "a good long password", accounts.Profile("Mallory"),
                                       verified=False)
    enrolments.enrol(unconfirmed, EXAMPLE_SLUG)
    data = MESSY_ZOOM.format(ana_name="Mallory", ana_email_upper="CLAIMED@EXAMPLE.ORG", ben_name="Ben",
                             ben_email="ben@example.org").encode("utf-8")
    outcome = attendance.import_zoom_report(staff, session_rows(cohort)[0].id, data)
    assert not outcome.marked
    assert "claimed@example.org" in [p.email for p in outcome.unmatched]
