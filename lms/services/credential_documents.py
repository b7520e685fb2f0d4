"""A certificate's documents: its PDF, its signed Open Badges credential, the revocation status lists, the issuer
document, and the check of a credential someone hands in. The certificates themselves are
lms.services.certificates'; the key that signs is lms.services.credential_keys'."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.core import credential_proofs, credentials
from lms.core.contrast import parse_hex
from lms.extensions import db
from lms.models import Certificate, Course, User
from lms.services import credential_keys, links, theme, wording
from lms.services.certificate_pdf import Branding, render_certificate_pdf
from lms.services.certificates import (
    REVOKED,
    UNKNOWN,
    VerificationResult,
    facts_of,
    issuer_document_url,
    status_list_url,
    verification_method,
    verify,
    verify_url,
)
from lms.services.errors import NotFound

log = logging.getLogger(__name__)


def pdf_bytes(certificate: Certificate) -> bytes:
    """The PDF, its labels in the learner's language (whoever downloads it: a learner's certificate speaks to them and
    to whom they show it); the course title and the names stay as issued."""
    learner = db.session.get(User, certificate.user_id)
    return render_certificate_pdf(facts_of(certificate), verify_url(certificate.public_id),
                                  revoked_at=certificate.revoked_at, branding=_branding(),
                                  language=wording.language_of(learner))


def _branding() -> Branding | None:
    """The site theme's brand colour and logo, or None for the default theme (the certificate's own colours)."""
    current = theme.current_theme()
    if current == theme.DEFAULT:
        return None
    logo = theme.image("logo") if current.has_logo else None
    return Branding(colour=parse_hex(current.brand_colour), logo=logo.data if logo else None)


def credential_json(certificate: Certificate) -> dict[str, Any]:
    """The signed OpenBadgeCredential. Deterministic: the same certificate always gives the same document."""
    slug = db.session.execute(select(Course.slug).where(Course.id == certificate.course_id)).scalar_one()
    list_number, _position = credentials.status_list_place(certificate.status_index)
    document = credentials.open_badge_credential(
        facts_of(certificate), issuer_id=issuer_document_url(), verify_url=verify_url(certificate.public_id),
        achievement_url=links.course(slug),
        status=credentials.status_list_entry(status_list_url(list_number), certificate.status_index))
    return credential_proofs.sign_credential(document, credential_keys.signing_key(), verification_method(),
                                       certificate.issued_at)


def status_list_credential(list_number: int) -> dict[str, Any]:
    """The signed BitstringStatusListCredential (purpose revocation) of one list: anyone may fetch it, and a bit is
    set for each revoked certificate of the list. Its date is that of the last change to the list (an issue or a
    revocation), so it is the same document until then. NotFound for a list no certificate uses."""
    first = list_number * credentials.STATUS_LIST_BITS
    in_list = (Certificate.status_index >= first) & (Certificate.status_index < first + credentials.STATUS_LIST_BITS)
    rows = db.session.execute(select(Certificate.status_index, Certificate.issued_at, Certificate.revoked_at)
                              .where(in_list)).all()
    if list_number < 0 or not rows:
        raise NotFound(_("There is no such status list."))
    revoked = tuple(sorted(index - first for index, _, revoked_at in rows if revoked_at is not None))
    changed = max(revoked_at or issued_at for _, issued_at, revoked_at in rows)
    return _signed_status_list(status_list_url(list_number), issuer_document_url(), verification_method(),
                               str(credential_keys.signing_key_path()), revoked, changed)


@lru_cache(maxsize=32)
def _signed_status_list(list_url: str, issuer_id: str, method: str, key_path: str, revoked: tuple[int, ...],
                        changed: datetime) -> dict[str, Any]:
    """Signing (RDF canonicalisation of a 16 KB list) is done once per state of the list, not per request."""
    document = credentials.status_list_credential(list_url, issuer_id, revoked, changed)
    return credential_proofs.sign_credential(document, credential_keys.load_or_create_key(key_path), method, changed)


def issuer_document() -> dict[str, Any]:
    """The engine as an issuer, with its public key, for /.well-known/lms-issuer.json (its own URL is its id)."""
    return credentials.issuer_document(issuer_document_url(), credential_keys.signing_key().public_key())


@dataclass(frozen=True)
class CredentialCheck:
    ok: bool
    message: str
    result: VerificationResult | None = None


def check_credential(document: Any) -> CredentialCheck:
    """Verify a credential file: signed by this engine's key, unchanged since, and its certificate not revoked."""
    for proof in credential_proofs.proofs_of(document) if isinstance(document, dict) else []:
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        if method != verification_method():
            return CredentialCheck(False, f"it was not signed by this engine (verification method {method!r}, "
                                          f"expected {verification_method()!r})")
    signature = credential_proofs.verify_credential(document, credential_keys.signing_key().public_key())
    if not signature.ok:
        return CredentialCheck(False, signature.reason)
    public_id = credentials.certificate_id_of(document)
    result = verify(public_id)
    if result.state == UNKNOWN:
        return CredentialCheck(False, "this engine has no certificate with the credential's id", result)
    if result.state == REVOKED:
        when = result.revoked_at.strftime("%Y-%m-%d") if result.revoked_at else "?"
        return CredentialCheck(False, f"the certificate {public_id} was revoked on {when}: {result.revoke_reason}",
                               result)
    facts = result.facts
    return CredentialCheck(True, f"valid: certificate {public_id}, {facts.learner_name}, {facts.course_title} "
                                 f"(version {facts.course_version})", result)
