"""A course in several languages, as learners read it: their language when the course has it, a per-course switch
remembered on the enrolment, notices for untranslated and stale texts, `lang` on the content, and grading that does
not depend on the language."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.models import Cohort, Enrolment, QuizAttempt, VersionTranslation
from lms.services import certificates, publishing
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG as SLUG
from tests.factories import completable_online, copy_package, edit_file, make_user

SPANISH_TITLE = "Bienvenida al curso de ejemplo"
ENGLISH_TITLE = "Welcome to the example course"


@pytest.fixture
def course(db, tmp_path):
    package = copy_package(tmp_path)
    completable_online(package)
    return publishing.import_package(None, package, publish=True).version


def learner(login_as, client, language: str = "es"):
    user = login_as(make_user(preferred_language=language))
    assert client.post(f"/courses/{SLUG}/enrol").status_code == 302
    return user


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_import_stores_each_translation_with_the_version(course):
    rows = db.session.execute(db.select(VersionTranslation).filter_by(version_id=course.id)).scalars().all()
    assert sorted((row.language, row.kind, row.item_key) for row in rows) == [
        ("es", "course", ""), ("es", "lesson", "welcome"), ("es", "module", "basics"), ("es", "quiz", "basics-quiz")]
    assert course.language_list == ["en", "es"]
    assert not any(row.stale for row in rows)


def test_a_spanish_speaker_reads_the_course_in_spanish(client, login_as, course):
    learner(login_as, client)
    course_page = page(client, f"/courses/{SLUG}/")
    assert '<h1 lang="es" dir="auto">Curso de ejemplo: todas las funciones del formato de paquete</h1>' in course_page
    assert '<bdi lang="es">Lo básico</bdi>' in course_page
    assert "Sesión de inicio" in course_page and "Folleto del curso (PDF)" in course_page
    lesson = page(client, f"/courses/{SLUG}/lessons/welcome")
    assert f'<h1 id="bienvenida-al-curso-de-ejemplo">{SPANISH_TITLE}</h1>' in lesson or SPANISH_TITLE in lesson
    assert '<div class="lesson-body" lang="es" dir="auto">' in lesson
    assert "aún no se ha traducido" not in lesson
    assert db.session.execute(db.select(Enrolment.studied_language)).scalar_one() == "es"


def test_an_untranslated_lesson_is_shown_in_the_source_with_a_notice(client, login_as, course):
    learner(login_as, client)
    lesson = page(client, f"/courses/{SLUG}/lessons/going-further")
    assert '<div class="lesson-body" lang="en" dir="auto">' in lesson
    # The learner's interface is Spanish: the notice and the language's name are in Spanish.
    assert "Esta parte del curso aún no se ha traducido al español" in lesson


def test_a_language_the_course_lacks_falls_back_to_the_source_with_a_notice(client, login_as, course):
    learner(login_as, client, language="ko")
    course_page = page(client, f"/courses/{SLUG}/")
    assert '<h1 lang="en" dir="auto">Example course: every feature of the package format</h1>' in course_page
    assert "이 과정은 한국어(으)로 제공되지 않아" in course_page  # the notice, and the language named, in Korean


def test_the_language_switch_is_remembered_for_the_course(client, login_as, course):
    learner(login_as, client)
    response = client.post(f"/courses/{SLUG}/language",
                           data={"language": "en", "next": f"/courses/{SLUG}/lessons/welcome"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/lessons/welcome")
    assert db.session.execute(db.select(Enrolment.language)).scalar_one() == "en"
    lesson = page(client, f"/courses/{SLUG}/lessons/welcome")
    assert '<div class="lesson-body" lang="en" dir="auto">' in lesson and ENGLISH_TITLE in lesson
    assert 'name="language" value="es"' in lesson  # the switch offers the other language
    client.post(f"/courses/{SLUG}/language", data={"language": "es"})
    assert SPANISH_TITLE in page(client, f"/courses/{SLUG}/lessons/welcome")


def test_each_learner_finds_their_own_token_in_a_lessons_language_switch(client, login_as, course, app):
    """The lesson's language switch is kept per process with a placeholder for the CSRF token
    (lms.web.templating.kept_with_token): each learner's switch holds their own session's token, the one the rest of
    their page holds."""
    app.jinja_env.kept_parts.clear()
    tokens = []
    for _ in range(2):
        learner(login_as, client)
        lesson = page(client, f"/courses/{SLUG}/lessons/welcome")
        switch = lesson[lesson.index('<nav class="course-languages"'):]
        switch = switch[:switch.index("</nav>")]
        [switch_token] = re.findall(r'name="csrf_token" value="([^"]+)"', switch)
        assert set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', lesson)) == {switch_token}
        assert 'name="language" value="en"' in switch and 'aria-current="true" disabled>Español' in switch
        tokens.append(switch_token)
        client.post("/logout", data={})
    assert tokens[0] != tokens[1]
    kept = [key[2][1] for key in app.jinja_env.kept_parts if key[0] != "site header"]
    assert sum(values[0] == "lesson language switch" for values in kept) == 1


def test_the_switch_refuses_a_language_the_course_lacks_and_foreign_redirects(client, login_as, course):
    learner(login_as, client)
    assert client.post(f"/courses/{SLUG}/language", data={"language": "de"}).status_code == 422
    response = client.post(f"/courses/{SLUG}/language", data={"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/courses/{SLUG}/")


def test_a_stale_translation_shows_a_notice_linking_to_the_source(client, login_as, db, tmp_path):
    package = copy_package(tmp_path)
    edit_file(package / "basics" / "01-welcome.md", "most common lesson features", "commonest lesson features")
    publishing.import_package(None, package, publish=True)
    learner(login_as, client)
    lesson = page(client, f"/courses/{SLUG}/lessons/welcome")
    assert "El texto original ha cambiado desde que se hizo esta traducción" in lesson
    link = re.search(r'<a href="([^"]+)" hreflang="en">Leer el original '
                     r'\(inglés \(<span lang="en">English</span>\)\)</a>', lesson)
    assert link and link.group(1) == f"/courses/{SLUG}/lessons/welcome?lang=en"
    original = page(client, link.group(1))
    assert ENGLISH_TITLE in original and "commonest lesson features" in original
    # A look at the original is not a change of language: the learner still studies in Spanish.
    assert db.session.execute(db.select(Enrolment.studied_language)).scalar_one() == "es"
    assert SPANISH_TITLE in page(client, f"/courses/{SLUG}/lessons/welcome")


def take_quiz(client, answers: dict) -> QuizAttempt:
    quiz = page(client, f"/courses/{SLUG}/quizzes/basics-quiz")
    attempt = re.search(r'name="attempt" value="(\d+)"', quiz).group(1)
    response = client.post(f"/courses/{SLUG}/quizzes/basics-quiz", data={"attempt": attempt, **answers})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return db.session.get(QuizAttempt, int(attempt))


@pytest.mark.parametrize("answers", [
    RIGHT,
    {**RIGHT, "q-single": ["web"], "q-multiple": ["numeric", "essay"], "q-numeric": ["3"]},
    {"q-single": ["module"], "q-multiple": ["essay"], "q-true-false": ["true"], "q-short": ["nope"],
     "q-numeric": ["0"]},
])
def test_the_same_answers_get_the_same_score_in_every_language(client, login_as, course, answers):
    scores = {}
    for language in ("en", "es"):
        learner(login_as, client, language)
        quiz = page(client, f"/courses/{SLUG}/quizzes/basics-quiz")
        assert ("Cuestionario sobre lo básico" in quiz) == (language == "es")
        attempt = take_quiz(client, answers)
        assert attempt.language == language
        scores[language] = (attempt.score, attempt.max_score, attempt.percent, attempt.passed)
        client.post("/logout")
    assert scores["en"] == scores["es"]


def test_a_short_answer_is_accepted_in_the_language_it_was_given_in(client, login_as, course):
    spanish = {**RIGHT, "q-short": ["reset_progress: verdadero"]}
    learner(login_as, client, "es")
    assert take_quiz(client, spanish).percent == 100
    client.post("/logout")
    learner(login_as, client, "en")
    assert take_quiz(client, spanish).percent < 100  # not an English answer


SPANISH_COURSE = "Curso de ejemplo: todas las funciones del formato de paquete"
ENGLISH_COURSE = "Example course: every feature of the package format"


def test_every_list_of_courses_names_the_course_in_the_learners_language(client, login_as, course):
    user = learner(login_as, client)
    admin = make_user("admin")
    certificates.issue_by_admin(admin, user.id, SLUG, "Completed on paper.")
    cohort_id = db.session.execute(db.select(Cohort.id)).scalars().first()
    link = f'<a href="/courses/{SLUG}/">{SPANISH_COURSE}</a>'
    assert f'<h2 lang="es" dir="auto">{link}</h2>' in page(client, "/courses/")
    dashboard = page(client, "/learning")
    assert f'<h2 lang="es" dir="auto">{link}</h2>' in dashboard
    assert "Continuar: Lo básico, " in dashboard or "Lo básico" in dashboard  # the next step names the module
    assert ENGLISH_COURSE not in dashboard
    assert f'<bdi lang="es">{SPANISH_COURSE}</bdi>' in page(client, f"/programmes/courses/{SLUG}/cohorts")
    assert f'lang="es">{SPANISH_COURSE}</a>' in page(client, f"/programmes/cohorts/{cohort_id}")
    assert f'<h2 dir="auto" lang="es">{SPANISH_COURSE}</h2>' in page(client, "/certificates")


def test_a_course_without_the_learners_language_is_listed_in_its_own(client, login_as, course):
    learner(login_as, client, language="ko")
    catalogue = page(client, "/courses/")
    assert f'<h2 lang="en" dir="auto"><a href="/courses/{SLUG}/">{ENGLISH_COURSE}</a></h2>' in catalogue
    assert SPANISH_COURSE not in catalogue
