"""The `flask lms ...` commands: thin wrappers that parse arguments, call one service and print the outcome."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.models import Role
from lms.services import accounts
from lms.services.errors import ServiceError

lms_cli = AppGroup("lms", help="Manage the LMS-lite engine: accounts, courses and demo data.")

DEMO_PASSWORD = "demo-password-123"  # noqa: S105  (printed on purpose: demo accounts for a local trial)
DEMO_ACCOUNTS = (
    ("admin@example.org", "Ada Admin", Role.ADMIN, "Programme staff", "Barcelona", "ES"),
    ("instructor@example.org", "María José Núñez", Role.INSTRUCTOR, "UCLG Learning", "Bogotá", "CO"),
    ("learner@example.org", "김민수", Role.LEARNER, "Seoul Metropolitan Government", "Seoul", "KR"),
)


def fail(message: str) -> None:
    """Stop with a message and exit status 1, never a traceback."""
    raise click.ClickException(message)


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
    try:
        user = accounts.create_user(email, password, profile, Role(role))
    except ServiceError as error:
        fail(error.message)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@lms_cli.command("demo")
def demo() -> None:
    """Create the demo admin, instructor and learner (if missing) and print their log-ins."""
    for email, name, role, organisation, city, country in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            profile = accounts.Profile(display_name=name, organisation=organisation, city=city, country=country)
            accounts.create_user(email, DEMO_PASSWORD, profile, role)
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD})")
    for email, name, role, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<10} {email:<26} {name}")
