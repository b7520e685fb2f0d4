"""Certificates: issued the moment a learner first meets a course's completion rule (lms.services.completion decides
when; or by an admin, with a reason),
verified by anyone at /verify/<id>, revoked by admins (with a reason), downloaded by their learner as a PDF and as a
signed Open Badges 3.0 credential.

Rules
- At most one valid (unrevoked) certificate per learner per course: a partial unique index decides, so two requests
  completing the course at the same moment insert one row (INSERT … ON CONFLICT DO NOTHING) and both see it.
- A certificate keeps its facts as they were at issue (lms.models.certificate); nothing recomputes them.
- Identifiers come from lms.core.credentials (130 random bits, typed forgivingly); the integer key never leaves the
  server, so nothing is enumerable. Somebody else's certificate is NotFound, never NotAllowed (no hint it exists).
- Credentials are signed with the engine's Ed25519 key, created on first use in ``instance/`` (mode 0600) and
  published at /.well-known/lms-issuer.json. Losing the key means the engine can no longer vouch for the credentials
  it signed: back it up with the database.
- The learner is e-mailed when a certificate is issued, after the transaction commits (never about a certificate
  that was rolled back); a mail failure is logged and changes nothing.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms import authz
from lms.core import credentials
from lms.core.contrast import parse_hex
from lms.core.credentials import CertificateFacts, Issuer
from lms.extensions import db
from lms.models import Certificate, Course, CourseVersion, Enrolment, User
from lms.services import audit, catalog, mail, theme
from lms.services.certificate_pdf import Branding, render_certificate_pdf, unprintable_characters
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)

KEY_FILE = "credential_signing_key.pem"
ISSUER_DOCUMENT_PATH = "/.well-known/lms-issuer.json"
REASON_MAX = 1000
UNKNOWN, VALID, REVOKED = "unknown", "valid", "revoked"


def _now() -> datetime:
    return datetime.now(UTC)


# Addresses.


def engine_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def verify_url(public_id: str) -> str:
    return f"{engine_url()}/verify/{public_id}"


def issuer_document_url() -> str:
    return engine_url() + ISSUER_DOCUMENT_PATH


def verification_method() -> str:
    return issuer_document_url() + "#key-1"


STATUS_LIST_PATH = "/credentials/status/"


def status_list_url(list_number: int) -> str:
    return f"{engine_url()}{STATUS_LIST_PATH}{list_number}"


# Reading.


def facts_of(certificate: Certificate) -> CertificateFacts:
    return CertificateFacts(
        certificate_id=certificate.public_id,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        course_version=certificate.course_version,
        completed_at=certificate.completed_at,
        hours=certificate.hours,
        issuers=tuple(Issuer(i.get("name", ""), i.get("url", "")) for i in certificate.issuers),
        issued_at=certificate.issued_at,
    )


def _by_public_id(typed: str | None) -> Certificate | None:
    public_id = credentials.parse_certificate_id(typed)
    if public_id is None:
        return None
    # populate_existing: the state must be the database's now, even in a long-lived session (the CLI, a worker).
    return db.session.execute(select(Certificate).where(Certificate.public_id == public_id)
                              .execution_options(populate_existing=True)).scalar_one_or_none()


@dataclass(frozen=True)
class VerificationResult:
    """What the public verification page shows: the state and the certificate's facts, nothing else."""

    state: str  # "valid", "revoked" or "unknown"
    public_id: str | None  # the canonical id, when what was typed is well-formed
    facts: CertificateFacts | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    mistyped: bool = False  # unknown because its check symbols don't match: a typing mistake


def verify(typed: str | None) -> VerificationResult:
    """Anyone may ask; a malformed id and an id nobody was given are both "unknown"."""
    public_id = credentials.parse_certificate_id(typed)
    certificate = _by_public_id(public_id) if public_id else None
    if certificate is None:
        return VerificationResult(UNKNOWN, public_id, mistyped=credentials.looks_mistyped(typed))
    if certificate.revoked_at is not None:
        return VerificationResult(REVOKED, public_id, facts_of(certificate), certificate.revoked_at,
                                  certificate.revoke_reason)
    return VerificationResult(VALID, public_id, facts_of(certificate))


def my_certificates(user: User) -> list[Certificate]:
    """The learner's certificates, newest first, revoked ones included (marked as such)."""
    return list(db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).scalars())


def certificates_by_course(user: User) -> dict[int, Certificate]:
    """For the dashboard: per course, the valid certificate, or else the latest revoked one."""
    found: dict[int, Certificate] = {}
    for certificate in reversed(my_certificates(user)):  # oldest first, so later ones win …
        current = found.get(certificate.course_id)
        if current is None or current.revoked_at is not None:  # … unless a valid one is already there
            found[certificate.course_id] = certificate
    return found


def get_for_download(actor: User, public_id: str) -> Certificate:
    """The certificate, for its learner or an admin; anyone else gets NotFound, as for an id that does not exist."""
    certificate = _by_public_id(public_id)
    if certificate is None or not authz.can_download_certificate(actor, certificate.user_id):
        raise NotFound("There is no such certificate.")
    return certificate


# Issuing.


def _certificate_rule(version: CourseVersion) -> dict[str, Any] | None:
    rule = (version.manifest or {}).get("certificate") or {}
    return rule if rule.get("enabled") else None


STATUS_INDEX_DRAWS = 20


class UnprintableCertificate(Invalid):
    """The learner's name (or the course's title or an issuer's name) has characters no certificate font has:
    nothing is issued, since the PDF would show blanks."""


def _refuse_unprintable(name: str, version: CourseVersion, rule: dict[str, Any]) -> None:
    texts = {"the name": name, "the course title": version.title,
             **{f"the issuer {issuer.get('name', '')}": issuer.get("name", "") for issuer in rule.get("issuers", [])}}
    for what, text in texts.items():
        missing = unprintable_characters([text])
        if missing:
            listed = ", ".join(f"{char} (U+{ord(char):04X})" for char in missing)
            raise UnprintableCertificate(
                f"No certificate was issued: {what} “{text}” has characters the certificate cannot print yet "
                f"({listed}). Correct the name in the profile, or ask the administrators to add a font for them.",
                field="email")


def _status_index_span(adding: int = 1) -> int:
    """Status indexes are drawn from enough whole lists to keep them at most half full, so a draw rarely hits a
    taken index and a list's set bits never stand out by being the only ones used."""
    issued = db.session.execute(select(func.count()).select_from(Certificate)).scalar_one()
    return credentials.STATUS_LIST_BITS * (1 + 2 * (issued + adding) // credentials.STATUS_LIST_BITS)


def draw_status_indexes(count: int) -> list[int]:
    """``count`` distinct free status indexes, for inserting many certificates at once (the demo population)."""
    span = _status_index_span(count)
    taken = set(db.session.execute(select(Certificate.status_index)).scalars())
    drawn: list[int] = []
    while len(drawn) < count:
        index = secrets.randbelow(span)
        if index not in taken:
            taken.add(index)
            drawn.append(index)
    return drawn


def _insert(user: User, course: Course, version: CourseVersion, rule: dict[str, Any], completed_at: datetime, *,
            issued_by: User | None = None, reason: str | None = None) -> tuple[Certificate, bool]:
    """Insert a certificate unless the learner has a valid one for the course; (the valid one, whether it is new).

    The status index is drawn at random; when the draw hits a taken index the insert does nothing (like a second
    valid certificate for the learner would), and, the learner having none, another index is drawn.
    Refused (UnprintableCertificate) when the PDF could not print the name: never a certificate with a blank name."""
    _refuse_unprintable(user.display_name, version, rule)
    span = _status_index_span()
    for _ in range(STATUS_INDEX_DRAWS):
        inserted = _try_insert(user, course, version, rule, completed_at, secrets.randbelow(span),
                               issued_by=issued_by, reason=reason)
        certificate = db.session.execute(
            select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id,
                                      Certificate.revoked_at.is_(None))
        ).scalar_one_or_none()
        if certificate is not None:
            break
    else:  # pragma: no cover - 20 draws from lists kept half empty all taken: (1/2)**20
        raise RuntimeError("could not draw a free certificate status index")
    if inserted:
        log.info("certificate %s issued to user %s for %s", certificate.public_id, user.id, course.slug)
        _mail_certificate(user, certificate)
    return certificate, inserted


def _try_insert(user: User, course: Course, version: CourseVersion, rule: dict[str, Any], completed_at: datetime,
                status_index: int, *, issued_by: User | None, reason: str | None) -> bool:
    values = {
        "public_id": credentials.new_certificate_id(),
        "status_index": status_index,
        "user_id": user.id,
        "course_id": course.id,
        "version_id": version.id,
        "learner_name": user.display_name,
        "course_title": version.title,
        "course_version": version.version,
        "completed_at": completed_at,
        "hours": float(rule.get("hours") or version.estimated_hours),
        "issuers": [{"name": i.get("name", ""), "url": i.get("url", "")} for i in rule.get("issuers", [])],
        "issued_at": _now(),
        "issued_by_id": issued_by.id if issued_by else None,
        "issue_reason": reason,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # No conflict target: a second valid certificate for the learner and a taken status index both do nothing.
    statement = insert(Certificate).values(**values).on_conflict_do_nothing().returning(Certificate.id)
    # RETURNING, not rowcount: psycopg reports rowcount -1 for this statement.
    return db.session.execute(statement).scalar_one_or_none() is not None


def issue_on_completion(user: User, course: Course, version: CourseVersion,
                        completed_at: datetime) -> Certificate | None:
    """Issue the certificate of a learner who completed the course, if the course awards one and the learner has
    none yet. Only lms.services.completion.record_progress calls this (the completion rule is applied there); part of
    the caller's transaction. A certificate an administrator revoked is not replaced: that is the administrator's
    decision (issue_by_admin). Safe to call twice and to race: the learner ends up with one valid certificate."""
    rule = _certificate_rule(version)
    if rule is None:
        return None
    held = db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id)
        .order_by(Certificate.revoked_at.is_not(None), Certificate.id.desc()).limit(1)
    ).scalar_one_or_none()
    if held is not None:
        return held if held.revoked_at is None else None
    try:
        certificate, _ = _insert(user, course, version, rule, completed_at)
    except UnprintableCertificate as refusal:
        # The learner's progress stands; the certificate waits until the name can be printed (an admin issues it
        # by hand after correcting the name). Logged as an error so that the operators see it.
        log.error("certificate not issued to user %s for %s: %s", user.id, course.slug, refusal)
        return None
    return certificate


def certified_learners(course_id: int, user_ids: list[int]) -> set[int]:
    """Which of these learners hold a certificate for the course, valid or revoked (one query)."""
    return set(db.session.execute(
        select(Certificate.user_id).where(Certificate.course_id == course_id, Certificate.user_id.in_(user_ids))
    ).scalars())


def _clean_reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"Give the reason for {what}: it is recorded.", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(f"Keep the reason under {REASON_MAX} characters.", field="reason")
    return reason


def issue_by_admin(actor: User, user_id: int, slug: str, reason: str) -> Certificate:
    """An admin issues a certificate by hand (for a learner who met the requirements elsewhere, or to replace a
    revoked one), with the reason recorded. Refused while the learner has a valid certificate for the course."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed("Only administrators can issue certificates by hand.")
    reason = _clean_reason(reason, "issuing this certificate")
    learner = db.session.get(User, user_id)
    if learner is None:
        raise NotFound("There is no such person.", field="email")
    course, version = catalog.published_version(slug)
    rule = _certificate_rule(version)
    if rule is None:
        raise Invalid("This course does not award a certificate.", field="course")
    completed_at = db.session.execute(
        select(Enrolment.completed_at).where(Enrolment.user_id == learner.id, Enrolment.course_id == course.id)
    ).scalar_one_or_none() or _now()
    certificate, inserted = _insert(learner, course, version, rule, completed_at, issued_by=actor, reason=reason)
    if not inserted:
        db.session.rollback()
        raise Conflict(f"{learner.display_name} already has a valid certificate for this course "
                       f"({certificate.public_id}). Revoke it first to issue a new one.")
    audit.record(actor, "certificate.issue", "certificate", certificate.public_id,
                 {"learner": learner.email, "course": slug, "version": version.version, "reason": reason})
    db.session.commit()
    return certificate


def issue_by_admin_email(actor: User, email: str, slug: str, reason: str) -> Certificate:
    """issue_by_admin, for a learner named by e-mail address (what the admin page asks for)."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed("Only administrators can issue certificates by hand.")
    learner = db.session.execute(select(User).where(User.email == (email or "").strip().lower())).scalar_one_or_none()
    if learner is None:
        raise NotFound("Nobody has an account with this e-mail address.", field="email")
    return issue_by_admin(actor, learner.id, slug, reason)


def revoke(actor: User, public_id: str, reason: str) -> Certificate:
    """Revoke a certificate, with the reason (shown on the verification page). Revoking twice is refused."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed("Only administrators can revoke certificates.")
    reason = _clean_reason(reason, "revoking this certificate")
    certificate = _by_public_id(public_id)
    if certificate is None:
        raise NotFound("There is no such certificate.")
    revoked = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=_now(), revoked_by_id=actor.id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not revoked:
        db.session.rollback()
        raise Conflict("This certificate has already been revoked.")
    audit.record(actor, "certificate.revoke", "certificate", certificate.public_id,
                 {"learner_name": certificate.learner_name, "course_title": certificate.course_title,
                  "reason": reason})
    db.session.commit()
    db.session.refresh(certificate)
    log.info("certificate %s revoked by user %s", certificate.public_id, actor.id)
    return certificate


# Administration pages.


@dataclass(frozen=True)
class AdminRow:
    certificate: Certificate
    learner_email: str
    course_slug: str


@dataclass(frozen=True)
class AdminView:
    certificate: Certificate
    learner: User
    course_slug: str
    issued_by: User | None
    revoked_by: User | None
    facts: CertificateFacts


def _require_manager(actor: User) -> None:
    if not authz.can_manage_certificates(actor):
        raise NotAllowed("Only administrators can manage certificates.")


def recent_certificates(actor: User, search: str = "", limit: int = 50) -> list[AdminRow]:
    """The latest certificates, optionally those whose learner's name or e-mail contains ``search``."""
    _require_manager(actor)
    query = (select(Certificate, User.email, Course.slug).join(User, User.id == Certificate.user_id)
             .join(Course, Course.id == Certificate.course_id))
    search = (search or "").strip()[:100]
    if search:
        query = query.where(Certificate.learner_name.icontains(search, autoescape=True)
                            | User.email.icontains(search, autoescape=True))
    rows = db.session.execute(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit))
    return [AdminRow(*row) for row in rows.all()]


def admin_view(actor: User, public_id: str) -> AdminView:
    _require_manager(actor)
    certificate = _by_public_id(public_id)
    if certificate is None:
        raise NotFound("There is no such certificate.")
    learner = db.session.get(User, certificate.user_id)
    slug = db.session.execute(select(Course.slug).where(Course.id == certificate.course_id)).scalar_one()
    issued_by = db.session.get(User, certificate.issued_by_id) if certificate.issued_by_id else None
    revoked_by = db.session.get(User, certificate.revoked_by_id) if certificate.revoked_by_id else None
    return AdminView(certificate, learner, slug, issued_by, revoked_by, facts_of(certificate))


def certifiable_courses(actor: User) -> list[tuple[str, str]]:
    """(slug, title) of the published courses that award a certificate, for the admin's issue form."""
    _require_manager(actor)
    return [(entry.course.slug, entry.version.title) for entry in catalog.published_courses_with_counts()
            if _certificate_rule(entry.version) is not None]


# Documents.


def pdf_bytes(certificate: Certificate) -> bytes:
    return render_certificate_pdf(facts_of(certificate), verify_url(certificate.public_id),
                                  revoked_at=certificate.revoked_at, branding=_branding())


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
    list_number, _ = credentials.status_list_place(certificate.status_index)
    document = credentials.open_badge_credential(
        facts_of(certificate), issuer_id=issuer_document_url(), verify_url=verify_url(certificate.public_id),
        achievement_url=f"{engine_url()}/courses/{slug}/",
        status=credentials.status_list_entry(status_list_url(list_number), certificate.status_index))
    return credentials.sign_credential(document, signing_key(), verification_method(), certificate.issued_at)


def status_list_credential(list_number: int) -> dict[str, Any]:
    """The signed BitstringStatusListCredential (purpose revocation) of one list: anyone may fetch it, and a bit is
    set for each revoked certificate of the list. Its date is that of the last change to the list (an issue or a
    revocation), so it is the same document until then. NotFound for a list no certificate uses."""
    first = list_number * credentials.STATUS_LIST_BITS
    in_list = (Certificate.status_index >= first) & (Certificate.status_index < first + credentials.STATUS_LIST_BITS)
    rows = db.session.execute(select(Certificate.status_index, Certificate.issued_at, Certificate.revoked_at)
                              .where(in_list)).all()
    if list_number < 0 or not rows:
        raise NotFound("There is no such status list.")
    revoked = tuple(sorted(index - first for index, _, revoked_at in rows if revoked_at is not None))
    changed = max(revoked_at or issued_at for _, issued_at, revoked_at in rows)
    return _signed_status_list(status_list_url(list_number), issuer_document_url(), verification_method(),
                               str(signing_key_path()), revoked, changed)


@lru_cache(maxsize=32)
def _signed_status_list(list_url: str, issuer_id: str, method: str, key_path: str, revoked: tuple[int, ...],
                        changed: datetime) -> dict[str, Any]:
    """Signing (RDF canonicalisation of a 16 KB list) is done once per state of the list, not per request."""
    document = credentials.status_list_credential(list_url, issuer_id, revoked, changed)
    return credentials.sign_credential(document, _load_or_create_key(key_path), method, changed)


def issuer_document() -> dict[str, Any]:
    """The engine as an issuer, with its public key, for /.well-known/lms-issuer.json (its own URL is its id)."""
    return credentials.issuer_document(issuer_document_url(), signing_key().public_key())


@dataclass(frozen=True)
class CredentialCheck:
    ok: bool
    message: str
    result: VerificationResult | None = None


def check_credential(document: Any) -> CredentialCheck:
    """Verify a credential file: signed by this engine's key, unchanged since, and its certificate not revoked."""
    for proof in credentials.proofs_of(document) if isinstance(document, dict) else []:
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        if method != verification_method():
            return CredentialCheck(False, f"it was not signed by this engine (verification method {method!r}, "
                                          f"expected {verification_method()!r})")
    signature = credentials.verify_credential(document, signing_key().public_key())
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


# The signing key.


def signing_key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """The engine's Ed25519 key, created on first use in the instance folder (mode 0600) and kept there."""
    return _load_or_create_key(str(signing_key_path()))


@lru_cache(maxsize=8)
def _load_or_create_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        _create_key_file(file)
    if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users: chmod 600 it", file)
    return credentials.private_key_from_pem(file.read_bytes())


def _create_key_file(file: Path) -> None:
    """Write the key to a private temporary file, then link it into place: two processes starting at once both end
    up with the one key that was linked first."""
    file.parent.mkdir(parents=True, exist_ok=True)
    pem = credentials.private_key_to_pem(credentials.new_signing_key())
    temporary = file.with_name(f".{file.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, file)
        log.warning("generated the credential signing key %s; back it up with the database", file)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


# Mail, in the transaction that issues the certificate.


def _mail_certificate(user: User, certificate: Certificate) -> None:
    mail.enqueue(user.email, f"Your certificate: {certificate.course_title}", "certificate_issued",
                 name=user.display_name, course_title=certificate.course_title, public_id=certificate.public_id,
                 verify_url=verify_url(certificate.public_id), certificates_url=f"{engine_url()}/certificates")
