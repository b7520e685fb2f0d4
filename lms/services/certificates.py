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
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms import authz
from lms.core import clock, credentials
from lms.core.credentials import CertificateFacts, Issuer
from lms.extensions import db
from lms.models import Certificate, Course, CourseVersion, Enrolment, User
from lms.services import accounts, audit, catalog, course_languages, links, mail
from lms.services.certificate_fonts import unprintable_characters
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)

ISSUER_DOCUMENT_PATH = "/.well-known/lms-issuer.json"
REASON_MAX = 1000
UNKNOWN, VALID, REVOKED = "unknown", "valid", "revoked"



# Addresses.


def engine_url() -> str:
    return links.base_url()


def verify_url(public_id: str) -> str:
    return links.verify_certificate(public_id)


def issuer_document_url() -> str:
    return links.issuer_document()


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


def course_names(certificates: list[Certificate], language: str) -> dict[int, course_languages.CourseName]:
    """Per certificate, its course's title in ``language`` when the version it was issued for has it (the list of a
    learner's certificates; the certificate itself keeps the title it was issued with), in one query."""
    ids = {c.version_id for c in certificates if c.version_id is not None}
    versions = {v.id: v for v in db.session.execute(select(CourseVersion).where(CourseVersion.id.in_(ids))).scalars()
                } if ids else {}
    return {c.id: course_languages.course_name(versions[c.version_id], language) for c in certificates
            if c.version_id in versions}


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
        raise NotFound(_("There is no such certificate."))
    return certificate


# Issuing.


def certificate_rule(version: CourseVersion) -> dict[str, Any] | None:
    """The version's certificate rule (hours, issuers), or None when the course awards no certificate."""
    rule = (version.manifest or {}).get("certificate") or {}
    return rule if rule.get("enabled") else None


STATUS_INDEX_DRAWS = 20


class UnprintableCertificate(Invalid):
    """The learner's name (or the course's title or an issuer's name) has characters no certificate font has:
    nothing is issued, since the PDF would show blanks."""


def _refuse_unprintable(name: str, version: CourseVersion, rule: dict[str, Any]) -> None:
    # Translators: %(text)s is a name, a course title or an issuer's name; %(characters)s lists the characters.
    texts = [(_("No certificate was issued: the name “%(text)s” has characters the certificate cannot print yet "
                "(%(characters)s). Correct the name in the profile, or ask the administrators to add a font for "
                "them."), name),
             (_("No certificate was issued: the course title “%(text)s” has characters the certificate cannot print "
                "yet (%(characters)s). Ask the administrators to add a font for them."), version.title),
             *((_("No certificate was issued: the issuer “%(text)s” has characters the certificate cannot print yet "
                  "(%(characters)s). Ask the administrators to add a font for them."), issuer.get("name", ""))
               for issuer in rule.get("issuers", []))]
    for message, text in texts:
        missing = unprintable_characters([text])
        if missing:
            listed = ", ".join(f"{char} (U+{ord(char):04X})" for char in missing)
            raise UnprintableCertificate(message % {"text": text, "characters": listed}, field="email")


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


def certificate_values(user_id: int, learner_name: str, version: CourseVersion, rule: dict[str, Any],
                       completed_at: datetime, issued_at: datetime, *, issued_by_id: int | None = None,
                       reason: str | None = None) -> dict[str, Any]:
    """The facts a certificate states, frozen at issue: the one place they are computed (the demo population's
    bulk insert uses it too). The status index is drawn apart (draw_status_indexes)."""
    return {
        "public_id": credentials.new_certificate_id(),
        "user_id": user_id,
        "course_id": version.course_id,
        "version_id": version.id,
        "learner_name": learner_name,
        "course_title": version.title,
        "course_version": version.version,
        "completed_at": completed_at,
        "hours": float(rule.get("hours") or version.estimated_hours),
        "issuers": [{"name": i.get("name", ""), "url": i.get("url", "")} for i in rule.get("issuers", [])],
        "issued_at": issued_at,
        "issued_by_id": issued_by_id,
        "issue_reason": reason,
    }


def _insert(user: User, course: Course, version: CourseVersion, rule: dict[str, Any], completed_at: datetime, *,
            issued_by: User | None = None, reason: str | None = None) -> tuple[Certificate, bool]:
    """Insert a certificate unless the learner has a valid one for the course; (the valid one, whether it is new).

    The status index is drawn at random; when the draw hits a taken index the insert does nothing (like a second
    valid certificate for the learner would), and, the learner having none, another index is drawn.
    Refused (UnprintableCertificate) when the PDF could not print the name: never a certificate with a blank name."""
    _refuse_unprintable(user.display_name, version, rule)
    span = _status_index_span()
    for _draw in range(STATUS_INDEX_DRAWS):
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
    values = {**certificate_values(user.id, user.display_name, version, rule, completed_at, clock.now(),
                                   issued_by_id=issued_by.id if issued_by else None, reason=reason),
              "status_index": status_index}
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
    rule = certificate_rule(version)
    if rule is None:
        return None
    held = db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.course_id == course.id)
        .order_by(Certificate.revoked_at.is_not(None), Certificate.id.desc()).limit(1)
    ).scalar_one_or_none()
    if held is not None:
        return held if held.revoked_at is None else None
    try:
        certificate, _created = _insert(user, course, version, rule, completed_at)
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


def _clean_reason(reason: str | None, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(missing, field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_("Keep the reason under %(num)d characters.", num=REASON_MAX), field="reason")
    return reason


def issue_by_admin(actor: User, user_id: int, slug: str, reason: str) -> Certificate:
    """An admin issues a certificate by hand (for a learner who met the requirements elsewhere, or to replace a
    revoked one), with the reason recorded. Refused while the learner has a valid certificate for the course."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed(_("Only administrators can issue certificates by hand."))
    reason = _clean_reason(reason, _("Give the reason for issuing this certificate: it is recorded."))
    learner = db.session.get(User, user_id)
    if learner is None:
        raise NotFound(_("There is no such person."))
    course, version = catalog.published_version(slug)
    rule = certificate_rule(version)
    if rule is None:
        raise Invalid(_("This course does not award a certificate."), field="course")
    completed_at = db.session.execute(
        select(Enrolment.completed_at).where(Enrolment.user_id == learner.id, Enrolment.course_id == course.id)
    ).scalar_one_or_none() or clock.now()
    certificate, inserted = _insert(learner, course, version, rule, completed_at, issued_by=actor, reason=reason)
    if not inserted:
        raise Conflict(_("%(name)s already has a valid certificate for this course (%(id)s). Revoke it first to issue "
                         "a new one.", name=learner.display_name, id=certificate.public_id))
    audit.record(actor, "certificate.issue", "certificate", certificate.public_id,
                 {"learner": learner.email, "course": slug, "version": version.version, "reason": reason})
    db.session.commit()
    return certificate


def issue_by_admin_email(actor: User, email: str, slug: str, reason: str) -> Certificate:
    """issue_by_admin, for a learner named by e-mail address (what the admin page asks for)."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed(_("Only administrators can issue certificates by hand."))
    learner = accounts.find_by_email(email or "")
    if learner is None:
        raise Invalid(_("Nobody has an account with this e-mail address."), field="email")
    return issue_by_admin(actor, learner.id, slug, reason)


def revoke(actor: User, public_id: str, reason: str) -> Certificate:
    """Revoke a certificate, with the reason (shown on the verification page). Revoking twice is refused."""
    if not authz.can_manage_certificates(actor):
        raise NotAllowed(_("Only administrators can revoke certificates."))
    reason = _clean_reason(reason, _("Give the reason for revoking this certificate: it is recorded."))
    certificate = _by_public_id(public_id)
    if certificate is None:
        raise NotFound(_("There is no such certificate."))
    revoked = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=clock.now(), revoked_by_id=actor.id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not revoked:
        raise Conflict(_("This certificate has already been revoked."))
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
        raise NotAllowed(_("Only administrators can manage certificates."))


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
        raise NotFound(_("There is no such certificate."))
    learner = db.session.get(User, certificate.user_id)
    slug = db.session.execute(select(Course.slug).where(Course.id == certificate.course_id)).scalar_one()
    issued_by = db.session.get(User, certificate.issued_by_id) if certificate.issued_by_id else None
    revoked_by = db.session.get(User, certificate.revoked_by_id) if certificate.revoked_by_id else None
    return AdminView(certificate, learner, slug, issued_by, revoked_by, facts_of(certificate))


def certifiable_courses(actor: User) -> list[tuple[str, str]]:
    """(slug, title) of the published courses that award a certificate, for the admin's issue form."""
    _require_manager(actor)
    return [(entry.course.slug, entry.version.title) for entry in catalog.published_courses_with_counts()
            if certificate_rule(entry.version) is not None]


# Mail, in the transaction that issues the certificate.


def _mail_certificate(user: User, certificate: Certificate) -> None:
    mail.enqueue(user, _l("Your certificate: %(course)s", course=certificate.course_title), "certificate_issued",
                 name=user.display_name, course_title=certificate.course_title, public_id=certificate.public_id,
                 verify_url=verify_url(certificate.public_id), certificates_url=links.my_certificates())
