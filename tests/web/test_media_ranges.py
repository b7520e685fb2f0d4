"""Package files are sent from the file store with HTTP range requests as RFC 9110 section 14 describes them, with
a strong ETag, private caching and the same access check as every asset."""

import hashlib

import pytest

from lms.models import VersionFile
from lms.services import publishing
from tests.factories import EXAMPLE_SLUG, copy_package

SLUG = EXAMPLE_SLUG
URL = f"/courses/{SLUG}/assets/handout.pdf"


@pytest.fixture
def learner_client(client, db, login_as, tmp_path):
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    login_as("learner")
    client.post(f"/courses/{SLUG}/enrol")
    return client


@pytest.fixture
def whole(learner_client):
    with learner_client.get(URL) as response:
        assert response.status_code == 200
        return response.get_data()


def fetch(client, **headers):
    with client.get(URL, headers=headers) as response:
        return response.status_code, response.headers, response.get_data()


def test_a_whole_file_says_ranges_are_accepted_with_a_strong_etag(learner_client, whole):
    status, headers, body = fetch(learner_client)
    assert status == 200 and body == whole
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"] == f'"{hashlib.sha256(whole).hexdigest()}"'  # strong: no W/
    assert headers["Cache-Control"] == "private, max-age=3600"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "inline; filename=handout.pdf"  # its name, not the store's hash


@pytest.mark.parametrize(("spec", "first", "last"), [
    ("bytes=0-9", 0, 9),           # the first bytes
    ("bytes=10-19", 10, 19),       # the middle
    ("bytes=-5", None, None),      # a suffix: the last five bytes
    ("bytes=100-", 100, None),     # open-ended: from 100 to the end
])
def test_a_satisfiable_range_is_a_206_with_its_content_range(learner_client, whole, spec, first, last):
    size = len(whole)
    first = size - 5 if first is None else first
    last = size - 1 if last is None else last
    status, headers, body = fetch(learner_client, Range=spec)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert body == whole[first:last + 1]
    assert int(headers["Content-Length"]) == last - first + 1


def test_a_range_past_the_end_is_416_with_the_length(learner_client, whole):
    status, headers, _body = fetch(learner_client, Range=f"bytes={len(whole)}-")
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(whole)}"


def test_a_last_byte_past_the_end_is_cut_to_the_end(learner_client, whole):
    status, _headers, body = fetch(learner_client, Range=f"bytes=5-{len(whole) + 100}")
    assert status == 206 and body == whole[5:]


def test_an_unreadable_range_is_416(learner_client):
    assert fetch(learner_client, Range="bytes=9-3")[0] == 416


def test_several_ranges_are_refused_with_416_as_documented(learner_client):
    assert fetch(learner_client, Range="bytes=0-1,5-6")[0] == 416


def test_if_range_with_the_current_etag_gives_the_range_and_with_another_the_whole_file(learner_client, whole):
    etag = f'"{hashlib.sha256(whole).hexdigest()}"'
    assert fetch(learner_client, Range="bytes=0-9", **{"If-Range": etag})[0] == 206
    status, _headers, body = fetch(learner_client, Range="bytes=0-9", **{"If-Range": '"another"'})
    assert status == 200 and body == whole


def test_if_none_match_with_the_etag_is_304(learner_client, whole):
    etag = f'"{hashlib.sha256(whole).hexdigest()}"'
    assert fetch(learner_client, **{"If-None-Match": etag})[0] == 304


def test_ranges_are_refused_to_who_may_not_see_the_course(client, db, login_as, tmp_path):
    publishing.import_package(None, copy_package(tmp_path), publish=True)
    login_as("learner")  # not enrolled
    assert fetch(client, Range="bytes=0-9")[0] == 403


def test_the_files_are_in_the_store_and_not_in_the_database(learner_client, whole, app):
    row = db_row("assets/handout.pdf")
    assert not hasattr(row, "data")
    from lms.storage import file_store
    with app.app_context():
        assert file_store().read(row.sha256) == whole


def db_row(path):
    from lms.extensions import db
    return db.session.execute(db.select(VersionFile).filter_by(path=path)).scalar_one()


def test_with_an_accel_prefix_nginx_is_told_which_stored_file_to_send(app, learner_client, whole):
    app.config["FILE_STORE_ACCEL_PREFIX"] = "/_stored/"
    try:
        status, headers, body = fetch(learner_client)
    finally:
        app.config["FILE_STORE_ACCEL_PREFIX"] = None
    digest = hashlib.sha256(whole).hexdigest()
    assert status == 200 and body == b""
    assert headers["X-Accel-Redirect"] == f"/_stored/{digest[:2]}/{digest[2:4]}/{digest}"
    assert headers["ETag"] == f'"{digest}"' and headers["Content-Type"] == "application/pdf"


def test_captions_are_served_as_webvtt_that_cannot_run_as_a_page(learner_client):
    with learner_client.get(f"/courses/{SLUG}/assets/street-trees-captions-en.vtt") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    with learner_client.get(f"/courses/{SLUG}/assets/street-trees.webm", headers={"Range": "bytes=0-3"}) as video:
        assert video.status_code == 206 and video.get_data() == b"\x1a\x45\xdf\xa3"
        assert video.headers["Content-Type"] == "video/webm"
