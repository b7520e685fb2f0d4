"""Applications to a cohort with a letter of support: submit (on time, once), withdraw, review, decide, export.

Rules: deadlines and windows are lms.core.schedule's; statuses, moves and letter checks lms.core.admissions'; who may
see what lms.authz's. Invariants are held by the database: one application per person and cohort (a unique
constraint, so two simultaneous submissions leave one row), and seats are counted under a row lock on the cohort
(SELECT … FOR UPDATE), so simultaneous acceptances never overfill it. Every submission, decision and withdrawal is
appended to application_decisions with who and when, and the applicant is e-mailed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select, update

from lms import authz
from lms.core import admissions, locales, schedule
from lms.core.admissions import Status
from lms.core.csvsafe import csv_text
from lms.extensions import db
from lms.models import Application, ApplicationDecision, ApplicationLetter, Cohort, Course, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import audit, cohorts, learning, mail
from lms.services.errors import Conflict, Invalid, NotAllowed, NotFound

log = logging.getLogger(__name__)


class ApplicationsClosed(NotAllowed):
    """Outside the application window (not yet open, or past the deadline)."""


@dataclass(frozen=True)
class Answers:
    """What the applicant types. No e-mail address: we write only to the account's, which its owner confirmed, so
    the form can't be used to send our mail (with text someone typed) to anybody else."""

    full_name: str
    organisation: str
    position: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    language: str  # ISO 639-1
    motivation: str


@dataclass(frozen=True)
class LetterUpload:
    filename: str
    data: bytes


def _now() -> datetime:
    return datetime.now(UTC)


def _published_cohort(cohort_id: int) -> tuple[Cohort, Course]:
    cohort = cohorts.get_cohort(cohort_id)
    course, version = cohorts.course_of(cohort)
    if version is None:
        raise NotFound("There is no such cohort.")
    return cohort, course


def _clean_answers(answers: Answers) -> Answers:
    def text(value: str, field: str, label: str, limit: int) -> str:
        value = " ".join((value or "").split())
        if not value:
            raise Invalid(f"Please give your {label}.", field=field)
        if len(value) > limit:
            raise Invalid(f"Your {label} is too long (at most {limit} characters).", field=field)
        return value

    if not locales.is_country(answers.country or ""):
        raise Invalid("Please choose your country.", field="country")
    if not locales.is_language(answers.language or ""):
        raise Invalid("Please choose your preferred language.", field="language")
    motivation = (answers.motivation or "").strip()
    if len(motivation) < 20:
        raise Invalid("Please tell us in a few sentences why you want to take part.", field="motivation")
    if len(motivation) > 5000:
        raise Invalid("Please keep your motivation under 5,000 characters.", field="motivation")
    return Answers(
        full_name=text(answers.full_name, "full_name", "name", 200),
        organisation=text(answers.organisation, "organisation", "organisation", 200),
        position=text(answers.position, "position", "position", 200),
        city=text(answers.city, "city", "city", 120), country=answers.country, language=answers.language,
        motivation=motivation,
    )


def _checked_letter(letter: LetterUpload | None) -> tuple[admissions.LetterKind, bytes, str]:
    if letter is None:
        raise Invalid("Please upload the signed letter of support.", field="letter")
    try:
        kind = admissions.check_letter(letter.data, current_app.config["LETTER_MAX_BYTES"])
    except admissions.LetterRefused as error:
        raise Invalid(str(error), field="letter") from None
    return kind, letter.data, admissions.safe_filename(letter.filename, kind)


def application_refusal(cohort: Cohort, now: datetime | None = None) -> str | None:
    """Why nobody can apply to this cohort now; None when applications are open."""
    if cohort.enrolment_mode != "application":
        return "This cohort does not take applications."
    return schedule.application_refusal(cohorts.cohort_times(cohort), now or _now())


def find_application(user: User, cohort_id: int) -> Application | None:
    return db.session.execute(
        select(Application).where(Application.user_id == user.id, Application.cohort_id == cohort_id)
    ).scalar_one_or_none()


def submit_application(actor: User, cohort_id: int, answers: Answers, letter: LetterUpload | None,
                       now: datetime | None = None) -> Application:
    """Apply to a cohort, on time and once. A withdrawn application may be submitted again while applications are
    open (it is the same row, so one person still has one application per cohort)."""
    now = now or _now()
    cohort, course = _published_cohort(cohort_id)
    refusal = application_refusal(cohort, now)
    if refusal:
        raise ApplicationsClosed(refusal)
    clean = _clean_answers(answers)
    kind, data, filename = _checked_letter(letter)
    values = {"full_name": clean.full_name, "email": actor.email, "organisation": clean.organisation,
              "position": clean.position, "city": clean.city, "country": clean.country, "language": clean.language,
              "motivation": clean.motivation}
    inserted = insert_ignoring_conflicts(db.session, Application, {
        "user_id": actor.id, "cohort_id": cohort.id, "status": Status.SUBMITTED.value, "submitted_at": now,
        "decision_note": "", **values}, ["user_id", "cohort_id"])
    if not inserted:
        reopened = db.session.execute(
            update(Application).where(Application.user_id == actor.id, Application.cohort_id == cohort.id,
                                      Application.status == Status.WITHDRAWN.value)
            .values(status=Status.SUBMITTED.value, submitted_at=now, decided_at=None, decided_by_id=None,
                    decision_note="", **values)
        ).rowcount == 1
        if not reopened:
            db.session.rollback()
            raise Conflict("You have already applied to this cohort. See its status under \"My applications\".")
        _refuse_too_many_submissions(actor, cohort.id)
    application = db.session.execute(
        select(Application).where(Application.user_id == actor.id, Application.cohort_id == cohort.id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    db.session.execute(ApplicationLetter.__table__.delete().where(
        ApplicationLetter.application_id == application.id))
    db.session.add(ApplicationLetter(application_id=application.id, filename=filename, media_type=kind.media_type,
                                     size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                                     uploaded_at=now))
    db.session.add(ApplicationDecision(application_id=application.id, actor_id=actor.id,
                                       from_status=None if inserted else Status.WITHDRAWN.value,
                                       to_status=Status.SUBMITTED.value, note="", at=now))
    _mail_applicant(actor, f"We received your application to {cohort.name}", "application_received",
                    application=application, cohort=cohort, course=course)
    db.session.commit()
    log.info("application %s submitted to cohort %s", application.id, cohort.id)
    return application


# The applicant's side.


@dataclass(frozen=True)
class MyApplication:
    application: Application
    cohort: Cohort
    course: Course
    letter: tuple[str, int] | None  # (file name, size)
    may_withdraw: bool
    may_reapply: bool
    decided: bool  # the staff decided it (its note is for the applicant)


def my_applications(actor: User) -> list[MyApplication]:
    rows = db.session.execute(
        select(Application, Cohort, Course, ApplicationLetter.filename, ApplicationLetter.size)
        .join(Cohort, Cohort.id == Application.cohort_id).join(Course, Course.id == Cohort.course_id)
        .outerjoin(ApplicationLetter, ApplicationLetter.application_id == Application.id)
        .where(Application.user_id == actor.id).order_by(Application.submitted_at.desc())
    ).all()
    return [MyApplication(app, cohort, course, (name, size) if name else None,
                          admissions.applicant_may_withdraw(app.status), admissions.applicant_may_reapply(app.status),
                          admissions.is_staff_decision(app.status))
            for app, cohort, course, name, size in rows]


def my_application(actor: User, application_id: int) -> MyApplication:
    """One of the applicant's own applications (to confirm withdrawing it); NotFound for anyone else's."""
    for row in my_applications(actor):
        if row.application.id == application_id:
            return row
    raise NotFound("There is no such application.")


def blocks_a_new_application(application: Application | None) -> bool:
    """An application the person already has stops a new one, unless it may be sent again (withdrawn)."""
    return application is not None and not admissions.applicant_may_reapply(application.status)


def _own_or_reviewer(actor: User, application_id: int) -> Application:
    """The application, for its applicant or a reviewer; NotFound for anyone else (no hint it exists)."""
    application = db.session.get(Application, application_id)
    if application is None or not (application.user_id == actor.id or authz.can_review_applications(actor)):
        raise NotFound("There is no such application.")
    return application


def withdraw(actor: User, application_id: int, now: datetime | None = None) -> Application:
    now = now or _now()
    application = _own_or_reviewer(actor, application_id)
    if application.user_id != actor.id:
        raise NotAllowed("Only the applicant can withdraw an application.")
    previous = application.status
    if not admissions.applicant_may_withdraw(previous):
        raise Conflict(f"This application is {previous} and cannot be withdrawn.")
    changed = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == previous)
        .values(status=Status.WITHDRAWN.value, decided_at=now)
    ).rowcount == 1
    if not changed:
        db.session.rollback()
        raise Conflict("The application changed in the meantime. Reload the page.")
    db.session.add(ApplicationDecision(application_id=application.id, actor_id=actor.id, from_status=previous,
                                       to_status=Status.WITHDRAWN.value, note="Withdrawn by the applicant", at=now))
    cohort = cohorts.get_cohort(application.cohort_id)
    course, _ = cohorts.course_of(cohort)
    if previous == Status.ACCEPTED:
        enrolment = learning.active_enrolment(actor, course.id)
        if enrolment is not None and enrolment.cohort_id == cohort.id:
            learning.unenrol(actor, course.slug)  # commits, with the withdrawal above
    db.session.commit()
    db.session.refresh(application)
    return application


def letter_for(actor: User, application_id: int) -> ApplicationLetter:
    """The letter of support, for the applicant and administrators only; NotFound for everyone else."""
    application = db.session.get(Application, application_id)
    if application is None or not authz.can_read_letter(actor, application.user_id):
        raise NotFound("There is no such letter.")
    letter = db.session.execute(
        select(ApplicationLetter).where(ApplicationLetter.application_id == application.id)
    ).scalar_one_or_none()
    if letter is None:
        raise NotFound("There is no such letter.")
    return letter


# The reviewer's side.


def _require_reviewer(actor: User | None) -> None:
    if actor is not None and not authz.can_review_applications(actor):
        raise NotAllowed("Only administrators can review applications.")


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
    cohort = cohorts.get_cohort(cohort_id)
    course, _ = cohorts.course_of(cohort)
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
    application = _own_or_reviewer(actor, application_id)
    cohort = cohorts.get_cohort(application.cohort_id)
    course, _ = cohorts.course_of(cohort)
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
    now = now or _now()
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid("Please keep the note under 2,000 characters.", field="note")
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound("There is no such application.")
    cohort = cohorts.lock_cohort(application.cohort_id)
    application = db.session.execute(
        select(Application).where(Application.id == application_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    previous = application.status
    refusal = admissions.refusal_of_decision(previous, status) if status in {s.value for s in Status} else \
        f"Unknown decision {status!r}."
    if refusal:
        db.session.rollback()
        raise Conflict(refusal)
    if status == Status.ACCEPTED and cohort.capacity is not None \
            and schedule.seats_left(cohort.capacity, cohorts.taken_seats(cohort)) == 0:
        db.session.rollback()
        raise Conflict(f"{cohort.name} is full ({cohort.capacity} places). Waitlist the application instead, "
                       "or raise the capacity first.")
    application.status = status
    application.decided_at = now
    application.decided_by_id = actor.id if actor else None
    application.decision_note = note
    db.session.add(ApplicationDecision(application_id=application.id, actor_id=actor.id if actor else None,
                                       from_status=previous, to_status=status, note=note, at=now))
    audit.record(actor, "application.decide", "application", application.id,
                 {"status": {"from": previous, "to": status}, "note": note, "applicant": application.email,
                  "cohort_id": cohort.id})
    course, _ = cohorts.course_of(cohort)
    applicant = db.session.get(User, application.user_id)
    _mail_applicant(applicant,
                    f"Your application to {cohort.name}: {admissions.STATUS_LABELS[Status(status)].lower()}",
                    "application_decision", application=application, cohort=cohort, course=course,
                    label=admissions.STATUS_LABELS[Status(status)],
                    course_url=current_app.config["BASE_URL"].rstrip("/") + f"/courses/{course.slug}/")
    if status == Status.ACCEPTED:
        learning.enrol_user(applicant, course, cohort_id=cohort.id)  # commits, with the decision and its mail above
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
    cohort = cohorts.get_cohort(cohort_id)
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


def _refuse_too_many_submissions(actor: User, cohort_id: int) -> None:
    """Withdrawing and sending again is allowed a few times (a wrong letter), not without end: each sending mails
    the applicant and lands in the reviewers' queue."""
    limit = current_app.config["APPLICATION_MAX_SUBMISSIONS"]
    sent = db.session.execute(
        select(func.count()).select_from(ApplicationDecision).join(
            Application, Application.id == ApplicationDecision.application_id)
        .where(Application.user_id == actor.id, Application.cohort_id == cohort_id,
               ApplicationDecision.to_status == Status.SUBMITTED.value)).scalar_one()
    if sent >= limit:
        db.session.rollback()
        raise Conflict(f"You have sent an application to this cohort {sent} times, the most we accept. If you need "
                       "to change it, please write to the programme staff.")



def _mail_applicant(applicant: User, subject: str, template: str, **context: object) -> None:
    """Queue mail to the applicant's account address, and only once its owner confirmed it: never to an address
    typed in a form, so the site cannot be made to mail someone else text of the applicant's."""
    if not applicant.email_verified:
        log.warning("no %s mail to user %s: the address is not confirmed", template, applicant.id)
        return
    mail.enqueue(applicant.email, subject, template, **context)


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
    now = now or _now()
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
    base = current_app.config["BASE_URL"].rstrip("/")
    groups = []
    for cohort_id, apps in by_cohort.items():
        course, version = cohorts.course_of(cohorts_by_id[cohort_id])
        groups.append(CohortArrivals(cohorts_by_id[cohort_id], version.title if version else course.slug,
                                     tuple(apps), f"{base}/staff/cohorts/{cohort_id}/applications"))
    reviewers = [user for user in db.session.execute(
        select(User).where(User.active, User.role == "admin").order_by(User.id)).scalars()
        if authz.can_review_applications(user)]
    for reviewer in reviewers:
        mail.enqueue(reviewer.email, f"Applications to review: {len(ids)} new", "applications_digest",
                     reviewer=reviewer, groups=groups, total=len(ids))
    db.session.commit()
    log.info("reviewers told of %s new application(s): %s message(s)", len(ids), len(reviewers))
    return len(ids)


def waiting_for_review(actor: User) -> int:
    """How many applications wait for a decision, over every cohort: the to-do count on the staff landing page."""
    if not authz.can_review_applications(actor):
        return 0
    return db.session.execute(
        select(func.count()).select_from(Application).where(Application.status == Status.SUBMITTED.value)).scalar_one()

