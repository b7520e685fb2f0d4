from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from lms.models import Role
from lms.services import accounts
from lms.services.errors import ServiceError
from lms.web.access import acting_user, require_role
from lms.web.admin.forms import UserAccessForm

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.before_request
def only_admins():
    require_role(Role.ADMIN)


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/users")
def users():
    page = request.args.get("page", 1, type=int)
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
