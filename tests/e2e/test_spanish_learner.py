"""A Spanish-speaking official's programme in a real browser, in Spanish from the first page: she chooses Español in
the language menu before she has an account, registers, applies to the cohort, studies a lesson of the course's
Spanish translation, takes a quiz in Spanish, and receives her e-mails and her certificate with Spanish labels.

The parts of the course that are not the point here (the other lessons and quizzes, the live sessions staff mark)
are done through the services, as staff and an earlier visit would have done them; the last lesson and the last quiz
are what completes the course, in the browser."""

from __future__ import annotations

import io
import re

import pypdf
from playwright.sync_api import Page, expect

from lms.core.packages import Question, QuestionType
from lms.extensions import db
from lms.models import LiveSession, OutboxMessage
from lms.services import accounts, application_review, attendance, course_context, learning, quizzes
from tests.cohort_factories import PDF
from tests.e2e.steps import ADMIN, COURSE, caring_cities

EMAIL = "valentina.rojas@medellin.gov.co"
NAME = "Valentina Rojas"
PASSWORD = "una contraseña larga y privada"


def _right_answers(question: Question) -> list[str]:
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return [choice.id for choice in question.choices if choice.correct]
    if question.type == QuestionType.TRUE_FALSE:
        return [str(question.correct_bool).lower()]
    if question.type == QuestionType.NUMERIC:
        return [f"{question.numeric_answer:g}"]
    return [question.accepted_answers[0]]


def _everything_but_the_last_lesson_and_quiz(live_server) -> None:
    """What she did on earlier visits, and the live sessions the staff marked her present at."""
    package = caring_cities()
    with live_server.app.app_context():
        learner = accounts.find_by_email(EMAIL)
        for lesson in package.lessons[:-1]:
            learning.complete_lesson(learner, COURSE, lesson.id)
        for quiz in package.quizzes[:-1]:
            attempt = quizzes.quiz_page(learner, COURSE, quiz.id).attempt
            quizzes.submit_attempt(learner, COURSE, quiz.id, attempt.id,
                                   {question.id: _right_answers(question) for question in quiz.questions})
        cohort_id = course_context.study_context(learner, COURSE)[2].cohort_id
        sessions = db.session.execute(db.select(LiveSession).where(LiveSession.cohort_id == cohort_id)
                                      .order_by(LiveSession.starts_at)).scalars().all()
        staff = accounts.find_by_email(ADMIN)
        for session in sessions[:package.completion.min_sessions_attended]:
            attendance.mark_attendance(staff, session.id, {learner.id})


def _mails_to(live_server, address: str) -> list[OutboxMessage]:
    with live_server.app.app_context():
        return list(db.session.execute(db.select(OutboxMessage).where(OutboxMessage.recipient == address)
                                       .order_by(OutboxMessage.id)).scalars())


def _answer_in_spanish(page: Page, question: Question) -> None:
    """Answer right, typing the Spanish translation's accepted answer where the question asks for words."""
    qid = question.id
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        for choice_id in _right_answers(question):
            page.locator(f'[id="{qid}-{choice_id}"]').check()
    elif question.type == QuestionType.TRUE_FALSE:
        page.locator(f'[id="{qid}-{_right_answers(question)[0]}"]').check()
    else:
        page.locator(f'[id="{qid}-answer"]').fill(_right_answers(question)[0])


def test_a_learner_does_the_whole_programme_in_spanish(live_server, new_page, tmp_path):
    package = caring_cities()
    spanish = {kind: package.translation("es", kind, key) for kind, key in (
        ("course", ""), ("lesson", package.lessons[-1].id), ("quiz", package.quizzes[-1].id))}
    assert all(spanish.values()), "Caring Cities ships its Spanish translation"
    page = new_page()

    # Before having an account: the language menu, in the header of every page.
    page.goto("/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.get_by_role("link", name="Crear cuenta").first.click()
    page.get_by_label("Dirección de correo electrónico").fill(EMAIL)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Repita la contraseña").fill(PASSWORD)
    page.get_by_label("Nombre completo").fill(NAME)
    page.get_by_label("Organización").fill("Alcaldía de Medellín")
    page.get_by_label("Cargo").fill("Asesora de políticas de cuidado")
    page.get_by_label("Ciudad").fill("Medellín")
    page.get_by_label("País").select_option(label="Colombia")  # the country's name in Spanish
    page.get_by_label("Zona horaria").select_option("America/Bogota")
    page.get_by_label("Idioma preferido").select_option("es")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_text("Revise su correo")).to_be_visible()
    confirmation = _mails_to(live_server, EMAIL)[0]
    assert confirmation.subject == "Confirme su dirección de correo electrónico"
    page.goto(re.search(r"https?://\S+(/verify-email/\S+)", confirmation.text_body).group(1))
    expect(page.get_by_text("Gracias: su dirección de correo está confirmada")).to_be_visible()

    # The course in Spanish, its cohorts, the application form.
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Cursos", exact=True).click()
    page.get_by_role("link", name=spanish["course"].title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(spanish["course"].title)
    page.get_by_role("link", name="Ver las cohortes y presentar una solicitud").click()
    page.get_by_role("link", name=re.compile("demo run")).click()
    page.get_by_role("link", name=re.compile("^Solicitar")).click()
    expect(page.get_by_label("Nombre completo")).to_have_value(NAME)
    page.get_by_label("Motivación").fill("Coordino el equipo que diseña el sistema de cuidado de Medellín.")
    letter = tmp_path / "carta-de-apoyo.pdf"
    letter.write_bytes(PDF)
    page.get_by_label("Carta de apoyo").set_input_files(letter)
    page.get_by_role("button", name="Enviar mi solicitud").click()
    expect(page.get_by_text("Enviada, en espera de decisión")).to_be_visible()

    # Staff accept her (in English, on their side): the letter she receives is in Spanish.
    with live_server.app.app_context():
        learner = accounts.find_by_email(EMAIL)
        [application] = [a for a, *_ in learning.dashboard(learner).pending_applications]
        application_review.decide(None, application.id, "accepted")
    accepted = _mails_to(live_server, EMAIL)[-1]
    assert accepted.subject.startswith("Su solicitud para") and "Aceptada" in accepted.subject
    assert "Nos complace comunicarle" in accepted.text_body
    _everything_but_the_last_lesson_and_quiz(live_server)

    # The last lesson, in Spanish.
    page.goto(f"/courses/{COURSE}/")
    page.get_by_role("link", name=spanish["lesson"].title, exact=True).first.click()
    expect(page.locator(".lesson-body")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text(spanish["lesson"].title)
    page.locator("#lesson-end").scroll_into_view_if_needed()
    expect(page.get_by_text(re.compile("queda marcada como completada|Ha completado esta lección"))).to_be_visible()

    # The last quiz, in Spanish, answered with the Spanish translation's words.
    page.goto(f"/courses/{COURSE}/")
    page.get_by_role("link", name=spanish["quiz"].title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(spanish["quiz"].title)
    quiz = package.quiz_in(package.quizzes[-1], "es")
    expect(page.locator(f'div[lang="es"] [id="q-{quiz.questions[0].id}"]')).to_be_visible()
    for question in quiz.questions:
        _answer_in_spanish(page, question)
    page.get_by_role("button", name="Enviar las respuestas").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    expect(page.get_by_role("status").filter(has_text="Su puntuación")).to_contain_text("Aprobado")

    # The course is complete: the certificate, with Spanish labels, and its e-mail in Spanish.
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Mis certificados").click()
    card = page.get_by_role("listitem").filter(has_text=spanish["course"].title)
    expect(card.get_by_text("Válido", exact=True)).to_be_visible()
    with page.expect_download() as download:
        card.get_by_role("link", name=re.compile("^Descargar el PDF")).click()
    text = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert "VERIFIQUE ESTE CERTIFICADO" in text and "Escanee el código o abra" in text, text
    assert NAME in text and "Verify this certificate" not in text, text
    assert any("certificado" in mail.subject.lower() for mail in _mails_to(live_server, EMAIL)[2:])
