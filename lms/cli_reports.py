"""`flask lms seed-demo` and `flask lms assign-instructor`: demo learners for the reports, and who teaches what."""

from __future__ import annotations

import time

import click

from lms.cli import fail, lms_cli
from lms.services import demo_population, reports
from lms.services.errors import ServiceError


@lms_cli.command("seed-demo")
@click.option("--learners", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many demo learners to add.")
@click.option("--course", "slug", default="caring-cities", show_default=True, help="The course's slug (published).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same data.")
def seed_demo(learners: int, slug: str, seed: int) -> None:
    """Add a realistic population of demo learners to a course: varied progress, quiz attempts with answers,
    attendance and certificates (for the progress reports and their benchmark)."""
    started = time.perf_counter()
    try:
        report = demo_population.seed_demo_population(slug, learners, seed)
    except ServiceError as error:
        fail(error.message)
    click.echo(f"Added {report.learners} learners to {slug} in {time.perf_counter() - started:.1f} s: "
               f"{report.lessons_completed} lesson completions, {report.attempts} quiz attempts, "
               f"{report.attendance} attendances, {report.completed} completions, "
               f"{report.certificates} certificates.")


@lms_cli.command("assign-instructor")
@click.argument("slug")
@click.argument("email")
def assign_instructor(slug: str, email: str) -> None:
    """Make an instructor (by e-mail) staff of the course SLUG: its reports, authoring and attendance."""
    try:
        reports.assign_instructor(None, slug, email)
    except ServiceError as error:
        fail(error.message)
    click.echo(f"{email.strip().lower()} is now an instructor of {slug} (reports, authoring, attendance).")


@lms_cli.command("refresh-progress")
@click.argument("slug")
def refresh_progress(slug: str) -> None:
    """Recompute the stored progress percentage (what the reports sort by) of every learner of the course SLUG."""
    try:
        changed = reports.refresh_stored_progress(None, slug)
    except ServiceError as error:
        fail(error.message)
    click.echo(f"Updated the stored progress of {changed} learner(s) of {slug}.")
