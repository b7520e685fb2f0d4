"""Reminder mail before each live session: a job of the worker (every 15 minutes), and `flask lms send-reminders`
by hand.

Each enrolled learner of a cohort gets one reminder per session, however often this runs and even when two runs
overlap: a row in reminders_sent (unique per session, person and kind) and the queued message are written in one
transaction, so only the run whose insert succeeded queues the mail, and the outbox delivers it (with retries).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.core import clock, schedule
from lms.core.i18n import Nn_, Phrase
from lms.extensions import db
from lms.models import Cohort, Enrolment, EnrolmentStatus, LiveSession, ReminderSent, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import links, mail

log = logging.getLogger(__name__)

KIND = "before"


@dataclass(frozen=True)
class ReminderRun:
    queued: int
    already_sent: int
    sessions: int

    def outcome(self) -> Phrase:
        """What the run did, in one wording for the worker page (stored, worded in its reader's language) and the
        command line (English)."""
        queued_singular, queued_plural = Nn_("%(num)d reminder queued for the upcoming live sessions (%(sessions)d).",
                                             "%(num)d reminders queued for the upcoming live sessions (%(sessions)d).")
        before_singular, before_plural = Nn_("%(num)d was already sent before.", "%(num)d were already sent before.")
        return Phrase("%(queued)s %(before)s",
                      queued=Phrase(queued_singular, plural=queued_plural, num=self.queued, sessions=self.sessions),
                      before=Phrase(before_singular, plural=before_plural, num=self.already_sent))


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
    queued = already = 0
    sessions = set()
    for session, cohort, user in rows:
        sessions.add(session.id)
        claimed = insert_ignoring_conflicts(db.session, ReminderSent, {
            "session_id": session.id, "user_id": user.id, "kind": KIND, "sent_at": now},
            ["session_id", "user_id", "kind"])
        if not claimed:
            already += 1
            continue
        mail.enqueue(
            user, _l("Reminder: %(session)s (%(cohort)s)", session=session.title, cohort=cohort.name),
            "session_reminder", user=user, session=session, cohort=cohort,
            when=schedule.format_session_time(session.starts_at, session.ends_at, session.timezone, user.timezone,
                                              locale=mail.recipient_language(user)),
            page=links.cohort_page(cohort.id),
        )
        queued += 1
    db.session.commit()
    return ReminderRun(queued, already, len(sessions))
