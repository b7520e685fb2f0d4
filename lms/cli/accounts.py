"""`flask lms create-user`: accounts from the command line, thin over lms.services.accounts."""

from __future__ import annotations

import click

from lms.cli.group import lms_cli
from lms.models import Role
from lms.services import accounts


@lms_cli.command("create-user")
@click.option("--email", required=True, help="E-mail address; it is the log-in name.")
@click.option("--name", "display_name", help="Full name as it appears on certificates (default: the e-mail).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value, show_default=True)
@click.option("--organisation", default="", help="City, local government or organisation.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given; prefer the prompt, which keeps it out of the shell history.")
def create_user(email: str, display_name: str | None, role: str, organisation: str, password: str) -> None:
    """Create an account."""
    profile = accounts.Profile(display_name=display_name or email, organisation=organisation)
    user = accounts.create_user(email, password, profile, Role(role))
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
