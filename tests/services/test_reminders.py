"""lms.services.reminders: each reminder is sent once, in its time window, and retried after a failure."""

from datetime import timedelta

from lms.models import ReminderSent
from lms.services import (
    learning,
    reminders,
)
from tests.cohort_factories import (
    example_with_open_cohort,
    session_rows,
)

# Reminders.


def test_reminders_are_sent_once_even_when_the_command_runs_twice(db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learners = [make_user(timezone="Asia/Seoul"), make_user()]
    for learner in learners:
        learning.enrol(learner, "example-all-features")
    first = session_rows(cohort)[0]
    now = first.starts_at - timedelta(hours=20)
    run = reminders.send_reminders(now=now, hours_before=24)
    assert (run.sent, run.already_sent, run.sessions) == (2, 0, 1)
    again = reminders.send_reminders(now=now + timedelta(minutes=15), hours_before=24)
    assert (again.sent, again.already_sent) == (0, 2)
    assert len(outbox) == 2
    assert db.session.execute(db.select(db.func.count()).select_from(ReminderSent)).scalar() == 2
    seoul = next(m for m in outbox.messages if m["To"] == learners[0].email)
    body = seoul.get_body(preferencelist=("plain",)).get_content()
    assert "09:00–11:00 CE" in body and "KST" in body and "https://zoom.us/j/999000" in body  # noqa: RUF001


def test_sessions_too_far_ahead_or_past_get_no_reminder(db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learning.enrol(make_user(), "example-all-features")
    first = session_rows(cohort)[0]
    assert reminders.send_reminders(now=first.starts_at - timedelta(hours=30), hours_before=24).sent == 0
    assert reminders.send_reminders(now=first.starts_at + timedelta(minutes=1), hours_before=24).sent == 0
    assert len(outbox) == 0


def test_a_reminder_that_could_not_be_sent_is_retried(app, db, make_user, outbox, tmp_path):
    cohort = example_with_open_cohort(tmp_path)
    learning.enrol(make_user(), "example-all-features")
    now = session_rows(cohort)[0].starts_at - timedelta(hours=1)
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_TIMEOUT": 2}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)  # nothing listens on port 9 (discard): the connection is refused
    try:
        failed = reminders.send_reminders(now=now, hours_before=24)
    finally:
        app.config.update(saved)
    assert (failed.sent, failed.failed) == (0, 1)
    assert reminders.send_reminders(now=now, hours_before=24).sent == 1
    assert len(outbox) == 1
