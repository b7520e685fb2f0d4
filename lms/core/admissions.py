"""Applications to a cohort: their statuses, who may move them where, and what a letter of support must be.
Pure: no Flask, no database.

Statuses: ``submitted`` → (staff) ``accepted``, ``waitlisted`` or ``rejected``; a waitlisted or rejected application
can still be accepted or moved by staff (a mistake is put right by a new recorded decision). The applicant may
withdraw at any time before the cohort ends; withdrawal is final for staff, but the applicant may apply again while
applications are open, which reopens the same application (one application per person and cohort).

Letters of support are PDF, PNG or JPEG, recognised by their first bytes (not by the file name or the type the
browser claims), no larger than the configured limit and never empty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from lms.core.i18n import N_, Phrase


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Marked for the catalogue; pages and e-mails word them with lms.services.wording.word (gettext).
STATUS_LABELS = {
    Status.SUBMITTED: N_("Submitted, waiting for a decision"),
    Status.ACCEPTED: N_("Accepted"),
    Status.WAITLISTED: N_("On the waiting list"),
    Status.REJECTED: N_("Not accepted"),
    Status.WITHDRAWN: N_("Withdrawn"),
}

STAFF_DECISIONS = (Status.ACCEPTED, Status.WAITLISTED, Status.REJECTED)

_STAFF_MOVES: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset(STAFF_DECISIONS),
    Status.WAITLISTED: frozenset({Status.ACCEPTED, Status.REJECTED}),
    Status.REJECTED: frozenset({Status.ACCEPTED, Status.WAITLISTED}),
    Status.ACCEPTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


def staff_may_move(current: str, target: str) -> bool:
    return Status(target) in _STAFF_MOVES[Status(current)]


def refusal_of_decision(current: str, target: str) -> Phrase | None:
    """Why staff cannot move an application from ``current`` to ``target``; None when they can."""
    if Status(target) not in STAFF_DECISIONS:
        return Phrase(N_("'%(decision)s' is not a decision staff can take."), decision=target)
    if current == target:
        return Phrase(N_("The application is already “%(status)s”."), status=status_label(current))
    if not staff_may_move(current, target):
        if current == Status.WITHDRAWN:
            return Phrase(N_("The applicant withdrew this application."))
        return Phrase(N_("An application that is “%(status)s” cannot be changed to “%(target)s”."),
                      status=status_label(current), target=status_label(target))
    return None


def status_label(status: str) -> Phrase:
    return Phrase(STATUS_LABELS[Status(status)])


def applicant_may_withdraw(current: str) -> bool:
    return Status(current) in (Status.SUBMITTED, Status.WAITLISTED, Status.ACCEPTED)


def applicant_may_reapply(current: str) -> bool:
    """Only a withdrawn application can be sent again (one application per person and cohort)."""
    return Status(current) == Status.WITHDRAWN


def is_staff_decision(current: str) -> bool:
    return Status(current) in STAFF_DECISIONS


# Letters of support.


@dataclass(frozen=True)
class LetterKind:
    media_type: str
    extension: str
    label: str


PDF = LetterKind("application/pdf", "pdf", "PDF")
PNG = LetterKind("image/png", "png", "PNG image")
JPEG = LetterKind("image/jpeg", "jpg", "JPEG image")

_SIGNATURES: tuple[tuple[bytes, LetterKind], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)


class LetterRefused(ValueError):
    """Why a letter is refused, as a Phrase (``phrase``) to word in the applicant's language."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase


def letter_kind(data: bytes) -> LetterKind | None:
    """The kind of file by its first bytes. A PDF may have a little junk before its header, as readers allow."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if b"%PDF-" in data[:1024]:
        return PDF
    return None


def check_letter(data: bytes, max_bytes: int) -> LetterKind:
    """The letter's kind, or LetterRefused with a message for the applicant."""
    if not data:
        raise LetterRefused(Phrase(N_("The letter file is empty. Please upload the signed letter as a PDF or an "
                                      "image.")))
    if len(data) > max_bytes:
        raise LetterRefused(Phrase(N_("The letter is %(size)s; the largest accepted is %(limit)s. Please upload a "
                                      "smaller scan (for example at 150 dpi)."),
                                   size=f"{len(data) / (1024 * 1024):.2f} MB", limit=_size(max_bytes)))
    kind = letter_kind(data)
    if kind is None:
        raise LetterRefused(Phrase(N_("The letter must be a PDF, PNG or JPEG file. This file is none of these, "
                                      "whatever its name says.")))
    return kind


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def safe_filename(name: str, kind: LetterKind) -> str:
    """A file name for downloads: the applicant's name without paths or odd characters, with the real extension."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = base.rsplit(".", 1)[0] if "." in base else base
    base = re.sub(r"[^\w\- ]+", "", base, flags=re.UNICODE).strip()[:80] or "letter-of-support"
    return f"{base}.{kind.extension}"
