"""E-mails are written in the recipient's language, not the sender's and not the site default: subject, body, the
status label inside them and their dates. The tests give the translations of the msgids they check in a temporary
catalogue (tests/catalogues.py); on the old code every message was English."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale

from lms.services import application_review, enrolments, mail, reminders
from tests.catalogues import translations
from tests.cohort_factories import apply, example_with_open_cohort, make_cohort, publish_caring_cities, session_rows
from tests.factories import EXAMPLE_SLUG

ACCEPTED_SUBJECT = "Your application to %(cohort)s: %(status)s"
SPANISH = {
    ACCEPTED_SUBJECT: "Su solicitud a %(cohort)s: %(status)s",
    "Accepted": "Aceptada",
    "Dear %(name)s,": "Estimado/a %(name)s:",
    "Status of your application:": "Estado de su solicitud:",
    "Reminder: %(session)s (%(cohort)s)": "Recordatorio: %(session)s (%(cohort)s)",
}
FRENCH = {ACCEPTED_SUBJECT: "Votre candidature à %(cohort)s : %(status)s", "Accepted": "Acceptée"}


def test_an_acceptance_is_mailed_in_the_applicants_language_not_the_deciders(app, db, make_user, outbox):
    publish_caring_cities()
    cohort = make_cohort()
    admin, learner = make_user("admin", preferred_language="fr"), make_user(preferred_language="es")
    application = apply(learner, cohort)
    with translations(app, "es", SPANISH), translations(app, "fr", FRENCH), force_locale("fr"):
        application_review.decide(admin, application.id, "accepted", "")  # the admin works in French
    message = outbox.messages[-1]
    assert message["Subject"] == "Su solicitud a Test cohort: Aceptada"
    body = outbox.last_body()
    assert body.startswith(f"Estimado/a {learner.display_name}:")
    assert "Estado de su solicitud: Aceptada" in body
    assert "Acceptée" not in body and "Accepted" not in body


def test_a_recipient_whose_language_the_interface_does_not_speak_gets_the_site_default(app, db, make_user):
    person = make_user(preferred_language="de")
    assert mail.recipient_language(person) == app.config["DEFAULT_LANGUAGE"] == "en"
    assert mail.recipient_language(make_user(preferred_language="ko")) == "ko"


def test_reminders_sent_without_a_request_are_in_each_learners_language(app, db, make_user, outbox, tmp_path):
    """The worker and `flask lms send-reminders` have no request: the recipient decides the language, and the
    session's date is written in it too."""
    cohort = example_with_open_cohort(tmp_path)
    spanish, english = make_user(preferred_language="es", timezone="America/Bogota"), make_user()
    for learner in (spanish, english):
        enrolments.enrol(learner, EXAMPLE_SLUG)
    first = session_rows(cohort)[0]
    with translations(app, "es", SPANISH):
        assert reminders.send_reminders(now=first.starts_at - timedelta(hours=20), hours_before=24).queued == 2
    by_recipient = {message["To"]: message for message in outbox.messages}
    assert by_recipient[spanish.email]["Subject"].startswith("Recordatorio: ")
    assert by_recipient[english.email]["Subject"].startswith("Reminder: ")
    spanish_body = by_recipient[spanish.email].get_body(preferencelist=("plain",)).get_content()
    month = first.starts_at.month
    spanish_months = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                      "octubre", "noviembre", "diciembre")
    assert spanish_months[month - 1][:3] in spanish_body and spanish_body.startswith("Estimado/a ")
