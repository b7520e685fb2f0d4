"""Mail goes out through a real SMTP server started by the test, and to instance/outbox/ in development."""

import socket

import pytest
from aiosmtpd.controller import Controller

from lms.services import accounts, mail


class Collector:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()


def test_mail_is_sent_through_a_real_smtp_server(app, db, make_user, smtp_server, monkeypatch):
    controller, collector = smtp_server
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}.items():
        monkeypatch.setitem(app.config, key, value)
    user = make_user(display_name="김민수", email="minsu@example.org")
    with app.test_request_context():
        accounts.request_password_reset("minsu@example.org")
    assert len(collector.envelopes) == 1
    envelope = collector.envelopes[0]
    assert envelope.rcpt_tos == [user.email]
    text = envelope.content.decode()
    assert "Subject: Reset your password" in text
    assert "/reset-password/" in text


def test_file_backend_writes_the_message_to_the_outbox(app, db, outbox):
    with app.test_request_context():
        mail.send(mail.build_message("someone@example.org", "Grüße, 안녕하세요", "Body with ñ and 한글"))
    assert len(outbox) == 1
    message = outbox.messages[0]
    assert message["Subject"] == "Grüße, 안녕하세요"
    assert "한글" in outbox.last_body()


def test_an_unknown_backend_is_a_clear_error(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "pigeon")
    with app.test_request_context(), pytest.raises(ValueError, match="unknown MAIL_BACKEND 'pigeon'"):
        mail.send(mail.build_message("someone@example.org", "Hi", "Hello"))
