"""Certificates in the browser: the learner's downloads, the public verification page, the admin's actions, the
issuer's key, and `flask lms verify-credential`."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest

from lms.core import credential_proofs, credentials
from lms.models import Certificate
from lms.services import certificates, course_versions, credential_keys, publishing
from tests import independent_verifier
from tests.factories import EXAMPLE_RIGHT_ANSWERS as RIGHT
from tests.factories import EXAMPLE_SLUG, completable_online, copy_package, make_user

SLUG = EXAMPLE_SLUG
PERSONAL = ("organisation", "Seoul Metropolitan Government", "learner-secret@example.org")


@pytest.fixture
def course(db, tmp_path):
    package = copy_package(tmp_path)
    completable_online(package)
    return publishing.import_package(None, package, publish=True).version


def complete_in_browser(client, version) -> None:
    assert client.post(f"/courses/{SLUG}/enrol").status_code == 302
    for lesson in course_versions.version_package(version).modules[0].lessons:
        if lesson.required:
            client.post(f"/courses/{SLUG}/lessons/{lesson.id}/complete")
    page = client.get(f"/courses/{SLUG}/quizzes/basics-quiz").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="(\d+)"', page).group(1)
    client.post(f"/courses/{SLUG}/quizzes/basics-quiz", data={"attempt": attempt, **RIGHT})


@pytest.fixture
def earned(client, db, login_as, course):
    """A learner who completed the course in the browser (and is still logged in); returns (learner, certificate)."""
    learner = login_as(make_user(display_name="María José Núñez", email=PERSONAL[2], organisation=PERSONAL[1]))
    complete_in_browser(client, course)
    certificate = db.session.execute(db.select(Certificate)).scalar_one()
    return learner, certificate


def switch_to(client, login_as, who):
    client.post("/logout")
    return login_as(who)


def test_a_certificate_earned_in_the_browser_is_mailed_to_the_learner(client, outbox, earned):
    # The signed-in learner is a read-only value (SignedInUser), not the account row: the mail still finds the address.
    assert [message["To"] for message in outbox.messages] == [PERSONAL[2]]


def test_the_dashboard_and_my_certificates_show_it_with_download_links(client, earned):
    _, certificate = earned
    dashboard = client.get("/learning").get_data(as_text=True)
    assert f"/certificates/{certificate.public_id}.pdf" in dashboard
    mine = client.get("/certificates").get_data(as_text=True)
    for link in (f"/certificates/{certificate.public_id}.pdf", f"/certificates/{certificate.public_id}.json",
                 f"/verify/{certificate.public_id}"):
        assert link in mine
    assert "María José Núñez" in mine and "Valid" in mine


def test_the_nav_links_to_my_certificates_and_verification(client, earned):
    page = client.get("/learning").get_data(as_text=True)
    assert 'href="/certificates"' in page and 'href="/verify/"' in page


def test_the_learner_downloads_the_pdf(client, earned):
    _, certificate = earned
    response = client.get(f"/certificates/{certificate.public_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "María José Núñez" in text and certificate.public_id in text


def test_the_learner_downloads_a_credential_that_verifies(client, earned):
    _, certificate = earned
    response = client.get(f"/certificates/{certificate.public_id}.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    document = json.loads(response.data)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    published = client.get("/.well-known/lms-issuer.json")
    assert published.status_code == 200 and published.headers["Access-Control-Allow-Origin"] == "*"
    method = published.get_json()["verificationMethod"][0]
    assert [proof["verificationMethod"] for proof in document["proof"]] == [method["id"]] * 2
    key = credential_proofs.public_key_from_multibase(method["publicKeyMultibase"])
    assert credential_proofs.verify_credential(document, key).ok


def public_fetch(app):
    """What a third-party verifier gets for a URL of the engine: an anonymous request, as from another site."""
    anonymous = app.test_client()

    def fetch(url: str) -> bytes:
        base = app.config["BASE_URL"].rstrip("/")
        assert url.startswith(base + "/"), f"the verifier was sent off the engine's site: {url}"
        response = anonymous.get(url[len(base):])
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    return fetch


def test_a_third_party_verifier_finds_the_issuers_key_and_checks_the_signatures(app, client, earned):
    """A verifier written from the W3C specifications (tests/independent_verifier.py: other libraries for every step)
    finds the key by dereferencing the verification method (Controlled Identifiers v1.0 §3.3) and checks every
    proof."""
    _, certificate = earned
    document = json.loads(client.get(f"/certificates/{certificate.public_id}.json").data)
    checked = independent_verifier.verify_signatures(document, public_fetch(app))
    assert checked == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    issuer_document = json.loads(public_fetch(app)(document["proof"][0]["verificationMethod"].split("#")[0]))
    assert issuer_document["id"] == document["issuer"]["id"] == "http://lms.test/.well-known/lms-issuer.json"


def test_a_revoked_certificate_fails_in_a_third_party_verifier(app, client, db, earned):
    """W3C Bitstring Status List v1.0: the verifier reads the certificate's bit in the signed, public status list;
    the engine is never asked about the certificate itself."""
    _, certificate = earned
    document = json.loads(client.get(f"/certificates/{certificate.public_id}.json").data)
    entry = document["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"http://lms.test/credentials/status/{certificate.status_index // 131072}"
    assert int(entry["statusListIndex"]) == certificate.status_index % 131072
    fetch = public_fetch(app)
    assert independent_verifier.verify_credential(document, fetch)["cryptosuites"] == ["eddsa-rdfc-2022",
                                                                                         "eddsa-jcs-2022"]
    assert independent_verifier.status_bit(entry, fetch) == 0
    certificates.revoke(make_user(role="admin"), certificate.public_id, "Issued by mistake")
    assert independent_verifier.status_bit(entry, fetch) == 1
    with pytest.raises(independent_verifier.NotVerified, match="revoked"):
        independent_verifier.verify_credential(document, fetch)


def test_the_status_list_is_public_signed_cacheable_and_16_kb(app, client, db, earned):
    _, certificate = earned
    url = json.loads(client.get(f"/certificates/{certificate.public_id}.json").data)["credentialStatus"][
        "statusListCredential"]
    anonymous = app.test_client()
    response = anonymous.get(url.removeprefix("http://lms.test"))
    assert response.status_code == 200 and response.mimetype == "application/vc"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    listing = json.loads(response.data)
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listing["issuer"] == "http://lms.test/.well-known/lms-issuer.json"
    subject = listing["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u") and "=" not in subject["encodedList"]
    assert len(credentials.decode_status_list(subject["encodedList"])) == 16384  # 131,072 bits
    again = anonymous.get(url.removeprefix("http://lms.test"), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert anonymous.get("/credentials/status/999").status_code == 404


def test_another_learner_or_a_stranger_cannot_download(client, db, login_as, earned):
    _, certificate = earned
    switch_to(client, login_as, "learner")
    for suffix in ("pdf", "json"):
        assert client.get(f"/certificates/{certificate.public_id}.{suffix}").status_code == 404
    client.post("/logout")
    response = client.get(f"/certificates/{certificate.public_id}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_can_download_any_certificate(client, db, login_as, earned):
    _, certificate = earned
    switch_to(client, login_as, "admin")
    assert client.get(f"/certificates/{certificate.public_id}.pdf").status_code == 200


# The public verification page.


def test_the_verify_page_shows_the_facts_and_nothing_else_about_the_learner(client, earned):
    _, certificate = earned
    client.post("/logout")
    response = client.get(f"/verify/{certificate.public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "genuine and valid" in html
    for fact in ("María José Núñez", certificate.course_title, "1.0.0", "2 hours of training",
                 "Example City Council", "Example Metropolitan Training Centre", certificate.public_id,
                 f"{certificate.completed_at.day} {certificate.completed_at:%B %Y}"):
        assert fact in html, fact
    for private in PERSONAL[1:]:
        assert private not in html
    assert f"/users/{certificate.user_id}" not in html


def test_a_typed_id_is_forgiven_and_redirected_to_its_address(client, earned):
    _, certificate = earned
    sloppy = certificate.public_id.replace("-", "").lower()
    response = client.get(f"/verify/{sloppy}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/verify/{certificate.public_id}")
    search = client.get("/verify/", query_string={"q": " " + certificate.public_id.replace("-", " ") + " "})
    assert search.status_code == 302 and search.headers["Location"].endswith(f"/verify/{certificate.public_id}")


@pytest.mark.parametrize("typed", ["K7QH-3M9X-AAAA", "<script>alert(1)</script>", "%00", "x" * 2000,
                                   "SELECT * FROM certificates"])
def test_unknown_and_malformed_ids_get_the_unknown_page(client, db, typed):
    response = client.get("/verify/", query_string={"q": typed})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No certificate has this ID" in html
    assert "<script>alert(1)</script>" not in html
    direct = client.get(f"/verify/{typed[:300]}")
    assert direct.status_code == 404 and "No certificate has this ID" in direct.get_data(as_text=True)


def test_an_id_failing_only_its_check_symbols_looks_like_a_typing_mistake(client, db, earned):
    _, certificate = earned
    real = certificate.public_id
    # One character read wrongly (the first candidate the check catches; it misses one in 1,024).
    typo = next(typo for char in credentials.ALPHABET if char != real[0]
                and credentials.parse_certificate_id(typo := char + real[1:]) is None)
    response = client.get("/verify/", query_string={"q": typo})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This looks like a typing mistake" in html and "No certificate has this ID" not in html


def test_an_unknown_well_formed_id_is_unknown(client, db):
    response = client.get(f"/verify/{credentials.new_certificate_id()}")
    assert response.status_code == 404 and "No certificate has this ID" in response.get_data(as_text=True)


def test_the_empty_search_page(client, db):
    html = client.get("/verify/").get_data(as_text=True)
    assert 'name="q"' in html and "No certificate" not in html


def test_the_search_is_rate_limited(client, db):
    statuses = [client.get("/verify/", query_string={"q": f"guess-{n}"}).status_code for n in range(12)]
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429


def test_the_verify_page_answers_json_for_status_checks(client, earned):
    _, certificate = earned
    response = client.get(f"/verify/{certificate.public_id}", headers={"Accept": "application/json"})
    assert response.get_json() == {"id": certificate.public_id, "status": "valid"}
    unknown = client.get(f"/verify/{credentials.new_certificate_id()}", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.get_json()["status"] == "unknown"


# Admins.


def test_admin_pages_are_for_admins_only(client, db, login_as, earned):
    _, certificate = earned
    assert client.get("/certificates/admin/").status_code == 403
    assert client.get(f"/certificates/admin/{certificate.public_id}").status_code == 403
    assert client.post(f"/certificates/admin/{certificate.public_id}", data={"reason": "x"}).status_code == 403
    assert certificate.revoked_at is None


def test_revocation_shows_everywhere(client, db, login_as, runner, earned, tmp_path):
    learner, certificate = earned
    credential_file = tmp_path / "credential.json"
    credential_file.write_bytes(client.get(f"/certificates/{certificate.public_id}.json").data)
    assert runner.invoke(args=["lms", "verify-credential", str(credential_file)]).exit_code == 0

    admin = switch_to(client, login_as, "admin")
    listing = client.get("/certificates/admin/").get_data(as_text=True)
    assert certificate.public_id in listing and PERSONAL[2] in listing
    missing = client.post(f"/certificates/admin/{certificate.public_id}", data={"reason": "  "})
    assert missing.status_code == 422
    response = client.post(f"/certificates/admin/{certificate.public_id}",
                           data={"reason": "Quiz answers were copied"}, follow_redirects=True)
    assert "Revoked certificate" in response.get_data(as_text=True)
    detail = client.get(f"/certificates/admin/{certificate.public_id}").get_data(as_text=True)
    assert "Quiz answers were copied" in detail and admin.display_name in detail

    client.post("/logout")
    page = client.get(f"/verify/{certificate.public_id}").get_data(as_text=True)
    assert "was revoked on" in page and "Quiz answers were copied" in page and "no longer valid" in page
    assert client.get(f"/verify/{certificate.public_id}",
                      headers={"Accept": "application/json"}).get_json()["status"] == "revoked"

    login_as(learner)
    mine = client.get("/certificates").get_data(as_text=True)
    assert "Revoked" in mine and "Quiz answers were copied" in mine
    assert "revoked" in client.get("/learning").get_data(as_text=True).lower()
    pdf = client.get(f"/certificates/{certificate.public_id}.pdf").data
    assert "REVOKED" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    result = runner.invoke(args=["lms", "verify-credential", str(credential_file)])
    assert result.exit_code == 1 and "revoked" in result.output and "Quiz answers were copied" in result.output


def test_an_admin_issues_a_certificate_by_hand(client, db, login_as, course, outbox):
    learner = make_user(display_name="김민수")
    login_as("admin")
    form = client.get("/certificates/admin/").get_data(as_text=True)
    assert f'value="{SLUG}"' in form
    refused = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG, "reason": ""})
    assert refused.status_code == 422
    nobody = client.post("/certificates/admin/", data={"email": "nobody@example.org", "course": SLUG,
                                                       "reason": "offline"})
    assert nobody.status_code == 422 and "Nobody has an account" in nobody.get_data(as_text=True)
    response = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG,
                                                         "reason": "Completed the course in the Seoul workshop"})
    assert response.status_code == 302
    certificate = db.session.execute(db.select(Certificate)).scalar_one()
    assert certificate.learner_name == "김민수" and certificate.issue_reason.endswith("Seoul workshop")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "by hand" in detail and "Seoul workshop" in detail
    again = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG, "reason": "twice"})
    assert again.status_code == 422 and "already has a valid certificate" in again.get_data(as_text=True)
    assert len(outbox) == 1


def test_the_admin_is_told_when_a_name_cannot_be_printed(client, db, login_as, course, outbox):
    learner = make_user(display_name="Ana \U00013000")  # an Egyptian hieroglyph: no certificate font has it
    login_as("admin")
    response = client.post("/certificates/admin/", data={"email": learner.email, "course": SLUG,
                                                         "reason": "Completed offline"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "No certificate was issued" in page and "U+13000" in page
    assert db.session.execute(db.select(Certificate)).scalars().all() == [] and len(outbox) == 0


# The command line.


def test_verify_credential_says_valid_and_fails_after_tampering(client, runner, earned, tmp_path):
    _, certificate = earned
    document = json.loads(client.get(f"/certificates/{certificate.public_id}.json").data)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    result = runner.invoke(args=["lms", "verify-credential", str(good)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and certificate.public_id in result.output

    document["credentialSubject"]["achievement"]["description"] += " With honours."
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["lms", "verify-credential", str(bad)])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_verify_credential_refuses_a_key_that_appears_twice(client, runner, earned, tmp_path):
    """Python keeps the last of two equal keys, other parsers the first: the signed name could differ from the one
    another verifier shows. A valid credential with a second "name" appended is refused."""
    _, certificate = earned
    text = client.get(f"/certificates/{certificate.public_id}.json").get_data(as_text=True)
    document = json.loads(text)
    original = json.dumps(document["credentialSubject"]["achievement"]["name"])
    doubled = tmp_path / "doubled.json"
    doubled.write_text(text.replace(f'"name": {original}', f'"name": "Forged", "name": {original}', 1)
                       if f'"name": {original}' in text else
                       text.replace(f'"name":{original}', f'"name":"Forged","name":{original}', 1), encoding="utf-8")
    assert "Forged" in doubled.read_text(encoding="utf-8")
    result = runner.invoke(args=["lms", "verify-credential", str(doubled)])
    assert result.exit_code == 1 and "the key 'name' appears twice in one object" in result.output


@pytest.mark.parametrize(("content", "message"), [(None, "no such file"), (b"not json", "not JSON"),
                                                  (b"[1, 2]", "not a JSON object"), (b"{}", "no proof")])
def test_verify_credential_explains_bad_files(runner, tmp_path, content, message):
    path = tmp_path / "file.json"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_signing_key_command(runner, db):
    result = runner.invoke(args=["lms", "signing-key"])
    assert result.exit_code == 0
    assert credential_keys.KEY_FILE in result.output and "z6Mk" in result.output
