"""`flask lms worker` and `flask lms jobs`: thin wrappers over lms.worker, lms.services.outbox and
lms.services.scheduled_jobs. Attached to the `flask lms` group by lms.cli."""

from __future__ import annotations

import click
from flask import current_app

from lms.cli.group import fail, lms_cli
from lms.core.i18n import counted
from lms.services import outbox, scheduled_jobs
from lms.worker import AnotherWorkerRunning, Worker, single_worker_on_sqlite, worker_name


@lms_cli.command("worker")
@click.option("--once", is_flag=True,
              help="Run the jobs that are due and deliver every message that is due now, then exit.")
def worker_command(once: bool) -> None:
    """Deliver queued e-mail (with retries) and run the scheduled jobs (reminders, the reviewers' digest, progress
    refresh, expiry) until stopped with SIGTERM or Ctrl+C. Run one or more next to the web server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        if once:
            with single_worker_on_sqlite(app):
                name = worker_name()
                scheduled_jobs.ensure_schedule()
                runs = scheduled_jobs.run_due_jobs(name)
                delivery = outbox.drain(name)
            for run in runs:
                click.echo(f"{run.job_name}: {run.error or scheduled_jobs.run_outcome(run)}")
            click.echo(f"{counted(delivery.sent, 'message')} sent, {delivery.retrying} to retry later, "
                       f"{delivery.failed} failed.")
            return
        Worker(app).run()
    except AnotherWorkerRunning as error:
        fail(str(error))


@lms_cli.command("jobs")
def jobs_command() -> None:
    """List the scheduled jobs: how often each runs, when next, and how its last run went."""
    for state in scheduled_jobs.job_states(None):
        schedule, last = state.schedule, state.last_run
        due = f"next {schedule.next_run_at:%Y-%m-%d %H:%M} UTC" if schedule else "not scheduled yet (start a worker)"
        click.echo(f"{state.job.name:<18} every {_every(schedule.every_seconds if schedule else None, state)}, {due}")
        if last is not None:
            result = f"failed: {last.error}" if last.error else (str(state.outcome) or "running")
            click.echo(f"  last run {last.started_at:%Y-%m-%d %H:%M} UTC by {last.worker}: {result}")


def _every(seconds: int | None, state: scheduled_jobs.JobState) -> str:
    seconds = seconds or int(state.job.every.total_seconds())
    if seconds % 86400 == 0:
        return counted(seconds // 86400, "day")
    if seconds % 3600 == 0:
        return counted(seconds // 3600, "hour")
    return counted(seconds // 60, "minute")
