"""`flask lms cohort create|list|update|add-session` and `flask lms send-reminders`: thin wrappers over
lms.services.cohorts and lms.services.reminders. Attached to the `flask lms` group by lms.cli."""

from __future__ import annotations

from datetime import date, datetime

import click

from lms.cli.group import fail, lms_cli
from lms.core.admissions import Status
from lms.core.i18n import counted
from lms.core.packages import EnrolmentMode
from lms.services import cohorts, live_sessions, reminders

LOCAL = "YYYY-MM-DDTHH:MM, local time in the cohort's time zone"


@lms_cli.group("cohort")
def cohort_cli() -> None:
    """Create, list and change cohorts (runs of a course) and their live sessions."""


def _local(value: str | None, option: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date and time ({LOCAL}).")
    if moment.tzinfo is not None:
        fail(f"{option}: give a local time without an offset ({LOCAL}).")
    return moment


def _day(value: str | None, option: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (YYYY-MM-DD).")
    return None  # pragma: no cover (fail raised)


def _print(cohort) -> None:
    click.echo(f"{cohort.id:>4}  {cohort.key:<16} {cohort.name}  {cohort.starts_on} to {cohort.ends_on} "
               f"({cohort.timezone}, {cohort.enrolment_mode}"
               f"{', capacity ' + str(cohort.capacity) if cohort.capacity else ''})")


_MODES = click.Choice([mode.value for mode in EnrolmentMode])


@cohort_cli.command("create")
@click.option("--course", "course_slug", required=True, help="The course's slug.")
@click.option("--name", required=True)
@click.option("--timezone", required=True, help="IANA name, e.g. Europe/Madrid.")
@click.option("--starts-on", required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends-on", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--applications-open", help=f"When applications open ({LOCAL}).")
@click.option("--deadline", help=f"Application deadline; its minute is included ({LOCAL}).")
@click.option("--capacity", type=click.IntRange(min=1), help="Most participants (default: no limit).")
@click.option("--mode", type=_MODES, default=EnrolmentMode.APPLICATION.value, show_default=True,
              help="How people join.")
@click.option("--allow-late-attempts", is_flag=True, help="Allow quiz attempts after the last day.")
@click.option("--key", help="Stable key (default: generated).")
def create(course_slug, name, timezone, starts_on, ends_on, applications_open, deadline, capacity, mode,
           allow_late_attempts, key) -> None:
    """Create a cohort."""
    data = cohorts.CohortData(
        name=name, timezone=timezone, starts_on=_day(starts_on, "--starts-on"), ends_on=_day(ends_on, "--ends-on"),
        applications_open=_local(applications_open, "--applications-open"),
        application_deadline=_local(deadline, "--deadline"), capacity=capacity, enrolment_mode=mode,
        allow_late_attempts=allow_late_attempts, key=key)
    cohort = cohorts.create_cohort(None, course_slug, data)
    click.echo("Created:")
    _print(cohort)


@cohort_cli.command("list")
@click.option("--course", "course_slug", help="Only this course's cohorts.")
def list_command(course_slug: str | None) -> None:
    """List cohorts with their dates, sessions and participants."""
    summaries = cohorts.list_cohorts(None, course_slug)
    if not summaries:
        click.echo("No cohorts yet. Create one with: flask lms cohort create --course SLUG ...")
    for summary in summaries:
        _print(summary.cohort)
        pending = summary.applications.get(Status.SUBMITTED, 0)
        to_review = f", {counted(pending, 'application')} to review" if pending else ""
        click.echo(f"      {summary.course.slug}: {counted(summary.sessions, 'session')}, "
                   f"{counted(summary.enrolled, 'participant')}{to_review}")


@cohort_cli.command("update")
@click.argument("cohort_id", type=int)
@click.option("--name")
@click.option("--timezone", help="Changing it re-reads the opening and deadline as local times in the new zone.")
@click.option("--starts-on")
@click.option("--ends-on")
@click.option("--applications-open", help=f"{LOCAL}; 'none' removes it.")
@click.option("--deadline", help=f"{LOCAL}; 'none' removes it.")
@click.option("--capacity", help="A whole number, or 'none' for no limit.")
@click.option("--mode", type=_MODES)
@click.option("--allow-late-attempts/--no-late-attempts", default=None)
def update(cohort_id, name, timezone, starts_on, ends_on, applications_open, deadline, capacity, mode,
           allow_late_attempts) -> None:
    """Change some of a cohort's values; the others stay as they are."""
    cohort = cohorts.load_cohort(cohort_id)
    changes: dict = {}
    if name is not None:
        changes["name"] = name
    if timezone is not None:
        changes["timezone"] = timezone
    if starts_on is not None:
        changes["starts_on"] = _day(starts_on, "--starts-on")
    if ends_on is not None:
        changes["ends_on"] = _day(ends_on, "--ends-on")
    if applications_open is not None:
        changes["applications_open"] = None if applications_open == "none" else _local(applications_open,
                                                                                        "--applications-open")
    if deadline is not None:
        changes["application_deadline"] = None if deadline == "none" else _local(deadline, "--deadline")
    if capacity is not None:
        if capacity != "none" and not capacity.isdigit():
            fail("--capacity: give a whole number, or 'none'.")
        changes["capacity"] = None if capacity == "none" else int(capacity)
    if mode is not None:
        changes["enrolment_mode"] = mode
    if allow_late_attempts is not None:
        changes["allow_late_attempts"] = allow_late_attempts
    cohort = cohorts.update_cohort(None, cohort_id, cohorts.cohort_data(cohort, **changes))
    click.echo("Updated:")
    _print(cohort)


@cohort_cli.command("add-session")
@click.argument("cohort_id", type=int)
@click.option("--title", required=True)
@click.option("--starts-at", required=True, help=LOCAL)
@click.option("--ends-at", required=True, help=LOCAL)
@click.option("--timezone", help="Default: the cohort's.")
@click.option("--join-url", default="")
@click.option("--description", default="")
def add_session(cohort_id, title, starts_at, ends_at, timezone, join_url, description) -> None:
    """Add a live session to a cohort."""
    cohort = cohorts.load_cohort(cohort_id)
    row = live_sessions.add_session(None, cohort_id, live_sessions.SessionData(
        title=title, starts_at=_local(starts_at, "--starts-at"), ends_at=_local(ends_at, "--ends-at"),
        timezone=timezone or cohort.timezone, join_url=join_url, description=description))
    click.echo(f"Added session {row.id}: {row.title}, {row.starts_at:%Y-%m-%d %H:%M} UTC.")


@lms_cli.command("send-reminders")
@click.option("--hours", type=click.IntRange(min=1, max=24 * 14),
              help="Remind about sessions starting within this many hours (default: LMS_REMINDER_HOURS, 24).")
def send_reminders(hours: int | None) -> None:
    """Queue reminders to enrolled learners before each live session, now. The worker (`flask lms worker`) does
    this every 15 minutes by itself; each reminder is sent once, however often either runs."""
    run = reminders.send_reminders(hours_before=hours)
    click.echo(f"{run.outcome()} The worker delivers them.")
