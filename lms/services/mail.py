"""Outgoing mail. The backend comes from MAIL_BACKEND: "smtp" sends through the configured server, "file" writes each
message to instance/outbox/ (development and tests) and logs where it went."""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template

from lms.core import clock

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="lms.local")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send_template(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    """Render templates/mail/<template>.txt with the context and send it."""
    text = render_template(f"mail/{template}.txt", **context)
    return send(build_message(to, subject, text))


def send(message: EmailMessage) -> EmailMessage:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(message)
    elif backend == "file":
        _write_to_outbox(message)
    else:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}: use 'smtp' or 'file'")
    return message


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(message: EmailMessage) -> None:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if config["MAIL_USE_STARTTLS"]:
            client.starttls(context=context)
        if config["MAIL_USERNAME"]:
            client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        client.send_message(message)
    log.info("mail to %s (%s) sent through %s:%s", message["To"], message["Subject"], host, port)
