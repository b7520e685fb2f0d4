"""The certificate PDF prints its own words in the learner's language; the names and the course title stay as issued.
Arabic labels are shaped (joined letters) and run right to left. Translations come from a temporary catalogue
(tests/catalogues.py); on the old code every label was English."""

from __future__ import annotations

import io

import pypdf

from lms.services import credential_documents
from lms.services.certificate_pdf import render_certificate_pdf
from tests.catalogues import translations
from tests.core.test_credentials import facts
from tests.factories import make_user
from tests.services.test_certificates import all_certificates, complete_course, course  # noqa: F401 (fixture)

VERIFY = "https://lms.test/verify/X"


def text_of(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_labels_are_in_the_learners_language_and_the_title_as_issued(app, db, course):  # noqa: F811
    learner = make_user(display_name="María José Núñez", preferred_language="es")
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    spanish = {"This is to certify that": "Se certifica que",
               "has successfully completed the course": "ha completado con éxito el curso",
               ("HOUR", "HOURS"): ["HORA", "HORAS"]}
    with translations(app, "es", spanish):
        text = text_of(credential_documents.pdf_bytes(certificate))
    assert "Se certifica que" in text and "ha completado con éxito el curso" in text and "HORAS" in text
    assert course.title in text and "María José Núñez" in text
    month = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")[certificate.issued_at.month - 1]
    assert f"{certificate.issued_at.day} de {month} de {certificate.issued_at.year}" in text


def test_korean_labels_and_numbers(app, db):
    with translations(app, "ko", {"This is to certify that": "다음 사람이", ("HOUR", "HOURS"): ["시간"]}):
        data = render_certificate_pdf(facts(hours=1.5), VERIFY, language="ko")
    text = text_of(data)
    assert "다음 사람이" in text and "1.5시간" in text.replace("\n", "")
    assert "2026년 11월 22일" in text  # the completion date, written the Korean way
    assert b"LMSHangulSerif" in data


def test_arabic_labels_are_shaped_and_run_right_to_left(app, db):
    with translations(app, "ar", {"This is to certify that": "نشهد بأن", "CERTIFICATE": "شهادة"}):
        data = render_certificate_pdf(facts(), VERIFY, language="ar")
    text = text_of(data)
    assert b"NotoNaskhArabic" in data  # the Arabic font, with its joining forms (fpdf2 + HarfBuzz shaping)
    assert "شهادة" in text
    # Laid out right to left: the first word of the sentence is drawn rightmost, so reading the page from left to
    # right (as text extraction does) meets the words in the opposite order.
    assert "بأن نشهد" in text and "نشهد بأن" not in text
    assert "Nguyễn Thị Minh Khai" in text and "Caring Cities" in text


def test_the_verify_page_speaks_the_visitors_language(app, db, client, course):  # noqa: F811
    learner = make_user(preferred_language="en")
    complete_course(learner, course)
    certificate = all_certificates(db)[0]
    with translations(app, "fr", {"%(hours)s of training": "%(hours)s de formation"}):
        html = client.get(f"/verify/{certificate.public_id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "2\u00a0heures de formation" in html  # CLDR's French unit, the catalogue's sentence
    month = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")[certificate.completed_at.month - 1]
    assert f"{certificate.completed_at.day} {month} {certificate.completed_at.year}" in html
