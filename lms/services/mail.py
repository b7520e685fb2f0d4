"""Outgoing mail, one way: a service *enqueues* a message with ``enqueue`` (a row in outbox_messages, added to the
caller's transaction), and `flask lms worker` delivers it (lms.services.outbox). If the action rolls back, the
message is gone with it; if it commits, the message will be delivered. No service talks to the mail server.

The backend comes from MAIL_BACKEND: "smtp" sends through the configured server, "file" writes each message to
instance/outbox/ as an .eml file (development and tests) and logs where it went.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from lms.core import clock
from lms.extensions import db
from lms.models import OutboxMessage, SignedInUser, User
from lms.models.outbox import QUEUED
from lms.services import links, wording

log = logging.getLogger(__name__)

SUBJECT_MAX = 500


def enqueue(to: User | SignedInUser | str, subject: object, template: str, *, list_unsubscribe: str | None = None,
            **context: object) -> OutboxMessage:
    """Render templates/mail/<template>.txt with the context and queue it for the person ``to``, in the caller's
    transaction (the caller commits). The Message-ID is fixed now, so every delivery attempt carries the same one.

    The message is written in the recipient's language, whoever sends it and from where (a page in another
    language, the worker, a command): ``subject`` is a lazy string (``lazy_gettext``) and both it and the body are
    worded inside ``force_locale`` of the recipient's interface language (lms.core.locales.interface_language of their
    preferred language; the site default when the interface does not speak it, or when ``to`` is only an address).
    Templates give times with ``local_time(zone)`` in the zone they name (the recipient's or the cohort's).
    A template that also has an ``.html`` version (mail/<template>.html, autoescaped) is sent with it as the HTML
    alternative; the text stays the first part, for mail programs that show only text.
    ``list_unsubscribe``: the one-click unsubscribe address of a message the person may stop (RFC 8058)."""
    language = recipient_language(to)
    with force_locale(language):
        subject_text = str(subject)
        body = render_template(f"mail/{template}.txt", recipient_language=language, **context)
        html_body = _html_part(template, recipient_language=language, **context)
    now = clock.now()
    message = OutboxMessage(
        message_id=make_msgid(domain=_message_id_domain()), template=template,
        recipient=to if isinstance(to, str) else to.email,
        subject=subject_text[:SUBJECT_MAX], text_body=body, html_body=html_body, status=QUEUED,
        attempts=0, created_at=now, next_attempt_at=now, list_unsubscribe=list_unsubscribe)
    db.session.add(message)
    return message


def _html_part(template: str, **context: object) -> str | None:
    try:
        return render_template(f"mail/{template}.html", **context)
    except TemplateNotFound:
        return None


def recipient_language(person: User | SignedInUser | str) -> str:
    """The interface language a person's mail is written in (the site default for a bare address)."""
    return wording.language_of(None if isinstance(person, str) else person)


def _message_id_domain() -> str:
    """The site's host name (from BASE_URL), so Message-IDs are unique to this site without asking DNS."""
    return urlsplit(links.base_url()).hostname or "lms.local"


def build_message(row: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    if row.list_unsubscribe:  # RFC 8058: a mail program may offer "unsubscribe" and POST to it, with no page to open
        message["List-Unsubscribe"] = f"<{row.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


# Transports: what the worker hands a message to. One is opened per batch, so that a batch over SMTP uses one
# connection instead of one conversation per message.


class MailServerUnreachable(ConnectionError):
    """No conversation with the mail server could be started: every other message would meet the same."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def open_transport() -> Transport:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        return SmtpTransport(current_app.config)
    if backend == "file":
        return FileTransport(outbox_dir())
    raise ValueError(f"unknown MAIL_BACKEND {backend!r}: use 'smtp' or 'file'")


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


class FileTransport:
    """Development and tests: each message becomes an .eml file that any mail program opens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        path.write_bytes(message.as_bytes())
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)

    def close(self) -> None:
        """Nothing to close: each message is its own file."""


class SmtpTransport:
    """One SMTP connection, opened at the first message and reused; after any error it is dropped, so that the next
    message starts on a fresh connection."""

    def __init__(self, config) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if config["MAIL_USE_SSL"]:
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if config["MAIL_USE_STARTTLS"]:
                client.starttls(context=context)
            if config["MAIL_USERNAME"]:
                client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, message: EmailMessage) -> None:
        if self.client is None:
            try:
                self.client = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                raise MailServerUnreachable(f"{type(error).__name__}: {error}") from error
        try:
            self.client.send_message(message)
        except BaseException:
            self.client.close()
            self.client = None
            raise
        log.info("mail to %s (%s) sent through %s:%s", message["To"], message["Subject"], self.config["MAIL_SERVER"],
                 self.config["MAIL_PORT"])

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()  # the messages are sent; a QUIT that fails changes nothing
            self.client = None


def is_permanent(error: BaseException) -> bool:
    """A refusal that another attempt would meet again: the server answered 5xx for the recipient or the content.
    Everything else (no connection, a timeout, a dropped connection, 4xx) is worth another try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500
