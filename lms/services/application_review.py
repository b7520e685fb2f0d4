"""The reviewer's side of applications: the review queue, one application's detail, decisions (one or many, each
under a row lock on the cohort so acceptances never overfill it) and the CSV export. The applicant's side is
lms.services.applications'.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, ngettext
from sqlalchemy import func, select, update

from lms import authz
from lms.core import admissions, clock, schedule
from lms.core.admissions import Status
from lms.core.csvsafe import csv_text
from lms.extensions import db
from lms.models import Application, ApplicationDecision, ApplicationLetter, Cohort, Course, User
from lms.services import applications, audit, cohorts, enrolments, links, mail, wording
from lms.services.applications import own_or_reviewer
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)


def _require_reviewer(actor: User | None) -> None:
    if actor is not None and not authz.can_review_applications(actor):
        raise NotAllowed(_("Only administrators can review applications."))


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    city: str = ""
    country: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class QueueRow:
    application: Application
    letter: tuple[str, int] | None


@dataclass(frozen=True)
class ReviewQueue:
    cohort: Cohort
    course: Course
    rows: tuple[QueueRow, ...]
    counts: dict[str, int]  # per status, for the whole cohort
    countries: tuple[str, ...]  # present in the cohort, for the filter
    seats_left: int | None


def _filtered(query, filters: QueueFilters):
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.country:
        query = query.where(Application.country == filters.country.upper())
    if filters.city:
        query = query.where(func.lower(Application.city).contains(filters.city.strip().lower(), autoescape=True))
    if filters.organisation:
        query = query.where(func.lower(Application.organisation).contains(filters.organisation.strip().lower(),
                                                                          autoescape=True))
    return query


def review_queue(actor: User, cohort_id: int, filters: QueueFilters = QueueFilters()) -> ReviewQueue:
    _require_reviewer(actor)
    cohort = cohorts.load_cohort(cohort_id)
    course, _version = cohorts.course_of(cohort)
    query = (select(Application, ApplicationLetter.filename, ApplicationLetter.size)
             .outerjoin(ApplicationLetter, ApplicationLetter.application_id == Application.id)
             .where(Application.cohort_id == cohort.id).order_by(Application.submitted_at, Application.id))
    rows = tuple(QueueRow(app, (name, size) if name else None)
                 for app, name, size in db.session.execute(_filtered(query, filters)).all())
    counts = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.cohort_id == cohort.id)
        .group_by(Application.status)).all())
    countries = tuple(db.session.execute(
        select(Application.country).distinct().where(Application.cohort_id == cohort.id)
        .order_by(Application.country)).scalars())
    left = schedule.seats_left(cohort.capacity, cohorts.taken_seats(cohort)) if cohort.capacity else None
    return ReviewQueue(cohort, course, rows, counts, countries, left)


@dataclass(frozen=True)
class HistoryEntry:
    decision: ApplicationDecision
    actor_name: str


@dataclass(frozen=True)
class ApplicationDetail:
    application: Application
    cohort: Cohort
    course: Course
    applicant: User
    letter: tuple[str, int, str] | None  # (file name, size, media type)
    history: tuple[HistoryEntry, ...]
    decisions: tuple[str, ...]  # the statuses staff may move it to


def application_detail(actor: User, application_id: int) -> ApplicationDetail:
    application = own_or_reviewer(actor, application_id)
    cohort = cohorts.load_cohort(application.cohort_id)
    course, _version = cohorts.course_of(cohort)
    letter = db.session.execute(
        select(ApplicationLetter.filename, ApplicationLetter.size, ApplicationLetter.media_type)
        .where(ApplicationLetter.application_id == application.id)).first()
    history = tuple(HistoryEntry(decision, name or "someone no longer registered")
                    for decision, name in db.session.execute(
                        select(ApplicationDecision, User.display_name)
                        .outerjoin(User, User.id == ApplicationDecision.actor_id)
                        .where(ApplicationDecision.application_id == application.id)
                        .order_by(ApplicationDecision.at, ApplicationDecision.id)).all())
    applicant = db.session.get(User, application.user_id)
    decisions = tuple(status.value for status in admissions.STAFF_DECISIONS
                      if admissions.staff_may_move(application.status, status))
    return ApplicationDetail(application, cohort, course, applicant, tuple(letter) if letter else None, history,
                             decisions if authz.can_review_applications(actor) else ())


def decide(actor: User | None, application_id: int, status: str, note: str = "",
           now: datetime | None = None) -> Application:
    """Accept, waitlist or reject one application, in one transaction. Accepting respects the cohort's capacity
    (counted under a row lock on the cohort) and enrols the applicant in the course and cohort."""
    _require_reviewer(actor)
    now = now or clock.now()
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid(_("Please keep the note under 2,000 characters."), field="note")
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("There is no such application."))
    cohort = cohorts.lock_cohort(application.cohort_id)
    application = db.session.execute(
        select(Application).where(Application.id == application_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    previous = application.status
    refusal = admissions.refusal_of_decision(previous, status) if status in {s.value for s in Status} else \
        f"Unknown decision {status!r}."
    if refusal:
        raise Conflict(wording.word(refusal))
    if status == Status.ACCEPTED and cohort.capacity is not None \
            and schedule.seats_left(cohort.capacity, cohorts.taken_seats(cohort)) == 0:
        raise Conflict(ngettext("%(cohort)s is full (%(num)d place). Waitlist the application instead, or raise "
                                "the capacity first.",
                                "%(cohort)s is full (%(num)d places). Waitlist the application instead, or raise "
                                "the capacity first.", cohort.capacity, cohort=cohort.name))
    application.status = status
    application.decided_at = now
    application.decided_by_id = actor.id if actor else None
    application.decision_note = note
    db.session.add(ApplicationDecision(application_id=application.id, actor_id=actor.id if actor else None,
                                       from_status=previous, to_status=status, note=note, at=now))
    audit.record(actor, "application.decide", "application", application.id,
                 {"status": {"from": previous, "to": status}, "note": note, "applicant": application.email,
                  "cohort_id": cohort.id})
    course, _version = cohorts.course_of(cohort)
    applicant = db.session.get(User, application.user_id)
    label = _l(admissions.STATUS_LABELS[Status(status)])  # marked in lms.core.admissions; worded for the applicant
    applications.mail_applicant(applicant, _l("Your application to %(cohort)s: %(status)s", cohort=cohort.name,
                                              status=label),
                                "application_decision", application=application, cohort=cohort, course=course,
                                label=label, course_url=links.course(course.slug))
    if status == Status.ACCEPTED:
        enrolments.enrol_user(applicant, course, cohort_id=cohort.id)
    db.session.commit()
    log.info("application %s: %s -> %s", application.id, previous, status)
    return application


@dataclass(frozen=True)
class BulkOutcome:
    done: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]


def decide_many(actor: User, cohort_id: int, application_ids: list[int], status: str, note: str = "",
                now: datetime | None = None) -> BulkOutcome:
    """The same decision for several applications, in the order they were submitted. Each is its own transaction:
    when the cohort fills up, the acceptances before stand and the rest are reported, not silently dropped."""
    _require_reviewer(actor)
    wanted = set(application_ids)
    ordered = [app_id for app_id in db.session.execute(
        select(Application.id).where(Application.cohort_id == cohort_id, Application.id.in_(wanted))
        .order_by(Application.submitted_at, Application.id)).scalars()]
    refused: list[tuple[int, str]] = [(app_id, "not an application of this cohort")
                                      for app_id in sorted(wanted - set(ordered))]
    done: list[int] = []
    for app_id in ordered:
        try:
            decide(actor, app_id, status, note, now)
        except (Conflict, Invalid, NotFound) as error:
            db.session.rollback()
            refused.append((app_id, error.message))
        else:
            done.append(app_id)
    return BulkOutcome(tuple(done), tuple(refused))


CSV_COLUMNS = ("id", "status", "submitted_at_utc", "full_name", "email", "organisation", "position", "city",
               "country", "language", "motivation", "letter_file", "letter_bytes", "decided_at_utc", "decided_by",
               "decision_note")


def export_csv(actor: User | None, cohort_id: int, filters: QueueFilters = QueueFilters()) -> str:
    _require_reviewer(actor)
    cohort = cohorts.load_cohort(cohort_id)
    deciders = (select(User.id, User.display_name).subquery())
    query = (select(Application, ApplicationLetter.filename, ApplicationLetter.size, deciders.c.display_name)
             .outerjoin(ApplicationLetter, ApplicationLetter.application_id == Application.id)
             .outerjoin(deciders, deciders.c.id == Application.decided_by_id)
             .where(Application.cohort_id == cohort.id).order_by(Application.submitted_at, Application.id))
    rows = ((app.id, app.status, app.submitted_at.isoformat(timespec="seconds"), app.full_name, app.email,
             app.organisation, app.position, app.city, app.country, app.language, app.motivation, filename or "",
             size or "", app.decided_at.isoformat(timespec="seconds") if app.decided_at else "", decider or "",
             app.decision_note)
            for app, filename, size, decider in db.session.execute(_filtered(query, filters)).all())
    return csv_text(CSV_COLUMNS, rows)


# Telling reviewers that applications arrived.


@dataclass(frozen=True)
class CohortArrivals:
    cohort: Cohort
    course_title: str
    applications: tuple[Application, ...]
    url: str


def notify_reviewers(now: datetime | None = None) -> int:
    """The reviewers' digest (a job of the worker, hourly): one message to each reviewer listing the applications
    submitted since the last digest, by cohort. Marking them and queueing the messages is one transaction, and the
    mark is set only where it was empty, so each application is announced once even if two runs overlap."""
    now = now or clock.now()
    ids = list(db.session.execute(
        update(Application).where(Application.reviewers_notified_at.is_(None),
                                  Application.status == Status.SUBMITTED.value)
        .values(reviewers_notified_at=now).returning(Application.id)
        .execution_options(synchronize_session=False)).scalars())
    if not ids:
        db.session.commit()
        return 0
    rows = db.session.execute(
        select(Application, Cohort).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.id.in_(ids)).order_by(Cohort.name, Cohort.id, Application.submitted_at, Application.id)
    ).all()
    by_cohort: dict[int, list[Application]] = {}
    cohorts_by_id: dict[int, Cohort] = {}
    for application, cohort in rows:
        by_cohort.setdefault(cohort.id, []).append(application)
        cohorts_by_id[cohort.id] = cohort
    groups = []
    for cohort_id, apps in by_cohort.items():
        course, version = cohorts.course_of(cohorts_by_id[cohort_id])
        groups.append(CohortArrivals(cohorts_by_id[cohort_id], version.title if version else course.slug,
                                     tuple(apps), links.application_queue(cohort_id)))
    reviewers = list(db.session.execute(
        select(User).where(User.active, User.role.in_(authz.APPLICATION_REVIEWER_ROLES)).order_by(User.id)).scalars())
    for reviewer in reviewers:
        subject = lazy_ngettext("Applications to review: %(num)d new", "Applications to review: %(num)d new", len(ids))
        mail.enqueue(reviewer, subject, "applications_digest",
                     reviewer=reviewer, groups=groups, total=len(ids))
    db.session.commit()
    log.info("reviewers told of new applications: %s, in %s messages", len(ids), len(reviewers))
    return len(ids)


def waiting_for_review(actor: User) -> int:
    """How many applications wait for a decision, over every cohort: the to-do count on the staff landing page."""
    if not authz.can_review_applications(actor):
        return 0
    return db.session.execute(
        select(func.count()).select_from(Application).where(Application.status == Status.SUBMITTED.value)).scalar_one()
