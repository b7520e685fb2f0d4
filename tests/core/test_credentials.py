"""Certificate ids, the Open Badges 3.0 document, and its eddsa-jcs-2022 signature (pure: no app, no database)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.core import credential_proofs, credentials
from lms.core.credentials import CertificateFacts, Issuer

ISSUED = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def facts(**changes) -> CertificateFacts:
    values = {
        "certificate_id": credentials.new_certificate_id(),
        "learner_name": "Nguyễn Thị Minh Khai",
        "course_title": "Caring Cities",
        "course_version": "1.2.0",
        "completed_at": datetime(2026, 11, 22, 18, 0, tzinfo=UTC),
        "hours": 24.0,
        "issuers": (Issuer("Metropolis", "https://www.metropolis.org"), Issuer("UCLG", "https://www.uclg.org")),
        "issued_at": ISSUED,
    }
    values.update(changes)
    return CertificateFacts(**values)


def build(certificate: CertificateFacts | None = None) -> dict:
    certificate = certificate or facts()
    return credentials.open_badge_credential(
        certificate, issuer_id="https://learning.example.org/.well-known/lms-issuer.json",
        verify_url=f"https://learning.example.org/verify/{certificate.certificate_id}",
        achievement_url="https://learning.example.org/courses/caring-cities/",
        status=credentials.status_list_entry("https://learning.example.org/credentials/status/0", 4242))


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return credential_proofs.new_signing_key()


METHOD = "https://learning.example.org/.well-known/lms-issuer.json#key-1"


def signed(key, document=None) -> dict:
    return credential_proofs.sign_credential(document or build(), key, METHOD, ISSUED)


# Identifiers.


def test_a_new_id_is_28_symbols_in_7_groups_of_the_crockford_alphabet():
    public_id = credentials.new_certificate_id()
    groups = public_id.split("-")
    assert len(public_id) == credentials.ID_LENGTH == 34
    assert [len(group) for group in groups] == [4] * 7
    assert set(public_id.replace("-", "")) <= set(credentials.ALPHABET)


def test_an_id_carries_at_least_128_random_bits():
    asked = []

    def randbits(bits: int) -> int:
        asked.append(bits)
        return (1 << bits) - 1

    credentials.new_certificate_id(randbits)
    assert asked == [130]
    assert len({credentials.new_certificate_id() for _ in range(2000)}) == 2000


def test_a_new_id_parses_to_itself():
    public_id = credentials.new_certificate_id()
    assert credentials.parse_certificate_id(public_id) == public_id


@pytest.mark.parametrize("typing", [
    lambda i: i.lower(),
    lambda i: i.replace("-", ""),
    lambda i: i.replace("-", " "),
    lambda i: "  " + i.replace("-", "\u2013") + "\n",  # en dashes from a word processor
    lambda i: f"https://learning.example.org/verify/{i}",
    lambda i: f"https://learning.example.org/verify/{i.lower()}?utm=mail",
])
def test_typed_ids_are_normalised(typing):
    public_id = credentials.new_certificate_id()
    assert credentials.parse_certificate_id(typing(public_id)) == public_id


def test_o_i_and_l_are_read_as_zero_and_one():
    public_id = credentials.new_certificate_id(lambda bits: 0)  # all zeros, then the check symbols
    assert public_id.startswith("0000-")
    typed = public_id.replace("0", "O", 2).replace("0", "o", 1)
    assert credentials.parse_certificate_id(typed) == public_id
    ones = credentials.new_certificate_id(lambda bits: sum(1 << (5 * i) for i in range(26)))  # all "1"
    assert credentials.parse_certificate_id(ones.replace("1", "I", 1).replace("1", "l", 1)) == ones


FULLWIDTH = "\uff2b\uff17\uff31\uff28" * 7  # K7QH in full-width forms


@pytest.mark.parametrize("typed", [None, "", "   ", "hello", "K7QH-3M9X", "U" * 28, "<script>alert(1)</script>",
                                   "../../etc/passwd", "1" * 5000, FULLWIDTH, "0000-0000-0000-0000-0000-0000-0000"])
def test_malformed_ids_are_none(typed):
    assert credentials.parse_certificate_id(typed) is None


def test_one_mistyped_symbol_is_caught_by_the_check_symbols():
    public_id = credentials.new_certificate_id()
    caught = 0
    for position in (0, 6, 12, 20, 27, 30):
        original = public_id[position]
        replacement = "7" if original != "7" else "8"
        typo = public_id[:position] + replacement + public_id[position + 1:]
        caught += credentials.parse_certificate_id(typo) is None
    assert caught >= 5  # 10 check bits: one typo in 1,024 slips through


# Canonical JSON and keys.


def test_canonical_json_sorts_keys_without_whitespace_and_keeps_unicode():
    assert credential_proofs.canonical_json({"b": [1, True, None], "a": "김민수 Núñez"}) == \
        '{"a":"김민수 Núñez","b":[1,true,null]}'.encode()


def test_canonical_json_refuses_floats_rather_than_guess_their_form():
    with pytest.raises(ValueError, match="integers only"):
        credential_proofs.canonical_json({"hours": 1.5})


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0abc", bytes(range(256)), b"hello world"])
def test_base58btc_round_trips(data):
    assert credential_proofs.base58btc_decode(credential_proofs.base58btc_encode(data)) == data


def test_base58btc_known_value():
    assert credential_proofs.base58btc_encode(b"hello world") == "StV1DL6CwTryKyV"


def test_the_public_key_round_trips_as_a_multikey(key):
    multikey = credential_proofs.public_key_multibase(key.public_key())
    assert multikey.startswith("z6Mk")
    again = credential_proofs.public_key_from_multibase(multikey)
    assert credential_proofs.public_key_multibase(again) == multikey
    with pytest.raises(ValueError):
        credential_proofs.public_key_from_multibase("zabc")


def test_the_private_key_round_trips_as_pem(key):
    pem = credential_proofs.private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    again = credential_proofs.private_key_from_pem(pem)
    assert (credential_proofs.public_key_multibase(again.public_key())
            == credential_proofs.public_key_multibase(key.public_key()))


def test_the_issuer_document_publishes_the_key_and_is_its_own_controller(key):
    """W3C Controlled Identifiers v1.0 §3.3: the document's id and the key's controller are the URL it is served
    from."""
    url = "https://l.example/.well-known/lms-issuer.json"
    document = credentials.issuer_document(url, key.public_key())
    method = document["verificationMethod"][0]
    assert document["assertionMethod"] == [method["id"]] == [f"{url}#key-1"]
    assert method["type"] == "Multikey" and method["controller"] == document["id"] == url
    assert credential_proofs.public_key_multibase(key.public_key()) == method["publicKeyMultibase"]


# The credential.


def test_the_credential_is_an_open_badges_3_credential():
    certificate = facts()
    document = build(certificate)
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == "https://learning.example.org/.well-known/lms-issuer.json"
    assert document["issuer"]["type"] == ["Profile"]
    assert document["issuer"]["name"] == "Metropolis, UCLG"
    assert document["validFrom"] == "2026-11-23T10:30:00Z"
    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [{"type": "IdentityObject", "identityHash": "Nguyễn Thị Minh Khai",
                                      "identityType": "name", "hashed": False}]
    assert subject["activityEndDate"] == "2026-11-22T18:00:00Z"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Caring Cities" and achievement["version"] == "1.2.0"
    assert "24 hours of training" in achievement["description"]
    assert achievement["criteria"]["narrative"]
    assert document["credentialStatus"] == {
        "id": "https://learning.example.org/credentials/status/0#4242", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "4242",
        "statusListCredential": "https://learning.example.org/credentials/status/0"}
    assert document["id"].endswith(certificate.certificate_id)
    assert credentials.certificate_id_of(document) == certificate.certificate_id
    json.dumps(document)
    credential_proofs.canonical_json(document)  # no floats anywhere


def test_one_issuer_with_a_url_becomes_the_profile_url():
    document = build(facts(issuers=(Issuer("Metropolis", "https://www.metropolis.org"),)))
    assert document["issuer"]["url"] == "https://www.metropolis.org"


@pytest.mark.parametrize(("hours", "phrase"), [(1.0, "1 hour"), (2.0, "2 hours"), (1.5, "1.5 hours"),
                                               (0.25, "0.25 hours")])
def test_hours_are_written_as_people_write_them(hours, phrase):
    assert credentials.hours_phrase(hours) == phrase


# Signing and verification.


def test_a_signed_credential_carries_a_proof_set_that_verifies(key):
    document = signed(key)
    rdfc, jcs = document["proof"]
    assert rdfc["cryptosuite"] == "eddsa-rdfc-2022" and jcs["cryptosuite"] == "eddsa-jcs-2022"
    for proof in (rdfc, jcs):
        assert proof["type"] == "DataIntegrityProof" and proof["proofPurpose"] == "assertionMethod"
        assert proof["verificationMethod"] == METHOD and proof["created"] == "2026-11-23T10:30:00Z"
        assert proof["proofValue"].startswith("z")
    assert jcs["@context"] == document["@context"] and "@context" not in rdfc
    check = credential_proofs.verify_credential(document, key.public_key())
    assert check.ok, check.reason
    assert check.verification_method == METHOD


@pytest.mark.parametrize("which", [0, 1])
def test_each_proof_of_the_set_is_checked(key, which):
    document = signed(key)
    document["proof"][which]["created"] = "2026-11-24T10:30:00Z"
    assert not credential_proofs.verify_credential(document, key.public_key()).ok
    alone = {**document, "proof": document["proof"][1 - which]}
    assert credential_proofs.verify_credential(alone, key.public_key()).ok


def test_the_rdfc_proof_signs_the_meaning_not_the_spelling(key):
    """eddsa-rdfc-2022 signs the RDF statements: the same credential written with its keys in another order still
    verifies with that proof alone."""
    document = signed(key)
    reordered = dict(reversed(list({**document, "proof": document["proof"][0]}.items())))
    assert credential_proofs.verify_credential(reordered, key.public_key()).ok


def test_a_term_no_context_defines_cannot_be_signed_silently(key):
    """Safe mode: JSON-LD would drop a property whose context is undefined; here the vocabulary of the VC context
    catches it, so it is signed too (changing it breaks the rdfc proof)."""
    document = build()
    document["credentialSubject"]["extra"] = "kept"
    signed_document = credential_proofs.sign_credential(document, key, METHOD, ISSUED,
                                                        cryptosuites=("eddsa-rdfc-2022",))
    signed_document["credentialSubject"]["extra"] = "changed"
    assert not credential_proofs.verify_credential(signed_document, key.public_key()).ok


def test_signing_is_deterministic(key):
    document = build()
    assert signed(key, document) == signed(key, copy.deepcopy(document))


def test_it_survives_a_round_trip_through_a_file(key):
    document = json.loads(json.dumps(signed(key), indent=2))
    assert credential_proofs.verify_credential(document, key.public_key()).ok


def _leaves(value, path=()):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _tampered(document, path):
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    old = target[path[-1]]
    target[path[-1]] = (not old) if isinstance(old, bool) else (old + "x" if isinstance(old, str) else "x")
    return changed


def test_changing_any_field_breaks_the_signature(key):
    document = signed(key)
    paths = [path for path in _leaves(document) if path != ("proof", "proofValue")]
    assert len(paths) > 25
    for path in paths:
        check = credential_proofs.verify_credential(_tampered(document, path), key.public_key())
        assert not check.ok, path


def test_adding_or_removing_a_field_breaks_the_signature(key):
    document = signed(key)
    added = copy.deepcopy(document)
    added["credentialSubject"]["achievement"]["creditsAvailable"] = 10
    assert not credential_proofs.verify_credential(added, key.public_key()).ok
    removed = copy.deepcopy(document)
    del removed["credentialStatus"]
    assert not credential_proofs.verify_credential(removed, key.public_key()).ok


def test_another_key_does_not_verify(key):
    check = credential_proofs.verify_credential(signed(key), credential_proofs.new_signing_key().public_key())
    assert not check.ok and "signature does not match" in check.reason


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d.pop("proof"), "no proof"),
    (lambda d: d["proof"].append("text"), "not a JSON object"),
    (lambda d: d["proof"][1].update(cryptosuite="ecdsa-rdfc-2019"), "unsupported proof"),
    (lambda d: d["proof"][0].update(type="Ed25519Signature2020"), "unsupported proof"),
    (lambda d: d["proof"][0].update(proofPurpose="authentication"), "purpose"),
    (lambda d: d["proof"][1].update({"@context": ["https://example.org"]}), "@context"),
    (lambda d: d["proof"][0].update(proofValue="not multibase"), "cannot be read"),
    (lambda d: d["proof"][1].update(proofValue="z0OIl"), "cannot be read"),
    (lambda d: d["proof"][1].update(proofValue=12), "cannot be read"),
])
def test_broken_proofs_are_refused_with_a_reason(key, change, reason):
    document = signed(key)
    change(document)
    check = credential_proofs.verify_credential(document, key.public_key())
    assert not check.ok and reason in check.reason


@pytest.mark.parametrize("document", [None, [], "text", 3])
def test_a_document_that_is_not_an_object_is_refused(key, document):
    assert not credential_proofs.verify_credential(document, key.public_key()).ok


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        credential_proofs.iso_utc(datetime(2026, 1, 1))
