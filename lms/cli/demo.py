"""`flask lms demo` and `flask lms seed-demo`: demo accounts, the demo instructor's courses, a demo cohort and a
population of demo learners, for a local trial and the reports' benchmark."""

from __future__ import annotations

import time
from datetime import date

import click

from lms.cli.group import lms_cli
from lms.models import Role
from lms.services import accounts, cohorts, demo_population

DEMO_PASSWORD = "demo-password-123"  # noqa: S105  (printed on purpose: demo accounts for a local trial)
DEMO_ACCOUNTS = (
    ("admin@example.org", "Ada Admin", Role.ADMIN, "Programme staff", "Barcelona", "ES"),
    ("instructor@example.org", "María José Núñez", Role.INSTRUCTOR, "UCLG Learning", "Bogotá", "CO"),
    ("learner@example.org", "김민수", Role.LEARNER, "Seoul Metropolitan Government", "Seoul", "KR"),
)


@lms_cli.command("demo")
def demo() -> None:
    """Create the demo admin, instructor and learner (if missing), print their log-ins, make the instructor an
    instructor of every imported course, and open a demo cohort."""
    for email, name, role, organisation, city, country in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            profile = accounts.Profile(display_name=name, organisation=organisation, city=city, country=country)
            accounts.create_user(email, DEMO_PASSWORD, profile, role)
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD})")
    for email, name, role, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<10} {email:<26} {name}")
    _demo_instructor()
    _demo_cohort()


def _demo_instructor() -> None:
    email = next(email for email, _, role, *_ in DEMO_ACCOUNTS if role == Role.INSTRUCTOR)
    slugs = demo_population.make_demo_instructor_staff(email)
    if slugs:
        click.echo(f"The demo instructor teaches {', '.join(slugs)}: authoring, attendance and reports.")


def _demo_cohort() -> None:
    """An open call for applications dated from today, so the learner can apply and the admin can accept."""
    cohort = cohorts.ensure_demo_cohort("caring-cities", date.today())
    if cohort is not None:
        click.echo(f"Demo cohort: {cohort.name}, {cohort.starts_on} to {cohort.ends_on}. Apply as the learner at "
                   f"/programmes/cohorts/{cohort.id}/apply, then accept as the admin at "
                   f"/staff/cohorts/{cohort.id}/applications")


@lms_cli.command("seed-demo")
@click.option("--learners", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many demo learners to add.")
@click.option("--course", "slug", default="caring-cities", show_default=True, help="The course's slug (published).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same data.")
def seed_demo(learners: int, slug: str, seed: int) -> None:
    """Add a realistic population of demo learners to a course: varied progress, quiz attempts with answers,
    attendance and certificates (for the progress reports and their benchmark)."""
    started = time.perf_counter()
    report = demo_population.seed_demo_population(slug, learners, seed)
    click.echo(f"Added {report.learners} learners to {slug} in {time.perf_counter() - started:.1f} s: "
               f"{report.lessons_completed} lesson completions, {report.attempts} quiz attempts, "
               f"{report.attendance} attendances, {report.completed} completions, "
               f"{report.certificates} certificates.")
