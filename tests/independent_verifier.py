"""A verifier of our credentials written from the W3C specifications, sharing no code with lms.core.credentials.

It uses other libraries for every step: ``jcs`` (RFC 8785) for JSON canonicalisation, ``base58`` for multibase,
PyNaCl (libsodium) for Ed25519, and pyoxigraph (Oxigraph, in Rust) for RDF Dataset Canonicalization (RDFC-1.0). The
JSON-LD to RDF step uses PyLD, with the published context files in lms/core/contexts.

- Controlled Identifiers v1.0 §3.3 (retrieving a verification method): dereference the method's URL without its
  fragment, and accept the document only if its ``id`` is that URL, the method is in it with the full URL as id,
  its ``controller`` is the document's ``id``, and the method is listed for ``assertionMethod``.
- VC Data Integrity EdDSA Cryptosuites v1.0: eddsa-jcs-2022 (§3.3) and eddsa-rdfc-2022 (§3.2) verification.
- Bitstring Status List v1.0 §3.2 (validate algorithm): fetch the status list credential, verify it, check its
  purpose, decompress the bitstring (at least 131,072 bits) and read the bit at ``statusListIndex``.

``fetch(url) -> bytes`` is passed in (the tests give the Flask test client), so nothing leaves the process.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urldefrag

import base58
import jcs
import pyoxigraph
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pyld import jsonld

# The W3C and 1EdTech context files (published documents, not engine code) and the one the test vectors add.
CONTEXTS = Path(__file__).resolve().parent.parent / "lms" / "core" / "contexts"
EXAMPLES_CONTEXT = Path(__file__).resolve().parent / "data" / "vc-di-eddsa" / "credentials-examples-v2.jsonld"
Fetch = Callable[[str], bytes]


class NotVerified(Exception):
    pass


def _context_files() -> dict[str, Path]:
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {**{url: CONTEXTS / name for url, name in index.items()},
            "https://www.w3.org/ns/credentials/examples/v2": EXAMPLES_CONTEXT}


def document_loader(url: str, options: dict | None = None) -> dict:
    files = _context_files()
    if url not in files:
        raise NotVerified(f"the verifier has no copy of the context {url}")
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(files[url].read_text(encoding="utf-8"))}


def public_key_of(method_url: str, fetch: Fetch, purpose: str = "assertionMethod") -> bytes:
    """The raw Ed25519 key of a verification method, retrieved as Controlled Identifiers v1.0 §3.3 says."""
    document_url, fragment = urldefrag(method_url)
    if not fragment:
        raise NotVerified("the verification method has no fragment")
    document = json.loads(fetch(document_url))
    if document.get("id") != document_url:
        raise NotVerified(f"the controller document's id {document.get('id')!r} is not the URL it was served "
                          f"from, {document_url!r}")
    methods = [m for m in document.get("verificationMethod", []) if m.get("id") == method_url]
    if len(methods) != 1:
        raise NotVerified("the verification method is not in the controller document")
    method = methods[0]
    if method.get("controller") != document["id"]:
        raise NotVerified(f"the key's controller {method.get('controller')!r} is not the document's id")
    if method_url not in document.get(purpose, []):
        raise NotVerified(f"the key is not listed for {purpose}")
    if method.get("type") != "Multikey" or not method.get("publicKeyMultibase", "").startswith("z"):
        raise NotVerified("not a Multikey")
    raw = base58.b58decode(method["publicKeyMultibase"][1:])
    if raw[:2] != b"\xed\x01" or len(raw) != 34:
        raise NotVerified("not an Ed25519 public key")
    return raw[2:]


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 of a JSON-LD document: PyLD turns it into RDF, Oxigraph canonicalises it."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": document_loader,
                                      "safe": True})
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(nquads, pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(f"{quad} .\n" for quad in sorted(dataset, key=str))


def _hash_data(document: dict, options: dict, cryptosuite: str) -> bytes:
    if cryptosuite == "eddsa-jcs-2022":
        return hashlib.sha256(jcs.canonicalize(options)).digest() + hashlib.sha256(jcs.canonicalize(document)).digest()
    if cryptosuite == "eddsa-rdfc-2022":
        return (hashlib.sha256(canonical_nquads(options).encode()).digest()
                + hashlib.sha256(canonical_nquads(document).encode()).digest())
    raise NotVerified(f"unknown cryptosuite {cryptosuite!r}")


def verify_proof(document: dict, proof: dict, public_key: bytes) -> None:
    if proof.get("type") != "DataIntegrityProof" or proof.get("proofPurpose") != "assertionMethod":
        raise NotVerified("not a DataIntegrityProof for assertionMethod")
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    if "@context" in options and options["@context"] != unsigned.get("@context"):
        raise NotVerified("the proof's @context is not the document's")
    options.setdefault("@context", unsigned.get("@context"))
    signature = base58.b58decode(proof["proofValue"][1:]) if proof.get("proofValue", "").startswith("z") else b""
    try:
        VerifyKey(public_key).verify(_hash_data(unsigned, options, proof.get("cryptosuite")), signature)
    except (BadSignatureError, ValueError) as error:
        raise NotVerified(f"{proof.get('cryptosuite')}: the signature does not verify") from error


def proofs_of(document: dict) -> list[dict]:
    proof = document.get("proof")
    return proof if isinstance(proof, list) else [proof] if isinstance(proof, dict) else []


def verify_signatures(document: dict, fetch: Fetch) -> list[str]:
    """Every proof verifies with a key the issuer controls; the cryptosuites that were checked."""
    proofs = proofs_of(document)
    if not proofs:
        raise NotVerified("the credential is not signed")
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    for proof in proofs:
        method = proof["verificationMethod"]
        key = public_key_of(method, fetch)
        if urldefrag(method)[0] != issuer:
            raise NotVerified(f"the key {method!r} is not the issuer's ({issuer!r})")
        verify_proof(document, proof, key)
    return [proof["cryptosuite"] for proof in proofs]


def status_bit(entry: dict, fetch: Fetch) -> int:
    """Bitstring Status List v1.0 §3.2: the bit of ``entry`` in its verified status list credential."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise NotVerified(f"unknown status type {entry.get('type')!r}")
    list_credential = json.loads(fetch(entry["statusListCredential"]))
    verify_signatures(list_credential, fetch)
    subject = list_credential["credentialSubject"]
    if subject.get("type") != "BitstringStatusList" or subject.get("statusPurpose") != entry["statusPurpose"]:
        raise NotVerified("the status list is not for this purpose")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise NotVerified("the list is not multibase base64url")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    if len(bits) * 8 < 131072:
        raise NotVerified("the status list is shorter than 131,072 bits")
    index = int(entry["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def verify_credential(document: dict, fetch: Fetch) -> dict:
    """Verify as a third party would; raise NotVerified with the reason, or return what was checked."""
    suites = verify_signatures(document, fetch)
    revoked = False
    for entry in ([document["credentialStatus"]] if isinstance(document.get("credentialStatus"), dict)
                  else document.get("credentialStatus", [])):
        if status_bit(entry, fetch) and entry["statusPurpose"] == "revocation":
            revoked = True
    if revoked:
        raise NotVerified("the credential has been revoked")
    return {"cryptosuites": suites}
