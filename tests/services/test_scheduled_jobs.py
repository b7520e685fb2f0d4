"""Scheduled jobs run by the worker: each occurrence by exactly one worker, however many run; the reviewers' digest;
expiry; and `flask lms worker --once` / `flask lms jobs`."""

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from lms.extensions import db as _db
from lms.models import Course, Login, OutboxMessage, ScheduledJob, ScheduledJobRun
from lms.models.outbox import FAILED, SENT
from lms.services import application_review, enrolments, mail, scheduled_jobs
from lms.services.scheduled_jobs import Job, next_occurrence
from tests.cohort_factories import apply, make_cohort, publish_caring_cities, session_rows
from tests.factories import make_learners


def _count(db, model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _run_workers_at_once(app, now: datetime, workers: int = 3) -> None:
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with app.app_context():  # each worker its own session and connection, as separate processes have
                start.wait()
                scheduled_jobs.run_due_jobs(name, now)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_a_scheduled_reminder_runs_once_per_occurrence_with_three_workers(app, db, outbox):
    publish_caring_cities()
    cohort = make_cohort(sessions=1)
    course = db.session.get(Course, cohort.course_id)
    learners = make_learners(3)
    for learner in learners:
        enrolments.enrol_user(learner, course, cohort_id=cohort.id)
    now = session_rows(cohort)[0].starts_at - timedelta(hours=2)
    scheduled_jobs.ensure_schedule(now)

    _run_workers_at_once(app, now)
    assert _count(db, ScheduledJobRun, ScheduledJobRun.job_name == "session_reminders") == 1
    assert sorted(message["To"] for message in outbox.messages) == sorted(learner.email for learner in learners)

    # The next occurrence, 15 minutes later, runs once more, and finds every reminder already sent.
    _db.session.expire_all()
    following = _db.session.get(ScheduledJob, "session_reminders").next_run_at
    assert following == now + timedelta(minutes=15)
    _run_workers_at_once(app, following)
    assert _count(db, ScheduledJobRun, ScheduledJobRun.job_name == "session_reminders") == 2
    assert len(outbox) == 3


def test_missed_occurrences_are_not_run_one_after_another():
    due = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    every = timedelta(minutes=15)
    assert next_occurrence(due, every, due) == due + every
    assert next_occurrence(due, every, due + timedelta(hours=5, minutes=1)) == due + timedelta(hours=5, minutes=15)
    assert next_occurrence(due + every, every, due) == due + every


def test_the_reviewers_digest_announces_each_application_once(app, db, make_user):
    publish_caring_cities()
    cohort = make_cohort(name="Caring Cities, spring")
    reviewers = [make_user("admin"), make_user("admin")]
    make_user("instructor")  # instructors do not review applications
    first, second = (apply(learner, cohort) for learner in make_learners(2))
    _db.session.execute(_db.delete(OutboxMessage))
    _db.session.commit()
    with app.test_request_context():
        assert application_review.notify_reviewers() == 2
        digests = list(_db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        assert [m.recipient for m in digests] == [r.email for r in reviewers]
        assert "2 new applications are waiting for your review." in digests[0].text_body
        assert first.full_name in digests[0].text_body and second.full_name in digests[0].text_body
        assert f"/staff/cohorts/{cohort.id}/applications" in digests[0].text_body
        assert application_review.notify_reviewers() == 0  # nothing new: no message
        third = apply(make_learners(1)[0], cohort)
        _db.session.execute(_db.delete(OutboxMessage))
        assert application_review.notify_reviewers() == 1
        latest = _db.session.execute(select(OutboxMessage)).scalars().first()
    assert "One new application is waiting for your review." in latest.text_body
    assert third.full_name in latest.text_body and first.full_name not in latest.text_body


def test_the_digest_goes_to_whoever_authz_says_reviews_applications(app, db, make_user, monkeypatch):
    """Who reviews applications is one rule (lms.authz.APPLICATION_REVIEWER_ROLES): widen it and the digest follows,
    and a deactivated reviewer gets nothing."""
    from lms import authz

    publish_caring_cities()
    cohort = make_cohort()
    admin, instructor, gone = make_user("admin"), make_user("instructor"), make_user("instructor")
    gone.active = False
    apply(make_learners(1)[0], cohort)
    _db.session.execute(_db.delete(OutboxMessage))
    _db.session.commit()
    monkeypatch.setattr(authz, "APPLICATION_REVIEWER_ROLES", ("admin", "instructor"))
    assert authz.can_review_applications(instructor) and not authz.can_review_applications(gone)
    with app.test_request_context():
        assert application_review.notify_reviewers() == 1
    recipients = _db.session.execute(select(OutboxMessage.recipient).order_by(OutboxMessage.id)).scalars().all()
    assert recipients == [admin.email, instructor.email]


def test_a_failing_job_is_recorded_and_the_others_still_run(app, db, monkeypatch):
    def broken(now):
        raise RuntimeError("the reports are unavailable")

    monkeypatch.setitem(scheduled_jobs.JOBS_BY_NAME, "refresh_progress",
                        Job("refresh_progress", timedelta(days=1), broken, "Broken on purpose."))
    now = datetime.now(UTC)
    scheduled_jobs.ensure_schedule(now)
    runs = {run.job_name: run for run in scheduled_jobs.run_due_jobs("worker-1", now)}
    assert runs["refresh_progress"].error == "RuntimeError: the reports are unavailable"
    assert runs["session_reminders"].error is None and runs["session_reminders"].finished_at is not None
    assert set(runs) == {job.name for job in scheduled_jobs.JOBS}


def test_expiry_removes_old_delivered_messages_and_keeps_failed_ones(app, db):
    now = datetime.now(UTC)
    with app.test_request_context():
        old_sent, old_failed, recent_sent = (
            mail.enqueue(f"p{n}@example.org", "Hello", "password_reset", user=None, link="x", minutes=5)
            for n in range(3))
    old_sent.status, old_sent.sent_at = SENT, now - timedelta(days=31)
    old_failed.status, old_failed.created_at = FAILED, now - timedelta(days=90)
    recent_sent.status, recent_sent.sent_at = SENT, now - timedelta(days=1)
    _db.session.commit()
    outcome = scheduled_jobs.JOBS_BY_NAME["expire_stale_data"].run(now)
    assert str(outcome).startswith("1 delivered message older than")
    assert sorted(_db.session.execute(select(OutboxMessage.recipient)).scalars()) == ["p1@example.org",
                                                                                      "p2@example.org"]


def test_expiry_ends_the_log_ins_past_the_session_limit_and_keeps_the_others(app, db, make_user):
    """Log-ins of people who never logged out: once past the absolute session limit their cookies are refused, so
    the expiry job removes their rows instead of keeping them for ever."""
    now = datetime.now(UTC)
    limit = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    person = make_user()
    stale, current = Login(user_id=person.id), Login(user_id=person.id)
    _db.session.add_all([stale, current])
    _db.session.flush()
    stale.created_at, current.created_at = now - limit - timedelta(minutes=1), now - limit + timedelta(minutes=1)
    _db.session.commit()
    outcome = scheduled_jobs.JOBS_BY_NAME["expire_stale_data"].run(now)
    assert str(outcome).endswith("1 log-in past the session limit ended.")
    assert list(_db.session.execute(select(Login.token)).scalars()) == [current.token]


def test_worker_once_runs_due_jobs_and_delivers_the_queue(runner, db, make_user, outbox):
    make_user(email="ana@example.org")
    with runner.app.test_request_context():
        mail.enqueue("ana@example.org", "Hello", "password_reset", user=None, link="x", minutes=5)
        _db.session.commit()
    result = runner.invoke(args=["lms", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "session_reminders: 0 reminders queued" in result.output
    assert "1 message sent, 0 to retry later, 0 failed." in result.output
    listing = runner.invoke(args=["lms", "jobs"])
    assert "reviewer_digest    every 1 hour, next" in listing.output
    assert "last run" in listing.output
    assert [m["To"] for m in outbox.messages] == ["ana@example.org"]


def test_every_job_has_its_row_in_the_worker_guide():
    # Operators read docs/worker.md to learn what the worker does on its own; a job missing there runs unexplained.
    guide = (Path(__file__).parents[2] / "docs" / "worker.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", guide, flags=re.MULTILINE))
    assert {job.name for job in scheduled_jobs.JOBS} <= listed
