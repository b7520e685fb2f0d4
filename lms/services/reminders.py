"""Reminder mail before each live session, for cron (`flask lms send-reminders`).

Each enrolled learner of a cohort gets one reminder per session, however often the command runs and even when two
runs overlap: a row in reminders_sent (unique per session, person and kind) is written and committed BEFORE the mail
is sent, so only the run whose insert succeeded sends. If sending fails, the row is removed again, so the next run
retries; a reminder is never sent twice, and at worst a failed one is sent late.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from lms.core import clock, schedule
from lms.extensions import db
from lms.models import Cohort, Enrolment, EnrolmentStatus, LiveSession, ReminderSent, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import links, mail

log = logging.getLogger(__name__)

KIND = "before"


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    already_sent: int
    failed: int
    sessions: int


def send_reminders(now: datetime | None = None, hours_before: int | None = None) -> ReminderRun:
    """Remind the learners of every session that starts within ``hours_before`` hours from ``now``."""
    now = now or clock.now()
    hours = hours_before if hours_before is not None else current_app.config["REMINDER_HOURS_BEFORE"]
    rows = db.session.execute(
        select(LiveSession, Cohort, User)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .join(Enrolment, (Enrolment.cohort_id == Cohort.id) & (Enrolment.status == EnrolmentStatus.ACTIVE))
        .join(User, User.id == Enrolment.user_id)
        .where(LiveSession.starts_at > now, LiveSession.starts_at <= now + timedelta(hours=hours), User.active)
        .order_by(LiveSession.starts_at, User.id)
    ).all()
    sent = already = failed = 0
    sessions = set()
    for session, cohort, user in rows:
        sessions.add(session.id)
        claimed = insert_ignoring_conflicts(db.session, ReminderSent, {
            "session_id": session.id, "user_id": user.id, "kind": KIND, "sent_at": now}, ["session_id", "user_id",
                                                                                          "kind"])
        db.session.commit()
        if not claimed:
            already += 1
            continue
        try:
            mail.send_template(
                user.email, f"Reminder: {session.title} ({cohort.name})", "session_reminder", user=user,
                session=session, cohort=cohort,
                when=schedule.format_session_time(session.starts_at, session.ends_at, session.timezone,
                                                  user.timezone),
                page=links.cohort_page(cohort.id),
            )
        except (OSError, smtplib.SMTPException):
            log.exception("reminder for session %s to %s failed; it will be retried", session.id, user.email)
            db.session.execute(delete(ReminderSent).where(ReminderSent.session_id == session.id,
                                                          ReminderSent.user_id == user.id,
                                                          ReminderSent.kind == KIND))
            db.session.commit()
            failed += 1
        else:
            sent += 1
    return ReminderRun(sent, already, failed, len(sessions))
