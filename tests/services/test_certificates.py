"""Certificates: issued once on completion, by admins with a reason, revoked, verified, rendered and signed."""

from __future__ import annotations

import io
import os
import stat
import threading
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from sqlalchemy.exc import IntegrityError

from lms.core import clock, credential_proofs, credentials
from lms.extensions import db as _db
from lms.models import Certificate, Course, CourseVersion, User
from lms.services import (
    accounts,
    certificates,
    completion,
    course_versions,
    credential_documents,
    credential_keys,
    enrolments,
    learning,
    publishing,
    quizzes,
)
from lms.services.certificate_pdf import render_certificate_pdf
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.conftest import is_postgres
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG, completable_online, copy_package, edit_file, make_user

SLUG = EXAMPLE_SLUG


@pytest.fixture
def course(db, tmp_path):
    """The example course, with no live session required so it can be completed online."""
    package = copy_package(tmp_path)
    completable_online(package)
    return publishing.import_package(None, package, publish=True).version


def complete_course(user: User, version: CourseVersion) -> None:
    enrolments.enrol(user, SLUG)
    for lesson in course_versions.version_package(version).modules[0].lessons:
        if lesson.required:
            learning.complete_lesson(user, SLUG, lesson.id)
    page = quizzes.quiz_page(user, SLUG, "basics-quiz")
    quizzes.submit_attempt(user, SLUG, "basics-quiz", page.attempt.id, RIGHT)


def all_certificates(db) -> list[Certificate]:
    return list(db.session.execute(db.select(Certificate).order_by(Certificate.id)).scalars())


# Issuing on completion.


def test_completing_the_course_issues_one_certificate_with_its_facts(db, course, outbox):
    learner = make_user(display_name="María José Núñez")
    complete_course(learner, course)
    [certificate] = all_certificates(db)
    assert certificate.user_id == learner.id and certificate.version_id == course.id
    assert certificate.learner_name == "María José Núñez"
    assert certificate.course_title == course.title and certificate.course_version == "1.0.0"
    assert certificate.hours == 2
    assert certificate.issuers == [
        {"name": "Example City Council", "url": "https://example.org/city-council"},
        {"name": "Example Metropolitan Training Centre", "url": "https://example.org/training-centre"}]
    enrolment = enrolments.active_enrolment(learner, certificate.course_id)
    assert certificate.completed_at == enrolment.completed_at
    assert certificate.issued_by_id is None and certificate.revoked_at is None
    assert credentials.parse_certificate_id(certificate.public_id) == certificate.public_id


def test_the_learner_is_mailed_once_with_the_links(db, course, outbox):
    learner = make_user()
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    assert len(outbox) == 1
    message = outbox.messages[0]
    assert message["To"] == learner.email and course.title in message["Subject"]
    body = outbox.last_body()
    assert certificate.public_id in body and f"http://lms.test/verify/{certificate.public_id}" in body
    assert "http://lms.test/certificates" in body


def test_nothing_more_happens_when_the_learner_goes_on(db, course, outbox):
    learner = make_user()
    complete_course(learner, course)
    learning.complete_lesson(learner, SLUG, course_versions.version_package(course).modules[0].lessons[0].id)
    course_row = db.session.get(Course, course.course_id)
    enrolment = enrolments.active_enrolment(learner, course_row.id)
    again = certificates.issue_on_completion(learner, course_row, course, enrolment.completed_at)
    completion.reevaluate(course_row, [learner.id])
    _db.session.commit()
    assert len(all_certificates(db)) == 1 and again.public_id == all_certificates(db)[0].public_id
    assert len(outbox) == 1


def test_a_later_change_of_name_does_not_change_the_certificate(db, course):
    learner = make_user(display_name="Kim Min-su")
    complete_course(learner, course)
    accounts.update_profile(learner, accounts.Profile(display_name="김민수"))
    assert all_certificates(db)[0].learner_name == "Kim Min-su"


def test_no_certificate_before_completion(db, course, outbox):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    course_row = db.session.get(Course, course.course_id)
    completion.reevaluate(course_row, [learner.id])
    _db.session.commit()
    assert all_certificates(db) == [] and len(outbox) == 0


def test_a_course_without_a_certificate_issues_none(db, tmp_path, outbox):
    package = copy_package(tmp_path)
    completable_online(package)
    edit_file(package / "course.yaml", "certificate:\n  enabled: true", "certificate:\n  enabled: false")
    version = publishing.import_package(None, package, publish=True).version
    complete_course(make_user(), version)
    assert all_certificates(db) == [] and len(outbox) == 0


def test_no_mail_about_a_certificate_that_was_rolled_back(db, course, outbox):
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    course_row = db.session.get(Course, course.course_id)
    enrolment = enrolments.active_enrolment(learner, course_row.id)
    enrolment.completed_at = enrolment.enrolled_at
    completion.reevaluate(course_row, [learner.id])
    assert len(all_certificates(db)) == 1
    _db.session.rollback()
    _db.session.commit()
    assert all_certificates(db) == [] and len(outbox) == 0


def test_the_database_refuses_a_second_valid_certificate(db, course):
    learner = make_user()
    complete_course(learner, course)
    first = all_certificates(db)[0]
    duplicate = {column: getattr(first, column) for column in (
        "user_id", "course_id", "version_id", "learner_name", "course_title", "course_version", "completed_at",
        "hours", "issuers")}
    _db.session.add(Certificate(public_id=credentials.new_certificate_id(), status_index=first.status_index + 1,
                                **duplicate))
    with pytest.raises(IntegrityError):
        _db.session.commit()
    _db.session.rollback()
    certificates.revoke(make_user(role="admin"), first.public_id, "Name misspelt")
    _db.session.add(Certificate(public_id=credentials.new_certificate_id(), status_index=first.status_index + 1,
                                **duplicate))
    _db.session.commit()  # a revoked certificate does not count
    assert len(all_certificates(db)) == 2


@pytest.mark.postgres
def test_concurrent_completions_issue_one_certificate(app, db, course, outbox):
    """Two requests meet the completion rule at the same moment, each in its own connection and transaction."""
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL: LMS_TEST_DATABASE_URL")
    learner = make_user()
    enrolments.enrol(learner, SLUG)
    course_row = db.session.get(Course, course.course_id)
    enrolments.active_enrolment(learner, course_row.id).completed_at = clock.now()
    _db.session.commit()
    ids = (learner.id, course_row.id, course.id)
    start = threading.Barrier(4)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(hold: float) -> None:
        try:
            with app.app_context():
                user, course_, version = (_db.session.get(User, ids[0]), _db.session.get(Course, ids[1]),
                                          _db.session.get(CourseVersion, ids[2]))
                start.wait(10)
                completed_at = enrolments.active_enrolment(user, course_.id).completed_at
                certificate = certificates.issue_on_completion(user, course_, version, completed_at)
                time.sleep(hold)  # keep the transaction open while the others try
                _db.session.commit()
                results.append(certificate.public_id)
                _db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(0.3 if n == 0 else 0.0,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    rows = all_certificates(db)
    assert len(rows) == 1
    assert results == [rows[0].public_id] * 4
    assert len(outbox) == 1


# Issuing by hand and revoking.


def test_an_admin_issues_by_hand_with_the_reason_recorded(db, course, outbox):
    admin, learner = make_user(role="admin"), make_user()
    certificate = certificates.issue_by_admin(admin, learner.id, SLUG, "  Completed the course on paper.  ")
    assert certificate.issued_by_id == admin.id and certificate.issue_reason == "Completed the course on paper."
    assert certificate.learner_name == learner.display_name
    assert len(outbox) == 1


def test_issuing_by_hand_needs_an_admin_and_a_reason(db, course):
    learner = make_user()
    with pytest.raises(NotAllowed):
        certificates.issue_by_admin(make_user(role="instructor"), learner.id, SLUG, "because")
    with pytest.raises(Invalid, match="reason"):
        certificates.issue_by_admin(make_user(role="admin"), learner.id, SLUG, "   ")
    with pytest.raises(NotFound):
        certificates.issue_by_admin(make_user(role="admin"), 999999, SLUG, "because")
    with pytest.raises(NotFound):
        certificates.issue_by_admin(make_user(role="admin"), learner.id, "no-such-course", "because")
    assert all_certificates(db) == []


def test_issuing_by_hand_is_refused_while_a_valid_certificate_exists(db, course):
    admin, learner = make_user(role="admin"), make_user()
    complete_course(learner, course)
    existing = all_certificates(db)[0]
    with pytest.raises(Conflict, match=existing.public_id):
        certificates.issue_by_admin(admin, learner.id, SLUG, "again")
    certificates.revoke(admin, existing.public_id, "Name misspelt")
    replacement = certificates.issue_by_admin(admin, learner.id, SLUG, "Replaces the misspelt one")
    assert replacement.public_id != existing.public_id
    assert replacement.completed_at == existing.completed_at


def test_issuing_by_email(db, course):
    admin, learner = make_user(role="admin"), make_user()
    certificate = certificates.issue_by_admin_email(admin, f"  {learner.email.upper()} ", SLUG, "offline")
    assert certificate.user_id == learner.id
    with pytest.raises(Invalid) as error:  # what the admin typed names nobody: shown on the form's field
        certificates.issue_by_admin_email(admin, "nobody@example.org", SLUG, "offline")
    assert error.value.field == "email"


def test_issuing_by_an_address_typed_with_combining_accents(db, course):
    """The same NFC rule as logging in: an address typed with combining accents finds the account."""
    admin = make_user(role="admin")
    learner = make_user(email="jos\u00e9.n\u00fa\u00f1ez@example.org")
    typed = unicodedata.normalize("NFD", " Jos\u00e9.N\u00fa\u00f1ez@Example.org ")
    assert typed != learner.email and accounts.find_by_email(typed).id == learner.id
    certificate = certificates.issue_by_admin_email(admin, typed, SLUG, "offline")
    assert certificate.user_id == learner.id


def test_revoking_records_who_when_and_why_and_only_once(db, course):
    admin, learner = make_user(role="admin"), make_user()
    complete_course(learner, course)
    public_id = all_certificates(db)[0].public_id
    with pytest.raises(NotAllowed):
        certificates.revoke(learner, public_id, "I changed my mind")
    with pytest.raises(Invalid):
        certificates.revoke(admin, public_id, "")
    with pytest.raises(NotFound):
        certificates.revoke(admin, credentials.new_certificate_id(), "gone")
    revoked = certificates.revoke(admin, public_id.lower(), "Plagiarised quiz answers")
    assert revoked.revoked_at is not None and revoked.revoked_by_id == admin.id
    assert revoked.revoke_reason == "Plagiarised quiz answers"
    with pytest.raises(Conflict):
        certificates.revoke(admin, public_id, "twice")


# Verification.


def test_verify_states(db, course):
    admin, learner = make_user(role="admin"), make_user(display_name="Nguyễn Thị Minh Khai")
    complete_course(learner, course)
    public_id = all_certificates(db)[0].public_id
    valid = certificates.verify(public_id.replace("-", "").lower())
    assert valid.state == "valid" and valid.public_id == public_id
    assert valid.facts.learner_name == "Nguyễn Thị Minh Khai" and valid.facts.hours == 2
    certificates.revoke(admin, public_id, "Issued by mistake")
    revoked = certificates.verify(public_id)
    assert revoked.state == "revoked" and revoked.revoke_reason == "Issued by mistake" and revoked.revoked_at
    assert certificates.verify(credentials.new_certificate_id()).state == "unknown"
    assert certificates.verify("nonsense").state == "unknown"
    assert certificates.verify("nonsense").public_id is None


# Access and lists.


def test_only_the_learner_and_admins_can_download(db, course):
    learner, other, admin = make_user(), make_user(), make_user(role="admin")
    complete_course(learner, course)
    public_id = all_certificates(db)[0].public_id
    assert certificates.get_for_download(learner, public_id).user_id == learner.id
    assert certificates.get_for_download(admin, public_id).user_id == learner.id
    for nobody in (other, make_user(role="instructor")):
        with pytest.raises(NotFound):
            certificates.get_for_download(nobody, public_id)
    with pytest.raises(NotFound):
        certificates.get_for_download(learner, "garbage")


def test_my_certificates_and_the_dashboard_map(db, course):
    admin, learner = make_user(role="admin"), make_user()
    complete_course(learner, course)
    first = all_certificates(db)[0]
    certificates.revoke(admin, first.public_id, "Name misspelt")
    second = certificates.issue_by_admin(admin, learner.id, SLUG, "Corrected name")
    mine = certificates.my_certificates(learner)
    assert [c.public_id for c in mine] == [second.public_id, first.public_id]
    assert certificates.certificates_by_course(learner)[first.course_id].public_id == second.public_id
    assert certificates.my_certificates(make_user()) == []


def test_admin_lists(db, course):
    admin, learner = make_user(role="admin"), make_user(display_name="Ana Pérez")
    complete_course(learner, course)
    rows = certificates.recent_certificates(admin, search="pérez")
    assert [row.learner_email for row in rows] == [learner.email]
    assert certificates.recent_certificates(admin, search="100%_") == []
    view = certificates.admin_view(admin, rows[0].certificate.public_id)
    assert view.learner.id == learner.id and view.course_slug == SLUG and view.issued_by is None
    assert certificates.certifiable_courses(admin) == [(SLUG, course.title)]
    with pytest.raises(NotAllowed):
        certificates.recent_certificates(learner)


# The PDF.


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297  # A4
    return page.extract_text()


@pytest.mark.parametrize("name", ["María José Núñez", "김민수", "Nguyễn Thị Minh Khai", "Ærøskøbing Łukasz Żółć",
                                  "Ελένη Παπαδοπούλου", "Олена Коваленко", "똠방각하 김"])
def test_the_pdf_carries_the_name_and_the_facts(db, course, name):
    learner = make_user(display_name=name)
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    text = pdf_text(credential_documents.pdf_bytes(certificate))
    assert name in text
    assert course.title in text
    assert certificate.public_id in text
    assert "2 hours of training" in text and "Example City Council" in text
    assert f"{certificate.completed_at.day} {certificate.completed_at:%B %Y}" in text
    assert "lms.test/verify/" in text
    assert "REVOKED" not in text


def test_the_pdf_embeds_only_the_fonts_it_needs(db, course):
    learner = make_user(display_name="María José Núñez")
    complete_course(learner, course)
    latin = credential_documents.pdf_bytes(all_certificates(db)[0])
    assert b"LMSHangul" not in latin
    assert b"NotoSerif" in latin
    learner_kr = make_user(display_name="김민수")
    certificates.issue_by_admin(make_user(role="admin"), learner_kr.id, SLUG, "offline")
    korean = credential_documents.pdf_bytes(all_certificates(db)[1])
    assert b"LMSHangulSerif" in korean and b"LMSHangulSerifExtended" not in korean


def test_a_revoked_certificate_pdf_is_stamped(db, course):
    admin, learner = make_user(role="admin"), make_user()
    complete_course(learner, course)
    revoked = certificates.revoke(admin, all_certificates(db)[0].public_id, "Issued by mistake")
    assert "REVOKED" in pdf_text(credential_documents.pdf_bytes(revoked))


def test_the_same_certificate_gives_the_same_pdf(db, course):
    learner = make_user()
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    assert credential_documents.pdf_bytes(certificate) == credential_documents.pdf_bytes(certificate)


# The credential and the key.


def test_the_credential_verifies_with_the_published_key(db, course):
    learner = make_user(display_name="김민수")
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    document = credential_documents.credential_json(certificate)
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "김민수"
    assert document["id"] == f"http://lms.test/verify/{certificate.public_id}"
    assert document["credentialSubject"]["achievement"]["id"] == f"http://lms.test/courses/{SLUG}/"
    published = credential_documents.issuer_document()["verificationMethod"][0]
    key = credential_proofs.public_key_from_multibase(published["publicKeyMultibase"])
    assert [proof["verificationMethod"] for proof in document["proof"]] == [published["id"]] * 2
    assert credential_proofs.verify_credential(document, key).ok
    outcome = credential_documents.check_credential(document)
    assert outcome.ok and outcome.message.startswith("valid")


def test_check_credential_refuses_tampering_revocation_and_strangers(db, course):
    admin, learner = make_user(role="admin"), make_user()
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    document = credential_documents.credential_json(certificate)
    tampered = {**document, "credentialSubject": {**document["credentialSubject"], "identifier": [
        {**document["credentialSubject"]["identifier"][0], "identityHash": "Someone Else"}]}}
    assert not credential_documents.check_credential(tampered).ok
    foreign = credential_proofs.sign_credential(document, credential_proofs.new_signing_key(), "https://evil.example/#k",
                                          certificate.issued_at)
    outcome = credential_documents.check_credential(foreign)
    assert not outcome.ok and "not signed by this engine" in outcome.message
    forged = credential_proofs.sign_credential(document, credential_proofs.new_signing_key(),
                                         certificates.verification_method(), certificate.issued_at)
    assert not credential_documents.check_credential(forged).ok
    certificates.revoke(admin, certificate.public_id, "Issued by mistake")
    outcome = credential_documents.check_credential(document)
    assert not outcome.ok and "revoked" in outcome.message and "Issued by mistake" in outcome.message


def test_a_credential_for_a_certificate_the_engine_does_not_have_is_refused(db, course):
    learner = make_user()
    complete_course(learner, course)
    document = credential_documents.credential_json(all_certificates(db)[0])
    document["id"] = f"http://lms.test/verify/{credentials.new_certificate_id()}"
    resigned = credential_proofs.sign_credential(document, credential_keys.signing_key(),
                                                 certificates.verification_method(), all_certificates(db)[0].issued_at)
    outcome = credential_documents.check_credential(resigned)
    assert not outcome.ok and "no certificate" in outcome.message


def test_the_signing_key_is_private_and_kept(app, db):
    path = Path(app.instance_path) / credential_keys.KEY_FILE
    key = credential_keys.signing_key()
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = credential_proofs.private_key_from_pem(path.read_bytes())
    assert credential_proofs.public_key_multibase(stored.public_key()) == \
        credential_proofs.public_key_multibase(key.public_key())


def test_a_new_key_file_is_created_once(tmp_path):
    path = tmp_path / "keys" / credential_keys.KEY_FILE
    credential_keys._create_key_file(path)
    first = path.read_bytes()
    credential_keys._create_key_file(path)  # a second process racing: keeps the first key
    assert path.read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == [credential_keys.KEY_FILE]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_long_names_titles_and_many_issuers_still_fit_on_the_page():
    name = ("Maria da Conceição Aparecida dos Santos Albuquerque Bragança e Vasconcelos de Orléans-Saxe-Coburgo-Gotha "
            "Ribeiro Figueiredo Nogueira Guimarães Magalhães Sá Carneiro Pinto")
    title = ("Caring Cities: care as a pillar of urban organisation, from subsidiary welfare to neighbourhood "
             "services for everyone (intermediate level)")
    issuers = tuple(credentials.Issuer(n) for n in (
        "Metropolis", "SHRDC (Seoul Metropolitan Government Human Resources Development Center)", "UCLG",
        "UCLG-ASPAC", "서울시인재개발원", "Ciudad de México, Secretaría de Bienestar"))
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    facts = credentials.CertificateFacts(credentials.new_certificate_id(), name, title, "12.10.3", moment, 1.5,
                                         issuers, moment)
    text = pdf_text(render_certificate_pdf(facts, f"https://learning.example.org/verify/{facts.certificate_id}"))
    flat = " ".join(text.split())
    assert name in flat and title in flat and "서울시인재개발원" in flat and "1.5 hours of training" in flat
