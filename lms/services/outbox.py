"""Delivering the outbox, and what administrators see of it.

Written by hand, not with a task-queue library: the libraries that claim rows with FOR UPDATE SKIP LOCKED
(procrastinate, pgqueuer, pq, beanqueue) run on PostgreSQL only, and those that also run on SQLite (huey, RQ,
Celery, Dramatiq with their brokers) keep their queue outside our database transaction, so a rolled-back action
could still send its mail. What we need is one table and three statements.

Claiming: one UPDATE marks due messages ``sending`` with this worker's name and a lease, choosing them with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers take different messages without waiting on each other.
SQLite has no row locks, but the UPDATE is atomic there too (one writer at a time); SQLite runs one worker. A
worker that dies mid-send leaves its messages ``sending``; when the lease expires any worker takes them again, and
the stable Message-ID lets the receiving side recognise a message that did arrive the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update

from lms import authz
from lms.core import clock
from lms.core.retry import RetryPolicy
from lms.extensions import db
from lms.models import OutboxMessage, User
from lms.models.outbox import FAILED, MESSAGE_STATES, QUEUED, SENDING, SENT
from lms.services import audit, mail
from lms.services.errors import Conflict, NotAllowed, NotFound

log = logging.getLogger(__name__)

ERROR_MAX = 2000



def retry_policy() -> RetryPolicy:
    config = current_app.config
    return RetryPolicy(max_attempts=config["MAIL_MAX_ATTEMPTS"], base_seconds=config["MAIL_RETRY_BASE_SECONDS"],
                       cap_seconds=config["MAIL_RETRY_MAX_SECONDS"])


@dataclass
class DeliveryRun:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    postponed: int = 0
    errors: list[str] = field(default_factory=list)


def claim(worker: str, limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for ``worker`` and commit, so other workers see them taken."""
    now = now or clock.now()
    lease = timedelta(seconds=current_app.config["WORKER_LEASE_SECONDS"])
    due = or_(and_(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now),
              and_(OutboxMessage.status == SENDING, OutboxMessage.lease_expires_at < now))
    candidates = (select(OutboxMessage.id).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                  .limit(limit).with_for_update(skip_locked=True))
    ids = list(db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(candidates.scalar_subquery()))
        .values(status=SENDING, claimed_by=worker, lease_expires_at=now + lease,
                attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)).scalars())
    db.session.commit()
    if not ids:
        return []
    rows = list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.next_attempt_at,
                                                                        OutboxMessage.id)).scalars())
    # Detached with what was just read: the commit after each message would otherwise expire the rest of the batch
    # and cost one SELECT per message to read it again. Their state changes only through the UPDATEs below.
    for row in rows:
        db.session.expunge(row)
    return rows


def _still_mine(row: OutboxMessage, worker: str):
    return and_(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == SENDING)


def _record_sent(row: OutboxMessage, worker: str) -> None:
    done = db.session.execute(
        update(OutboxMessage).where(_still_mine(row, worker))
        .values(status=SENT, sent_at=clock.now(), lease_expires_at=None, last_error=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not done:
        log.warning("message %s was sent after its lease had expired; another worker may send it again "
                    "(same Message-ID %s)", row.id, row.message_id)


def _record_failure(row: OutboxMessage, worker: str, error: BaseException, run: DeliveryRun) -> datetime | None:
    """Note the failed attempt: retry later with backoff, or failed for good. Returns when it is retried."""
    policy = retry_policy()
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    give_up = mail.is_permanent(error) or policy.gives_up_after(row.attempts)
    values: dict[str, object] = {"last_error": text, "lease_expires_at": None, "claimed_by": None}
    retry_at = None
    if give_up:
        values["status"] = FAILED
        run.failed += 1
    else:
        retry_at = clock.now() + timedelta(seconds=policy.delay_after(row.attempts))
        values.update(status=QUEUED, next_attempt_at=retry_at)
        run.retrying += 1
    db.session.execute(update(OutboxMessage).where(_still_mine(row, worker)).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    run.errors.append(text)
    log.warning("message %s to %s, attempt %s: %s%s", row.id, row.recipient, row.attempts, text,
                " (giving up)" if give_up else "")
    return retry_at


def _release(rows: list[OutboxMessage], worker: str, until: datetime | None = None) -> int:
    """Give back claimed messages this worker did not try (it is stopping, its lease is nearly over, or the mail
    server cannot be reached), without counting an attempt; ``until`` puts them off to that time."""
    if not rows:
        return 0
    values: dict[str, object] = {"status": QUEUED, "claimed_by": None, "lease_expires_at": None,
                                 "attempts": OutboxMessage.attempts - 1}
    if until is not None:
        values["next_attempt_at"] = until
    released = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([row.id for row in rows]), OutboxMessage.claimed_by == worker,
               OutboxMessage.status == SENDING)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return released


def deliver_due(worker: str, limit: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> DeliveryRun:
    """Claim one batch of due messages and try each once. A failure is recorded on its message (retry later with
    backoff, or failed after the last attempt) and never stops the others."""
    run = DeliveryRun()
    rows = claim(worker, limit or current_app.config["WORKER_BATCH_SIZE"])
    run.claimed = len(rows)
    if not rows:
        return run
    # Stop taking new messages of the batch while there is still time to send one before the lease ends.
    margin = timedelta(seconds=min(2 * current_app.config["MAIL_TIMEOUT"],
                                   current_app.config["WORKER_LEASE_SECONDS"] / 2))
    transport = mail.open_transport()
    try:
        for index, row in enumerate(rows):
            if should_stop() or clock.now() >= row.lease_expires_at - margin:
                run.released += _release(rows[index:], worker)
                break
            try:
                transport.send(mail.build_message(row))
            except mail.MailServerUnreachable as error:
                # The rest of the batch would wait for the same closed door, each up to MAIL_TIMEOUT: this message
                # counts the attempt, the others wait as long as it does without losing one.
                retry_at = _record_failure(row, worker, error, run)
                run.postponed += _release(rows[index + 1:], worker, until=retry_at)
                break
            except Exception as error:  # whatever went wrong with this message is recorded on it
                _record_failure(row, worker, error, run)
            else:
                _record_sent(row, worker)
                run.sent += 1
    finally:
        transport.close()
    return run


def drain(worker: str = "drain") -> DeliveryRun:
    """Deliver every message that is due now, batch after batch (`flask lms worker --once`, and tests). Messages
    waiting for a later retry stay queued."""
    total = DeliveryRun()
    while True:
        run = deliver_due(worker)
        if not run.claimed:
            return total
        total.claimed += run.claimed
        total.sent += run.sent
        total.retrying += run.retrying
        total.failed += run.failed
        total.released += run.released
        total.postponed += run.postponed
        total.errors += run.errors


# What administrators and the health check see.


@dataclass(frozen=True)
class QueueStatus:
    counts: dict[str, int]
    oldest_waiting_at: datetime | None
    now: datetime

    @property
    def oldest_waiting_seconds(self) -> int:
        """How long the oldest message not yet delivered (queued, or being sent) has waited; 0 when none waits."""
        if self.oldest_waiting_at is None:
            return 0
        return max(0, int((self.now - self.oldest_waiting_at).total_seconds()))


def queue_status(now: datetime | None = None) -> QueueStatus:
    """Counts by state and the oldest waiting message: numbers only, so the public health check may show them."""
    counts = dict.fromkeys(MESSAGE_STATES, 0)
    counts.update(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    oldest = db.session.execute(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_([QUEUED, SENDING]))).scalar()
    if isinstance(oldest, str):  # SQLite hands an aggregate of a timestamp back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return QueueStatus(counts, oldest, now or clock.now())


def _require_admin(actor: User) -> None:
    if not authz.can_manage_mail(actor):
        raise NotAllowed(_("Only administrators can manage outgoing mail."))


def mail_queue(actor: User, page: int = 1, per_page: int = 50):
    """The queue's state and a page of failed messages, newest first."""
    _require_admin(actor)
    failed = db.paginate(select(OutboxMessage).where(OutboxMessage.status == FAILED)
                         .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
                         page=page, per_page=per_page, error_out=False)
    return queue_status(), failed


def _audited_failed_message(actor: User, message_id: int, action: str) -> OutboxMessage:
    """The failed message an administrator acts on, with the audit entry of the action (same transaction)."""
    _require_admin(actor)
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(_("There is no such message in the outbox."))
    if row.status != FAILED:
        raise Conflict(_("The message to %(recipient)s is %(status)s, not failed: there is nothing to do.",
                         recipient=row.recipient, status=row.status))
    audit.record(actor, action, "mail", row.id, {"to": row.recipient, "subject": row.subject,
                                                 "last_error": row.last_error, "attempts": row.attempts})
    return row


def retry(actor: User, message_id: int) -> OutboxMessage:
    """Queue a failed message again with a fresh set of attempts (after the address or the server was fixed)."""
    row = _audited_failed_message(actor, message_id, "mail.retry")
    row.status, row.attempts, row.next_attempt_at, row.last_error = QUEUED, 0, clock.now(), None
    db.session.commit()
    return row


def discard(actor: User, message_id: int) -> None:
    """Drop a failed message for good; the audit log keeps who dropped which."""
    row = _audited_failed_message(actor, message_id, "mail.discard")
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
    db.session.commit()


def expire_sent(before: datetime) -> int:
    """Remove delivered messages older than ``before`` (failed ones stay until an administrator acts)."""
    return db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == SENT, OutboxMessage.sent_at < before)
        .execution_options(synchronize_session=False)).rowcount
