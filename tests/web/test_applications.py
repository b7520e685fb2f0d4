"""Applying through the web form, "My applications", the review queue, letters and the CSV export."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape

from lms.core import admissions
from lms.models import Application, ApplicationLetter, Enrolment
from lms.services import application_review, applications
from tests.cohort_factories import EXE, MOTIVATION, PDF, apply, local_now, make_cohort, publish_caring_cities
from tests.factories import table_counts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def cohort(db):
    publish_caring_cities()
    return make_cohort(name="Caring Cities 2030")


def form_data(letter=PDF, filename="letter.pdf", **changes):
    data = {"full_name": "Ana Pérez", "organisation": "Ayuntamiento de Madrid",
            "position": "Planner", "city": "Madrid", "country": "ES", "language": "es", "motivation": MOTIVATION,
            "letter": (io.BytesIO(letter), filename)}
    data.update(changes)
    return data


def post_application(client, cohort, **kwargs):
    return client.post(f"/programmes/cohorts/{cohort.id}/apply", data=form_data(**kwargs),
                       content_type="multipart/form-data")


def test_the_form_shows_the_eligibility_text_and_every_labelled_field(client, login_as, cohort):
    login_as("learner")
    html = client.get(f"/programmes/cohorts/{cohort.id}/apply").get_data(as_text=True)
    assert "Who can apply" in html and "public officials of local governments" in html
    assert 'enctype="multipart/form-data"' in html and "At most 5 MB" in html
    for name in ("full_name", "organisation", "position", "city", "country", "language", "motivation",
                 "letter"):
        assert re.search(rf'<label for="{name}"', html), name
    assert "style=" not in html
    # One script, from this site (the CSP forbids inline ones): the browser's check of the letter's size.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/forms.js" defer>']


def test_applying_from_the_form_then_seeing_the_status(client, login_as, cohort, outbox):
    login_as("learner")
    response = post_application(client, cohort, letter=PNG, filename="scan.png")
    assert response.status_code == 302 and response.headers["Location"].endswith("/programmes/applications")
    html = client.get("/programmes/applications").get_data(as_text=True)
    assert "Caring Cities 2030" in html and "Submitted, waiting for a decision" in html and "scan.png" in html
    assert "Withdraw this application" in html
    assert len(outbox) == 1


def test_the_form_redirects_someone_who_already_applied(client, login_as, cohort):
    login_as("learner")
    post_application(client, cohort)
    response = client.get(f"/programmes/cohorts/{cohort.id}/apply")
    assert response.status_code == 302


@pytest.mark.parametrize(("letter", "filename", "message"), [
    (EXE, "letter-of-support.pdf", "must be a PDF, PNG or JPEG"),
    (b"", "letter.pdf", "empty"),
    (PDF + b"\x00" * (200 * 1024), "letter.pdf", "the largest accepted is 100 KB"),
])
def test_bad_uploads_are_refused_with_a_message_next_to_the_field(app, client, db, login_as, cohort, letter,
                                                                   filename, message, monkeypatch):
    # The limit is configurable (LMS_LETTER_MAX_MB); a small one keeps the request below the test client's
    # temporary-file threshold. The 5 MB default is tested in tests/services/test_applications.py.
    monkeypatch.setitem(app.config, "LETTER_MAX_BYTES", 100 * 1024)
    login_as("learner")
    before = table_counts(db)
    response = post_application(client, cohort, letter=letter, filename=filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="letter-error"' in html and message in html
    assert table_counts(db) == before


def test_a_late_application_is_refused_with_a_clear_message(client, db, login_as):
    publish_caring_cities()
    cohort = make_cohort(deadline=local_now() - timedelta(minutes=1))
    login_as("learner")
    page = client.get(f"/programmes/cohorts/{cohort.id}/apply").get_data(as_text=True)
    assert "closed on" in page and "Late applications cannot be accepted" in page and 'name="letter"' not in page
    response = post_application(client, cohort)
    assert response.status_code == 403 and "Late applications cannot be accepted" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Application)).scalar() == 0


def test_anonymous_visitors_are_asked_to_log_in(client, cohort):
    assert client.get(f"/programmes/cohorts/{cohort.id}/apply").status_code == 302
    html = client.get(f"/programmes/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Log in" in html and "to apply" in html


def test_the_applicant_withdraws(client, db, login_as, cohort):
    learner = login_as("learner")
    application = apply(learner, cohort)
    response = client.post(f"/programmes/applications/{application.id}/withdraw", follow_redirects=True)
    assert "was withdrawn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "withdrawn"


# The letter: the applicant and administrators only, always as an attachment.


def test_the_applicant_downloads_the_letter_as_an_attachment(client, login_as, cohort):
    learner = login_as("learner")
    application = apply(learner, cohort, filename="Carta Alcaldía.pdf")
    response = client.get(f"/programmes/applications/{application.id}/letter")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Carta" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"] and "sandbox" in response.headers["Content-Security-Policy"]


def test_another_learner_cannot_reach_the_letter_idor(client, make_user, login_as, cohort):
    application = apply(make_user(), cohort)
    login_as("learner")
    for url in (f"/programmes/applications/{application.id}/letter", f"/staff/applications/{application.id}/letter",
                f"/staff/applications/{application.id}"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/programmes/applications/{application.id}/withdraw").status_code == 404


def test_an_instructor_cannot_reach_the_letter(client, make_user, login_as, cohort):
    application = apply(make_user(), cohort)
    login_as("instructor")
    assert client.get(f"/staff/applications/{application.id}/letter").status_code == 404
    assert client.get(f"/programmes/applications/{application.id}/letter").status_code == 404
    assert client.get(f"/staff/cohorts/{cohort.id}/applications").status_code == 403


def test_anonymous_visitors_cannot_reach_the_letter(client, make_user, cohort):
    application = apply(make_user(), cohort)
    response = client.get(f"/programmes/applications/{application.id}/letter")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Review.


def test_an_admin_reviews_filters_opens_the_letter_and_accepts(client, db, make_user, login_as, cohort, outbox):
    ana = make_user(display_name="Ana")
    minsu = make_user(display_name="Min-su")
    first = apply(ana, cohort, city="Madrid", country="ES")
    second = apply(minsu, cohort, city="Seoul", country="KR", organisation="Seoul Metropolitan Government")
    login_as("admin")
    queue = client.get(f"/staff/cohorts/{cohort.id}/applications").get_data(as_text=True)
    assert "Ana" in queue and "Min-su" in queue and "Select the application of Ana" in queue
    filtered = client.get(f"/staff/cohorts/{cohort.id}/applications?country=KR").get_data(as_text=True)
    assert "Min-su" in filtered and ">Ana<" not in filtered
    letter = client.get(f"/staff/applications/{first.id}/letter")
    assert letter.data == PDF and letter.headers["Content-Disposition"].startswith("attachment;")
    assert f"({len(PDF)} byte)" in client.get(f"/staff/applications/{first.id}").get_data(as_text=True)

    response = client.post(f"/staff/applications/{second.id}", data={"decision": "accepted", "note": "Welcome"})
    assert response.status_code == 302
    detail = client.get(f"/staff/applications/{second.id}").get_data(as_text=True)
    assert "Submitted, waiting for a decision → Accepted" in detail and "Welcome" in detail
    enrolment = db.session.execute(db.select(Enrolment)).scalar_one()
    assert (enrolment.user_id, enrolment.cohort_id) == (minsu.id, cohort.id)
    assert outbox.messages[-1]["To"] == minsu.email


def test_bulk_decisions_from_the_queue(client, db, make_user, login_as):
    publish_caring_cities()
    cohort = make_cohort(capacity=1)
    ids = [apply(make_user(), cohort).id for _ in range(2)]
    login_as("admin")
    response = client.post(f"/staff/cohorts/{cohort.id}/applications/decide",
                           data={"application_ids": [str(i) for i in ids], "decision": "accepted", "note": ""},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "for 1 application." in html and f"Application {ids[1]}:" in html and "is full" in html
    statuses = [db.session.get(Application, i).status for i in ids]
    assert statuses == ["accepted", "submitted"]


def test_a_decision_that_conflicts_is_explained(client, make_user, login_as, cohort):
    admin = login_as("admin")
    application = apply(make_user(), cohort)
    application_review.decide(admin, application.id, "accepted")
    response = client.post(f"/staff/applications/{application.id}", data={"decision": "rejected", "note": ""})
    assert response.status_code == 422  # the refusal is shown on the form, which is kept
    message = admissions.refusal_of_decision("accepted", "rejected")
    assert message and escape(message) in response.get_data(as_text=True)


def test_export_as_csv(client, make_user, login_as, cohort):
    apply(make_user(), cohort, city="São Paulo", country="BR")
    login_as("admin")
    response = client.get(f"/staff/cohorts/{cohort.id}/applications.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment;")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["city"], r["country"], r["status"]) for r in rows] == [("São Paulo", "BR", "submitted")]


def test_learners_cannot_enter_the_staff_area(client, login_as, cohort):
    login_as("learner")
    for url in ("/staff/", f"/staff/cohorts/{cohort.id}", f"/staff/cohorts/{cohort.id}/applications",
                f"/staff/cohorts/{cohort.id}/applications.csv"):
        assert client.get(url).status_code == 403, url


def test_the_letter_is_stored_in_the_database_not_in_a_served_folder(app, client, db, make_user, cohort):
    apply(make_user(), cohort)
    assert db.session.execute(db.select(ApplicationLetter.data)).scalar_one() == PDF
    for folder in (Path(app.static_folder), Path(app.instance_path)):
        assert not any(path.is_file() and PDF in path.read_bytes() for path in folder.rglob("*")), folder


def test_missing_answers_are_marked_on_their_fields(client, db, login_as, cohort):
    login_as("learner")
    data = form_data(motivation="", country="")
    response = client.post(f"/programmes/cohorts/{cohort.id}/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="motivation-error"' in html and 'id="country-error"' in html and 'aria-invalid="true"' in html
    assert db.session.execute(db.select(db.func.count()).select_from(Application)).scalar() == 0


def test_applying_again_after_withdrawing_starts_from_the_previous_answers(client, login_as, cohort):
    learner = login_as("learner")
    application = apply(learner, cohort, position="Chief resilience officer")
    applications.withdraw(learner, application.id)
    html = client.get(f"/programmes/cohorts/{cohort.id}/apply").get_data(as_text=True)
    assert 'value="Chief resilience officer"' in html


def test_application_mail_goes_only_to_the_accounts_address(client, db, login_as, cohort, outbox):
    """The mail relay found by the probe: an e-mail address typed in the form received our mail with the
    applicant's text in it."""
    learner = login_as("learner")
    response = post_application(client, cohort, email="victim@elsewhere.example",
                                organisation="Buy cheap watches at spam.example")
    assert response.status_code == 302
    assert [message["To"] for message in outbox.messages] == [learner.email]
    assert db.session.execute(db.select(Application.email)).scalar_one() == learner.email
    application = db.session.execute(db.select(Application)).scalar_one()
    application_review.decide(None, application.id, "rejected", note="Sorry")
    assert [message["To"] for message in outbox.messages] == [learner.email] * 2


def test_the_form_names_the_address_we_write_to_and_asks_for_none(client, login_as, cohort):
    learner = login_as("learner")
    html = client.get(f"/programmes/cohorts/{cohort.id}/apply").get_data(as_text=True)
    assert 'name="email"' not in html and learner.email in html


def test_an_unconfirmed_address_gets_no_application_mail(db, cohort, outbox):
    from lms.services import accounts

    unconfirmed = accounts.create_user("new@example.org", "a good long password", accounts.Profile("New"),
                                       verified=False)
    apply(unconfirmed, cohort)
    assert len(outbox) == 0


def test_an_application_is_sent_at_most_three_times(db, make_user, cohort, outbox):
    learner = make_user()
    for _ in range(2):
        applications.withdraw(learner, apply(learner, cohort).id)
    applications.withdraw(learner, apply(learner, cohort).id)
    sent = len(outbox)
    with pytest.raises(applications.Conflict, match="3 times, the most we accept"):
        apply(learner, cohort)
    db.session.rollback()  # as the caller does with every refusal (lms.web.form_errors, lms.web.errors, lms.cli.group)
    assert len(outbox) == sent
    assert db.session.execute(db.select(Application.status)).scalar_one() == "withdrawn"


def test_the_application_page_names_the_language_and_country(client, db, login_as, make_user, cohort):
    application = apply(make_user(), cohort, language="es", country="ES")
    login_as("admin")
    html = client.get(f"/staff/applications/{application.id}").get_data(as_text=True)
    assert "<dd>Spanish (<span lang=\"es\">español</span>)</dd>" in html and "Spain" in html


def test_a_letter_too_large_to_send_brings_the_form_back_with_the_limit(app, client, db, login_as, cohort,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    login_as("learner")
    response = post_application(client, cohort, letter=PDF + b"0" * 50_000)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/programmes/cohorts/{cohort.id}/apply")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="motivation"' in html
    assert "letters of support may be at most 5 MB" in html
    assert db.session.execute(db.select(Application)).first() is None


def test_the_browser_checks_the_letters_size_before_sending(client, login_as, cohort):
    login_as("learner")
    html = client.get(f"/programmes/cohorts/{cohort.id}/apply").get_data(as_text=True)
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in html
    assert '<script src="/static/js/forms.js" defer></script>' in html
    with client.get("/static/js/forms.js") as script:
        assert script.status_code == 200
