"""Certificate identifiers, the Open Badges 3.0 credential of a certificate, and its Ed25519 signature.

Pure: no Flask, no database. Keys come in and go out as objects or bytes; the service keeps them. The only files read
are the JSON-LD contexts shipped in lms/core/contexts (static data).

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

Signature
    A proof set of two ``DataIntegrityProof`` (W3C VC Data Integrity EdDSA Cryptosuites v1.0), each Ed25519 over
    SHA-256(canonical proof options) || SHA-256(canonical document), ``proofValue`` in multibase base58btc:
    ``eddsa-rdfc-2022`` canonicalises the JSON-LD as RDF (RDFC-1.0, by PyLD, with the shipped contexts and a
    document loader that never fetches anything), which is what Open Badges 3.0 verifiers use; ``eddsa-jcs-2022``
    canonicalises the JSON (RFC 8785), for tools that do not speak JSON-LD. JCS is implemented here as JSON with
    sorted keys, no whitespace and UTF-8 characters as they are; that is exactly RFC 8785 for documents whose numbers
    are integers and whose keys are ASCII, and ``canonical_json`` refuses anything else (floats) rather than guess.
    Both are checked against the W3C test vectors (tests/data/vc-di-eddsa). Changing any field of the document or
    of a proof makes ``verify_credential`` fail.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

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


# Canonical JSON and multibase.


def canonical_json(document: Any) -> bytes:
    """JCS (RFC 8785) for documents of strings, integers, booleans, null, lists and objects with ASCII keys."""
    _refuse_floats(document)
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("canonical_json supports integers only; write other numbers as strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise ValueError(f"canonical_json supports ASCII string keys only, got {key!r}")
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_encode(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    out = []
    while value:
        value, digit = divmod(value, 58)
        out.append(_BASE58[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    value = 0
    for char in text:
        index = _BASE58.find(char)
        if index < 0:
            raise ValueError(f"not base58btc: {char!r}")
        value = value * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return b"\0" * zeros + body


# Keys.

_ED25519_MULTICODEC = b"\xed\x01"


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def private_key_from_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 key")
    return key


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey form (``z6Mk...``): multibase base58btc of the multicodec ed25519-pub prefix and the raw key."""
    return "z" + base58btc_encode(_ED25519_MULTICODEC + _raw_public(key))


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    if not text.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = base58btc_decode(text[1:])
    if not data.startswith(_ED25519_MULTICODEC) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


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


def format_hours(hours: float) -> str:
    """2.0 → "2", 1.5 → "1.5", 1.25 → "1.25"."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def hours_phrase(hours: float, locale: str = "en") -> str:
    """"12 hours", "1.5 hours", "1 hour" (to two decimals) in the reader's language ("1,5 horas")."""
    return quantity_phrase(round(hours, 2), "duration-hour", locale)


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


# Signing and verification: a proof set of eddsa-rdfc-2022 and eddsa-jcs-2022.

PROOF_TYPE = "DataIntegrityProof"
RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"
CRYPTOSUITES = (RDFC, JCS)
CRYPTOSUITE = JCS  # kept for callers that name the JSON suite

DocumentLoader = Callable[..., dict[str, Any]]
_CONTEXTS = Path(__file__).resolve().parent / "contexts"


@cache
def _shipped_contexts() -> dict[str, Any]:
    """The JSON-LD contexts shipped in lms/core/contexts, by URL (static files, read once per process)."""
    index = json.loads((_CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((_CONTEXTS / name).read_text(encoding="utf-8")) for url, name in index.items()}


class UnknownContext(ValueError):
    pass


def local_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """PyLD's document loader, reading only the shipped contexts: nothing is fetched at run time, and a document
    naming any other context cannot be signed or verified with eddsa-rdfc-2022."""
    contexts = _shipped_contexts()
    if url not in contexts:
        raise UnknownContext(f"the JSON-LD context {url} is not one this engine ships")
    return {"contextUrl": None, "documentUrl": url, "document": contexts[url]}


def canonical_nquads(document: dict[str, Any], loader: DocumentLoader = local_document_loader) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the algorithm PyLD calls URDNA2015) of a JSON-LD document, as N-Quads.
    Safe mode: a term no context defines is an error, not silently left out of what is signed."""
    named = document.get("@context", [])
    for url in [named] if isinstance(named, str) else named:
        if isinstance(url, str):
            loader(url)  # an unknown context is refused with its URL named (PyLD would only say it failed)
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": loader, "safe": True})


def _hash_data(cryptosuite: str, document: dict[str, Any], proof_options: dict[str, Any],
               loader: DocumentLoader) -> bytes:
    """VC Data Integrity EdDSA Cryptosuites v1.0: SHA-256 of the canonical proof options, then of the document."""
    if cryptosuite == RDFC:
        return (hashlib.sha256(canonical_nquads(proof_options, loader).encode("utf-8")).digest()
                + hashlib.sha256(canonical_nquads(document, loader).encode("utf-8")).digest())
    return hashlib.sha256(canonical_json(proof_options)).digest() + hashlib.sha256(canonical_json(document)).digest()


def create_proof(document: dict[str, Any], key: Ed25519PrivateKey, verification_method: str, created: datetime,
                 cryptosuite: str, loader: DocumentLoader = local_document_loader) -> dict[str, Any]:
    """One DataIntegrityProof over ``document`` (which must not carry a proof)."""
    options: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": cryptosuite, "created": iso_utc(created),
                               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signed_options = {**options, "@context": document["@context"]} if "@context" in document else options
    signature = key.sign(_hash_data(cryptosuite, document, signed_options, loader))
    # eddsa-jcs-2022 keeps the @context in the proof (its §3.3.1 proof configuration); eddsa-rdfc-2022 does not.
    written = signed_options if cryptosuite == JCS else options
    return {**written, "proofValue": "z" + base58btc_encode(signature)}


def sign_credential(document: dict[str, Any], key: Ed25519PrivateKey, verification_method: str,
                    created: datetime, cryptosuites: Sequence[str] = CRYPTOSUITES,
                    loader: DocumentLoader = local_document_loader) -> dict[str, Any]:
    """A copy of the document with a proof set: one DataIntegrityProof per cryptosuite, each over the document
    without proofs (VC Data Integrity §2.1.1). Open Badges 3.0 verifiers read eddsa-rdfc-2022; eddsa-jcs-2022 is
    there for JSON-only tools. A single suite gives a single proof object."""
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    proofs = [create_proof(unsigned, key, verification_method, created, suite, loader) for suite in cryptosuites]
    return {**unsigned, "proof": proofs[0] if len(proofs) == 1 else proofs}


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    reason: str
    verification_method: str = ""


def proofs_of(document: dict[str, Any]) -> list[Any]:
    proof = document.get("proof")
    return proof if isinstance(proof, list) else [] if proof is None else [proof]


def _check_proof(unsigned: dict[str, Any], proof: Any, key: Ed25519PublicKey,
                 loader: DocumentLoader) -> SignatureCheck:
    if not isinstance(proof, dict):
        return SignatureCheck(False, "a proof is not a JSON object")
    method = proof.get("verificationMethod", "")
    method = method if isinstance(method, str) else ""
    suite = proof.get("cryptosuite")
    if proof.get("type") != PROOF_TYPE or suite not in CRYPTOSUITES:
        return SignatureCheck(False, f"unsupported proof: expected a {PROOF_TYPE} with cryptosuite "
                                     f"{' or '.join(CRYPTOSUITES)}", method)
    if proof.get("proofPurpose") != "assertionMethod":
        return SignatureCheck(False, "the proof's purpose is not assertionMethod", method)
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    if "@context" in options and options["@context"] != unsigned.get("@context"):
        return SignatureCheck(False, "the proof's @context does not match the credential's", method)
    if "@context" in unsigned:
        options["@context"] = unsigned["@context"]
    value = proof.get("proofValue")
    try:
        if not isinstance(value, str) or not value.startswith("z"):
            raise ValueError("proofValue is not multibase base58btc")
        key.verify(base58btc_decode(value[1:]), _hash_data(suite, unsigned, options, loader))
    except InvalidSignature:
        return SignatureCheck(False, "the signature does not match: the credential was changed after it was "
                                     "signed, or was signed by another key", method)
    except jsonld.JsonLdError as error:
        return SignatureCheck(False, f"the credential cannot be read as JSON-LD ({error.args[0]})", method)
    except (ValueError, TypeError) as error:
        return SignatureCheck(False, f"the proof cannot be read: {error}", method)
    return SignatureCheck(True, "the signature is valid", method)


def verify_credential(document: Any, key: Ed25519PublicKey,
                      loader: DocumentLoader = local_document_loader) -> SignatureCheck:
    """Whether every proof of ``document`` (eddsa-rdfc-2022 or eddsa-jcs-2022) is valid and by ``key``; the reason
    says what is wrong if not."""
    if not isinstance(document, dict):
        return SignatureCheck(False, "the file is not a JSON object")
    proofs = proofs_of(document)
    if not proofs:
        return SignatureCheck(False, "the credential has no proof (it is not signed)")
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    check = SignatureCheck(False, "")
    for proof in proofs:
        check = _check_proof(unsigned, proof, key, loader)
        if not check.ok:
            return check
    return check


def certificate_id_of(document: dict[str, Any]) -> str | None:
    """The certificate id a credential is about (from its id, the verification URL), or None."""
    credential_id = document.get("id")
    return parse_certificate_id(credential_id) if isinstance(credential_id, str) else None
