"""The outbox against sending inside the request: a bulk decision on 500 applications, and worker throughput.

Printed, all from the same run against the same local aiosmtpd:
- the bulk acceptance of `--applications` applications with the outbox (each decision queues its message in its
  transaction; nothing talks to the mail server), and the same decision on as many other applications with direct
  sending (each decision followed, inside the call, by its message sent through the same SMTP code on a connection
  of its own, as the engine did before the outbox);
- how many messages per second one worker delivers (`--messages` queued messages, one SMTP connection per batch).

The decisions are timed as the service call the request makes (lms.services.application_review.decide_many), so that
the figures hold the work of the request and not the test client's.

Run: `.venv/bin/python bench/bench_outbox.py [--applications 500] [--messages 2000]` (a temporary SQLite file, or
LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_bench; its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app  # noqa: E402


def make_cohort_with_applications(admin, name: str, count: int, first_number: int):
    """A cohort open for applications, and ``count`` submitted applications to it (setup, not timed)."""
    from lms.extensions import db
    from lms.models import Role, User
    from lms.services import accounts, applications, cohorts

    today = datetime.now(UTC).date()
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    cohort = cohorts.create_cohort(admin, "caring-cities", cohorts.CohortData(
        name=name, timezone="UTC", starts_on=today, ends_on=today + timedelta(days=60),
        applications_open=now - timedelta(days=1), application_deadline=now + timedelta(days=10), capacity=None,
        enrolment_mode="application", allow_late_attempts=False))
    shared_hash = accounts.hash_password("bench password 123")
    # Confirmed addresses: application mail goes only to an account's confirmed address.
    people = [User(email=f"applicant{n}@example.org", display_name=f"Applicant {n}", password_hash=shared_hash,
                   role=Role.LEARNER.value, email_verified_at=datetime.now(UTC))
              for n in range(first_number, first_number + count)]
    db.session.add_all(people)
    db.session.commit()
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    ids = [applications.submit_application(person, cohort.id, applications.Answers(
        full_name=person.display_name, organisation="City hall", position="Planner",
        city="Barcelona", country="ES", language="es", motivation="I design our care services."),
        applications.LetterUpload("letter.pdf", pdf)).id for person in people]
    return cohort, ids


def clear_outbox() -> None:
    from lms.extensions import db
    from lms.models import OutboxMessage

    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()


def bulk_decision_with_outbox(admin, cohort, ids) -> float:
    from lms.services import application_review

    start = time.perf_counter()
    outcome = application_review.decide_many(admin, cohort.id, ids, "accepted")
    elapsed = time.perf_counter() - start
    assert len(outcome.done) == len(ids), outcome.refused
    return elapsed


def bulk_decision_sending_directly(admin, cohort, ids) -> float:
    """Each decision, then its message over SMTP before the next decision: what the request did before."""
    from lms.services import application_review, outbox

    start = time.perf_counter()
    for application_id in ids:
        application_review.decide(admin, application_id, "accepted")
        assert outbox.deliver_due("inline", limit=1).sent == 1  # one transport, so one connection, per message
    return time.perf_counter() - start


def queue_messages(count: int) -> None:
    from email.utils import make_msgid

    from sqlalchemy import insert

    from lms.extensions import db
    from lms.models import OutboxMessage

    now = datetime.now(UTC)
    db.session.execute(insert(OutboxMessage), [
        {"message_id": make_msgid(domain="bench.local"), "template": "bench", "recipient": f"person{n}@example.org",
         "subject": f"Message {n}", "text_body": "Hello,\n\nA message of a few lines, like ours.\n" * 5,
         "status": "queued", "attempts": 0, "created_at": now, "next_attempt_at": now} for n in range(count)])
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    from lms.models import Role
    from lms.services import accounts, outbox, publishing
    from tests.smtp_server import MailServer

    server = MailServer().start()
    with tempfile.TemporaryDirectory() as folder, bench_app(Path(folder), os.environ.get("LMS_BENCH_DATABASE_URL")) \
            as app:
        app.config.update(server.settings())
        with app.test_request_context():
            publishing.import_package(None, ROOT / "courses" / "caring-cities", publish=True)
            admin = accounts.create_user("bench.admin@example.org", "bench password 123",
                                         accounts.Profile("Bench Admin"), Role.ADMIN)
            count = args.applications
            queued_cohort, queued_ids = make_cohort_with_applications(admin, "Outbox cohort", count, 0)
            direct_cohort, direct_ids = make_cohort_with_applications(admin, "Direct cohort", count, count)
            clear_outbox()  # the "application received" messages of the setup
            database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
            print(f"Bulk acceptance of {count} applications ({database}, aiosmtpd on 127.0.0.1:{server.port}):")

            with_outbox = bulk_decision_with_outbox(admin, queued_cohort, queued_ids)
            print(f"  with the outbox:      {with_outbox:7.2f} s  ({with_outbox / count * 1000:6.1f} ms per "
                  f"application; {count} messages queued, none sent)")
            started = time.perf_counter()
            drained = outbox.drain("bench")
            drain_time = time.perf_counter() - started
            assert drained.sent == count, drained
            direct = bulk_decision_sending_directly(admin, direct_cohort, direct_ids)
            print(f"  sending directly:     {direct:7.2f} s  ({direct / count * 1000:6.1f} ms per application; "
                  f"one SMTP connection per message)")
            print(f"  the outbox request is {direct / with_outbox:.1f} times faster; the worker then delivered "
                  f"those {count} messages in {drain_time:.2f} s")

            clear_outbox()
            queue_messages(args.messages)
            started = time.perf_counter()
            delivered = outbox.drain("bench")
            elapsed = time.perf_counter() - started
            accepted = len(server.collector.accepted)
    server.stop()
    assert delivered.sent == args.messages, delivered
    print(f"Worker throughput: {args.messages} messages in {elapsed:.2f} s = {args.messages / elapsed:.0f} "
          f"messages/s (one worker, batches of {app.config['WORKER_BATCH_SIZE']}, one SMTP connection per batch; "
          f"the server accepted {accepted} messages in all)")


if __name__ == "__main__":
    main()
