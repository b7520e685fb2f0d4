"""The completion rule always holds: whatever the order of lessons, quizzes, attendance, reflections (answered,
removed, hidden, restored) and new versions, a learner who meets the rule holds exactly one valid certificate and a
learner who never met it holds none (lms.services.completion)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lms.core import clock
from lms.core.progress import course_progress
from lms.extensions import db as _db
from lms.models import Attendance, Certificate, Course, Enrolment, LessonProgress
from lms.models.user import Role
from lms.services import (
    attendance,
    catalog,
    certificates,
    completion,
    discussion_moderation,
    discussion_posts,
    enrolments,
    learning,
    publishing,
    quizzes,
    reflections,
    reports,
)
from tests.cohort_factories import make_cohort, session_rows
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import EXAMPLE_WRONG_ANSWERS as WRONG
from tests.factories import completable_online, copy_package, edit_file, make_user, set_version

LESSONS = ("welcome", "going-further", "updated-rules")  # the required lessons of the counted module, in order


def valid_certificates(user) -> list[Certificate]:
    return list(_db.session.execute(select(Certificate).where(Certificate.user_id == user.id,
                                                              Certificate.revoked_at.is_(None))).scalars())


def pass_quiz(user, slug: str = SLUG, answers: dict | None = None) -> bool:
    page = quizzes.quiz_page(user, slug, "basics-quiz")
    if page.attempt is None:
        return False
    return quizzes.submit_attempt(user, slug, "basics-quiz", page.attempt.id, answers or RIGHT).passed


@pytest.fixture
def programme(db, tmp_path):
    """The example course (one live session required) with a running open cohort of two sessions."""
    publishing.import_package(None, copy_package(tmp_path / "published"), publish=True)
    cohort = make_cohort(SLUG, mode="open", sessions=2)
    return cohort, session_rows(cohort)


def study_everything(user) -> None:
    enrolments.enrol(user, SLUG)
    for key in LESSONS:
        learning.complete_lesson(user, SLUG, key)
    assert pass_quiz(user)
    reflections.answer(user, SLUG, "welcome", "Shared with the cohort")  # the example course requires one


# The normal order of the programme: study first, attend afterwards.


def test_attendance_marked_after_the_lessons_and_quiz_issues_the_certificate_and_mails_it(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(display_name="Lucía Fernández"), make_user(Role.ADMIN)
    study_everything(learner)
    assert valid_certificates(learner) == [] and len(outbox) == 0  # the live session is still missing
    attendance.mark_attendance(admin, sessions[0].id, {learner.id})
    [certificate] = valid_certificates(learner)
    assert enrolments.active_enrolment(learner, certificate.course_id).completed_at is not None
    assert len(outbox) == 1 and certificate.public_id in outbox.last_body()


def test_attendance_imported_from_zoom_after_the_quiz_issues_the_certificate(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(email="ana@city.gov"), make_user(Role.ADMIN)
    study_everything(learner)
    report = (b"Name (original name),User email,Join time,Leave time,Duration (minutes),Guest\n"
              b"Ana,ana@city.gov,03/07/2023 09:00:00 AM,03/07/2023 10:30:00 AM,90,No\n")
    outcome = attendance.import_zoom_report(admin, sessions[0].id, report)
    assert [user.id for user, _ in outcome.marked] == [learner.id]
    assert len(valid_certificates(learner)) == 1 and len(outbox) == 1


def test_unmarking_attendance_does_not_take_back_a_certificate_and_marking_again_issues_no_second(
        db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    study_everything(learner)
    attendance.mark_attendance(admin, sessions[0].id, {learner.id})
    attendance.mark_attendance(admin, sessions[0].id, set())
    attendance.mark_attendance(admin, sessions[1].id, {learner.id})
    assert len(valid_certificates(learner)) == 1 and len(outbox) == 1


def test_attendance_before_the_last_lesson_issues_on_that_lesson(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    enrolments.enrol(learner, SLUG)
    attendance.mark_attendance(admin, sessions[1].id, {learner.id})
    reflections.answer(learner, SLUG, "welcome", "Early thoughts")
    assert pass_quiz(learner)
    for key in LESSONS:
        assert valid_certificates(learner) == []
        learning.complete_lesson(learner, SLUG, key)
    assert len(valid_certificates(learner)) == 1


def test_a_new_version_that_asks_less_completes_the_course_on_publishing(db, programme, outbox, tmp_path):
    learner = make_user()
    study_everything(learner)  # no live session yet
    package = copy_package(tmp_path)
    set_version(package, "1.1.0")
    completable_online(package)
    publishing.import_package(None, package, publish=True)
    assert len(valid_certificates(learner)) == 1 and len(outbox) == 1


def test_rejoining_a_course_whose_attendance_was_marked_while_away_completes_it(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    study_everything(learner)
    attendance.mark_attendance(admin, sessions[0].id, set())  # a sheet saved with nobody: nothing changes
    enrolments.unenrol(learner, SLUG)
    # Marked present while the enrolment was withdrawn (the sheet keeps former members who were present).
    _db.session.add(_attendance_row(sessions[0].id, learner.id, admin.id))
    _db.session.commit()
    assert valid_certificates(learner) == []
    enrolments.enrol(learner, SLUG)
    assert len(valid_certificates(learner)) == 1


def _attendance_row(session_id: int, user_id: int, admin_id: int) -> Attendance:
    return Attendance(session_id=session_id, user_id=user_id, source="manual", marked_by_id=admin_id,
                      marked_at=datetime.now(UTC))


def test_a_revoked_certificate_is_not_issued_again_by_the_rule(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    study_everything(learner)
    attendance.mark_attendance(admin, sessions[0].id, {learner.id})
    [certificate] = valid_certificates(learner)
    certificates.revoke(admin, certificate.public_id, "Attendance was marked by mistake")
    attendance.mark_attendance(admin, sessions[1].id, {learner.id})
    learning.complete_lesson(learner, SLUG, LESSONS[0])
    assert valid_certificates(learner) == []  # the administrator's decision stands until they issue a new one


# What nobody should ever see, and the reports flag when it happens anyway.


def _complete_behind_the_rules_back(learner, admin, sessions) -> Course:
    """Rows written directly, as the engine before this rule did: complete, no completion recorded, no certificate."""
    course = catalog.get_course(SLUG)
    enrolments.enrol(learner, SLUG)
    for key in LESSONS:
        _db.session.add(LessonProgress(user_id=learner.id, course_id=course.id, lesson_key=key,
                                       first_viewed_at=clock.now(), completed_at=clock.now()))
    _db.session.add(_attendance_row(sessions[0].id, learner.id, admin.id))
    _db.session.commit()
    reflections.answer(learner, SLUG, "welcome", "Shared")
    assert pass_quiz(learner)  # the engine before the rule issued here; this one too, so undo it below
    _db.session.execute(Certificate.__table__.delete())
    _db.session.execute(Enrolment.__table__.update().values(completed_at=None))
    _db.session.commit()
    return course


def test_the_reports_flag_a_complete_learner_without_a_certificate_and_refresh_progress_repairs_it(
        db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(display_name="Kim Min-su"), make_user(Role.ADMIN)
    _complete_behind_the_rules_back(learner, admin, sessions)
    [row] = reports.learner_table(admin, SLUG).rows
    assert row.complete and row.certificate_id is None and row.certificate_missing
    assert reports.overview(admin, SLUG).certificates_missing == 1
    completion.refresh_stored_progress(None, SLUG)
    [row] = reports.learner_table(admin, SLUG).rows
    assert row.certificate_id is not None and not row.certificate_missing
    assert reports.overview(admin, SLUG).certificates_missing == 0


def test_the_reports_do_not_flag_a_revoked_certificate(db, programme, outbox):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    study_everything(learner)
    attendance.mark_attendance(admin, sessions[0].id, {learner.id})
    certificates.revoke(admin, valid_certificates(learner)[0].public_id, "Issued by mistake")
    [row] = reports.learner_table(admin, SLUG).rows
    assert row.complete and not row.certificate_missing


def test_the_dashboard_never_says_earned_without_a_certificate(client, db, programme, login_as):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    _complete_behind_the_rules_back(learner, admin, sessions)
    login_as(learner)
    page = client.get("/learning").get_data(as_text=True)
    assert "Certificate earned" not in page and "Certificate: earned" not in page
    assert "Your certificate has not been issued." in page


def test_the_overview_page_shows_the_fault(client, db, programme, login_as):
    _cohort, sessions = programme
    learner, admin = make_user(), make_user(Role.ADMIN)
    _complete_behind_the_rules_back(learner, admin, sessions)
    login_as(admin)
    page = client.get(f"/reports/{SLUG}/").get_data(as_text=True)
    assert "1 learner meets the completion rule but holds no certificate." in page
    assert "flask lms refresh-progress example-all-features" in page


# The property: for any order of events, a valid certificate exists exactly when the rule was met, and at most one.

EVENT = st.one_of(
    st.tuples(st.just("lesson"), st.sampled_from(LESSONS)),
    st.tuples(st.just("quiz"), st.booleans()),
    st.tuples(st.just("attend"), st.integers(0, 1)),
    st.tuples(st.just("unattend"), st.integers(0, 1)),
    st.tuples(st.just("reflect"), st.just(True)),  # answer the welcome lesson's reflection question
    st.tuples(st.just("unreflect"), st.just(True)),  # the learner removes their answer
    st.tuples(st.just("hide"), st.booleans()),  # staff hide the answer (True) or restore it (False)
    st.tuples(st.just("publish"), st.sampled_from(["reset-lesson", "no-sessions", "two-sessions", "no-reflections",
                                                   "one-reflection"])),
)
# What completes the course, in any order, often with other events around it (so the interesting orders, such as
# attendance marked last, come up in every run), or only some of it.
EVERYTHING = [("lesson", key) for key in LESSONS] + [("quiz", True), ("attend", 0), ("reflect", True)]


@st.composite
def event_orders(draw) -> list[tuple[str, object]]:
    base = draw(st.sampled_from([EVERYTHING, EVERYTHING[1:], EVERYTHING[:-1], []]))
    extras = draw(st.lists(EVENT, max_size=6))
    return draw(st.permutations(base + extras))


EVENTS = event_orders()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(events=EVENTS)
def test_any_order_of_events_ends_with_a_certificate_exactly_when_the_rule_was_met(db, tmp_path, events):
    run = next(_RUNS)
    slug = f"property-{run}"
    package = copy_package(tmp_path / f"run-{run}")
    edit_file(package / "course.yaml", f"slug: {SLUG}", f"slug: {slug}")
    publishing.import_package(None, package, publish=True)
    cohort = make_cohort(slug, mode="open", sessions=2)
    sessions = session_rows(cohort)
    admin, learner = make_user(Role.ADMIN), make_user()
    enrolments.enrol(learner, slug)
    course = catalog.get_course(slug)
    # The model: what the learner has done, as the rule sees it, and whether the rule was ever met.
    done_lessons: set[str] = set()
    passed = False
    present: set[int] = set()
    answer = None  # the learner's reflection post, while not removed
    hidden = False
    minor = 0
    ever_met = False
    for kind, value in events:
        if kind == "lesson":
            learning.complete_lesson(learner, slug, value)
            done_lessons.add(value)
        elif kind == "quiz":
            passed = pass_quiz(learner, slug, RIGHT if value else WRONG) or passed
        elif kind == "attend":
            present.add(value)
            attendance.mark_attendance(admin, sessions[value].id, _present_at(sessions[value].id) | {learner.id})
        elif kind == "unattend":
            present.discard(value)
            attendance.mark_attendance(admin, sessions[value].id, _present_at(sessions[value].id) - {learner.id})
        elif kind == "reflect":
            if answer is None:
                answer, hidden = reflections.answer(learner, slug, "welcome", "My city's view"), False
        elif kind == "unreflect":
            if answer is not None:
                discussion_posts.remove_post(learner, answer.id)
                answer = None
        elif kind == "hide":
            if answer is not None and value != hidden:
                if value:
                    discussion_moderation.hide_post(admin, answer.id, "Checking it")
                else:
                    discussion_moderation.restore_post(admin, answer.id)
                hidden = value
        else:
            minor += 1
            new = copy_package(tmp_path / f"run-{run}-v{minor}", package)
            set_version(new, f"1.{minor}.0")
            if value == "reset-lesson":
                edit_file(new / "basics" / "03-updated-rules.md", "# Updated rules", f"# Updated rules ({minor})")
                done_lessons.discard("updated-rules")
            elif value in ("no-reflections", "one-reflection"):
                text = (new / "course.yaml").read_text(encoding="utf-8")
                (new / "course.yaml").write_text(_replace_line(
                    text, "  min_reflections:", f"  min_reflections: {0 if value == 'no-reflections' else 1}"),
                    encoding="utf-8")
            else:
                sessions_needed = "0" if value == "no-sessions" else "2"
                text = (new / "course.yaml").read_text(encoding="utf-8")
                (new / "course.yaml").write_text(
                    _replace_line(text, "  min_sessions_attended:", f"  min_sessions_attended: {sessions_needed}"),
                    encoding="utf-8")
            publishing.import_package(None, new, publish=True)
            package = new
        outline = catalog.version_outline(catalog.published_version(slug)[1]).outline
        reflected = {"welcome"} if answer is not None and not hidden else set()
        ever_met = ever_met or course_progress(outline, done_lessons, {"basics-quiz"} if passed else set(),
                                               len(present), reflected).complete
    held = valid_certificates(learner)
    assert len(held) == (1 if ever_met else 0), events
    enrolment = enrolments.active_enrolment(learner, course.id)
    assert (enrolment.completed_at is not None) == ever_met


_RUNS = itertools.count()


def _present_at(session_id: int) -> set[int]:
    return set(_db.session.execute(select(Attendance.user_id).where(Attendance.session_id == session_id)).scalars())


def _replace_line(text: str, prefix: str, line: str) -> str:
    return "\n".join(line if row.startswith(prefix) else row for row in text.split("\n"))
