"""Builders for test data. Each goes through the same service a real user would, so rules are never bypassed."""

from __future__ import annotations

import itertools
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from lms.models import Role, User
from lms.services import accounts

DEFAULT_PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def make_user(role: str | Role = Role.LEARNER, email: str | None = None, password: str = DEFAULT_PASSWORD,
              **profile: str) -> User:
    number = next(_sequence)
    profile.setdefault("display_name", f"Test {Role(role).value} {number}")
    return accounts.create_user(email or f"{Role(role).value}{number}@example.org", password,
                                accounts.Profile(**profile), Role(role))


class Outbox:
    """The messages the "file" mail backend wrote to instance/outbox/, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def clear(self) -> None:
        if self.folder.exists():
            for path in self.folder.glob("*.eml"):
                path.unlink()

    @property
    def messages(self) -> list[EmailMessage]:
        if not self.folder.exists():
            return []
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.folder.glob("*.eml"))]

    def __len__(self) -> int:
        return len(self.messages)

    def last_body(self) -> str:
        return self.messages[-1].get_body(preferencelist=("plain",)).get_content()
