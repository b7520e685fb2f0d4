"""The learner's side of programmes: a course's cohorts, applying with a letter of support, "My applications",
live sessions with times in two zones, calendar downloads and the private calendar feed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from lms.core import admissions
from lms.extensions import configured_limit, limiter
from lms.services import applications, calendars, cohort_pages, course_languages, live_sessions, wording
from lms.services.errors import Conflict
from lms.web.access import acting_user
from lms.web.downloads import attachment
from lms.web.form_errors import save_form
from lms.web.programmes.forms import ActionForm, ApplicationForm

bp = Blueprint("programmes", __name__, template_folder="templates")


def _viewer():
    return acting_user() if current_user.is_authenticated else None


class StatusLabels(Mapping):
    """An application status's label in the page's language, translated when a page shows one: every page has the
    mapping, few show a status."""

    def __getitem__(self, status: str) -> str:
        try:
            label = admissions.STATUS_LABELS[admissions.Status(status)]
        except ValueError:
            raise KeyError(status) from None
        return wording.word(label)

    def __iter__(self) -> Iterator[str]:
        return (status.value for status in admissions.STATUS_LABELS)

    def __len__(self) -> int:
        return len(admissions.STATUS_LABELS)


@bp.app_context_processor
def status_labels() -> dict:
    return {"application_status_labels": StatusLabels()}


@bp.route("/programmes/courses/<slug>/cohorts")
def course_cohorts(slug: str):
    course, version, pages = cohort_pages.course_cohort_pages(_viewer(), slug)
    return render_template("programmes/course_cohorts.html", course=course, version=version, pages=pages,
                           name=course_languages.course_name(version, wording.current_language()))


@bp.route("/programmes/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    viewer = _viewer()
    page = cohort_pages.cohort_page(viewer, cohort_id)
    application = applications.find_application(viewer, cohort_id) if viewer else None
    refusal = applications.application_refusal(page.cohort)
    return render_template("programmes/cohort.html", page=page, application=application,
                           name=course_languages.course_name(page.version, wording.current_language())
                           if page.version else None,
                           has_application=applications.blocks_a_new_application(application), refusal=refusal,
                           form=ActionForm())


@bp.route("/programmes/cohorts/<int:cohort_id>/apply", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_UPLOAD"), methods=["POST"])
@login_required
def apply(cohort_id: int):
    user = acting_user()
    view = applications.apply_page(user, cohort_id)
    page, refusal = view.cohort_page, view.refusal
    if view.already_applied:
        flash(_("You have already applied to this cohort. Here is its status."), "info")
        return redirect(url_for("programmes.my_applications"))
    # Pre-filled from the withdrawn application being sent again, or else from the profile.
    source = view.existing or user
    form = ApplicationForm(data=None if request.method == "POST" else {
        "full_name": getattr(source, "full_name", user.display_name),
        "organisation": source.organisation, "position": getattr(source, "position", user.job_title),
        "city": source.city, "country": source.country, "language": getattr(source, "language",
                                                                             user.preferred_language),
        "motivation": getattr(source, "motivation", "")})
    max_bytes = current_app.config["LETTER_MAX_BYTES"]
    # Two whole sentences side by side: the field's own hint, then the limit.
    form.letter.description = " ".join((str(form.letter.description),
                                        _("At most %(size)s MB.", size=format_decimal(max_bytes / (1024 * 1024)))))
    form.letter.render_kw = {**(form.letter.render_kw or {}), "data-max-bytes": str(max_bytes)}
    if form.is_submitted() and refusal is not None:
        status = 403
    else:
        try:
            sent, status = save_form(form, lambda: applications.submit_application(
                user, cohort_id, _answers(form), applications.LetterUpload(form.letter.data.filename or "",
                                                                          form.letter.data.read())))
        except applications.ApplicationsClosed as error:  # closed while the form was open
            sent, refusal, status = None, error.message, 403
        if sent is not None:
            flash(_("Your application to %(cohort)s was sent. We have e-mailed you a confirmation.",
                    cohort=page.cohort.name), "success")
            return redirect(url_for("programmes.my_applications"))
    return render_template("programmes/apply.html", page=page, form=form, refusal=refusal,
                           eligibility=view.eligibility_html), status


def _answers(form: ApplicationForm) -> applications.Answers:
    return applications.Answers(
        full_name=form.full_name.data, organisation=form.organisation.data,
        position=form.position.data, city=form.city.data, country=form.country.data,
        language=form.language.data, motivation=form.motivation.data)


@bp.errorhandler(RequestEntityTooLarge)
def letter_too_large(_error):
    """A body over MAX_CONTENT_LENGTH can't be read, so the answers are lost; at least the form comes back (not an
    error page), saying what the limit is. (The browser checks the size before sending, see static/js/forms.js.)"""
    if request.endpoint != "programmes.apply":
        return _error
    limit = current_app.config["LETTER_MAX_BYTES"] / (1024 * 1024)
    flash(_("The letter you chose is too large to send: letters of support may be at most %(limit)s MB. Nothing was "
            "sent; please fill in the form again with a smaller file (a scan at 150 dpi is usually enough).",
            limit=format_decimal(limit)), "error")
    return redirect(request.path, 303)


@bp.route("/programmes/applications")
@login_required
def my_applications():
    return render_template("programmes/my_applications.html", rows=applications.my_applications(acting_user()),
                           form=ActionForm())


@bp.route("/programmes/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    """Withdrawing asks first, on a page of its own that says what it means for this application."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            applications.withdraw(acting_user(), application_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Your application was withdrawn."), "info")
        return redirect(url_for("programmes.my_applications"))
    row = applications.my_application(acting_user(), application_id)
    if not row.may_withdraw:
        flash(_("This application is “%(status)s” and cannot be withdrawn.",
                status=wording.word(admissions.STATUS_LABELS[row.application.status])), "error")
        return redirect(url_for("programmes.my_applications"))
    return render_template("programmes/withdraw.html", row=row, form=form)


@bp.route("/programmes/applications/<int:application_id>/letter")
@login_required
def letter(application_id: int):
    row = applications.letter_for(acting_user(), application_id)
    return attachment(row.data, row.media_type, row.filename)


@bp.route("/programmes/sessions")
@login_required
def my_sessions():
    return render_template("programmes/my_sessions.html", items=live_sessions.my_sessions(acting_user()))


def _ics(filename: str, data: bytes) -> Response:
    return attachment(data, "text/calendar", filename)


@bp.route("/programmes/sessions/<int:session_id>.ics")
def session_ics(session_id: int):
    return _ics(*calendars.session_calendar(_viewer(), session_id))


@bp.route("/programmes/cohorts/<int:cohort_id>/sessions.ics")
def cohort_ics(cohort_id: int):
    return _ics(*calendars.cohort_calendar(_viewer(), cohort_id))


@bp.route("/programmes/calendar")
@login_required
def calendar():
    return render_template("programmes/calendar.html", feed_url=calendars.feed_url(acting_user()),
                           form=ActionForm())


@bp.route("/programmes/calendar/reset", methods=["POST"])
@login_required
def reset_calendar():
    if ActionForm().validate_on_submit():
        calendars.reset_feed_token(acting_user())
        flash(_("Your calendar address was changed. Subscribe again with the new address; the old one no longer "
                "works."), "success")
    return redirect(url_for("programmes.calendar"))


@bp.route("/programmes/feed/<token>.ics")
def feed(token: str):
    response = Response(calendars.feed_calendar(token), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
