"""`flask lms worker`: delivers the outbox and runs the scheduled jobs, until SIGTERM (or Ctrl+C).

Each round runs the jobs that are due and the work requests left (lms.services.scheduled_jobs: announcements to
fan out to every member), then claims one batch of due messages and sends them (lms.services.outbox); when a round
found nothing to do, the worker sleeps WORKER_POLL_SECONDS. On SIGTERM it finishes the message in hand, gives the
rest of its batch back to the queue and exits. Several workers may run against PostgreSQL; on SQLite a second one
refuses to start (a lock file next to the database's instance).
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from lms.services import outbox, scheduled_jobs

log = logging.getLogger(__name__)


class AnotherWorkerRunning(RuntimeError):
    """SQLite runs one worker; the message says what to do."""


def worker_name() -> str:
    """Host, process and a random part: what the admin page and the claims show, unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


class Worker:
    def __init__(self, app: Flask, name: str | None = None) -> None:
        self.app = app
        self.name = name or worker_name()
        self.stopping = threading.Event()

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        if not self.stopping.is_set():
            log.info("worker %s stopping: finishing the message in hand", self.name)
        self.stopping.set()

    def round(self) -> bool:
        """Run the due jobs, the queued work and one batch of due messages. True when there was something to do."""
        with self.app.app_context():
            runs = scheduled_jobs.run_due_jobs(self.name)
            queued_work = scheduled_jobs.run_queued_work()
            delivery = outbox.deliver_due(self.name, should_stop=self.stopping.is_set)
        return bool(runs) or queued_work > 0 or delivery.claimed > 0

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_stop)
        with single_worker_on_sqlite(self.app):
            with self.app.app_context():
                scheduled_jobs.ensure_schedule()
            log.info("worker %s started", self.name)
            poll = self.app.config["WORKER_POLL_SECONDS"]
            while not self.stopping.is_set():
                try:
                    busy = self.round()
                except Exception:  # the database or the mail server is away: say so, wait, and try again
                    log.exception("worker %s: this round failed; trying again in %s s", self.name, poll)
                    busy = False
                if not busy:
                    self.stopping.wait(poll)
        log.info("worker %s stopped", self.name)


@contextmanager
def single_worker_on_sqlite(app: Flask) -> Iterator[None]:
    """SQLite has no row locks for workers to share the queue with: hold a lock file while this worker runs."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        yield
        return
    path = Path(app.instance_path) / "worker.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherWorkerRunning(
                f"Another worker is already running on this SQLite database (lock {path}). SQLite runs one worker; "
                "use PostgreSQL (LMS_DATABASE_URL) to run several.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
