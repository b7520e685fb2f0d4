from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.extensions import configured_limit, limiter
from lms.models import User
from lms.services import accounts
from lms.services.errors import Invalid, NotAllowed
from lms.web.access import acting_user
from lms.web.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    LogOutEverywhereForm,
    ProfileForm,
    RegistrationForm,
    RequestResetForm,
    ResetPasswordForm,
)
from lms.web.auth.timeouts import REMEMBERED, current_login_token, end_expired_session, sign_in, sign_out
from lms.web.form_errors import save_form
from lms.web.safe_urls import safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")
bp.before_app_request(end_expired_session)


def home_for(user) -> str:
    if user.is_admin:
        return url_for("admin.index")
    if user.is_staff:
        return url_for("author.index")
    return url_for("learner.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    # A deactivated account or an address not confirmed yet (NotAllowed; a new link is mailed) is told so on the
    # form, like a wrong password.
    user, status = save_form(form, lambda: accounts.authenticate(form.email.data, form.password.data),
                             (Invalid, NotAllowed))
    if user is not None:
        next_url = safe_next_url(request.args.get("next"))
        sign_in(user, remember=form.remember.data)
        return redirect(next_url or home_for(user))
    return render_template("auth/login.html", form=form, next_url=safe_next_url(request.args.get("next"))), status


@bp.route("/logout", methods=["POST"])
def logout():
    sign_out()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = LogOutEverywhereForm()
    if form.validate_on_submit():
        ended = accounts.log_out_everywhere(acting_user())
        sign_out()
        flash(ngettext("You have been logged out on every device (%(num)d log-in ended).",
                       "You have been logged out on every device (%(num)d log-ins ended).", ended), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.profile"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_REGISTRATION"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegistrationForm()
    email, status = save_form(form, lambda: _register(form))
    if email is not None:
        # The same page whether or not the address already had an account (its owner is mailed instead).
        return render_template("auth/check_inbox.html", email=email)
    return render_template("auth/register.html", form=form, next_url=safe_next_url(request.args.get("next"))), status


def _register(form: RegistrationForm) -> str:
    """Register, and the address the confirmation link went to."""
    accounts.register(form.email.data, form.password.data, form.profile(),
                      next_url=safe_next_url(request.args.get("next")))
    return accounts.normalise_email(form.email.data)


@bp.route("/verify-email/<token>")
def verify_email(token: str):
    try:
        user, next_url = accounts.verify_email(token)
    except Invalid as error:
        flash(error.message, "error")
        return redirect(url_for("auth.login"))
    sign_in(user)
    flash(_("Thank you: your e-mail address is confirmed and your account is ready."), "success")
    return redirect(safe_next_url(next_url) or home_for(user))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    saved, status = save_form(form, lambda: accounts.update_profile(acting_user(), form.profile()))
    if saved is not None:
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, logout_everywhere_form=LogOutEverywhereForm()), status


def _password_guesser() -> str:
    """Wrong current passwords are counted per account, so a stolen session cannot guess from many addresses."""
    return f"account:{current_user.id}" if current_user.is_authenticated else f"address:{request.remote_addr}"


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(configured_limit("RATELIMIT_CURRENT_PASSWORD"), methods=["POST"], key_func=_password_guesser,
               deduct_when=lambda response: g.get("wrong_current_password", False))
def change_password():
    form = ChangePasswordForm()
    user, status = save_form(form, lambda: _change_password(form))
    if user is not None:
        # Typing the password again starts a new log-in here (a new absolute window); the others have ended.
        sign_in(user, remember=session.get(REMEMBERED, False))
        flash(_("Your password has been changed. Other devices have been logged out."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form), status


def _change_password(form: ChangePasswordForm) -> User:
    try:
        return accounts.change_password(acting_user(), form.current_password.data, form.password.data,
                                        current_login=current_login_token())
    except Invalid as error:
        # Only a wrong current password counts towards the limit (RATELIMIT_CURRENT_PASSWORD).
        g.wrong_current_password = error.message == accounts.WRONG_CURRENT_PASSWORD
        raise


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        flash(_("If an account exists for that address, we have e-mailed it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def reset_password(token: str):
    try:
        accounts.user_for_reset_token(token)
    except Invalid as error:
        flash(error.message, "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    saved, status = save_form(form, lambda: accounts.reset_password(token, form.password.data))
    if saved is not None:
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), status
