"""Absolute addresses that leave the engine: in mails, calendars and credentials. One place builds them, from the
application's URL map (the same rules url_for reads), so a link can never point at a page that does not exist;
tests/services/test_links.py resolves each one. They work outside a request too (the worker, the CLI, cron)."""

from __future__ import annotations

from typing import Any

from flask import current_app


def base_url() -> str:
    """The engine's public address (BASE_URL), without a trailing slash: the id of its credentials' issuer."""
    return current_app.config["BASE_URL"].rstrip("/")


def absolute(endpoint: str, **values: Any) -> str:
    """BASE_URL followed by the path of an endpoint, as url_for builds it (an unknown endpoint raises BuildError)."""
    return base_url() + current_app.url_map.bind("").build(endpoint, values)


def course(slug: str) -> str:
    return absolute("learner.course", slug=slug)


def cohort_page(cohort_id: int) -> str:
    return absolute("programmes.cohort", cohort_id=cohort_id)


def application_queue(cohort_id: int) -> str:
    return absolute("staff.application_queue", cohort_id=cohort_id)


def calendar_feed(token: str) -> str:
    return absolute("programmes.feed", token=token)


def password_reset(token: str) -> str:
    return absolute("auth.reset_password", token=token)


def verify_certificate(public_id: str) -> str:
    return absolute("certificates.verify", public_id=public_id)


def my_certificates() -> str:
    return absolute("certificates.mine")


def issuer_document() -> str:
    return absolute("certificates.issuer_document")


def discussion_thread(thread_id: int) -> str:
    return absolute("discussions.thread", thread_id=thread_id)


def discussion_unsubscribe(token: str) -> str:
    return absolute("discussions.unsubscribe", token=token)
