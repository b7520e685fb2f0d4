"""Programme staff's pages: cohorts and live sessions (administrators edit them), the application review queue
(administrators), and attendance (instructors and administrators)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms import authz
from lms.core import admissions
from lms.core.admissions import Status
from lms.extensions import configured_limit, limiter
from lms.models import Role
from lms.services import (
    application_review,
    applications,
    attendance,
    cohort_pages,
    cohorts,
    course_versions,
    live_sessions,
    wording,
)
from lms.services.errors import Conflict, Invalid
from lms.web.access import acting_user, require_role
from lms.web.downloads import attachment
from lms.web.form_errors import save_form
from lms.web.staff.forms import (
    ActionForm,
    AttendanceImportForm,
    BulkDecisionForm,
    CohortForm,
    DecisionForm,
    SessionForm,
    StyleguideForm,
)

bp = Blueprint("staff", __name__, template_folder="templates")


@bp.context_processor
def staff_permissions() -> dict:
    """What the staff pages may offer this person, from the predicates the views' gates use."""
    return {"may_manage": authz.can_manage_cohorts(current_user),
            "may_review": authz.can_review_applications(current_user)}


@bp.before_request
def only_staff():
    require_role(Role.ADMIN, Role.INSTRUCTOR)


def _admins_only() -> None:
    """Editing cohorts and sessions is for administrators (the services check it too); instructors get 403 at once."""
    if not authz.can_manage_cohorts(current_user):
        abort(403)


@bp.route("/")
def index():
    return render_template("staff/index.html", summaries=cohorts.list_cohorts(acting_user()),
                           waiting=application_review.waiting_for_review(acting_user()))


def _cohort_data(form: CohortForm, key: str | None = None) -> cohorts.CohortData:
    return cohorts.CohortData(
        name=form.name.data or "", timezone=form.timezone.data, starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, applications_open=form.applications_open.data,
        application_deadline=form.application_deadline.data, capacity=form.capacity.data,
        enrolment_mode=form.enrolment_mode.data, allow_late_attempts=form.allow_late_attempts.data, key=key,
        premoderate_first_posts=form.premoderate_first_posts.data)


@bp.route("/cohorts/new", methods=["GET", "POST"])
def new_cohort():
    _admins_only()
    courses = [course.slug for course, _ in course_versions.list_courses(acting_user())]
    form = CohortForm(courses=courses, course=request.args.get("course"))
    cohort, status = save_form(
        form, lambda: cohorts.create_cohort(acting_user(), form.course.data, _cohort_data(form)), (Invalid, Conflict))
    if cohort is not None:
        flash(_("Created %(cohort)s.", cohort=cohort.name), "success")
        return redirect(url_for("staff.cohort", cohort_id=cohort.id))
    return render_template("staff/cohort_form.html", form=form, cohort=None), status


@bp.route("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    view = cohort_pages.staff_cohort_page(acting_user(), cohort_id)
    return render_template("staff/cohort.html", page=view.page, summary=view.summary,
                           may_take_attendance=view.may_take_attendance)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def edit_cohort(cohort_id: int):
    _admins_only()
    row = cohorts.get_cohort(acting_user(), cohort_id)
    course, _version = cohorts.course_of(row)
    current = cohorts.cohort_data(row)
    form = CohortForm(obj=current, courses=[course.slug], course=course.slug)
    del form.course  # a cohort stays in its course
    saved, status = save_form(
        form, lambda: cohorts.update_cohort(acting_user(), cohort_id, _cohort_data(form, key=row.key)))
    if saved is not None:
        flash(_("Saved the cohort."), "success")
        return redirect(url_for("staff.cohort", cohort_id=cohort_id))
    return render_template("staff/cohort_form.html", form=form, cohort=row, course=course), status


def _session_data(form: SessionForm, key: str | None = None) -> live_sessions.SessionData:
    return live_sessions.SessionData(title=form.title.data or "", starts_at=form.starts_at.data,
                                     ends_at=form.ends_at.data, timezone=form.timezone.data,
                                     description=form.description.data or "", join_url=form.join_url.data or "",
                                     recording_url=form.recording_url.data or "", key=key)


@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
def new_session(cohort_id: int):
    _admins_only()
    row = cohorts.get_cohort(acting_user(), cohort_id)
    form = SessionForm(timezone=row.timezone)
    added, status = save_form(form, lambda: live_sessions.add_session(acting_user(), cohort_id, _session_data(form)))
    if added is not None:
        flash(_("Added the session."), "success")
        return redirect(url_for("staff.cohort", cohort_id=cohort_id))
    return render_template("staff/session_form.html", form=form, cohort=row, session=None), status


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    _admins_only()
    session = live_sessions.get_live_session(acting_user(), session_id)
    row = cohorts.get_cohort(acting_user(), session.cohort_id)
    form = SessionForm(obj=live_sessions.session_data(session))
    saved, status = save_form(
        form, lambda: live_sessions.update_session(acting_user(), session_id, _session_data(form, key=session.key)))
    if saved is not None:
        flash(_("Saved the session."), "success")
        return redirect(url_for("staff.cohort", cohort_id=row.id))
    return render_template("staff/session_form.html", form=form, cohort=row, session=session), status


# Applications.


def _filters() -> application_review.QueueFilters:
    args = request.args
    status = args.get("status", "")
    return application_review.QueueFilters(
        status=status if status in application_statuses() else "", city=args.get("city", "")[:120],
        country=args.get("country", "")[:2], organisation=args.get("organisation", "")[:200])


def application_statuses() -> tuple[str, ...]:
    return tuple(status.value for status in Status)


@bp.route("/cohorts/<int:cohort_id>/applications")
def application_queue(cohort_id: int):
    filters = _filters()
    queue = application_review.review_queue(acting_user(), cohort_id, filters)
    return render_template("staff/applications.html", queue=queue, filters=filters,
                           statuses=application_statuses(), form=BulkDecisionForm())


@bp.route("/cohorts/<int:cohort_id>/applications.csv")
def export_applications(cohort_id: int):
    data = application_review.export_csv(acting_user(), cohort_id, _filters())
    return attachment(data, "text/csv", f"cohort-{cohort_id}-applications.csv")


@bp.route("/cohorts/<int:cohort_id>/applications/decide", methods=["POST"])
def decide_many(cohort_id: int):
    form = BulkDecisionForm()
    ids = [int(value) for value in request.form.getlist("application_ids") if value.isdigit()]
    if not form.validate_on_submit():
        flash(_("Choose a decision."), "error")
    elif not ids:
        flash(_("Select at least one application."), "error")
    else:
        outcome = application_review.decide_many(acting_user(), cohort_id, ids, form.decision.data,
                                                 form.note.data or "")
        if outcome.done:
            flash(ngettext("Recorded “%(decision)s” for %(num)d application.",
                           "Recorded “%(decision)s” for %(num)d applications.", len(outcome.done),
                           decision=wording.word(admissions.STATUS_LABELS[Status(form.decision.data)])), "success")
        for app_id, message in outcome.refused:
            flash(_("Application %(id)s: %(problem)s", id=app_id, problem=message), "error")
    return redirect(url_for("staff.application_queue", cohort_id=cohort_id, **request.args))


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
def application(application_id: int):
    user = acting_user()
    detail = application_review.application_detail(user, application_id)
    form = DecisionForm()
    decided, status = save_form(
        form, lambda: application_review.decide(user, application_id, form.decision.data, form.note.data or ""))
    if decided is not None:
        flash(_("The decision was recorded and the applicant was e-mailed."), "success")
        return redirect(url_for("staff.application", application_id=application_id))
    if status == 422:  # the refusal rolled back: show the application as it is now
        detail = application_review.application_detail(user, application_id)
    return render_template("staff/application.html", detail=detail, form=form), status


@bp.route("/applications/<int:application_id>/letter")
def letter(application_id: int):
    row = applications.letter_for(acting_user(), application_id)
    return attachment(row.data, row.media_type, row.filename)


# Attendance.


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
def attendance_sheet(session_id: int):
    user = acting_user()
    early = None  # the question to confirm, and the people ticked, when the session has not started yet
    if request.method == "POST" and ActionForm().validate_on_submit():
        present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
        try:
            attendance.mark_attendance(user, session_id, present,
                                       ask_if_early=request.form.get("confirm_early") != "yes")
        except attendance.SessionNotStarted as error:
            early = (error.message, present)
        else:
            flash(_("Saved the attendance."), "success")
            return redirect(url_for("staff.attendance_sheet", session_id=session_id))
    sheet = attendance.attendance_sheet(user, session_id)
    return render_template("staff/attendance.html", sheet=sheet, form=ActionForm(),
                           import_form=AttendanceImportForm(), outcome=None, early=early), 422 if early else 200


@bp.route("/sessions/<int:session_id>/attendance/import", methods=["POST"])
@limiter.limit(configured_limit("RATELIMIT_UPLOAD"))
def import_attendance(session_id: int):
    user = acting_user()
    import_form = AttendanceImportForm()
    try:
        outcome, status = save_form(import_form, lambda: attendance.import_zoom_report(
            user, session_id, import_form.report.data.read(), min_minutes=import_form.min_minutes.data or 0,
            ask_if_early=not import_form.confirm_early.data), (Invalid,))
    except attendance.SessionNotStarted as error:  # asked first: the confirmation box is ticked to import anyway
        import_form.confirm_early.errors = [error.message]
        outcome, status = None, 422
    sheet = attendance.attendance_sheet(user, session_id)
    return render_template("staff/attendance.html", sheet=sheet, form=ActionForm(), import_form=import_form,
                           outcome=outcome, early=None), status


# The living style guide.

# Sample people: their names are data (translate="no" on the page); the status is a key of the reports' labels.
STYLEGUIDE_ROWS = (("Ana Pérez", "ES", 100, date(2026, 11, 20), "ok", "completed"),
                   ("김민수", "KR", 45, date(2026, 11, 28), "info", "in-progress"),
                   ("Siddharth Venkataraman", "IN", 0, date(2026, 10, 2), "warn", "not-started"))
STYLEGUIDE_SORTS = {"name": 0, "country": 1, "progress": 2}


@bp.route("/styleguide")
def styleguide():
    """Every component in each state, drawn by the shared macros: for people who build pages and for the browser
    tests' screenshots and accessibility checks."""
    sort = request.args.get("sort", "name")
    column = STYLEGUIDE_SORTS.get(sort.lstrip("-"), 0)
    rows = sorted(STYLEGUIDE_ROWS, key=lambda row: row[column], reverse=sort.startswith("-"))
    form = StyleguideForm(data={"name": "Ana Pérez", "email": "ana@", "note": _("Welcome to the programme!")})
    form.email.errors = [_("Give a valid e-mail address, such as name@city.gov.")]
    pages = SimpleNamespace(pages=3, page=2, has_prev=True, has_next=True, prev_num=1, next_num=3)
    return render_template("staff/styleguide.html", form=form, rows=rows, sort=sort, pages=pages,
                           status_labels={"completed": _("Completed"), "in-progress": _("In progress"),
                                          "not-started": _("Not started")},
                           sample_start=date(2027, 1, 12), sample_end=date(2027, 3, 30))
