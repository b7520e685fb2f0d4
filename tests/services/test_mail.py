"""Mail is queued in the caller's transaction and delivered by the outbox: through a real SMTP server started by the
test, or to instance/outbox/ in development."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.models import OutboxMessage
from lms.models.outbox import FAILED, QUEUED, SENT
from lms.services import accounts, mail, outbox
from tests.smtp_server import MailServer


@pytest.fixture
def smtp_server(app, monkeypatch):
    server = MailServer().start()
    for key, value in server.settings().items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def queued(db) -> list[OutboxMessage]:
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_mail_is_queued_then_sent_through_a_real_smtp_server(app, db, make_user, smtp_server):
    user = make_user(display_name="김민수", email="minsu@example.org")
    with app.test_request_context():
        accounts.request_password_reset("minsu@example.org")
    assert smtp_server.collector.accepted == []  # the request only queued it
    assert [row.status for row in queued(db)] == [QUEUED]
    assert outbox.drain().sent == 1
    (rcpts, content), = smtp_server.collector.accepted
    assert rcpts == [user.email]
    text = content.decode()
    assert "Subject: Reset your password" in text
    assert "/reset-password/" in text
    assert f"Message-ID: {queued(db)[0].message_id}" in text
    assert queued(db)[0].status == SENT


def test_file_backend_writes_the_message_to_the_outbox(app, db, outbox):
    with app.test_request_context():
        mail.enqueue("someone@example.org", "Grüße, 안녕하세요", "password_reset", user=None, link="ñ 한글", minutes=5)
        db.session.commit()
    assert len(outbox) == 1
    message = outbox.messages[0]
    assert message["Subject"] == "Grüße, 안녕하세요"
    assert "한글" in outbox.last_body()


def test_an_unknown_backend_is_recorded_on_the_message(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "pigeon")
    with app.test_request_context():
        mail.enqueue("someone@example.org", "Hi", "password_reset", user=None, link="x", minutes=5)
        db.session.commit()
    with pytest.raises(ValueError, match="unknown MAIL_BACKEND 'pigeon'"):
        outbox.drain()


def test_a_rolled_back_action_leaves_no_message_and_a_committed_one_leaves_one(app, db, make_user):
    learner = make_user()
    with app.test_request_context():
        mail.enqueue(learner.email, "Rolled back", "password_reset", user=learner, link="x", minutes=5)
        learner.display_name = "Changed and rolled back"
        db.session.rollback()
        assert queued(db) == []
        assert learner.display_name != "Changed and rolled back"
        mail.enqueue(learner.email, "Committed", "password_reset", user=learner, link="x", minutes=5)
        learner.display_name = "Changed and committed"
        db.session.commit()
    assert [row.subject for row in queued(db)] == ["Committed"]


def test_a_connection_dropped_after_data_is_retried_and_delivered_once_with_the_same_message_id(app, db, make_user,
                                                                                              monkeypatch):
    server = MailServer(drop_first=1).start()
    try:
        for key, value in server.settings().items():
            monkeypatch.setitem(app.config, key, value)
        make_user(email="ana@example.org")
        with app.test_request_context():
            accounts.request_password_reset("ana@example.org")
        first = outbox.drain()
        assert (first.sent, first.retrying) == (0, 1)
        row = queued(db)[0]
        assert row.status == QUEUED and row.attempts == 1 and "SMTPServerDisconnected" in row.last_error
        wait = row.next_attempt_at - datetime.now(UTC)
        assert timedelta(seconds=10) <= wait <= timedelta(seconds=31)  # half to all of the 30 s first step
        assert outbox.drain().sent == 0  # not due yet
        row.next_attempt_at = datetime.now(UTC)
        db.session.commit()
        assert outbox.drain().sent == 1
        assert server.collector.recipients() == {"ana@example.org": 1}
        # Both attempts carried the same Message-ID: a server that did get the first could tell it is a repeat.
        assert server.collector.received_ids == [row.message_id, row.message_id]
    finally:
        server.stop()


def test_after_the_last_attempt_a_message_is_failed_with_its_error(app, db, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9}.items():
        monkeypatch.setitem(app.config, key, value)  # nothing listens on port 9: the connection is refused
    make_user(email="ana@example.org")
    with app.test_request_context():
        accounts.request_password_reset("ana@example.org")
    for _ in range(2):
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        outbox.drain()
    row = queued(db)[0]
    db.session.refresh(row)
    assert (row.status, row.attempts) == (FAILED, 2)
    assert "Connection refused" in row.last_error


class RefusingRecipient:
    async def handle_RCPT(self, server, session, envelope, address, options):
        return "550 No such user here"


def test_a_recipient_the_server_refuses_for_good_fails_at_once(app, db, make_user, monkeypatch):
    from aiosmtpd.controller import Controller

    from tests.smtp_server import free_port

    controller = Controller(RefusingRecipient(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}.items():
            monkeypatch.setitem(app.config, key, value)
        make_user(email="gone@example.org")
        with app.test_request_context():
            accounts.request_password_reset("gone@example.org")
        assert outbox.drain().failed == 1
    finally:
        controller.stop()
    row = queued(db)[0]
    assert (row.status, row.attempts) == (FAILED, 1) and "550" in row.last_error

