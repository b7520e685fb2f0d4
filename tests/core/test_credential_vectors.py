"""The proofs against the W3C test vectors of "Data Integrity EdDSA Cryptosuites v1.0" (tests/data/vc-di-eddsa,
copied from w3c/vc-di-eddsa): our code verifies the published signed credentials, and signing their documents with
the published key and proof options gives exactly the published proofValue (Ed25519 is deterministic)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.core import credential_proofs

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vc-di-eddsa"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"


def vector_loader(url: str, options: dict | None = None) -> dict:
    """The engine's contexts plus the examples context the vectors use."""
    if url == EXAMPLES_CONTEXT:
        document = json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text(encoding="utf-8"))
        return {"contextUrl": None, "documentUrl": url, "document": document}
    return credential_proofs.local_document_loader(url, options)


def key_pair() -> tuple[Ed25519PrivateKey, object]:
    pair = json.loads((VECTORS / "keyPair.json").read_text(encoding="utf-8"))
    secret = credential_proofs.base58btc_decode(pair["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26" and len(secret) == 34  # multicodec ed25519-priv
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    public = credential_proofs.public_key_from_multibase(pair["publicKeyMultibase"])
    assert credential_proofs.public_key_multibase(private.public_key()) == pair["publicKeyMultibase"]
    return private, public


@pytest.mark.parametrize(("file", "suite"), [("signedDataInt.json", "eddsa-rdfc-2022"),
                                             ("signedJCS.json", "eddsa-jcs-2022")])
def test_the_published_credential_verifies(file, suite):
    signed = json.loads((VECTORS / file).read_text(encoding="utf-8"))
    assert signed["proof"]["cryptosuite"] == suite
    check = credential_proofs.verify_credential(signed, key_pair()[1], loader=vector_loader)
    assert check.ok, check.reason


@pytest.mark.parametrize(("file", "suite"), [("signedDataInt.json", "eddsa-rdfc-2022"),
                                             ("signedJCS.json", "eddsa-jcs-2022")])
def test_signing_the_vector_gives_the_published_proof(file, suite):
    signed = json.loads((VECTORS / file).read_text(encoding="utf-8"))
    published = signed.pop("proof")
    created = datetime.fromisoformat(published["created"].replace("Z", "+00:00"))
    mine = credential_proofs.sign_credential(signed, key_pair()[0], published["verificationMethod"], created,
                                       cryptosuites=(suite,), loader=vector_loader)
    assert mine["proof"] == published


def test_the_rdfc_proof_options_canonicalise_as_published():
    signed = json.loads((VECTORS / "signedDataInt.json").read_text(encoding="utf-8"))
    options = {name: value for name, value in signed["proof"].items() if name != "proofValue"}
    options["@context"] = signed["@context"]
    expected = (VECTORS / "proofCanonDataInt.txt").read_text(encoding="utf-8")
    assert credential_proofs.canonical_nquads(options, vector_loader) == expected


@pytest.mark.parametrize("file", ["signedDataInt.json", "signedJCS.json"])
def test_a_changed_vector_fails(file):
    signed = json.loads((VECTORS / file).read_text(encoding="utf-8"))
    signed["credentialSubject"]["alumniOf"] = "Another School"
    assert not credential_proofs.verify_credential(signed, key_pair()[1], loader=vector_loader).ok


def test_a_context_the_engine_does_not_ship_is_refused_not_fetched():
    signed = json.loads((VECTORS / "signedDataInt.json").read_text(encoding="utf-8"))
    check = credential_proofs.verify_credential(signed, key_pair()[1])  # the engine's loader lacks the examples context
    assert not check.ok and "examples/v2" in check.reason
