"""A learner's whole programme in a real browser: apply with a letter of support, get accepted by an administrator,
study every module, fail a quiz then pass it, attend live sessions, earn and download the certificate, and have a
stranger verify it. axe-core checks each page on the way; the main ones are photographed for docs/screenshots/."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import func

from lms.extensions import db
from lms.models import Application, OutboxMessage
from lms.services import application_review
from tests.cohort_factories import PDF
from tests.e2e.steps import (
    ADMIN,
    STAFF_PASSWORD,
    caring_cities,
    complete_lesson,
    log_in,
    open_confirmation_link,
    open_course,
    take_quiz,
)

LEARNER_EMAIL = "lucia.fernandez@bogota.gov.co"
LEARNER_NAME = "Lucía Fernández"
PASSWORD = "a long and private passphrase"


def _applications_waiting(live_server) -> int:
    with live_server.app.app_context():
        return db.session.execute(db.select(func.count()).select_from(Application)
                                  .where(Application.status == "submitted")).scalar_one()


def _reviewer_digest(live_server) -> str:
    """Run the reviewers' digest as the worker does each hour; the text of the one the administrator gets."""
    with live_server.app.app_context():
        application_review.notify_reviewers()
        return db.session.execute(db.select(OutboxMessage.text_body).where(
            OutboxMessage.recipient == ADMIN, OutboxMessage.template == "applications_digest")
            .order_by(OutboxMessage.id.desc())).scalars().first()


def test_learner_applies_studies_earns_the_certificate_and_a_stranger_verifies_it(
        live_server, new_page, check_accessibility, screenshot, tmp_path):
    package = caring_cities()
    learner = new_page()

    learner.goto("/")
    check_accessibility(learner, "home")
    screenshot(learner, "home")

    learner.get_by_role("link", name="Create account").click()
    check_accessibility(learner, "registration form")
    learner.get_by_label("E-mail address").fill(LEARNER_EMAIL)
    learner.get_by_label("Password", exact=True).fill(PASSWORD)
    learner.get_by_label("Repeat the password").fill(PASSWORD)
    learner.get_by_label("Full name").fill(LEARNER_NAME)
    learner.get_by_label("Organisation").fill("Alcaldía Mayor de Bogotá")
    learner.get_by_label("Position").fill("Care policy adviser")
    learner.get_by_label("City").fill("Bogotá")
    learner.get_by_label("Country").select_option(label="Colombia")
    learner.get_by_label("Time zone").select_option("America/Bogota")
    learner.get_by_role("button", name="Create account").click()
    open_confirmation_link(learner, live_server, LEARNER_EMAIL)
    expect(learner.get_by_text("your e-mail address is confirmed")).to_be_visible()
    check_accessibility(learner, "dashboard, before enrolling")

    # The catalogue, the course, its cohorts, the application form.
    learner.get_by_role("navigation", name="Main").get_by_role("link", name="Courses", exact=True).click()
    check_accessibility(learner, "catalogue")
    learner.get_by_role("link", name=package.title).first.click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(package.title)
    check_accessibility(learner, "course page")
    screenshot(learner, "course")
    learner.get_by_role("link", name="See the cohorts and apply").click()
    check_accessibility(learner, "cohorts of the course")
    learner.get_by_role("link", name=re.compile("demo run")).click()
    check_accessibility(learner, "cohort page")
    learner.get_by_role("link", name=re.compile("^Apply to")).click()
    expect(learner.get_by_label("Full name")).to_have_value(LEARNER_NAME)
    check_accessibility(learner, "application form")
    learner.get_by_label("Motivation").fill(
        "Bogotá is extending its care blocks and I coordinate the team that plans the next ten of them.")
    letter = tmp_path / "carta-de-apoyo.pdf"
    letter.write_bytes(PDF)
    learner.get_by_label("Letter of support").set_input_files(letter)
    learner.get_by_role("button", name="Send my application").click()
    expect(learner.get_by_text("Your application to")).to_be_visible()
    expect(learner.get_by_text("Submitted, waiting for a decision")).to_be_visible()
    check_accessibility(learner, "my applications")

    # An administrator, on another device, reads the application and its letter, and accepts.
    admin = new_page()
    admin.goto("/login")
    check_accessibility(admin, "log-in page")
    log_in(admin, ADMIN, STAFF_PASSWORD)
    # The staff are told: the landing page counts the applications waiting (other journeys may have left some), and
    # the worker's hourly digest mails the reviewers a link to the cohort's queue.
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    check_accessibility(admin, "staff: cohorts")
    waiting = _applications_waiting(live_server)
    expect(admin.locator("#to-do")).to_have_text(re.compile(rf"^{waiting} applications? (is|are) waiting for review"))
    digest = _reviewer_digest(live_server)
    admin.get_by_role("link", name=re.compile("demo run")).click()
    check_accessibility(admin, "staff: cohort")
    admin.get_by_role("link", name=re.compile(r"^Applications \(1 to review\)")).click()
    assert LEARNER_NAME in digest and f"{urlsplit(admin.url).path}\n" in digest  # the mail links to this queue
    check_accessibility(admin, "staff: applications queue")
    admin.get_by_role("link", name=LEARNER_NAME, exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Application of {LEARNER_NAME}")
    with admin.expect_download() as download:
        admin.get_by_role("link", name=re.compile("^Download carta-de-apoyo.pdf")).click()
    assert download.value.path().read_bytes() == PDF
    check_accessibility(admin, "staff: application review")
    screenshot(admin, "application-review")
    admin.get_by_label("Decision").select_option("accepted")
    admin.get_by_label("Note to the applicant").fill("Welcome to the programme!")
    admin.get_by_role("button", name="Record the decision").click()
    expect(admin.get_by_text("The decision was recorded")).to_be_visible()
    expect(admin.get_by_text("Status: Accepted")).to_be_visible()

    # The certificate rule asks for live sessions (Caring Cities: 2): staff mark the learner present at that many.
    sessions_needed = package.completion.min_sessions_attended
    admin.get_by_role("link", name=re.compile("^Applications to")).click()
    admin.get_by_role("link", name=re.compile("demo run")).first.click()
    attendance_links = admin.get_by_role("link", name=re.compile("^Attendance"))
    for number in range(sessions_needed):
        attendance_links.nth(number).click()
        admin.get_by_label(f"{LEARNER_NAME} was present").check()
        admin.get_by_role("button", name="Save attendance").click()
        # The demo cohort's sessions are still to come: the sheet asks before marking anyone present.
        expect(admin.get_by_text("has not started yet")).to_be_visible()
        admin.get_by_label(re.compile("Yes, mark the people ticked below present")).check()
        admin.get_by_role("button", name="Save attendance").click()
        expect(admin.get_by_text("Saved the attendance.")).to_be_visible()
        expect(admin.get_by_label(f"{LEARNER_NAME} was present")).to_be_checked()
        if number == 0:
            check_accessibility(admin, "staff: attendance sheet")
        admin.get_by_role("link", name=re.compile("^.*demo run$")).click()

    # The administrator's decision and attendance are in the audit log, under the administrator's name.
    admin.get_by_role("link", name="Administration").click()
    admin.get_by_role("link", name="Audit log").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Audit log")
    # (The demo data has decisions of its own, made at the command line.)
    by_admin = admin.get_by_role("table").get_by_role("row").filter(has_text=ADMIN)
    expect(by_admin.filter(has_text="application.decide")).to_have_count(1)
    expect(by_admin.filter(has_text="attendance.mark")).to_have_count(2)
    check_accessibility(admin, "admin: audit log")

    # The learner studies every module, lesson by lesson, and takes each quiz; the first one is failed once.
    learner.reload()
    expect(learner.get_by_text("Accepted", exact=True)).to_be_visible()
    learner.get_by_role("link", name="Go to the course").click()
    expect(learner.get_by_role("link", name=re.compile("^Continue: "))).to_be_visible()
    failed_once = False
    for module in package.modules:
        for lesson in module.lessons:
            open_course(learner)
            complete_lesson(learner, lesson.title)
            if lesson is package.lessons[0]:
                check_accessibility(learner, "lesson")
                screenshot(learner, "lesson")
        if module.quiz is None:
            continue
        open_course(learner)
        learner.get_by_role("link", name=module.quiz.title, exact=True).click()
        expect(learner.get_by_role("heading", level=1)).to_have_text(module.quiz.title)
        if not failed_once:
            check_accessibility(learner, "quiz")
            screenshot(learner, "quiz")
            take_quiz(learner, module.quiz, correctly=False)
            check_accessibility(learner, "quiz review, not passed")
            learner.get_by_role("button", name=re.compile("^Try again — 2 attempts left")).click()
            expect(learner.get_by_text("Attempts used: 1 of")).to_be_visible()
            failed_once = True
            take_quiz(learner, module.quiz, correctly=True)
            check_accessibility(learner, "quiz review, passed")
            screenshot(learner, "quiz-result")
        else:
            take_quiz(learner, module.quiz, correctly=True)

    open_course(learner)
    expect(learner.get_by_text("100% complete").first).to_be_visible()
    expect(learner.get_by_text("You have met every requirement of this course and earned its certificate.")) \
        .to_be_visible()

    learner.get_by_role("link", name="My learning").click()
    expect(learner.get_by_text("Certificate earned")).to_be_visible()
    check_accessibility(learner, "dashboard, course completed")
    screenshot(learner, "dashboard")
    learner.get_by_role("navigation", name="Main").get_by_role("link", name="My certificates").click()
    check_accessibility(learner, "my certificates")
    card = learner.get_by_role("listitem").filter(has_text=package.title)
    expect(card.get_by_text("Valid", exact=True)).to_be_visible()
    expect(card.get_by_text(LEARNER_NAME)).to_be_visible()
    certificate_id = card.locator("code").inner_text()
    with learner.expect_download() as download:
        card.get_by_role("link", name=re.compile("^Download the PDF")).click()
    assert download.value.suggested_filename == f"certificate-{certificate_id}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")

    # A stranger (an employer, say), not logged in, checks the id printed on the certificate.
    stranger = new_page()
    stranger.goto("/verify/")
    check_accessibility(stranger, "verify, search form")
    stranger.get_by_label("Certificate ID").fill(certificate_id.lower().replace("-", ""))
    stranger.get_by_role("button", name="Verify").click()
    expect(stranger).to_have_url(f"{live_server.url}/verify/{certificate_id}")
    expect(stranger.get_by_role("heading", name=re.compile("This certificate is genuine and valid"))).to_be_visible()
    expect(stranger.get_by_text(LEARNER_NAME)).to_be_visible()
    expect(stranger.get_by_role("button", name="Log out")).to_have_count(0)
    check_accessibility(stranger, "verify, valid certificate")
    screenshot(stranger, "verify")
