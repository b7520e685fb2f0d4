"""Rate limits on uploads, limits set in the configuration, and counters shared through Redis.

Over a limit a person gets the 429 page and nothing is written: each test sends requests that change nothing up to the
limit, then one that would change something, and compares table counts. Limits are per hour so that no test can
straddle a window.
"""

import io
import os
import secrets

import pytest
import redis
from flask import request
from flask_limiter import Limiter

import config
from lms.core.packages import package_zip_bytes
from lms.extensions import limiter
from lms.models import Application, Attendance, CourseVersion
from lms.services import enrolments, publishing
from tests.cohort_factories import EXE, MOTIVATION, PDF, make_cohort, publish_caring_cities, session_rows
from tests.factories import EXAMPLE, EXAMPLE_SLUG, copy_package, make_instructor, table_counts

# Like PostgreSQL, Redis is used by the tests when one is named (CI names one and checks it answers).
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")


@pytest.fixture
def upload_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_UPLOAD", "2 per hour")


def assert_refused_with_nothing_written(db, response, before) -> None:
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert table_counts(db) == before


def application_form(letter: bytes) -> dict:
    return {"full_name": "Ana Pérez", "email": "ana@city.gov", "organisation": "Ayuntamiento de Madrid",
            "position": "Planner", "city": "Madrid", "country": "ES", "language": "es", "motivation": MOTIVATION,
            "letter": (io.BytesIO(letter), "letter.pdf")}


def test_applications_with_a_letter_are_limited(client, db, login_as, upload_limit):
    publish_caring_cities()
    cohort = make_cohort(name="Caring Cities 2030")
    login_as("learner")
    url = f"/programmes/cohorts/{cohort.id}/apply"
    for _ in range(2):
        response = client.post(url, data=application_form(EXE), content_type="multipart/form-data")
        assert response.status_code == 422
    before = table_counts(db)
    response = client.post(url, data=application_form(PDF), content_type="multipart/form-data")
    assert_refused_with_nothing_written(db, response, before)
    assert db.session.execute(db.select(Application)).first() is None
    assert client.get(url).status_code == 200, "reading the form is not limited"


def test_attendance_imports_are_limited(client, db, login_as, make_user, upload_limit):
    publishing.import_package(None, EXAMPLE, publish=True)
    cohort = make_cohort(EXAMPLE_SLUG, mode="open", name="Example run")
    learner = make_user()
    enrolments.enrol(learner, EXAMPLE_SLUG)
    session = session_rows(cohort)[0]
    login_as(make_instructor(EXAMPLE_SLUG))
    url = f"/staff/sessions/{session.id}/attendance/import"
    for _ in range(2):
        response = client.post(url, data={"report": (io.BytesIO(b"no,emails\nhere,at all\n"), "x.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 422
    before = table_counts(db)
    report = f"Name,User Email,Duration (Minutes)\r\nAna,{learner.email},60\r\n".encode()
    response = client.post(url, data={"report": (io.BytesIO(report), "participants.csv"), "min_minutes": "0"},
                           content_type="multipart/form-data")
    assert_refused_with_nothing_written(db, response, before)
    assert db.session.execute(db.select(Attendance)).first() is None


def test_package_uploads_are_limited(client, db, login_as, upload_limit, tmp_path):
    login_as("instructor")
    for _ in range(2):
        response = client.post("/author/upload", data={"package": (io.BytesIO(b"not a zip"), "course.zip")},
                               content_type="multipart/form-data")
        assert response.status_code == 422
    package = copy_package(tmp_path)
    files = {path.relative_to(package).as_posix(): path.read_bytes() for path in package.rglob("*") if path.is_file()}
    before = table_counts(db)
    response = client.post("/author/upload",
                           data={"package": (io.BytesIO(package_zip_bytes(files, root="course")), "course.zip")},
                           content_type="multipart/form-data")
    assert_refused_with_nothing_written(db, response, before)
    assert db.session.execute(db.select(CourseVersion)).first() is None


def test_the_log_in_limit_comes_from_the_configuration(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per hour")
    attempt = {"email": "someone@example.org", "password": "not the password"}
    assert [client.post("/login", data=attempt).status_code for _ in range(4)] == [422, 422, 422, 429]


# Redis: the counters of several instances in one place.


@pytest.fixture
def redis_app(other_app):
    """redis_app(**settings) builds an app whose rate-limit counters live in Redis, under a key prefix of this test.

    Flask-Limiter keeps its storage on the one module-level `limiter`, and each app built replaces it (it also keeps
    the first key prefix it is given): the limiter is put back as it was afterwards, so the other tests keep their
    in-memory counters.
    """
    if not REDIS_URL:
        pytest.skip("needs Redis: LMS_TEST_REDIS_URL")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}): start Redis (redis-server) or point "
                    "LMS_TEST_REDIS_URL at one.")
    saved = dict(vars(limiter))
    saved_options = dict(limiter._storage_options)
    prefix = f"lms-test-{secrets.token_hex(8)}"

    def build(**settings):
        class RedisConfig(config.TestConfig):
            RATELIMIT_STORAGE_URI = REDIS_URL
            RATELIMIT_KEY_PREFIX = prefix

        for key, value in settings.items():
            setattr(RedisConfig, key, value)
        limiter._key_prefix = None
        return other_app(RedisConfig)

    build.prefix = prefix
    build.connection = connection
    yield build
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()
    vars(limiter).clear()
    vars(limiter).update(saved)
    limiter._storage_options.clear()
    limiter._storage_options.update(saved_options)


def log_in_attempt(application):
    return application.test_client().post("/login", data={"email": "a@b.org", "password": "wrong password"})


def test_attempts_on_one_instance_count_on_the_other(db, redis_app):
    first = redis_app(RATELIMIT_LOGIN="3 per hour")
    assert [log_in_attempt(first).status_code for _ in range(2)] == [422, 422]
    # A second instance starts with a storage of its own: only Redis can tell it about the first one's attempts.
    second = redis_app(RATELIMIT_LOGIN="3 per hour")
    assert log_in_attempt(second).status_code == 422
    assert log_in_attempt(second).status_code == 429
    assert log_in_attempt(first).status_code == 429
    assert list(redis_app.connection.scan_iter(f"*{redis_app.prefix}*")), "the counters are in Redis"


def test_without_redis_each_instance_counts_alone(other_app, db):
    """Why several processes need Redis: in memory, a new instance forgets the attempts made on another."""

    class Limited(config.TestConfig):
        RATELIMIT_LOGIN = "3 per hour"

    first = other_app(Limited)
    assert [log_in_attempt(first).status_code for _ in range(3)] == [422, 422, 422]
    second = other_app(Limited)
    assert log_in_attempt(second).status_code == 422


def test_healthz_reports_redis_when_it_holds_the_counters(db, redis_app):
    response = redis_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok", "mail_queue": "ok",
                                   "oldest_queued_seconds": 0}


def test_healthz_answers_503_when_redis_is_unreachable(db, redis_app):
    response = redis_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9").test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "unreachable", "mail_queue": "ok",
                                   "oldest_queued_seconds": 0}


def test_healthz_does_not_ask_redis_when_rate_limits_are_off(db, other_app):
    class Unlimited(config.TestConfig):
        RATELIMIT_ENABLED = False
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:9"

    response = other_app(Unlimited).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "mail_queue": "ok", "oldest_queued_seconds": 0}


# Where the limits are checked (lms/web/rate_limits.py).


def test_a_page_without_a_limit_does_no_rate_limit_work(client, db, monkeypatch):
    """No limit applies to every request, so a page without one of its own does not look for any."""

    def looked_up(*args, **kwargs):
        raise AssertionError("the limiter looked for limits on a page without one")

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", looked_up)
    assert client.get("/").status_code == 200


@pytest.fixture
def default_limit(other_app):
    """An app with a limit on every request (RATELIMIT_DEFAULT); the shared limiter forgets it afterwards."""

    class Limited(config.TestConfig):
        RATELIMIT_DEFAULT = "2 per hour"

    yield other_app(Limited)
    limiter.limit_manager.set_default_limits([])


def test_a_configured_limit_for_every_request_limits_pages_without_their_own(db, default_limit):
    client = default_limit.test_client()
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.fixture
def limiter_state_made(monkeypatch) -> list[str]:
    """The paths of the requests in which Flask-Limiter made or read its per-request state."""
    made: list[str] = []
    state = Limiter.context

    def counted(self):
        made.append(request.path)
        return state.fget(self)

    monkeypatch.setattr(Limiter, "context", property(counted))
    return made


def test_a_page_without_limits_never_touches_the_limiter(client, db, login_as, limiter_state_made):
    login_as("learner")
    limiter_state_made.clear()  # the log-in is limited
    assert client.get("/").status_code == 200 and client.get("/account").status_code == 200
    assert limiter_state_made == []


def test_a_limited_route_still_sends_its_limit_and_counts_down(client, db, limiter_state_made):
    responses = [client.post("/login", data={"email": "nobody@example.org", "password": "wrong"}) for _ in range(2)]
    assert [int(response.headers["X-RateLimit-Remaining"]) for response in responses] == [9, 8]
    assert all(response.headers["X-RateLimit-Limit"] == "10" for response in responses)
    assert limiter_state_made and set(limiter_state_made) == {"/login"}
