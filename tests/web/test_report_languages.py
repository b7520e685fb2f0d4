"""Reports of a course in several languages: the language each learner studied in (column, filter, CSV) and quiz
analytics split by language, with a flag when a question is much harder in one language."""

from __future__ import annotations

import csv
import io

import pytest

from lms.services import enrolments, learning, publishing, quizzes
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import copy_package, make_user


@pytest.fixture
def course(db, tmp_path):
    return publishing.import_package(None, copy_package(tmp_path), publish=True).version


def study(language: str, answers: dict | None = None, city: str = ""):
    """A learner who reads a lesson and (optionally) takes the quiz with the interface in ``language``."""
    user = make_user(preferred_language=language, city=city)
    enrolments.enrol(user, SLUG)
    learning.lesson_page(user, SLUG, "welcome", interface_language=language)
    if answers is not None:
        page = quizzes.quiz_page(user, SLUG, "basics-quiz", interface_language=language)
        quizzes.submit_attempt(user, SLUG, "basics-quiz", page.attempt.id, answers, interface_language=language)
    return user


def test_the_learner_table_shows_and_filters_by_the_language_studied_in(client, login_as, course):
    study("es", city="Bogotá")
    study("en", city="Busan")
    login_as("admin")
    everyone = client.get(f"/reports/{SLUG}/learners").get_data(as_text=True)
    assert "<td>Spanish (<span lang=\"es\">español</span>)</td>" in everyone and "<td>English</td>" in everyone
    spanish = client.get(f"/reports/{SLUG}/learners?language=es").get_data(as_text=True)
    assert "Bogotá" in spanish and "Busan" not in spanish
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/reports/{SLUG}/export/learners.csv?language=es").get_data(as_text=True))))
    assert [(row["city"], row["language"]) for row in rows] == [("Bogotá", "es")]


def test_quiz_analytics_flags_a_question_much_harder_in_one_language(client, login_as, course):
    for _ in range(5):
        study("en", RIGHT)
        study("es", {**RIGHT, "q-single": ["web"]})  # the Spanish wording misleads: everyone picks "web"
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    assert "much harder in Spanish (<span lang=\"es\">español</span>): check the translation" in html
    report = quizzes_report()
    single = next(q for q in report.questions if q.question_id == "q-single")
    assert [(r.language, r.attempts, r.facility, r.much_harder) for r in single.by_language] == [
        ("en", 5, 1.0, False), ("es", 5, 0.0, True)]
    short = next(q for q in report.questions if q.question_id == "q-short")
    assert short.much_harder_in == ()


def test_the_quiz_downloads_hold_the_facility_by_language_the_page_shows(client, login_as, course):
    for _ in range(5):
        study("en", RIGHT)
        study("es", {**RIGHT, "q-single": ["web"]})
    login_as("admin")
    html = client.get(f"/reports/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    assert '<th scope="col">By language</th>' in html
    rows = {row["question"]: row for row in csv.DictReader(io.StringIO(client.get(
        f"/reports/{SLUG}/export/questions.csv?quiz=basics-quiz").get_data(as_text=True).lstrip("\ufeff")))}
    assert rows["q-single"]["facility_by_language"] == "en=1.0 (5); es=0.0 (5)"
    json_rows = client.get(f"/reports/api/courses/{SLUG}/questions?quiz=basics-quiz").get_json()["rows"]
    assert {row["question"]: row["facility_by_language"] for row in json_rows}["q-single"] == "en=1.0 (5); es=0.0 (5)"


def test_spanish_short_answers_count_in_the_analytics_as_when_graded(course):
    study("es", {**RIGHT, "q-short": ["reset_progress: verdadero"]})
    short = next(q for q in quizzes_report().questions if q.question_id == "q-short")
    assert short.facility == 1.0


def quizzes_report():
    from lms.services import reports

    return reports.quiz_analytics(make_user("admin"), SLUG, "basics-quiz")


def test_the_learner_filters_offer_all_cohorts_in_the_readers_language(client, login_as, course):
    """The cohort filter's first choice is worded in Python, not in the template: it is translated too."""
    admin = make_user("admin", preferred_language="es")
    login_as(admin)
    html = client.get(f"/reports/{SLUG}/learners").get_data(as_text=True)
    assert "Todas las cohortes" in html and "All cohorts" not in html


def test_question_types_on_the_quiz_report_follow_each_reader(client, db, login_as, course):
    """The labels were set at the top of an imported template, built once per process: the first reader's language
    stayed for everyone after."""
    reader = login_as(make_user("admin", preferred_language="en"))
    english = client.get(f"/reports/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    reader.preferred_language = "es"
    db.session.commit()
    spanish = client.get(f"/reports/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    assert "single choice" in english
    assert "opción única" in spanish and "single choice" not in spanish
