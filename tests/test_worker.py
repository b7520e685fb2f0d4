"""`flask lms worker` as real processes against a real SMTP server: two workers on PostgreSQL share 2,000 messages
without sending one twice, a killed worker loses nothing, SIGTERM lets the message in hand finish, and SQLite runs one
worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from lms.models import OutboxMessage
from lms.models.outbox import QUEUED, SENDING, SENT
from tests.conftest import is_postgres
from tests.smtp_server import MailServer

ROOT = Path(__file__).resolve().parent.parent


def queue_messages(db, count: int) -> set[str]:
    """``count`` queued messages, written in one statement (the setup, not what is measured)."""
    now = datetime.now(UTC)
    rows = [{"message_id": make_msgid(domain="lms.test"), "template": "test", "recipient": f"person{n}@example.org",
             "subject": f"Message {n}", "text_body": f"Hello {n}", "status": QUEUED, "attempts": 0,
             "created_at": now, "next_attempt_at": now} for n in range(count)]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()
    return {row["message_id"] for row in rows}


def count_by_status(db) -> dict[str, int]:
    db.session.rollback()  # a fresh snapshot: the workers commit in other processes
    return dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def start_worker(app, server: MailServer, tmp_path: Path, **settings: str) -> subprocess.Popen:
    env = {**os.environ, "LMS_ENV": "development", "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LMS_INSTANCE_PATH": str(tmp_path), "LMS_SECRET_KEY": "worker-test-key",
           "LMS_MAIL_BACKEND": "smtp", "LMS_MAIL_SERVER": "127.0.0.1", "LMS_MAIL_PORT": str(server.port),
           "LMS_WORKER_POLL_SECONDS": "1", "LMS_LOG_LEVEL": "INFO", **settings}
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")  # a file, not a pipe nobody reads while it runs
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi:app", "lms", "worker"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    worker.log_path = Path(log.name)  # type: ignore[attr-defined]
    log.close()
    return worker


def wait_until_started(*workers: subprocess.Popen) -> None:
    """Until each worker logged that it started (so that all of them meet the queue from its first message)."""
    wait_until(lambda: all(" started" in worker.log_path.read_text() for worker in workers),  # type: ignore[attr-defined]
               60, "the workers to start")


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def stop(worker: subprocess.Popen) -> str:
    """SIGTERM, wait for it to exit, and return what it logged."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    return worker.log_path.read_text()  # type: ignore[attr-defined]


@pytest.fixture
def postgres(app):
    if not is_postgres(app):
        pytest.skip("several workers share the queue on PostgreSQL only; set LMS_TEST_DATABASE_URL")


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.mark.postgres
def test_two_workers_deliver_2000_messages_each_exactly_once(app, db, postgres, smtp, tmp_path):
    workers = [start_worker(app, smtp, tmp_path) for _ in range(2)]
    try:
        wait_until_started(*workers)
        expected = queue_messages(db, 2000)
        wait_until(lambda: count_by_status(db).get(SENT) == 2000, 180, "2,000 messages sent")
    finally:
        outputs = [stop(worker) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    delivered = smtp.collector.accepted_ids()
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}, "a message was delivered twice"
    claimed_by = db.session.execute(select(func.count(func.distinct(OutboxMessage.claimed_by)))).scalar_one()
    assert claimed_by == 2, "both workers took part"


@pytest.mark.postgres
def test_killing_a_worker_mid_run_loses_nothing(app, db, postgres, smtp, tmp_path):
    lease = {"LMS_WORKER_LEASE_SECONDS": "3"}  # a dead worker's messages come back after 3 s
    doomed, survivor = (start_worker(app, smtp, tmp_path, **lease) for _ in range(2))
    try:
        wait_until_started(doomed, survivor)
        expected = queue_messages(db, 2000)
        wait_until(lambda: len(smtp.collector.accepted) >= 300, 120, "the first 300 messages")
        doomed.kill()  # SIGKILL: no chance to give its batch back
        doomed.wait(10)
        wait_until(lambda: count_by_status(db).get(SENT) == 2000, 180, "every message sent by the survivor")
    finally:
        stop(survivor)
        stop(doomed)
    delivered = smtp.collector.accepted_ids()
    assert set(delivered) == expected  # nothing lost
    # At most the one message the killed worker had in hand when it died arrives twice, with the same Message-ID.
    assert sum(delivered.values()) - len(expected) <= 1


def test_sigterm_finishes_the_message_in_hand_and_gives_the_rest_back(app, db, tmp_path):
    server = MailServer(delay=0.5).start()  # half a second per message: the worker is mid-batch when told to stop
    try:
        queue_messages(db, 20)
        worker = start_worker(app, server, tmp_path)
        wait_until(lambda: len(server.collector.received_ids) >= 2, 60, "the worker to be sending")
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
        output = stop(worker)
    finally:
        server.stop()
    assert worker.returncode == 0, output
    counts = count_by_status(db)
    assert SENDING not in counts  # nothing left claimed by a worker that is gone
    assert counts[SENT] == len(server.collector.accepted)  # every message the server took is recorded as sent
    assert counts[QUEUED] == 20 - counts[SENT] > 0
    attempts = set(db.session.execute(select(OutboxMessage.attempts).where(OutboxMessage.status == QUEUED)).scalars())
    assert attempts == {0}  # given back without using up an attempt


def test_sqlite_runs_one_worker(app, db, tmp_path):
    if is_postgres(app):
        pytest.skip("the one-worker rule is SQLite's")
    server = MailServer().start()
    try:
        first = start_worker(app, server, tmp_path)
        time.sleep(3)  # let it start and take the lock
        second = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi:app", "lms", "worker"], cwd=ROOT, capture_output=True,
            text=True, timeout=60, env={**os.environ, "LMS_ENV": "development",
                                        "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                                        "LMS_INSTANCE_PATH": str(tmp_path), "LMS_SECRET_KEY": "worker-test-key"})
        stop(first)
    finally:
        server.stop()
    assert second.returncode == 1
    assert "Another worker is already running on this SQLite database" in second.stderr
    assert first.returncode == 0
