"""The outbox as people meet it: a bulk decision while the mail server is down, the administrators' page with retry
and discard, and the staff landing page's to-do count."""

from sqlalchemy import func, select

from lms.models import AuditEntry, OutboxMessage
from lms.models.outbox import FAILED, QUEUED, SENT
from lms.services import application_review, mail, outbox
from tests.cohort_factories import apply, make_cohort, publish_caring_cities
from tests.factories import make_learners
from tests.smtp_server import MailServer


def messages(db, **filters) -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)).scalars())


def test_a_bulk_decision_with_the_mail_server_down_queues_and_the_worker_delivers_once_each(
        app, client, db, make_user, login_as, monkeypatch):
    publish_caring_cities()
    cohort = make_cohort()
    applicants = make_learners(50)
    ids = [apply(applicant, cohort).id for applicant in applicants]
    db.session.execute(db.delete(OutboxMessage))  # the "application received" mail is not what this test counts
    db.session.commit()
    server = MailServer()  # not started: the mail server is down
    for key, value in server.settings().items():
        monkeypatch.setitem(app.config, key, value)
    login_as("admin")
    response = client.post(f"/staff/cohorts/{cohort.id}/applications/decide",
                           data={"application_ids": [str(i) for i in ids], "decision": "accepted", "note": ""})
    assert response.status_code == 302
    # The request talked to no mail server (so it does not wait on one): 50 messages queued, none tried yet. How
    # much faster that makes the request is measured in bench/bench_outbox.py, not asserted here.
    queued = messages(db, status=QUEUED)
    assert len(queued) == 50 and {(m.attempts, m.last_error) for m in queued} == {(0, None)}

    attempt = outbox.drain()  # the worker meets the closed port: the batch waits for a retry
    assert (attempt.sent, attempt.retrying, attempt.postponed) == (0, 1, 49)
    assert {m.attempts for m in messages(db)} == {0, 1}  # only the message that met the closed port counts a try
    server.start()
    try:
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=func.now()))
        db.session.commit()
        assert outbox.drain().sent == 50
        assert server.collector.recipients() == {applicant.email: 1 for applicant in applicants}
    finally:
        server.stop()
    assert len(messages(db, status=SENT)) == 50


def test_a_rolled_back_decision_leaves_no_message_and_a_committed_one_leaves_one(app, db, make_user):
    publish_caring_cities()
    cohort = make_cohort(capacity=1)
    first, second = (apply(make_user(), cohort) for _ in range(2))
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    admin = make_user("admin")
    with app.test_request_context():
        outcome = application_review.decide_many(admin, cohort.id, [first.id, second.id], "accepted")
    assert outcome.done == (first.id,) and [app_id for app_id, _ in outcome.refused] == [second.id]
    assert [m.recipient for m in messages(db)] == [first.email]  # the refused acceptance rolled back, mail and all


def _failed_message(db, to="gone@example.org") -> OutboxMessage:
    row = mail.enqueue(to, "Your application", "password_reset", user=None, link="x", minutes=5)
    row.status, row.attempts, row.last_error = FAILED, 8, "SMTPRecipientsRefused: 550 No such user here"
    db.session.commit()
    return row


def test_the_admin_page_shows_counts_the_oldest_age_and_failed_messages_with_their_error(
        client, db, login_as, count_queries):
    login_as("admin")
    _failed_message(db)
    mail.enqueue("waiting@example.org", "Waiting", "password_reset", user=None, link="x", minutes=5)
    db.session.commit()
    with count_queries() as queries:
        html = client.get("/admin/mail").get_data(as_text=True)
    assert "<dt>Queued</dt><dd>1</dd>" in html and "<dt>Failed</dt><dd>1</dd>" in html
    assert "gone@example.org" in html and "550 No such user here" in html
    assert "Oldest waiting</dt>\n  <dd>0 seconds" in html or "Oldest waiting</dt>\n  <dd>1 second" in html
    assert "Reminds enrolled learners before each live session" in html
    assert len(queries) <= 10, queries


def test_retry_queues_a_failed_message_again_and_is_audited(client, db, login_as, outbox):
    admin = login_as("admin")
    row = _failed_message(db, to="fixed@example.org")
    response = client.post(f"/admin/mail/{row.id}/retry", follow_redirects=True)
    assert "is queued again" in response.get_data(as_text=True)
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (QUEUED, 0, None)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "mail.retry")).scalar_one()
    assert entry.actor_id == admin.id and entry.details["to"] == "fixed@example.org"
    assert [m["To"] for m in outbox.messages] == ["fixed@example.org"]  # the worker delivers it


def test_discard_removes_a_failed_message_and_is_audited(client, db, login_as):
    login_as("admin")
    row = _failed_message(db)
    client.post(f"/admin/mail/{row.id}/discard")
    assert messages(db) == []
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "mail.discard")).scalar_one()
    assert entry.details["last_error"].startswith("SMTPRecipientsRefused")


def test_only_failed_messages_can_be_retried_or_discarded(client, db, login_as):
    login_as("admin")
    row = mail.enqueue("someone@example.org", "Waiting", "password_reset", user=None, link="x", minutes=5)
    db.session.commit()
    html = client.post(f"/admin/mail/{row.id}/discard", follow_redirects=True).get_data(as_text=True)
    assert "is queued, not failed: there is nothing to do." in html
    assert "There is no such message in the outbox." in client.post(
        "/admin/mail/999999/retry", follow_redirects=True).get_data(as_text=True)
    assert len(messages(db)) == 1


def test_the_staff_landing_page_counts_applications_waiting_for_review(client, db, make_user, login_as,
                                                                      count_queries):
    publish_caring_cities()
    cohort = make_cohort()
    for _ in range(3):
        apply(make_user(), cohort)
    login_as("admin")
    with count_queries() as queries:
        html = client.get("/staff/").get_data(as_text=True)
    assert "<strong>3 applications</strong> are waiting for review." in html
    assert len(queries) <= 8, queries


def test_instructors_who_do_not_review_see_no_count(client, db, make_user, login_as):
    publish_caring_cities()
    apply(make_user(), make_cohort())
    login_as("instructor")
    html = client.get("/staff/").get_data(as_text=True)
    assert "waiting for review" not in html


def test_asking_for_a_password_reset_with_the_mail_server_down_queues_the_link(app, client, db, make_user,
                                                                               monkeypatch):
    make_user(email="ana@example.org")
    for key, value in MailServer().settings().items():  # never started: nothing listens on its port
        monkeypatch.setitem(app.config, key, value)
    response = client.post("/reset-password", data={"email": "ana@example.org"})
    assert response.status_code == 302  # was a 500 when the request talked to the mail server itself
    assert [(m.recipient, m.subject, m.status) for m in messages(db)] == [
        ("ana@example.org", "Reset your password", QUEUED)]


def test_the_worker_page_words_what_each_job_did_in_its_readers_language(client, db, login_as):
    """A job's outcome is stored as a Phrase's data, not as the worker's English sentence (issue 15)."""
    from lms.services import scheduled_jobs
    from tests.factories import make_user

    scheduled_jobs.ensure_schedule()
    scheduled_jobs.run_due_jobs("test-worker")
    login_as(make_user("admin", preferred_language="es"))
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "0 solicitudes nuevas" in html, html
    assert "new applications announced" not in html
