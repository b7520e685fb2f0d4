from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core import theme as core_theme
from lms.models import Role
from lms.services import accounts, audit, outbox, scheduled_jobs, theme
from lms.services.errors import Conflict, Invalid
from lms.web.access import acting_user, require_role
from lms.web.admin.audit import TARGET_TYPES, detail_text, summary, target_url
from lms.web.admin.forms import AuditFilterForm, MailActionForm, ResetThemeForm, ThemeForm, UserAccessForm
from lms.web.downloads import csv_download
from lms.web.form_errors import save_form, show_service_error
from lms.web.query_args import page_arg

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.before_request
def only_admins():
    require_role(Role.ADMIN)


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/users")
def users():
    page = page_arg()
    search = request.args.get("q", "", type=str)[:100]
    role = request.args.get("role", "", type=str)
    if role not in {r.value for r in Role}:
        role = ""
    people = accounts.list_users(acting_user(), search=search, role=role, page=max(page, 1))
    return render_template("admin/users.html", people=people, search=search, role=role, roles=list(Role))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int):
    person = accounts.get_user(acting_user(), user_id)
    form = UserAccessForm(obj=person)
    saved, status = save_form(
        form, lambda: accounts.set_role_and_status(acting_user(), user_id, form.role.data, form.active.data))
    if saved is not None:
        flash(_("Saved the access of %(name)s.", name=person.display_name), "success")
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return render_template("admin/user_detail.html", person=person, form=form), status


# The audit log.


def _audit_filters() -> tuple[AuditFilterForm, audit.AuditFilters, dict[str, str]]:
    """The filter form as submitted, the filters that are valid (a field with an error is left out, and shown with
    its message), and those filters as query-string arguments for the pager and the CSV link."""
    form = AuditFilterForm(request.args)
    form.validate()
    valid = {field.name: field.data for field in form if field.data and not field.errors}
    filters = audit.AuditFilters(action=valid.get("action", ""), actor=valid.get("actor", ""),
                                 date_from=valid.get("date_from"), date_to=valid.get("date_to"),
                                 timezone=current_user.timezone or "UTC")
    args = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in valid.items()}
    return form, filters, args


@bp.route("/audit")
def audit_log():
    form, filters, args = _audit_filters()
    entries = audit.list_entries(acting_user(), filters, page=page_arg())
    return render_template("admin/audit.html", form=form, entries=entries, args=args, actions=audit.ACTIONS,
                           command_line=audit.COMMAND_LINE, target_url=target_url,
                           detail_text=detail_text, summary=summary, target_types=TARGET_TYPES,
                           names=audit.names_of_people_in(entries.items))


@bp.route("/audit.csv")
def audit_csv():
    _form, filters, _args = _audit_filters()
    rows = audit.export_rows(acting_user(), filters)  # access is checked here, before the first byte is sent
    return csv_download(audit.CSV_HEADER, rows, "audit-log.csv")


# The site's theme.


def _upload(field) -> tuple[bytes, str] | None:
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return upload.read(core_theme.MAX_IMAGE_BYTES + 1), upload.filename


def _theme_input(form: ThemeForm) -> theme.ThemeInput:
    return theme.ThemeInput(
        site_name=form.site_name.data or "", brand_colour=form.brand_colour.data or "",
        accent_colour=form.accent_colour.data or "", footer_text=form.footer_text.data or "",
        footer_links=form.footer_links.data or "", logo=_upload(form.logo), favicon=_upload(form.favicon),
        remove_logo=form.remove_logo.data, remove_favicon=form.remove_favicon.data)


@bp.route("/theme", methods=["GET", "POST"])
def theme_settings():
    """Name, logo, colours and footer. "Preview" shows the whole page in the new colours without saving; "Save" checks
    contrast and refuses, with the ratio and the nearest passing colour, what would fall below WCAG AA."""
    current = theme.current_theme()
    form = ThemeForm(data={"site_name": current.site_name, "brand_colour": current.brand_colour,
                           "accent_colour": current.accent_colour, "footer_text": current.footer_text,
                           "footer_links": core_theme.footer_links_text(current.footer_links)})
    shown, problems, status = current, [], 200
    if form.validate_on_submit():
        data = _theme_input(form)
        try:
            if form.preview.data:
                shown = theme.preview(data)
                problems = theme.contrast_problems(shown)
            else:
                theme.save_theme(acting_user(), data)
                flash(_("The theme was saved: every page now uses it."), "success")
                return redirect(url_for("admin.theme_settings"))
        except Invalid as error:
            show_service_error(form, error)
            status = 422
    elif form.is_submitted():
        status = 422
    return render_template("admin/theme.html", form=form, reset_form=ResetThemeForm(), theme=shown,
                           previewing=shown is not current, problems=problems), status


@bp.route("/theme/preview.css")
def theme_preview_css():
    """The stylesheet of colours being previewed (only administrators ask for it, from the theme page)."""
    current = theme.current_theme()
    try:
        previewed = core_theme.Theme(
            brand_colour=core_theme.clean_colour(request.args.get("brand") or current.brand_colour, "brand_colour"),
            accent_colour=core_theme.clean_colour(request.args.get("accent") or current.accent_colour,
                                                  "accent_colour"))
    except core_theme.ThemeError as error:
        return error.message, 400, {"Content-Type": "text/plain; charset=utf-8"}
    response = current_app.response_class(core_theme.stylesheet(previewed), mimetype="text/css")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/theme/reset", methods=["POST"])
def reset_theme():
    if ResetThemeForm().validate_on_submit():
        theme.reset_theme(acting_user())
        flash(_("The default theme is back."), "success")
    return redirect(url_for("admin.theme_settings"))


# Outgoing mail and scheduled jobs.


@bp.route("/mail")
def mail_queue():
    status, failed = outbox.mail_queue(acting_user(), page=max(request.args.get("page", 1, type=int), 1))
    return render_template("admin/mail.html", status=status, failed=failed, form=MailActionForm(),
                           jobs=scheduled_jobs.job_states(acting_user()),
                           max_age_minutes=current_app.config["HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES"])


@bp.route("/mail/<int:message_id>/retry", methods=["POST"])
def retry_mail(message_id: int):
    if MailActionForm().validate_on_submit():
        try:
            row = outbox.retry(acting_user(), message_id)
        except Conflict as error:  # NotAllowed and NotFound get their error page (lms.web.form_errors)
            flash(error.message, "error")
        else:
            flash(_("The message to %(recipient)s is queued again; the worker sends it within moments.",
                    recipient=row.recipient), "success")
    return redirect(url_for("admin.mail_queue"))


@bp.route("/mail/<int:message_id>/discard", methods=["POST"])
def discard_mail(message_id: int):
    if MailActionForm().validate_on_submit():
        try:
            outbox.discard(acting_user(), message_id)
        except Conflict as error:  # NotAllowed and NotFound get their error page (lms.web.form_errors)
            flash(error.message, "error")
        else:
            flash(_("The message was discarded; the audit log records it."), "success")
    return redirect(url_for("admin.mail_queue"))
