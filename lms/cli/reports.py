"""`flask lms assign-instructor` and `flask lms refresh-progress`: who teaches what, and the stored progress the
reports sort by."""

from __future__ import annotations

import click

from lms.cli.group import lms_cli
from lms.core.i18n import counted
from lms.services import accounts, completion, staffing


@lms_cli.command("assign-instructor")
@click.argument("slug")
@click.argument("email")
def assign_instructor(slug: str, email: str) -> None:
    """Make an instructor (by e-mail) staff of the course SLUG: its reports, authoring and attendance."""
    staffing.assign_instructor(None, slug, email)
    click.echo(f"{accounts.normalise_email(email)} is now an instructor of {slug} (reports, authoring, attendance).")


@lms_cli.command("refresh-progress")
@click.argument("slug")
def refresh_progress(slug: str) -> None:
    """Recompute the stored progress percentage (what the reports sort by) of every learner of the course SLUG."""
    changed = completion.refresh_stored_progress(None, slug)
    click.echo(f"Updated the stored progress of {counted(changed, 'learner')} of {slug}.")
