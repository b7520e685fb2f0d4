"""The `flask lms` group and the one place where a service refusal becomes a one-line message and exit status 1.

Commands live in one module per subject (lms/cli/accounts.py, courses.py, ...), which import this module; the package's
__init__ imports them all, so no module imports the package back (no import circle).
"""

from __future__ import annotations

from typing import NoReturn

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.services.errors import ServiceError


class LmsGroup(AppGroup):
    """The `flask lms` group: any ServiceError raised by a command (or a sub-group's command) is printed as
    "Error: <message>" with exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ServiceError as error:
            db.session.rollback()  # nothing half-done stays in the session, as lms.web.errors does for pages
            raise click.ClickException(error.message) from None


lms_cli = LmsGroup("lms", help="Manage the LMS-lite engine: accounts, courses and demo data.")


def fail(message: str) -> NoReturn:
    """Stop with a message and exit status 1, never a traceback (for problems the command finds itself)."""
    raise click.ClickException(message)


