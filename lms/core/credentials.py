"""Certificate identifiers, the Open Badges 3.0 credential of a certificate and the revocation status list (signing
them is lms.core.credential_proofs).

Pure: no Flask, no database.

Identifiers
    ``new_certificate_id()`` draws 130 random bits (``secrets``) and writes them as 26 symbols of Crockford's base 32
    (0-9 and A-Z without I, L, O, U), followed by 2 check symbols (the first 10 bits of SHA-256 of the 26): 28 symbols
    in 7 groups of 4, e.g. ``K7QH-3M9X-...``. People type them: ``parse_certificate_id`` ignores case, spaces and
    dashes, reads O as 0 and I or L as 1, accepts a pasted verification URL, and returns None for anything that is not
    a well-formed id (so a typo is caught before any look-up). Nothing about an id is sequential or guessable.

Credential
    ``open_badge_credential`` builds an OpenBadgeCredential (Open Badges 3.0 on the W3C Verifiable Credentials 2.0 data
    model, JSON-LD). The learner is named with an ``IdentityObject`` of ``identityType`` "name" (not hashed: the name
    is printed on the certificate anyway); hours, version and date are in the achievement, so the credential states
    the same facts as the PDF and the verification page. The issuer is the URL of the controller document that
    holds the key (``issuer_document``, W3C Controlled Identifiers v1.0 §3.3).

Revocation
    W3C Bitstring Status List v1.0: each certificate has a status index drawn at random when it is issued;
    ``credentialStatus`` is a ``BitstringStatusListEntry`` (purpose "revocation") pointing at a signed
    ``BitstringStatusListCredential`` of 131,072 bits (the spec's minimum), whose set bits are the revoked
    certificates. Any verifier that implements the spec sees a revocation, without asking this engine about the
    certificate itself.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.core.credential_proofs import iso_utc, public_key_multibase
from lms.core.durations import quantity_phrase
from lms.core.packages.model import Issuer

# Identifiers.

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
RANDOM_SYMBOLS = 26  # 130 bits
CHECK_SYMBOLS = 2
ID_SYMBOLS = RANDOM_SYMBOLS + CHECK_SYMBOLS
GROUP = 4
ID_LENGTH = ID_SYMBOLS + ID_SYMBOLS // GROUP - 1  # with dashes: 34
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile("[\\s\\-\u2010-\u2015_.]+")  # spaces, dashes (typographic ones too), dots


def _encode(value: int, symbols: int) -> str:
    out = []
    for _ in range(symbols):
        value, digit = divmod(value, 32)
        out.append(ALPHABET[digit])
    return "".join(reversed(out))


def _check_symbols(body: str) -> str:
    digest = hashlib.sha256(body.encode("ascii")).digest()
    return _encode(int.from_bytes(digest[:2], "big") >> (16 - 5 * CHECK_SYMBOLS), CHECK_SYMBOLS)


def _group(symbols: str) -> str:
    return "-".join(symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP))


def new_certificate_id(randbits: Callable[[int], int] = secrets.randbits) -> str:
    """A fresh id such as ``K7QH-3M9X-...``: 130 random bits plus 2 check symbols, in groups of 4."""
    body = _encode(randbits(5 * RANDOM_SYMBOLS), RANDOM_SYMBOLS)
    return _group(body + _check_symbols(body))


def _id_symbols(typed: str | None) -> str | None:
    """The id's symbols, when what was typed or pasted (an id or a verification URL) has the shape of one."""
    if not typed:
        return None
    text = typed.strip()
    if len(text) > 300:
        return None
    if "/" in text:  # a pasted URL: the last path segment
        text = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
        text = text.removesuffix(".json").removesuffix(".pdf")
    symbols = _SEPARATORS.sub("", text).upper().translate(_TYPO)
    if len(symbols) != ID_SYMBOLS or any(char not in ALPHABET for char in symbols):
        return None
    return symbols


def _checks_out(symbols: str) -> bool:
    body, check = symbols[:RANDOM_SYMBOLS], symbols[RANDOM_SYMBOLS:]
    return secrets.compare_digest(_check_symbols(body), check)


def parse_certificate_id(typed: str | None) -> str | None:
    """The canonical id for what a person typed or pasted (an id or a verification URL), or None if malformed."""
    symbols = _id_symbols(typed)
    return _group(symbols) if symbols is not None and _checks_out(symbols) else None


def looks_mistyped(typed: str | None) -> bool:
    """Shaped like an id (length, letters) but its check symbols do not match: almost surely a typing mistake,
    which the person can fix, rather than an id nobody was given."""
    symbols = _id_symbols(typed)
    return symbols is not None and not _checks_out(symbols)


CID_CONTEXT = "https://www.w3.org/ns/cid/v1"


def issuer_document(document_url: str, key: Ed25519PublicKey) -> dict[str, Any]:
    """The controller document (W3C Controlled Identifiers v1.0) that ``document_url`` serves: the issuer and its
    public key. §3.3 has a verifier dereference the verification method's URL and accept the document only if its
    ``id`` is the URL it was fetched from and the method's ``controller`` is that ``id``; the credentials name the
    same URL as their issuer, so the key is bound to the issuer."""
    method_id = f"{document_url}#key-1"
    return {
        "@context": [CID_CONTEXT],
        "id": document_url,
        "verificationMethod": [{
            "id": method_id,
            "type": "Multikey",
            "controller": document_url,
            "publicKeyMultibase": public_key_multibase(key),
        }],
        "assertionMethod": [method_id],
    }


# The Open Badges 3.0 credential.

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states, as it was at issue."""

    certificate_id: str
    learner_name: str
    course_title: str
    course_version: str
    completed_at: datetime
    hours: float
    issuers: tuple[Issuer, ...]
    issued_at: datetime


def hours_phrase(hours: float, locale: str = "en") -> str:
    """"12 hours", "1.5 hours", "1 hour" (to two decimals) in the reader's language ("1,5 horas")."""
    return quantity_phrase(round(hours, 2), "duration-hour", locale)


def issuers_line(issuers: Sequence[Issuer]) -> str:
    return ", ".join(issuer.name for issuer in issuers)


def open_badge_credential(facts: CertificateFacts, *, issuer_id: str, verify_url: str, achievement_url: str,
                          status: dict[str, Any]) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for a certificate. ``issuer_id`` is the URL of the issuer's controller
    document (see ``issuer_document``), which also controls the signing key."""
    hours = hours_phrase(facts.hours)
    issuer: dict[str, Any] = {"id": issuer_id, "type": ["Profile"],
                              "name": issuers_line(facts.issuers) or issuer_id}
    if len(facts.issuers) == 1 and facts.issuers[0].url:
        issuer["url"] = facts.issuers[0].url
    elif facts.issuers:
        issuer["description"] = "Issued jointly by " + "; ".join(
            f"{i.name} ({i.url})" if i.url else i.name for i in facts.issuers) + "."
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of completion: {facts.course_title}",
        "issuer": issuer,
        "validFrom": iso_utc(facts.issued_at),
        "awardedDate": iso_utc(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": facts.learner_name, "identityType": "name",
                            "hashed": False}],
            "activityEndDate": iso_utc(facts.completed_at),
            "achievement": {
                "id": achievement_url,
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": facts.course_title,
                "version": facts.course_version,
                "description": f"Completion of the course “{facts.course_title}” (version {facts.course_version}): "
                               f"{hours} of training.",
                "criteria": {"narrative": "Met the course's completion rule: every required module completed "
                                          "(required lessons done and quizzes passed) and the required live "
                                          "sessions attended."},
            },
        },
        "credentialStatus": status,
    }


# Revocation: W3C Bitstring Status List v1.0.

STATUS_LIST_BITS = 131072  # 16 KB, the spec's minimum: a list this long hides which certificate a verifier checks
STATUS_PURPOSE = "revocation"
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"


def status_list_place(index: int) -> tuple[int, int]:
    """(list number, bit in that list) of a certificate's status index: lists of STATUS_LIST_BITS follow each other."""
    return divmod(index, STATUS_LIST_BITS)


def encode_status_list(set_bits: Iterable[int], size: int = STATUS_LIST_BITS) -> str:
    """The ``encodedList``: the bitstring (bit 0 is the left-most bit of the first byte), GZIP-compressed, then
    multibase base64url without padding ("u" prefix). Deterministic: the same bits give the same text."""
    bits = bytearray(size // 8)
    for bit in set_bits:
        if not 0 <= bit < size:
            raise ValueError(f"status bit {bit} is outside a list of {size}")
        bits[bit // 8] |= 0x80 >> (bit % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("the list is not multibase base64url")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def status_bit(bits: bytes, bit: int) -> bool:
    return bool(bits[bit // 8] & (0x80 >> (bit % 8)))


def status_list_entry(list_url: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential whose status index is ``index``."""
    _, bit = status_list_place(index)
    return {"id": f"{list_url}#{bit}", "type": STATUS_ENTRY_TYPE, "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(bit), "statusListCredential": list_url}


def status_list_credential(list_url: str, issuer_id: str, revoked_bits: Iterable[int],
                           valid_from: datetime | None) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential whose set bits are the revoked certificates of the list."""
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
    }
    if valid_from is not None:
        document["validFrom"] = iso_utc(valid_from)
    document["credentialSubject"] = {"id": f"{list_url}#list", "type": "BitstringStatusList",
                                     "statusPurpose": STATUS_PURPOSE, "encodedList": encode_status_list(revoked_bits)}
    return document


def certificate_id_of(document: dict[str, Any]) -> str | None:
    """The certificate id a credential is about (from its id, the verification URL), or None."""
    credential_id = document.get("id")
    return parse_certificate_id(credential_id) if isinstance(credential_id, str) else None
