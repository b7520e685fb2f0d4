"""Certificates for every name: each script prints (shaped, in its direction) and can be extracted as text from the
PDF; a name no shipped font can print is refused before anything is issued or mailed."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime

import pypdf
import pytest

from lms.core.credentials import CertificateFacts, Issuer
from lms.models import Certificate
from lms.services import certificates
from lms.services.certificate_fonts import UnprintableText, unprintable_characters
from lms.services.certificate_pdf import render_certificate_pdf
from tests.factories import make_user
from tests.services.test_certificates import SLUG, complete_course, course  # noqa: F401 - the fixture

NAMES = {
    "Han, simplified": "王秀英",
    "Han, traditional": "陳美齡",
    "Han and kana (Japanese)": "山田太郎",
    "hiragana and katakana": "やまだ ハナコ",
    "Hangul": "김민수",
    "Arabic": "محمد العلي",
    "Hebrew": "דוד כהן",
    "Devanagari": "राम शर्मा",
    "Thai": "สมชาย ใจดี",
    "Cyrillic": "Наталья Иванова",
    "Greek": "Γιώργος Παπαδόπουλος",
    "Latin with diacritics": "Nguyễn Thị Minh Khai, Łukasz Żółć, Ştefan Ţiriac",
}
NOT_PRINTABLE = "\U00013000"  # an Egyptian hieroglyph: no shipped font has it


def facts(name: str) -> CertificateFacts:
    return CertificateFacts(
        certificate_id="K7QH-3M9X-AAAA-BBBB-CCCC-DDDD-EEEE", learner_name=name, course_title="Caring Cities",
        course_version="1.0.0", completed_at=datetime(2026, 11, 1, tzinfo=UTC), hours=24.0,
        issuers=(Issuer("Metropolis", "https://www.metropolis.org"), Issuer("UCLG", "")),
        issued_at=datetime(2026, 11, 2, tzinfo=UTC))


def extracted(pdf: bytes) -> str:
    """The page's text as pypdf extracts it, without the codes of glyphs that stand for no character of their own
    (a Devanagari reph or vowel sign drawn as a separate glyph)."""
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return "".join(char for char in text if unicodedata.category(char) != "Cc" or char == "\n")


@pytest.mark.parametrize("script", NAMES)
def test_every_script_prints_and_can_be_extracted(script):
    name = NAMES[script]
    assert unprintable_characters([name]) == ""
    text = extracted(render_certificate_pdf(facts(name), "https://lms.example/verify/K7QH"))
    # Right-to-left names come out word by word in visual order; each word is there, in logical order.
    for word in name.split():
        assert word.strip(",") in text, (script, word, text)


def test_right_to_left_names_are_laid_out_right_to_left():
    text = extracted(render_certificate_pdf(facts(NAMES["Hebrew"]), "https://lms.example/verify/K7QH"))
    line = next(line for line in text.splitlines() if "דוד" in line)
    assert line.index("כהן") < line.index("דוד")  # the first word is on the right: read last from the left


def _glyph_codes(pdf: bytes, font_name: str) -> list[bytes]:
    """The glyph codes the page draws in the font whose name contains ``font_name``."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {key: font.get_object()["/BaseFont"] for key, font in page["/Resources"]["/Font"].items()}
    current, codes = None, []
    for operands, operator in pypdf.generic.ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            current = fonts.get(operands[0], "")
        elif operator == b"Tj" and current and font_name in current:
            data = bytes(operands[0].original_bytes)
            codes += [data[i:i + 2] for i in range(0, len(data), 2)]
    return codes


def test_arabic_letters_are_joined():
    """Shaped, محمد is drawn with its initial, medial and final forms: more distinct glyphs than distinct letters
    (unshaped, the two م would be one and the same isolated glyph)."""
    name = NAMES["Arabic"]
    codes = _glyph_codes(render_certificate_pdf(facts(name), "https://lms.example/verify/K7QH"), "Arabic")
    assert len(set(codes)) > len(set(name.replace(" ", "")))


def test_a_cjk_name_embeds_only_the_glyphs_it_needs():
    pdf = render_certificate_pdf(facts(NAMES["Han, simplified"]), "https://lms.example/verify/K7QH")
    assert b"NotoSerifCJKSCBold" in pdf and len(pdf) < 40_000  # the font file has 7,540 glyphs, 3 MB


def test_a_name_no_font_can_print_is_refused_by_the_pdf():
    with pytest.raises(UnprintableText, match="U\\+13000"):
        render_certificate_pdf(facts(f"Ana {NOT_PRINTABLE}"), "https://lms.example/verify/K7QH")


def test_no_certificate_is_issued_or_mailed_for_a_name_that_cannot_be_printed(db, course, outbox, caplog):  # noqa: F811
    learner = make_user(display_name=f"Ana {NOT_PRINTABLE}")
    complete_course(learner, course)
    assert db.session.execute(db.select(Certificate)).scalars().all() == []
    assert not any("certificate" in message["Subject"].lower() for message in outbox.messages)
    assert any("certificate not issued" in record.getMessage() and record.levelname == "ERROR"
               for record in caplog.records)


def test_an_admin_is_told_why_a_certificate_cannot_be_issued(db, course):  # noqa: F811
    learner = make_user(display_name=f"Ana {NOT_PRINTABLE}")
    with pytest.raises(certificates.UnprintableCertificate, match=re.escape("U+13000")):
        certificates.issue_by_admin(make_user(role="admin"), learner.id, SLUG, "Completed offline")
    assert db.session.execute(db.select(Certificate)).scalars().all() == []
