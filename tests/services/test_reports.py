"""Progress reports: every number equals one computed here from the raw rows; filters, sorting, paging, access."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lms.core import grading
from lms.demo import population as demo_population
from lms.extensions import db as _db
from lms.models import (
    Attendance,
    Certificate,
    Cohort,
    Course,
    Enrolment,
    LessonProgress,
    ProgressEvent,
    QuizAttempt,
    User,
)
from lms.services import catalog, course_versions, enrolments, learning, publishing, reports, staffing
from lms.services.errors import Invalid, NotAllowed, NotFound
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG, copy_package, make_user
from tests.factories import EXAMPLE_WRONG_ANSWERS as WRONG

SLUG = EXAMPLE_SLUG


@pytest.fixture
def course(db, tmp_path):
    return publishing.import_package(None, copy_package(tmp_path), publish=True).version


@pytest.fixture
def admin(db):
    return make_user("admin")


@pytest.fixture
def population(course):
    demo_population.seed_demo_population(SLUG, 40, seed=3)
    return course


def course_id() -> int:
    return _db.session.execute(select(Course.id).filter_by(slug=SLUG)).scalar_one()


def quiz_of(version):
    return course_versions.version_package(version).quizzes[0]


def add_attempt(user: User, version, answers: dict, number: int = 1, at: datetime | None = None) -> QuizAttempt:
    quiz = quiz_of(version)
    ids = [q.id for q in quiz.questions]
    result = grading.grade_attempt(quiz, ids, grading.parse_submission(quiz, ids, answers))
    at = at or datetime.now(UTC)
    attempt = QuizAttempt(user_id=user.id, course_id=version.course_id, version_id=version.id, quiz_key=quiz.id,
                          quiz_hash=quiz.content_hash, number=number, seed=1,
                          layout={"question_ids": ids, "choice_order": {}}, started_at=at, submitted_at=at,
                          responses=answers, score=result.score, max_score=result.max_score, percent=result.percent,
                          passed=result.passed)
    _db.session.add(attempt)
    _db.session.commit()
    return attempt


def enrol(user: User, **values) -> Enrolment:
    enrolments.enrol(user, SLUG)
    if values:
        _db.session.execute(update(Enrolment).where(Enrolment.user_id == user.id).values(**values))
        _db.session.commit()
    return enrolments.active_enrolment(user, course_id())


# --- overview ------------------------------------------------------------------------------------------------------


def test_overview_counts_equal_the_raw_rows(population, admin):
    cid = course_id()
    report = reports.overview(admin, SLUG)
    enrolments = _db.session.execute(select(Enrolment).where(Enrolment.course_id == cid)).scalars().all()
    users = {e.user_id for e in enrolments}
    opened = set(_db.session.execute(select(LessonProgress.user_id).where(LessonProgress.course_id == cid)).scalars())
    attempted = set(_db.session.execute(select(QuizAttempt.user_id).where(
        QuizAttempt.course_id == cid, QuizAttempt.submitted_at.is_not(None))).scalars())
    certified = set(_db.session.execute(select(Certificate.user_id).where(
        Certificate.course_id == cid, Certificate.revoked_at.is_(None))).scalars())
    completed = [e for e in enrolments if e.completed_at is not None]
    assert report.enrolled == len(users) == 40
    assert report.started == len(users & (opened | attempted))
    assert report.completed == len(completed) > 0
    assert report.certified == len(certified & users)
    days = sorted((e.completed_at - e.enrolled_at).total_seconds() / 86400 for e in completed)
    assert report.median_days_to_complete == round(statistics.median(days), 1)


def test_funnel_counts_modules_completed_by_the_rule(population, admin):
    # Independently: the basics module is complete when its required lessons are done and its quiz passed.
    cid = course_id()
    package = course_versions.version_package(population)
    basics = package.modules[0]
    required = {lesson.id for lesson in basics.lessons if lesson.required}
    done = defaultdict(set)
    for user_id, key in _db.session.execute(select(LessonProgress.user_id, LessonProgress.lesson_key).where(
            LessonProgress.course_id == cid, LessonProgress.completed_at.is_not(None))):
        done[user_id].add(key)
    passed = set(_db.session.execute(select(QuizAttempt.user_id).where(
        QuizAttempt.course_id == cid, QuizAttempt.passed.is_(True),
        QuizAttempt.quiz_hash == basics.quiz.content_hash)).scalars())
    expected = sum(1 for user_id in done if required <= done[user_id] and user_id in passed)
    funnel = {step.key: step for step in reports.overview(admin, SLUG).funnel}
    assert funnel["basics"].count == expected
    assert funnel["basics"].percent == round(100 * expected / 40, 1)
    assert list(funnel)[:3] == ["enrolled", "started", "basics"] and list(funnel)[-2:] == ["completed", "certified"]


def test_activity_counts_distinct_learners_per_week(population, admin):
    report = reports.overview(admin, SLUG)
    first_week = report.activity[0][0]
    weeks = defaultdict(set)
    for user_id, at in _db.session.execute(select(ProgressEvent.user_id, ProgressEvent.at)
                                           .where(ProgressEvent.course_id == course_id())):
        monday = at.date() - timedelta(days=at.date().weekday())
        if monday >= first_week:
            weeks[monday].add(user_id)
    assert len(report.activity) == reports.ACTIVITY_WEEKS
    assert all(week.weekday() == 0 for week, _ in report.activity)
    assert dict(report.activity) == {week: len(weeks.get(week, ())) for week, _ in report.activity}
    assert sum(count for _, count in report.activity) > 0


def test_cohort_filter_keeps_only_its_learners(course, admin):
    in_cohort, outside = make_user(), make_user()
    cohort = _db.session.execute(select(Cohort).where(Cohort.course_id == course_id())).scalars().first()
    enrol(in_cohort, cohort_id=cohort.id)
    enrol(outside)
    assert reports.overview(admin, SLUG).enrolled == 2
    assert reports.overview(admin, SLUG, cohort.id).enrolled == 1
    table = reports.learner_table(admin, SLUG, reports.LearnerFilters(cohort_id=cohort.id))
    assert [row.user_id for row in table.rows] == [in_cohort.id]
    with pytest.raises(NotFound):
        reports.overview(admin, SLUG, cohort.id + 999)


def test_withdrawn_learners_are_left_out(course, admin):
    stays, leaves = make_user(), make_user()
    enrol(stays)
    enrol(leaves)
    enrolments.unenrol(leaves, SLUG)
    assert reports.overview(admin, SLUG).enrolled == 1
    assert reports.learner_table(admin, SLUG).total == 1


# --- learner table -------------------------------------------------------------------------------------------------


def test_table_rows_equal_each_learners_own_progress(population, admin):
    cid = course_id()
    table = reports.learner_table(admin, SLUG, per_page=100)
    assert table.total == len(table.rows) == 40
    outline = reports.report_scope(admin, SLUG).outline
    attendance = Counter(_db.session.execute(select(Attendance.user_id)).scalars())
    best = defaultdict(float)
    for user_id, percent in _db.session.execute(select(QuizAttempt.user_id, QuizAttempt.percent)
                                                .where(QuizAttempt.submitted_at.is_not(None))):
        best[user_id] = max(best[user_id], percent)
    certificates = dict(_db.session.execute(select(Certificate.user_id, Certificate.public_id)).all())
    for row in table.rows:
        user = _db.session.get(User, row.user_id)
        state = learning.learner_state(user, cid, outline)
        assert row.progress == state.progress.percent
        assert row.complete == state.progress.complete
        assert row.sessions_attended == attendance.get(row.user_id, 0)
        assert row.quiz_scores["basics-quiz"] == best.get(row.user_id)
        assert row.certificate_id == certificates.get(row.user_id)
        assert (row.city, row.country, row.organisation) == (user.city, user.country, user.organisation)


def test_filters_by_place_organisation_name_status_and_inactivity(course, admin):
    now = datetime.now(UTC)
    seoul = make_user(city="서울특별시", country="KR", organisation="Seoul Metropolitan Government",
                      display_name="김민수")
    bogota = make_user(city="Bogotá", country="CO", organisation="Alcaldía Mayor de Bogotá",
                       display_name="María José Núñez")
    idle = make_user(city="Barcelona", country="ES", organisation="Ajuntament de Barcelona", display_name="Jordi")
    enrol(seoul, last_activity_at=now - timedelta(days=1))
    enrol(bogota, last_activity_at=now - timedelta(days=20), completed_at=now - timedelta(days=19))
    enrol(idle, enrolled_at=now - timedelta(days=40))
    _db.session.add(LessonProgress(user_id=seoul.id, course_id=course_id(), lesson_key="welcome"))
    _db.session.commit()

    def ids(**filters):
        return {row.user_id for row in reports.learner_table(admin, SLUG, reports.LearnerFilters(**filters)).rows}

    assert ids(city="서울특별시") == {seoul.id}
    assert ids(city="bogotá") == {bogota.id}
    assert ids(country="co") == {bogota.id}
    assert ids(organisation="barcelona") == {idle.id}
    assert ids(organisation="100%") == set()  # LIKE wildcards are taken literally
    assert ids(search="núñez") | ids(search=bogota.email) == {bogota.id}
    assert ids(status="completed") == {bogota.id}
    assert ids(status="in-progress") == {seoul.id}
    assert ids(status="not-started") == {idle.id}
    assert ids(inactive_days=10) == {bogota.id, idle.id}
    assert ids(inactive_days=30) == {idle.id}
    with pytest.raises(Invalid):
        ids(status="asleep")


def test_sorting_and_paging(course, admin):
    learners = [make_user(display_name=name) for name in ("Carla", "Ana", "Bea")]
    for learner, percent in zip(learners, (50, 10, 90), strict=True):
        enrol(learner, progress_percent=percent)
    names = [r.name for r in reports.learner_table(admin, SLUG, sort="name").rows]
    assert names == ["Ana", "Bea", "Carla"]
    by_progress = [r.name for r in reports.learner_table(admin, SLUG, sort="-progress").rows]
    assert by_progress == ["Bea", "Carla", "Ana"]
    page2 = reports.learner_table(admin, SLUG, sort="name", page=2, per_page=2)
    assert (page2.total, page2.pages, page2.page, [r.name for r in page2.rows]) == (3, 2, 2, ["Carla"])
    assert reports.learner_table(admin, SLUG, sort="name", page=99, per_page=2).page == 2
    with pytest.raises(Invalid):
        reports.learner_table(admin, SLUG, sort="salary")


def test_stored_percent_follows_lesson_completions(course):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    learning.complete_lesson(learner, SLUG, "welcome")
    enrolment = enrolments.active_enrolment(learner, course_id())
    state = learning.learner_state(learner, course_id(), catalog.version_outline(course))
    assert enrolment.progress_percent == state.progress.percent > 0


# --- quiz analytics ------------------------------------------------------------------------------------------------


def test_quiz_analytics_hand_worked_example(course, admin):
    # Points: single 1, multiple 3, true/false 0.5, short 2, numeric 1.5 (8 in all). First attempts:
    #   L1 everything right                        x(single) = 1, total 8, rest 7
    #   L2 single + multiple right                 x = 1, total 4, rest 3
    #   L3 everything right except single          x = 0, total 7, rest 7
    #   L4 only short right                        x = 0, total 2, rest 2
    # mean x = 0.5, mean rest = 4.75; sum dx*dy = 1.125 - 0.875 - 1.125 + 1.375 = 0.5;
    # sum dx^2 = 1; sum dy^2 = 5.0625 + 3.0625 + 5.0625 + 7.5625 = 20.75; r = 0.5 / sqrt(20.75) = 0.10976
    answers = [RIGHT, {**WRONG, "q-single": RIGHT["q-single"], "q-multiple": RIGHT["q-multiple"]},
               {**RIGHT, "q-single": WRONG["q-single"]}, {**WRONG, "q-short": RIGHT["q-short"]}]
    learners = [make_user() for _ in answers]
    for learner, given in zip(learners, answers, strict=True):
        enrol(learner)
        add_attempt(learner, course, given)
    add_attempt(learners[3], course, RIGHT, number=2)  # a second attempt: not counted
    report = reports.quiz_analytics(admin, SLUG, "basics-quiz")
    questions = {q.question_id: q for q in report.questions}
    single = questions["q-single"]
    assert report.learners == 4 and report.submitted_attempts == 5
    assert single.attempts == 4
    assert single.discrimination == pytest.approx(0.5 / math.sqrt(20.75))
    assert single.discrimination == pytest.approx(0.10976, abs=1e-5)
    assert single.facility == 0.5
    assert questions["q-multiple"].facility == pytest.approx(9 / 12)
    assert {c.choice_id: c.picked for c in single.choices}["assets"] == 2
    assert {c.choice_id: c.picked for c in single.choices}["web"] == 2
    assert single.flags == ()  # fewer than 10 attempts: no flags
    assert report.passed_first_time == sum(1 for a in answers if a is RIGHT or a is answers[2])


def test_quiz_analytics_flags_a_question_everybody_gets_right(course, admin):
    for i in range(12):
        learner = make_user()
        enrol(learner)
        add_attempt(learner, course, {**(RIGHT if i % 2 else WRONG), "q-true-false": RIGHT["q-true-false"]})
    questions = {q.question_id: q for q in reports.quiz_analytics(admin, SLUG, "basics-quiz").questions}
    assert "almost everybody answers it correctly" in questions["q-true-false"].flags
    assert questions["q-single"].discrimination == pytest.approx(1.0)
    with pytest.raises(NotFound):
        reports.quiz_analytics(admin, SLUG, "no-such-quiz")


# --- places --------------------------------------------------------------------------------------------------------


def test_places_equal_the_raw_rows(population, admin):
    cid = course_id()
    report = reports.places(admin, SLUG)
    table = {row.user_id: row for row in reports.learner_table(admin, SLUG, per_page=100).rows}
    expected = defaultdict(lambda: [0, 0, 0])
    for user_id, country, completed_at in _db.session.execute(
            select(User.id, User.country, Enrolment.completed_at).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.course_id == cid)):
        expected[country][0] += 1
        expected[country][1] += completed_at is not None
        expected[country][2] += table[user_id].progress
    assert {r.country: (r.enrolled, r.completed, r.mean_progress) for r in report.countries} == {
        country: (n, done, round(total / n, 1)) for country, (n, done, total) in expected.items()}
    assert sum(r.enrolled for r in report.cities) == 40


# --- history -------------------------------------------------------------------------------------------------------


def test_learner_history_shows_every_completion_and_answer_with_its_version(course, admin):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    learning.complete_lesson(learner, SLUG, "welcome")
    add_attempt(learner, course, {**RIGHT, "q-short": ["  reset_progress "]})
    history = reports.learner_history(admin, SLUG, learner.id)
    assert [(lesson.lesson_key, lesson.version) for lesson in history.lessons if lesson.completed_at] == [
        ("welcome", course.version)]
    attempt = history.attempts[0]
    assert attempt.version == course.version and attempt.result.percent == 100.0
    short = next(q for q in attempt.result.questions if q.question_id == "q-short")
    assert short.response.display == "reset_progress" and short.outcome == "correct"
    with pytest.raises(NotFound):
        reports.learner_history(admin, SLUG, make_user().id)  # not enrolled: no data


# --- access --------------------------------------------------------------------------------------------------------


def test_access_by_role(course):
    learner, instructor, other_instructor = make_user(), make_user("instructor"), make_user("instructor")
    staffing.assign_instructor(None, SLUG, instructor.email)
    for actor in (None, learner, other_instructor):
        with pytest.raises(NotAllowed):
            reports.overview(actor, SLUG)
        with pytest.raises(NotAllowed):
            reports.learner_table(actor, SLUG)
    assert reports.overview(instructor, SLUG).enrolled == 0
    assert [c.slug for c in reports.reportable_courses(instructor)] == [SLUG]
    assert reports.reportable_courses(other_instructor) == []
    with pytest.raises(NotAllowed):
        reports.reportable_courses(learner)


# --- exports -------------------------------------------------------------------------------------------------------


def test_learner_export_has_every_filtered_learner_in_order_across_chunks(population, admin, monkeypatch):
    monkeypatch.setattr("lms.services.reports.exports.EXPORT_CHUNK", 7)
    export = reports.export_table(admin, SLUG, "learners", sort="-progress")
    rows = list(export.rows)
    table = reports.learner_table(admin, SLUG, sort="-progress", per_page=100).rows
    assert [row[1] for row in rows] == [row.email for row in table]
    assert export.header[0] == "name" and "quiz_basics-quiz_best_percent" in export.header
    assert len(rows[0]) == len(export.header)


def test_exports_check_access_before_reading(course):
    with pytest.raises(NotAllowed):
        reports.export_table(make_user(), SLUG, "learners")
    with pytest.raises(NotFound):
        reports.export_table(make_user("admin"), SLUG, "salaries")
    with pytest.raises(Invalid):
        reports.export_table(make_user("admin"), SLUG, "learners", sort="salary")


def test_report_predicate_for_each_role():
    from types import SimpleNamespace

    from lms import authz

    def person(role, active=True):
        return SimpleNamespace(role=role, active=active, is_authenticated=True)

    assert authz.can_view_reports(person("admin"), 1, frozenset())
    assert authz.can_view_reports(person("instructor"), 1, frozenset({1}))
    assert not authz.can_view_reports(person("instructor"), 2, frozenset({1}))
    assert not authz.can_view_reports(person("learner"), 1, frozenset({1}))
    assert not authz.can_view_reports(person("admin", active=False), 1, frozenset())
    assert not authz.can_view_reports(None, 1, frozenset({1}))
    assert authz.can_use_report_api(person("admin")) and not authz.can_use_report_api(person("instructor"))
