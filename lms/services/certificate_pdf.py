"""The printable certificate: one A4 landscape page drawn with fpdf2, its QR code with segno.

Only the fonts shipped in lms/fonts/ are used (see lms/fonts/README.md), so no system font is needed. Text is drawn
in Noto Serif / Noto Sans; other scripts come from fallback fonts, embedded only when a text needs them:

- Greek and Cyrillic: a small subset file, given to fpdf2 as it is.
- Hangul and Han/kana ("packed"): files of thousands of glyphs. fpdf2 parses and subsets every font it is given, which
  for these takes far longer than the rest of the page, so for each PDF a font of just the glyphs its texts use is
  built from the file (fontTools reads a TrueType font's glyphs one by one; the file's character map and metrics are
  read once per process) and that small font is given to fpdf2.
- Arabic, Hebrew, Devanagari and Thai ("shaped"): their texts are shaped by HarfBuzz (fpdf2's text shaping, through
  uharfbuzz): Arabic letters joined, marks placed, Devanagari conjuncts formed, and right-to-left text laid out
  right to left (the Unicode bidirectional algorithm). Shaping is switched on only for a PDF that needs it.

Before drawing, ``unprintable_characters`` checks that some shipped font has every character of the texts;
``render_certificate_pdf`` refuses (``UnprintableText``) rather than print a blank or boxes, and the certificate
service refuses to issue such a certificate. Text is normalised to NFC, so a letter with diacritics is one
precomposed glyph. The page is a pure function of the certificate's facts: the same certificate always gives the same
bytes.
"""

from __future__ import annotations

import io
import logging
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from fpdf import FPDF

from lms.core.credentials import CertificateFacts, hours_phrase
from lms.services.certificate_fonts import (
    SANS,
    SERIF_BOLD,
    UnprintableText,
    fallback_fonts_needed,
    needed_characters,
    packed_font,
    unprintable_characters,
)

NAVY = (16, 42, 84)
GOLD = (176, 137, 56)
INK = (29, 35, 48)
MUTED = (90, 97, 112)
RED = (176, 0, 32)

PAGE_W, PAGE_H = 297.0, 210.0
CONTENT_W = 225.0

log = logging.getLogger(__name__)


def format_date(moment: datetime, language: str = "en") -> str:
    """"3 July 2023" in English (the certificate's house style), the language's long date otherwise."""
    if language == "en":
        return babel_format_date(moment, "d MMMM y", locale="en")
    return babel_format_date(moment, "long", locale=language)


@dataclass(frozen=True)
class Labels:
    """The certificate's own words, in the learner's language (the names and the course title stay as issued)."""

    certificate: str
    of_completion: str
    certify: str
    completed_the_course: str
    issued_by: str
    issued_on: str
    certificate_id: str
    verify: str
    scan: str
    hours_number: str
    hours_unit: str

    def texts(self) -> list[str]:
        return [self.certificate, self.of_completion, self.certify, self.completed_the_course, self.issued_by,
                self.issued_on, self.certificate_id, self.verify, self.scan, self.hours_unit]


@dataclass(frozen=True)
class PageText:
    issuers: tuple[str, ...]
    learner_name: str
    course_title: str
    details: str
    certificate_id: str
    verify_url: str
    issued_on: str
    revoked: str | None
    labels: Labels
    language: str = "en"
    title: str = ""


def _labels(facts: CertificateFacts, language: str) -> Labels:
    hours = round(float(facts.hours), 2)
    # ngettext counts in whole numbers; a fraction takes the "other" plural form in every language, as 100 does.
    count = int(hours) if hours.is_integer() else 100
    return Labels(
        certificate=_("CERTIFICATE"), of_completion=_("OF COMPLETION"), certify=_("This is to certify that"),
        completed_the_course=_("has successfully completed the course"), issued_by=_("ISSUED BY"),
        issued_on=_("Issued on %(date)s", date=format_date(facts.issued_at, language)),
        certificate_id=_("CERTIFICATE ID"), verify=_("VERIFY THIS CERTIFICATE"), scan=_("Scan the code or open"),
        hours_number=format_decimal(hours, "#,##0.##", locale=language),
        # Translators: under the number of hours in the certificate's seal, in capitals where the script has them.
        hours_unit=ngettext("HOUR", "HOURS", count))


def _page_text(facts: CertificateFacts, verify_url: str, revoked_at: datetime | None, language: str) -> PageText:
    """Every text of the page, the certificate's own worded in ``language`` (inside force_locale)."""
    with force_locale(language):
        labels = _labels(facts, language)
        course_title = _nfc(facts.course_title)
        return PageText(
            issuers=tuple(_nfc(issuer.name) for issuer in facts.issuers),
            learner_name=_nfc(facts.learner_name),
            course_title=course_title,
            details=_("Version %(version)s  ·  %(hours)s of training  ·  completed on %(date)s",
                      version=facts.course_version, hours=hours_phrase(facts.hours, language),
                      date=format_date(facts.completed_at, language)),
            certificate_id=facts.certificate_id,
            verify_url=verify_url,
            issued_on=format_date(facts.issued_at, language),
            revoked=_("REVOKED %(date)s", date=format_date(revoked_at, language)) if revoked_at else None,
            labels=labels, language=language,
            title=_("Certificate of completion: %(course)s", course=course_title),
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Branding:
    """The site theme on the certificate: the outer frame in the brand colour and the logo in its top corner."""

    colour: tuple[int, int, int]
    logo: bytes | None = None  # a sanitised SVG or re-encoded PNG (lms.core.theme)


def page_texts(facts: CertificateFacts) -> list[str]:
    """The texts of a certificate that come from people (the rest is this module's own English)."""
    return [facts.learner_name, facts.course_title, *(issuer.name for issuer in facts.issuers)]


def render_certificate_pdf(facts: CertificateFacts, verify_url: str, *, revoked_at: datetime | None = None,
                           branding: Branding | None = None, language: str = "en") -> bytes:
    """The certificate as PDF bytes, its labels in ``language`` (an interface language: the learner's). A revoked
    certificate carries a red "REVOKED" stamp with the date. Raises UnprintableText when a text has a character no
    shipped font has."""
    missing = unprintable_characters(page_texts(facts))
    if missing:
        raise UnprintableText(missing)
    text = _page_text(facts, verify_url, revoked_at, language)
    if unprintable_characters([*text.labels.texts(), text.details]):  # a translation no shipped font can print
        log.warning("certificate labels in %r cannot be printed; using English", language)
        text = _page_text(facts, verify_url, revoked_at, "en")
    with tempfile.TemporaryDirectory(prefix="lms-certificate-fonts-") as folder:
        pdf = _new_document(text, facts, Path(folder))
        _frame(pdf)
        if branding is not None:
            _brand(pdf, branding)
        _heading(pdf, text)
        _recipient(pdf, text)
        _footer(pdf, text, facts)
        if text.revoked:
            _revoked_stamp(pdf, text.revoked)
        return bytes(pdf.output())


class _CertificatePDF(FPDF):
    """fpdf2 (2.8) forgets, after a line drawn partly in a fallback font, that the page's current font changed, and
    writes the next line without naming its font (viewers then draw it in whatever font came last, and text
    extraction fails: poppler says "No font in show"). Making it name the font before every cell avoids that."""

    def cell(self, *args, **kwargs):
        self.current_font_is_set_on_page = False
        return super().cell(*args, **kwargs)

    def multi_cell(self, *args, **kwargs):
        self.current_font_is_set_on_page = False
        return super().multi_cell(*args, **kwargs)


def _new_document(text: PageText, facts: CertificateFacts, folder: Path) -> FPDF:
    pdf = _CertificatePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("serif", "B", SERIF_BOLD)
    pdf.add_font("sans", "", SANS)
    strings = [*text.issuers, text.learner_name, text.course_title, text.details, *text.labels.texts()]
    if text.revoked:
        strings.append(text.revoked)
    fallbacks = fallback_fonts_needed(strings)
    for fallback in fallbacks:
        path = fallback.path
        if fallback.kind == "packed":  # only the glyphs this page uses (fpdf2 reads fonts from files)
            path = folder / fallback.path.name
            path.write_bytes(packed_font(fallback.path, needed_characters(strings) | {ord(" ")}))
        pdf.add_font(fallback.family, "", path)
    if fallbacks:
        pdf.set_fallback_fonts([fallback.family for fallback in fallbacks], exact_match=False)
    if any(fallback.kind == "shaped" for fallback in fallbacks):
        pdf.set_text_shaping(True)
    pdf.set_title(text.title)
    pdf.set_author(", ".join(text.issuers))
    with force_locale(text.language):
        pdf.set_subject(_("%(name)s completed %(course)s. Verify: %(url)s", name=text.learner_name,
                          course=text.course_title, url=text.verify_url))
    pdf.set_creator("LMS-lite")
    pdf.set_lang(text.language)
    pdf.set_creation_date(facts.issued_at)
    pdf.add_page()
    return pdf


def _frame(pdf: FPDF) -> None:
    pdf.set_fill_color(252, 250, 245)
    pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.35)
    pdf.rect(12, 12, PAGE_W - 24, PAGE_H - 24)
    pdf.set_fill_color(*GOLD)
    for x, y in ((12, 12), (PAGE_W - 12, 12), (12, PAGE_H - 12), (PAGE_W - 12, PAGE_H - 12)):
        pdf.regular_polygon(x - 2.4, y + 2.4, numSides=4, polyWidth=4.8, rotateDegrees=45, style="F")


def _brand(pdf: FPDF, branding: Branding) -> None:
    pdf.set_draw_color(*branding.colour)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    if branding.logo:
        pdf.image(io.BytesIO(branding.logo), x=18, y=17, h=18, keep_aspect_ratio=True, w=40)


def _fit(pdf: FPDF, text: str, family: str, style: str, size: float, width: float, smallest: float) -> float:
    """The largest font size, down to ``smallest``, at which ``text`` fits on one line of ``width``."""
    while size > smallest:
        pdf.set_font(family, style, size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 1
    pdf.set_font(family, style, smallest)
    return smallest


def _centered(pdf: FPDF, y: float, height: float, text: str) -> None:
    pdf.set_xy((PAGE_W - CONTENT_W) / 2, y)
    pdf.cell(CONTENT_W, height, text, align="C")


def _spacing(text: str, spacing: float) -> float:
    """Letter-spacing for small capitals in alphabets that take it (Latin, Greek, Cyrillic); none for the others,
    whose letters join (Arabic) or are syllable blocks (Hangul), where spacing would break the words apart."""
    return spacing if all(ord(char) < 0x0530 for char in text) else 0


def _spaced(pdf: FPDF, y: float, height: float, text: str, spacing: float) -> None:
    pdf.set_char_spacing(_spacing(text, spacing))
    _centered(pdf, y, height, text)
    pdf.set_char_spacing(0)


def _heading(pdf: FPDF, text: PageText) -> None:
    pdf.set_text_color(*MUTED)
    issuers = "  ·  ".join(text.issuers).upper()
    pdf.set_char_spacing(0.5)
    _fit(pdf, issuers, "sans", "", 9, CONTENT_W - 0.5 * len(issuers), 6.5)
    if pdf.get_string_width(issuers) <= CONTENT_W:
        _centered(pdf, 23, 5, issuers)
    else:  # many or long names: two lines
        pdf.set_xy((PAGE_W - CONTENT_W) / 2, 21)
        pdf.multi_cell(CONTENT_W, 4, issuers, align="C", max_line_height=4)
    pdf.set_char_spacing(0)
    pdf.set_text_color(*NAVY)
    pdf.set_font("serif", "B", 38)
    _spaced(pdf, 36, 16, text.labels.certificate, 3)
    pdf.set_text_color(*GOLD)
    pdf.set_font("sans", "", 11)
    _spaced(pdf, 53, 6, text.labels.of_completion, 2.5)
    pdf.set_draw_color(*GOLD)
    pdf.set_fill_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(PAGE_W / 2 - 40, 63, PAGE_W / 2 - 6, 63)
    pdf.line(PAGE_W / 2 + 6, 63, PAGE_W / 2 + 40, 63)
    pdf.regular_polygon(PAGE_W / 2 - 2, 65, numSides=4, polyWidth=4, rotateDegrees=45, style="F")


def _recipient(pdf: FPDF, text: PageText) -> None:
    pdf.set_text_color(*MUTED)
    pdf.set_font("sans", "", 12)
    _centered(pdf, 70, 7, text.labels.certify)
    pdf.set_text_color(*INK)
    _fit(pdf, text.learner_name, "serif", "B", 34, CONTENT_W, 16)
    if pdf.get_string_width(text.learner_name) <= CONTENT_W:
        _centered(pdf, 79, 16, text.learner_name)
    else:  # a very long name: two lines
        size = _fit(pdf, text.learner_name, "serif", "B", 16, 2 * CONTENT_W - 30, 9)
        pdf.set_xy((PAGE_W - CONTENT_W) / 2, 87 - size * 0.45)
        pdf.multi_cell(CONTENT_W, size * 0.45, text.learner_name, align="C", max_line_height=size * 0.45)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(PAGE_W / 2 - 75, 97, PAGE_W / 2 + 75, 97)
    pdf.set_text_color(*MUTED)
    pdf.set_font("sans", "", 12)
    _centered(pdf, 101, 7, text.labels.completed_the_course)
    pdf.set_text_color(*NAVY)
    size = _fit(pdf, text.course_title, "serif", "B", 22, CONTENT_W, 15)
    if pdf.get_string_width(text.course_title) > CONTENT_W:  # too long even small: two lines
        pdf.set_xy((PAGE_W - CONTENT_W) / 2, 109)
        pdf.multi_cell(CONTENT_W, size * 0.45, text.course_title, align="C", max_line_height=size * 0.45)
        details_y = pdf.get_y() + 1.5
    else:
        _centered(pdf, 109, 11, text.course_title)
        details_y = 121.5
    pdf.set_text_color(*MUTED)
    pdf.set_font("sans", "", 10.5)
    _centered(pdf, details_y, 6, text.details)


def _label(pdf: FPDF, x: float, y: float, width: float, text: str, align: str = "L") -> None:
    pdf.set_text_color(*GOLD)
    pdf.set_font("sans", "", 7.5)
    pdf.set_char_spacing(_spacing(text, 1.2))
    pdf.set_xy(x, y)
    pdf.cell(width, 4, text, align=align)
    pdf.set_char_spacing(0)


def _footer(pdf: FPDF, text: PageText, facts: CertificateFacts) -> None:
    top, left, width = 146.0, 24.0, 92.0
    # Left: who issues it.
    _label(pdf, left, top, width, text.labels.issued_by)
    pdf.set_text_color(*INK)
    size = 9.5 if len(text.issuers) <= 3 else 8.5 if len(text.issuers) <= 4 else 7.5
    pdf.set_font("serif", "B", size)
    y = top + 6
    for name in text.issuers:
        pdf.set_xy(left, y)
        if pdf.get_string_width(name) <= width:
            pdf.cell(width, size * 0.42, name)
            y += size * 0.42 + 1.2
        else:
            pdf.multi_cell(width, size * 0.42, name, align="L", max_line_height=size * 0.42)
            y = pdf.get_y() + 1.2
    pdf.set_text_color(*MUTED)
    pdf.set_font("sans", "", 8)
    pdf.set_xy(left, max(PAGE_H - 30, y + 1))
    pdf.cell(width, 4, text.labels.issued_on)
    # Centre: a seal with the hours.
    _seal(pdf, PAGE_W / 2, top + 20, text.labels)
    # Right: how to check it.
    qr_size = 30.0
    qr_x = PAGE_W - left - qr_size
    _qr_code(pdf, text.verify_url, qr_x, top, qr_size)
    right, block = qr_x - 4, 64.0
    _label(pdf, right - block, top, block, text.labels.certificate_id, "R")
    pdf.set_text_color(*INK)
    _fit(pdf, text.certificate_id, "serif", "B", 9.5, block, 7)
    pdf.set_xy(right - block, top + 5)
    pdf.cell(block, 5, text.certificate_id, align="R", link=text.verify_url)
    _label(pdf, right - block, top + 15, block, text.labels.verify, "R")
    pdf.set_text_color(*MUTED)
    pdf.set_font("sans", "", 7.5)
    # The address on two lines (the site, then the id), so it stays legible however long the site's name is.
    base, _slash, tail = text.verify_url.rpartition("/")
    for number, line in enumerate((text.labels.scan, base + "/", tail)):
        _fit(pdf, line, "sans", "", 7.5, block, 5.5)
        pdf.set_xy(right - block, top + 20.5 + number * 3.6)
        pdf.cell(block, 3.6, line, align="R", link=text.verify_url if number else "")


def _seal(pdf: FPDF, cx: float, cy: float, labels: Labels) -> None:
    pdf.set_draw_color(*GOLD)
    pdf.set_fill_color(*GOLD)
    pdf.star(cx, cy, 17, 15.5, 24, style="F")
    pdf.set_fill_color(252, 250, 245)
    pdf.circle(cx, cy, 13.6, style="F")
    pdf.set_line_width(0.4)
    pdf.circle(cx, cy, 12.4, style="D")
    pdf.set_text_color(*NAVY)
    number, unit = labels.hours_number, labels.hours_unit
    pdf.set_font("serif", "B", 20 if len(number) <= 3 else 14)
    pdf.set_xy(cx - 12, cy - 8)
    pdf.cell(24, 10, number, align="C")
    pdf.set_font("sans", "", 6.5)
    pdf.set_char_spacing(_spacing(unit, 1))
    pdf.set_xy(cx - 12, cy + 2)
    pdf.cell(24, 4, unit, align="C")
    pdf.set_char_spacing(0)


def _qr_code(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (one per run of dark modules in a row): sharp at any print size."""
    qr = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x - 1.5, y - 1.5, size + 3, size + 3, style="F")
    pdf.set_fill_color(*INK)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # A hair wider than the run, so no white seams appear between rectangles when printed.
                pdf.rect(x + start * module, y + r * module, (c - start) * module + 0.02, module + 0.02, style="F")
            else:
                c += 1


def _revoked_stamp(pdf: FPDF, label: str) -> None:
    with pdf.local_context(fill_opacity=0.85, stroke_opacity=0.85), pdf.rotation(18, PAGE_W / 2, PAGE_H / 2):
        pdf.set_draw_color(*RED)
        pdf.set_text_color(*RED)
        pdf.set_line_width(1.2)
        pdf.set_font("sans", "", 30)
        width = pdf.get_string_width(label) + 16
        pdf.rect(PAGE_W / 2 - width / 2, PAGE_H / 2 - 11, width, 22)
        pdf.set_xy(PAGE_W / 2 - width / 2, PAGE_H / 2 - 11)
        pdf.cell(width, 22, label, align="C")
