"""lms.services.reminders: each reminder is queued once, in its time window, and waits in the outbox while the mail
server is down."""

import json
from datetime import UTC, datetime, timedelta

from lms.core.i18n import Phrase
from lms.models import OutboxMessage, ReminderSent
from lms.services import enrolments, reminders
from lms.services import outbox as outbox_service
from tests.cohort_factories import (
    example_with_open_cohort,
    session_rows,
)
from tests.factories import EXAMPLE_SLUG

# Reminders.


def test_reminders_are_sent_once_even_when_the_command_runs_twice(db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learners = [make_user(timezone="Asia/Seoul"), make_user()]
    for learner in learners:
        enrolments.enrol(learner, EXAMPLE_SLUG)
    first = session_rows(cohort)[0]
    now = first.starts_at - timedelta(hours=20)
    run = reminders.send_reminders(now=now, hours_before=24)
    assert (run.queued, run.already_sent, run.sessions) == (2, 0, 1)
    again = reminders.send_reminders(now=now + timedelta(minutes=15), hours_before=24)
    assert (again.queued, again.already_sent) == (0, 2)
    assert len(outbox) == 2
    assert db.session.execute(db.select(db.func.count()).select_from(ReminderSent)).scalar() == 2
    seoul = next(m for m in outbox.messages if m["To"] == learners[0].email)
    body = seoul.get_body(preferencelist=("plain",)).get_content()
    assert "09:00–11:00 CE" in body and "KST" in body and "https://zoom.us/j/999000" in body  # noqa: RUF001


def test_sessions_too_far_ahead_or_past_get_no_reminder(db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    enrolments.enrol(make_user(), EXAMPLE_SLUG)
    first = session_rows(cohort)[0]
    assert reminders.send_reminders(now=first.starts_at - timedelta(hours=30), hours_before=24).queued == 0
    assert reminders.send_reminders(now=first.starts_at + timedelta(minutes=1), hours_before=24).queued == 0
    assert len(outbox) == 0


def test_a_reminder_waits_in_the_outbox_while_the_mail_server_is_down(app, db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    enrolments.enrol(make_user(), EXAMPLE_SLUG)
    now = session_rows(cohort)[0].starts_at - timedelta(hours=1)
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_TIMEOUT": 2}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)  # nothing listens on port 9 (discard): the connection is refused
    try:
        assert reminders.send_reminders(now=now, hours_before=24).queued == 1
        attempt = outbox_service.drain()
    finally:
        app.config.update(saved)
    assert (attempt.sent, attempt.retrying) == (0, 1)
    assert reminders.send_reminders(now=now, hours_before=24).queued == 0  # queued once, whatever the server does
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))  # the retry is due
    db.session.commit()
    assert len(outbox) == 1


def test_a_run_is_worded_once_for_the_worker_page_and_the_command_line():
    outcome = reminders.ReminderRun(queued=2, already_sent=1, sessions=1).outcome()
    assert str(outcome) == "2 reminders queued for the upcoming live sessions (1). 1 was already sent before."
    assert Phrase.from_data(json.loads(json.dumps(outcome.to_data()))) == outcome  # the job stores it as data
