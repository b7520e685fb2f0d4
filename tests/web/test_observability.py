"""Request ids, the access log, JSON logs and /healthz."""

import io
import json
import logging
import re

import pytest

import config
from lms import create_app
from lms.extensions import db as _db
from lms.web import observability
from tests.factories import DEFAULT_PASSWORD

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class BehindAProxy(config.TestConfig):
    TRUSTED_PROXIES = 1  # only a proxy of ours may name a request


class LoggingConfig(BehindAProxy):
    LOG_LEVEL = "INFO"
    LOG_JSON = True


@pytest.fixture
def json_log():
    """json_log(app): logs every record to a buffer as that app's configuration formats them; returns a function
    that gives the lines written so far, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()

    def attach(app):
        handler.setFormatter(observability.formatter_for(app))
        root.addHandler(handler)
        return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]

    yield attach
    root.removeHandler(handler)


@pytest.fixture
def logging_app(other_app):
    """An app that logs at INFO in JSON, with two routes of its own: one that logs, one that crashes."""
    level = logging.getLogger("lms").level
    application = other_app(LoggingConfig)

    @application.route("/note")
    def note():
        logging.getLogger("lms.somewhere").warning("a note from a view")
        logging.getLogger("sqlalchemy.somewhere").warning("and one from a library")
        return "noted"

    @application.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    yield application
    logging.getLogger("lms").setLevel(level)


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second) and first != second


def test_a_well_formed_request_id_from_a_trusted_proxy_is_kept(db, other_app):
    response = other_app(BehindAProxy).test_client().get("/", headers={"X-Request-ID": "lb-2024.06_abcDEF123"})
    assert response.headers["X-Request-ID"] == "lb-2024.06_abcDEF123"


def test_a_request_id_sent_by_a_client_reaching_the_app_directly_is_replaced(client):
    response = client.get("/", headers={"X-Request-ID": "lb-2024.06_abcDEF123"})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("incoming", ["short", "x" * 65, "has space 12345", "a;b=c12345",
                                      "ünïcode-12345"])
def test_a_malformed_incoming_request_id_is_replaced(db, other_app, incoming):
    client = other_app(BehindAProxy).test_client()
    response = client.get("/", headers={"X-Request-ID": incoming.encode("utf-8").decode("latin-1")})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_json_lines_parse_and_carry_the_request_id(db, logging_app, json_log):
    lines = json_log(logging_app)
    response = logging_app.test_client().get("/note", headers={"X-Request-ID": "note-request-0001"})
    assert response.status_code == 200
    records = lines()
    assert [record["logger"] for record in records] == ["lms.somewhere", "sqlalchemy.somewhere", "lms.access"]
    assert {record["request_id"] for record in records} == {"note-request-0001"}
    assert {"timestamp", "level", "logger", "message"} <= set(records[0])
    assert records[0]["message"] == "a note from a view" and records[0]["level"] == "WARNING"


def test_the_access_line_has_the_request_fields(db, logging_app, json_log, make_user):
    user = make_user()
    client = logging_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    lines = json_log(logging_app)
    client.get("/account", headers={"X-Request-ID": "account-page-01"})
    (access,) = [record for record in lines() if record["logger"] == "lms.access"]
    assert access["method"] == "GET" and access["path"] == "/account" and access["status"] == 200
    assert access["user_id"] == user.id and access["remote_addr"] == "192.0.2.7"
    assert access["request_id"] == "account-page-01" and access["level"] == "INFO"
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert isinstance(access["cpu_ms"], float) and access["cpu_ms"] >= 0  # what the load test sums per page


def test_an_anonymous_request_logs_no_user(db, logging_app, json_log):
    lines = json_log(logging_app)
    logging_app.test_client().get("/")
    (access,) = lines()
    assert access["user_id"] is None and access["status"] == 200


def test_a_crash_is_logged_with_its_request_id_and_traceback(db, logging_app, json_log):
    lines = json_log(logging_app)
    response = logging_app.test_client().get("/boom", headers={"X-Request-ID": "boom-request-01"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "boom-request-01"
    assert "secret internals" not in response.get_data(as_text=True)
    error, access = lines()
    assert error["level"] == "ERROR" and error["request_id"] == "boom-request-01"
    assert "RuntimeError: secret internals" in error["exception"]
    assert access["status"] == 500 and access["request_id"] == "boom-request-01"


def test_health_checks_are_logged_only_at_debug_level(db, logging_app, json_log, monkeypatch):
    lines = json_log(logging_app)
    paths_masked = []
    monkeypatch.setattr(observability, "logged_path", lambda: paths_masked.append(1) or "/")
    response = logging_app.test_client().get("/healthz")
    assert response.status_code == 200 and GENERATED_ID.fullmatch(response.headers["X-Request-ID"])
    assert lines() == []
    assert paths_masked == [], "nor is the line's content made when it is not written"


def test_plain_text_logs_name_the_request_id(app, caplog, client):
    caplog.set_level(logging.INFO, logger="lms")
    request_id = client.get("/courses/").headers["X-Request-ID"]
    (record,) = [record for record in caplog.records if record.name == "lms.access"]
    line = observability.formatter_for(app).format(record)
    assert f"[{request_id}]: GET /courses/ 200" in line


def test_a_path_cannot_forge_log_lines(app, caplog, client):
    caplog.set_level(logging.INFO, logger="lms")
    client.get("/courses/x%0A2026-11-23 INFO lms.access: GET /admin 200")
    (record,) = [record for record in caplog.records if record.name == "lms.access"]
    line = observability.formatter_for(app).format(record)
    assert "\n" not in line and "/courses/x\\x0a2026-11-23" in line


def test_records_outside_a_request_have_no_request_id(logging_app, json_log):
    lines = json_log(logging_app)
    logging.getLogger("lms.somewhere").warning("from a command")
    assert lines()[0]["request_id"] == "-"


def test_json_logging_installs_one_handler_when_the_process_has_none(logging_app):
    root = logging.getLogger()
    saved = root.handlers[:]
    try:
        root.handlers.clear()
        observability.configure_logging(logging_app)
        observability.configure_logging(logging_app)  # another app in the same process: still one handler
        (handler,) = root.handlers
        assert isinstance(handler.formatter, observability.JsonFormatter)
    finally:
        root.handlers[:] = saved


def test_a_process_that_set_up_logging_keeps_its_handlers(logging_app):
    before = logging.getLogger().handlers[:]
    observability.configure_logging(logging_app)
    assert logging.getLogger().handlers == before


# /healthz


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "mail_queue": "ok", "oldest_queued_seconds": 0}
    assert response.headers["Cache-Control"] == "no-store"


def _queue_mail_created(db, minutes_ago: int) -> None:
    from datetime import UTC, datetime, timedelta

    from lms.models import OutboxMessage
    from lms.services import mail

    mail.enqueue("someone@example.org", "Waiting", "password_reset", user=None, link="x", minutes=5)
    db.session.flush()
    db.session.execute(db.update(OutboxMessage).values(
        created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago)))
    db.session.commit()


def test_healthz_reports_the_age_of_the_oldest_queued_message(client, db):
    _queue_mail_created(db, minutes_ago=10)
    body = client.get("/healthz").get_json()
    assert body["mail_queue"] == "ok" and 600 <= body["oldest_queued_seconds"] < 660


def test_healthz_answers_503_when_mail_waits_longer_than_the_threshold(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES", 30)
    _queue_mail_created(db, minutes_ago=31)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error" and response.get_json()["mail_queue"] == "stalled"
    monkeypatch.setitem(app.config, "HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES", 0)  # 0: the queue never fails the check
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_when_the_database_is_unreachable(app):
    # Built here rather than with other_app, which points every app at the test database.
    class Unreachable(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2"
        INSTANCE_PATH = app.config["INSTANCE_PATH"]
        LOG_LEVEL = "CRITICAL"

    unreachable = create_app(Unreachable)
    try:
        response = unreachable.test_client().get("/healthz", headers={"Accept": "text/html"})
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "unreachable"}
        assert response.headers["Cache-Control"] == "no-store"
    finally:
        with unreachable.app_context():
            _db.engine.dispose()


def test_secrets_in_url_paths_are_masked_in_access_lines(db, logging_app, json_log, make_user):
    from lms.services import accounts, calendars

    user = make_user()
    with logging_app.test_request_context():
        reset_token = accounts.make_reset_token(user)
    feed_token = calendars.feed_url(user).rsplit("/", 1)[-1].removesuffix(".ics")
    client = logging_app.test_client()
    lines = json_log(logging_app)
    client.get(f"/reset-password/{reset_token}")
    client.get(f"/programmes/feed/{feed_token}.ics")
    client.get("/verify-email/some.signed-token")
    paths = [record["path"] for record in lines() if record["logger"] == "lms.access"]
    assert paths == ["/reset-password/…", "/programmes/feed/….ics", "/verify-email/…"]
    assert not any(reset_token in line or feed_token in line for line in map(str, lines()))
