"""The worker's recurring jobs, on a schedule kept in the database so that no cron entry is needed and exactly one
worker runs each occurrence, however many run.

A job is due when its ``next_run_at`` has passed. Of the workers that see it due, the one whose insert of
(job, due time) into scheduled_job_runs succeeds runs it; the others' inserts meet the unique constraint and they
move on. The same transaction moves ``next_run_at`` to the first time after now, so occurrences missed while no
worker ran are not run one after another. A worker that dies in the middle of a job leaves that occurrence
unfinished: every job catches up by itself at its next occurrence (reminders look ahead, the digest takes every
application not yet announced, refreshing and expiring look at everything).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, select, update

from lms import authz
from lms.core import clock
from lms.core.i18n import Nn_, Phrase
from lms.extensions import db
from lms.models import Course, CourseVersion, ScheduledJob, ScheduledJobRun, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import (
    accounts,
    application_review,
    completion,
    discussion_mail,
    outbox,
    reminders,
    stored_files,
)
from lms.services.errors import NotAllowed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], Phrase]  # given the time it runs at; returns what it did, worded for the reader later
    description: LazyString  # worded for whoever reads the worker page


def _counted(forms: tuple[str, str], num: int, **values) -> Phrase:
    singular, plural = forms
    return Phrase(singular, plural=plural, num=num, **values)


def _session_reminders(now: datetime) -> Phrase:
    return reminders.send_reminders(now=now).outcome()


def _reviewer_digest(now: datetime) -> Phrase:
    return _counted(Nn_("%(num)d new application announced to reviewers.",
                        "%(num)d new applications announced to reviewers."), application_review.notify_reviewers(now))


def _refresh_progress(now: datetime) -> Phrase:
    slugs = list(db.session.execute(
        select(Course.slug).join(CourseVersion, (CourseVersion.course_id == Course.id) & CourseVersion.is_current)
        .order_by(Course.slug)).scalars())
    changed = sum(completion.refresh_stored_progress(None, slug) for slug in slugs)
    return _counted(Nn_("%(num)d stored progress figure corrected in the published courses (%(courses)d).",
                        "%(num)d stored progress figures corrected in the published courses (%(courses)d)."),
                    changed, courses=len(slugs))


def _expire_stale_data(now: datetime) -> Phrase:
    cutoff = now - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    messages = outbox.expire_sent(cutoff)
    runs = db.session.execute(delete(ScheduledJobRun).where(ScheduledJobRun.started_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount
    logins = accounts.expire_logins(now - current_app.config["SESSION_ABSOLUTE_TIMEOUT"])
    db.session.commit()
    # Three sentences one after the other: a full stop ends each.
    return Phrase("%(messages)s %(runs)s %(logins)s", messages=_counted(Nn_(
        "%(num)d delivered message older than %(date)s removed.",
        "%(num)d delivered messages older than %(date)s removed."), messages, date=f"{cutoff:%Y-%m-%d}"),
        runs=_counted(Nn_("%(num)d job run record removed.", "%(num)d job run records removed."), runs),
        logins=_counted(Nn_("%(num)d log-in past the session limit ended.",
                            "%(num)d log-ins past the session limit ended."), logins))


def _discussion_digest(now: datetime) -> Phrase:
    return _counted(Nn_("%(num)d discussion digest queued.", "%(num)d discussion digests queued."),
                    discussion_mail.send_digests(now))


def _collect_unused_files(now: datetime) -> Phrase:
    collected = stored_files.collect_unused_files(now)
    return _counted(Nn_("%(num)d unused file deleted from the file store (%(megabytes).1f MB).",
                        "%(num)d unused files deleted from the file store (%(megabytes).1f MB)."),
                    collected.deleted, megabytes=collected.deleted_bytes / 1024 / 1024)


JOBS: tuple[Job, ...] = (
    Job("session_reminders", timedelta(minutes=15), _session_reminders,
        _l("Reminds enrolled learners before each live session (%(setting)s ahead).", setting="LMS_REMINDER_HOURS")),
    Job("reviewer_digest", timedelta(hours=1), _reviewer_digest,
        _l("Tells reviewers about applications that arrived since the last digest.")),
    Job("refresh_progress", timedelta(days=1), _refresh_progress,
        _l("Recomputes the stored progress percentages the learner reports sort by.")),
    Job("expire_stale_data", timedelta(days=1), _expire_stale_data,
        _l("Removes delivered messages and job records older than %(setting)s, and log-ins past the session limit.",
           setting="LMS_OUTBOX_KEEP_DAYS")),
    Job("discussion_digest", timedelta(days=1), _discussion_digest,
        _l("Mails the daily digest of followed discussions to those who chose it.")),
    Job("collect_unused_files", timedelta(days=1), _collect_unused_files,
        _l("Deletes the package files no course version uses, once %(setting)s hours have passed since they were "
           "stored.", setting="LMS_FILE_STORE_GRACE_HOURS")),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}



def ensure_schedule(now: datetime | None = None) -> None:
    """Give every job a row (due at once) the first time a worker starts; existing rows are left as they are."""
    now = now or clock.now()
    for job in JOBS:
        insert_ignoring_conflicts(db.session, ScheduledJob, {
            "name": job.name, "every_seconds": int(job.every.total_seconds()), "next_run_at": now}, ["name"])
    db.session.commit()


def next_occurrence(due: datetime, every: timedelta, now: datetime) -> datetime:
    """The first time after ``now`` on the job's grid (due, due + every, …)."""
    if due > now:
        return due
    return due + every * ((now - due) // every + 1)


def _claim(schedule: ScheduledJob, worker: str, now: datetime) -> bool:
    due = schedule.next_run_at
    claimed = insert_ignoring_conflicts(db.session, ScheduledJobRun, {
        "job_name": schedule.name, "due_at": due, "worker": worker, "started_at": now, "outcome": ""},
        ["job_name", "due_at"])
    if claimed:
        db.session.execute(
            update(ScheduledJob).where(ScheduledJob.name == schedule.name, ScheduledJob.next_run_at == due)
            .values(next_run_at=next_occurrence(due, timedelta(seconds=schedule.every_seconds), now))
            .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed


def run_due_jobs(worker: str, now: datetime | None = None) -> list[ScheduledJobRun]:
    """Run every job that is due and that no other worker took first. Returns the runs this worker did."""
    now = now or clock.now()
    due = list(db.session.execute(
        select(ScheduledJob).where(ScheduledJob.next_run_at <= now).order_by(ScheduledJob.next_run_at)).scalars())
    done = []
    for schedule in due:
        job = JOBS_BY_NAME.get(schedule.name)
        due_at = schedule.next_run_at
        if job is None or not _claim(schedule, worker, now):
            continue
        outcome, error = None, None
        try:
            outcome = job.run(now)
        except Exception as failure:  # a broken job is recorded and must not stop the worker or the other jobs
            db.session.rollback()
            error = f"{type(failure).__name__}: {failure}"[:2000]
            log.exception("scheduled job %s (due %s) failed", job.name, due_at)
        run = db.session.execute(select(ScheduledJobRun).where(
            ScheduledJobRun.job_name == job.name, ScheduledJobRun.due_at == due_at)).scalar_one()
        # Stored as the Phrase's data, so that the worker page words it in its reader's language.
        run.finished_at, run.error = clock.now(), error
        run.outcome = json.dumps(outcome.to_data(), ensure_ascii=False) if outcome is not None else ""
        db.session.commit()
        log.info("scheduled job %s: %s", job.name, error or outcome)
        done.append(run)
    return done


@dataclass(frozen=True)
class JobState:
    job: Job
    schedule: ScheduledJob | None
    last_run: ScheduledJobRun | None

    @property
    def outcome(self) -> Phrase | str:
        return run_outcome(self.last_run) if self.last_run is not None else ""


def run_outcome(run: ScheduledJobRun) -> Phrase | str:
    """What a run did: the Phrase it stored, or the English sentence of a run recorded before outcomes were."""
    if run.outcome.startswith("{"):
        return Phrase.from_data(json.loads(run.outcome))
    return run.outcome


def job_states(actor: User | None) -> list[JobState]:
    """Each job with its schedule and last run, for the admin page and `flask lms jobs` (``actor`` None: the
    operator at the command line)."""
    if actor is not None and not authz.can_manage_mail(actor):
        raise NotAllowed(_("Only administrators can see the scheduled jobs."))
    schedules = {row.name: row for row in db.session.execute(select(ScheduledJob)).scalars()}
    latest = (select(ScheduledJobRun.job_name, db.func.max(ScheduledJobRun.id).label("id"))
              .group_by(ScheduledJobRun.job_name).subquery())
    last_runs = {row.job_name: row for row in db.session.execute(
        select(ScheduledJobRun).join(latest, latest.c.id == ScheduledJobRun.id)).scalars()}
    return [JobState(job, schedules.get(job.name), last_runs.get(job.name)) for job in JOBS]
