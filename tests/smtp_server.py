"""A real SMTP server for tests and benchmarks: aiosmtpd on a loopback port, counting what it accepts.

``MailServer(port=0)`` picks a free port; ``stop()`` and ``start()`` again on the same port play "the mail server is
down for a while". ``delay`` makes it slow to answer. ``drop_first`` makes the server hang up after receiving DATA
for the first N messages, without answering, as a server that crashes mid-conversation does: the client cannot know
whether the message arrived.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self, drop_first: int = 0, delay: float = 0.0) -> None:
        self.drop_first = drop_first
        self.delay = delay  # seconds before answering each DATA: a slow server
        self.lock = threading.Lock()
        self.accepted: list[tuple[list[str], bytes]] = []
        self.received_ids: list[str] = []  # every DATA received, accepted or dropped

    async def handle_DATA(self, server, session, envelope):
        message_id = _message_id(envelope.content)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received_ids.append(message_id)
            if self.drop_first > 0:
                self.drop_first -= 1
                server.transport.close()  # hang up without answering: the client sees the connection drop
                return None
            self.accepted.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def accepted_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(_message_id(content) for _, content in self.accepted)

    def recipients(self) -> Counter[str]:
        with self.lock:
            return Counter(rcpt for rcpts, _ in self.accepted for rcpt in rcpts)

    def messages(self):
        with self.lock:
            return [message_from_bytes(content, policy=policy.default) for _, content in self.accepted]


def _message_id(content: bytes) -> str:
    return str(message_from_bytes(content, policy=policy.default)["Message-ID"])


class MailServer:
    def __init__(self, port: int = 0, drop_first: int = 0, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.collector = Collector(drop_first, delay)
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict[str, object]:
        """The app configuration that sends through this server."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}
