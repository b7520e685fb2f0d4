"""Application statuses and the checks on letters of support."""

import pytest

from lms.core import admissions
from lms.core.admissions import LetterRefused, Status, check_letter

MB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.mark.parametrize(("data", "media_type"), [(PDF, "application/pdf"), (PNG, "image/png"),
                                                  (JPEG, "image/jpeg"), (b"\r\n" + PDF, "application/pdf")])
def test_letters_are_recognised_by_their_bytes(data, media_type):
    assert check_letter(data, 5 * MB).media_type == media_type


@pytest.mark.parametrize("data", [EXE, ELF, b"<html><script>alert(1)</script>", b"GIF89a...."])
def test_other_files_are_refused_whatever_their_name(data):
    with pytest.raises(LetterRefused, match="must be a PDF, PNG or JPEG"):
        check_letter(data, 5 * MB)


def test_an_empty_letter_is_refused():
    with pytest.raises(LetterRefused, match="empty"):
        check_letter(b"", 5 * MB)


def test_a_letter_over_the_limit_is_refused_with_both_sizes():
    with pytest.raises(LetterRefused, match=r"is 5\.10 MB; the largest accepted is 5 MB"):
        check_letter(PDF + b"\x00" * int(5.1 * MB - len(PDF)), 5 * MB)
    with pytest.raises(LetterRefused, match=r"is 5\.00 MB"):
        check_letter(PDF + b"\x00" * (5 * MB), 5 * MB)


def test_a_letter_at_the_limit_is_accepted():
    assert check_letter(PDF + b"\x00" * (5 * MB - len(PDF)), 5 * MB) is admissions.PDF


def test_download_names_keep_the_applicants_words_and_the_real_extension():
    name = "../../Carta de apoyo \u2013 Alcaldía.exe"
    assert admissions.safe_filename(name, admissions.PDF) == "Carta de apoyo  Alcaldía.pdf"
    assert admissions.safe_filename("", admissions.PNG) == "letter-of-support.png"
    assert admissions.safe_filename('C:\\x\\"evil";.pdf', admissions.PDF) == "evil.pdf"


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("submitted", "accepted", True), ("submitted", "waitlisted", True), ("submitted", "rejected", True),
    ("waitlisted", "accepted", True), ("rejected", "accepted", True),
    ("accepted", "rejected", False), ("withdrawn", "accepted", False), ("submitted", "withdrawn", False),
])
def test_staff_moves(current, target, allowed):
    assert (admissions.refusal_of_decision(current, target) is None) is allowed


def test_refusals_explain_themselves():
    assert "withdrew" in str(admissions.refusal_of_decision("withdrawn", "accepted"))
    assert str(admissions.refusal_of_decision("accepted", "accepted")) == "The application is already “Accepted”."


def test_refusals_are_phrases_worded_later_in_the_readers_language():
    """The core says which sentence (marked for the catalogue) and with what; the reader's layer translates both the
    sentence and the status label inside it."""
    refusal = admissions.refusal_of_decision("waitlisted", "waitlisted")
    spanish = {"The application is already “%(status)s”.": "La solicitud ya está «%(status)s».",
               "On the waiting list": "En lista de espera"}
    assert refusal.render(lambda message: spanish.get(message, message)) == "La solicitud ya está «En lista de espera»."


def test_the_applicant_may_withdraw_until_a_final_state():
    assert admissions.applicant_may_withdraw(Status.ACCEPTED)
    assert not admissions.applicant_may_withdraw(Status.REJECTED)
    assert not admissions.applicant_may_withdraw(Status.WITHDRAWN)
