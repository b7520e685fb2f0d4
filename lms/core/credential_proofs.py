"""Signing and checking a credential: canonical forms, Ed25519 keys (PEM and Multikey) and the proofs.

Pure: no Flask, no database. Keys come in and go out as objects or bytes; the service keeps them. The only files read
are the JSON-LD contexts shipped in lms/core/contexts (static data). What is signed (the Open Badges credential, the
status list, the issuer's document) is lms.core.credentials.

The signature is a proof set of two ``DataIntegrityProof`` (W3C VC Data Integrity EdDSA Cryptosuites v1.0), each Ed25519
over SHA-256(canonical proof options) || SHA-256(canonical document), ``proofValue`` in multibase base58btc:
``eddsa-rdfc-2022`` canonicalises the JSON-LD as RDF (RDFC-1.0, by PyLD, with the shipped contexts and a document loader
that never fetches anything), which is what Open Badges 3.0 verifiers use; ``eddsa-jcs-2022`` canonicalises the JSON
(RFC 8785), for tools that do not speak JSON-LD. JCS is implemented here as JSON with sorted keys, no whitespace and
UTF-8 characters as they are; that is exactly RFC 8785 for documents whose numbers are integers and whose keys are
ASCII, and ``canonical_json`` refuses anything else (floats) rather than guess. Both are checked against the W3C test
vectors (tests/data/vc-di-eddsa). Changing any field of the document or of a proof makes ``verify_credential`` fail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

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


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
