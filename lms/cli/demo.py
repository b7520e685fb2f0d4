"""`flask lms demo` and `flask lms seed-demo`: demo accounts, the demo instructor's courses, a demo cohort and a
population of demo learners, for a local trial and the reports' benchmark. The data comes from lms.demo."""

from __future__ import annotations

import time

import click

from lms.cli.group import lms_cli
from lms.core import clock
from lms.demo import accounts as demo_accounts
from lms.demo import cohort as demo_cohort
from lms.demo import population


@lms_cli.command("demo")
def demo() -> None:
    """Create the demo admin, instructor and learner (if missing), print their log-ins, make the instructor an
    instructor of every imported course, and open a demo cohort."""
    demo_accounts.ensure_demo_accounts()
    click.echo(f"Demo accounts (password for each: {demo_accounts.DEMO_PASSWORD})")
    for email, name, role, *_ in demo_accounts.DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<10} {email:<26} {name}")
    slugs = demo_accounts.make_demo_instructor_staff()
    if slugs:
        click.echo(f"The demo instructor teaches {', '.join(slugs)}: authoring, attendance and reports.")
    # An open call for applications dated from today, so the learner can apply and the admin can accept.
    cohort = demo_cohort.ensure_demo_cohort("caring-cities", clock.now().date())
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
    report = population.seed_demo_population(slug, learners, seed)
    click.echo(f"Added {report.learners} learners to {slug} in {time.perf_counter() - started:.1f} s: "
               f"{report.lessons_completed} lesson completions, {report.attempts} quiz attempts, "
               f"{report.attendance} attendances, {report.completed} completions, "
               f"{report.certificates} certificates.")
