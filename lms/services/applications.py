"""Applications to a cohort with a letter of support: the applicant's side
(submit on time and once, withdraw, the letter). Reviewing, deciding and exporting are
lms.services.application_review's.

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
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update

from lms import authz
from lms.core import admissions, clock, locales, schedule
from lms.core.admissions import Status
from lms.core.packages import EnrolmentMode
from lms.extensions import db
from lms.models import Application, ApplicationDecision, ApplicationLetter, Cohort, Course, User
from lms.models.upsert import insert_ignoring_conflicts
from lms.services import cohort_pages, cohorts, enrolments, mail, wording
from lms.services.cohort_pages import CohortPage
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


def _published_cohort(cohort_id: int) -> tuple[Cohort, Course]:
    cohort = cohorts.load_cohort(cohort_id)
    course, version = cohorts.course_of(cohort)
    if version is None:
        raise NotFound(_("There is no such cohort."))
    return cohort, course


def _clean_answers(answers: Answers) -> Answers:
    def text(value: str, field: str, missing: str, too_long: str, limit: int) -> str:
        value = " ".join((value or "").split())
        if not value:
            raise Invalid(missing, field=field)
        if len(value) > limit:
            raise Invalid(too_long % {"num": limit}, field=field)
        return value

    if not locales.is_country(answers.country or ""):
        raise Invalid(_("Please choose your country."), field="country")
    if not locales.is_language(answers.language or ""):
        raise Invalid(_("Please choose your preferred language."), field="language")
    motivation = (answers.motivation or "").strip()
    if len(motivation) < 20:
        raise Invalid(_("Please tell us in a few sentences why you want to take part."), field="motivation")
    if len(motivation) > 5000:
        raise Invalid(_("Please keep your motivation under 5,000 characters."), field="motivation")
    return Answers(
        full_name=text(answers.full_name, "full_name", _("Please give your name."),
                       _("Your name is too long (at most %(num)d characters)."), 200),
        organisation=text(answers.organisation, "organisation", _("Please give your organisation."),
                          _("Your organisation is too long (at most %(num)d characters)."), 200),
        position=text(answers.position, "position", _("Please give your position."),
                      _("Your position is too long (at most %(num)d characters)."), 200),
        city=text(answers.city, "city", _("Please give your city."),
                  _("Your city is too long (at most %(num)d characters)."), 120),
        country=answers.country, language=answers.language,
        motivation=motivation,
    )


def _checked_letter(letter: LetterUpload | None) -> tuple[admissions.LetterKind, bytes, str]:
    if letter is None:
        raise Invalid(_("Please upload the signed letter of support."), field="letter")
    try:
        kind = admissions.check_letter(letter.data, current_app.config["LETTER_MAX_BYTES"])
    except admissions.LetterRefused as error:
        raise Invalid(wording.word(error.phrase), field="letter") from None
    return kind, letter.data, admissions.safe_filename(letter.filename, kind)


def application_refusal(cohort: Cohort, now: datetime | None = None) -> str | None:
    """Why nobody can apply to this cohort now; None when applications are open."""
    if cohort.enrolment_mode != EnrolmentMode.APPLICATION:
        return _("This cohort does not take applications.")
    refusal = schedule.application_refusal(cohorts.cohort_times(cohort), now or clock.now())
    return wording.word(refusal) if refusal else None


@dataclass(frozen=True)
class ApplyPage:
    """What the application form page shows: the cohort, the applicant's earlier application (a withdrawn one
    pre-fills the form), whether it blocks a new one, and why nobody can apply now (None while open)."""

    cohort_page: CohortPage
    existing: Application | None
    already_applied: bool
    refusal: str | None
    eligibility_html: str


def apply_page(actor: User, cohort_id: int) -> ApplyPage:
    page = cohort_pages.cohort_page(actor, cohort_id)
    existing = find_application(actor, cohort_id)
    eligibility = page.version.manifest.get("eligibility_html", "") if page.version else ""
    return ApplyPage(page, existing, blocks_a_new_application(existing), application_refusal(page.cohort),
                     eligibility)


def find_application(user: User, cohort_id: int) -> Application | None:
    return db.session.execute(
        select(Application).where(Application.user_id == user.id, Application.cohort_id == cohort_id)
    ).scalar_one_or_none()


def submit_application(actor: User, cohort_id: int, answers: Answers, letter: LetterUpload | None,
                       now: datetime | None = None) -> Application:
    """Apply to a cohort, on time and once. A withdrawn application may be submitted again while applications are
    open (it is the same row, so one person still has one application per cohort)."""
    now = now or clock.now()
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
            raise Conflict(_("You have already applied to this cohort. See its status under \"My applications\"."))
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
    mail_applicant(actor, _l("We received your application to %(cohort)s", cohort=cohort.name), "application_received",
                   application=application, cohort=cohort, course=course)
    db.session.commit()
    log.info("application %s submitted to cohort %s", application.id, cohort.id)
    return application


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
    raise NotFound(_("There is no such application."))


def blocks_a_new_application(application: Application | None) -> bool:
    """An application the person already has stops a new one, unless it may be sent again (withdrawn)."""
    return application is not None and not admissions.applicant_may_reapply(application.status)


def own_or_reviewer(actor: User, application_id: int) -> Application:
    """The application, for its applicant or a reviewer; NotFound for anyone else (no hint it exists)."""
    application = db.session.get(Application, application_id)
    if application is None or not (application.user_id == actor.id or authz.can_review_applications(actor)):
        raise NotFound(_("There is no such application."))
    return application


def withdraw(actor: User, application_id: int, now: datetime | None = None) -> Application:
    now = now or clock.now()
    application = own_or_reviewer(actor, application_id)
    if application.user_id != actor.id:
        raise NotAllowed(_("Only the applicant can withdraw an application."))
    previous = application.status
    if not admissions.applicant_may_withdraw(previous):
        raise Conflict(_("This application is %(status)s and cannot be withdrawn.",
                         status=wording.word(admissions.STATUS_LABELS[Status(previous)])))
    changed = db.session.execute(
        update(Application).where(Application.id == application.id, Application.status == previous)
        .values(status=Status.WITHDRAWN.value, decided_at=now)
    ).rowcount == 1
    if not changed:
        raise Conflict(_("The application changed in the meantime. Reload the page."))
    db.session.add(ApplicationDecision(application_id=application.id, actor_id=actor.id, from_status=previous,
                                       to_status=Status.WITHDRAWN.value, note="Withdrawn by the applicant", at=now))
    cohort = cohorts.load_cohort(application.cohort_id)
    course, _version = cohorts.course_of(cohort)
    if previous == Status.ACCEPTED:
        enrolment = enrolments.active_enrolment(actor, course.id)
        if enrolment is not None and enrolment.cohort_id == cohort.id:
            enrolments.withdraw_enrolment(actor, course)
    db.session.commit()
    db.session.refresh(application)
    return application


def letter_for(actor: User, application_id: int) -> ApplicationLetter:
    """The letter of support, for the applicant and administrators only; NotFound for everyone else."""
    application = db.session.get(Application, application_id)
    if application is None or not authz.can_read_letter(actor, application.user_id):
        raise NotFound(_("There is no such letter."))
    letter = db.session.execute(
        select(ApplicationLetter).where(ApplicationLetter.application_id == application.id)
    ).scalar_one_or_none()
    if letter is None:
        raise NotFound(_("There is no such letter."))
    return letter


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
        raise Conflict(ngettext("You have sent an application to this cohort %(num)d time, the most we accept. If "
                                "you need to change it, please write to the programme staff.",
                                "You have sent an application to this cohort %(num)d times, the most we accept. If "
                                "you need to change it, please write to the programme staff.", sent))


def mail_applicant(applicant: User, subject: object, template: str, **context: object) -> None:
    """Queue mail to the applicant's account address, and only once its owner confirmed it: never to an address
    typed in a form, so the site cannot be made to mail someone else text of the applicant's."""
    if not applicant.email_verified:
        log.warning("no %s mail to user %s: the address is not confirmed", template, applicant.id)
        return
    mail.enqueue(applicant, subject, template, **context)
