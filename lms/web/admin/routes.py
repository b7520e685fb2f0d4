from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.models import Role
from lms.services import accounts, audit, outbox, scheduled_jobs
from lms.services.errors import ServiceError
from lms.web.access import acting_user, require_role
from lms.web.admin.audit import detail_text, summary, target_url
from lms.web.admin.forms import AuditFilterForm, MailActionForm, UserAccessForm
from lms.web.downloads import csv_download
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
    person = accounts.get_user(user_id)
    form = UserAccessForm(obj=person)
    if form.validate_on_submit():
        try:
            accounts.set_role_and_status(acting_user(), user_id, form.role.data, form.active.data)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(f"Saved the access of {person.display_name}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user_id))
    return render_template("admin/user_detail.html", person=person, form=form)


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
                           detail_text=detail_text, summary=summary,
                           names=audit.names_of_people_in(entries.items))


@bp.route("/audit.csv")
def audit_csv():
    _, filters, _ = _audit_filters()
    rows = audit.export_rows(acting_user(), filters)  # access is checked here, before the first byte is sent
    return csv_download(audit.CSV_HEADER, rows, "audit-log.csv")


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
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(f"The message to {row.recipient} is queued again; the worker sends it within moments.", "success")
    return redirect(url_for("admin.mail_queue"))


@bp.route("/mail/<int:message_id>/discard", methods=["POST"])
def discard_mail(message_id: int):
    if MailActionForm().validate_on_submit():
        try:
            outbox.discard(acting_user(), message_id)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash("The message was discarded; the audit log records it.", "success")
    return redirect(url_for("admin.mail_queue"))
