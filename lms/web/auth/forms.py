from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms.services import accounts
from lms.web.form_choices import TIME_ZONE_SELECT, country_choices, language_choices, time_zone_choices
from lms.web.form_filters import strip


def strong_password(form: FlaskForm, field: PasswordField) -> None:
    email = form.email.data if hasattr(form, "email") else ""
    problem = accounts.password_problem(field.data or "", email or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileFields(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)],
                               description=_l("As it should appear on your certificate."),
                               render_kw={"autocomplete": "name"})
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                               description=_l("Your city, local or regional government, or other organisation."),
                               render_kw={"autocomplete": "organization"})
    job_title = StringField(_l("Position"), validators=[Optional(), Length(max=200)],
                            render_kw={"autocomplete": "organization-title"})
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)],
                       render_kw={"autocomplete": "address-level2"})
    country = SelectField(_l("Country"), validators=[Optional()], render_kw={"autocomplete": "country"})
    timezone = SelectField(_l("Time zone"), default="UTC", render_kw=TIME_ZONE_SELECT,
                           description=_l("Live sessions and deadlines are shown in this time zone."))
    preferred_language = SelectField(_l("Preferred language"), default="en")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.timezone.choices = time_zone_choices()
        self.preferred_language.choices = language_choices()

    def profile(self) -> accounts.Profile:
        return accounts.Profile(
            display_name=self.display_name.data or "",
            organisation=self.organisation.data or "",
            job_title=self.job_title.data or "",
            city=self.city.data or "",
            country=self.country.data or "",
            timezone=self.timezone.data or "UTC",
            preferred_language=self.preferred_language.data or "en",
        )


class RegistrationForm(ProfileFields):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(check_deliverability=False),
                                                     Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Create account"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new account starts on the browser's time zone (static/js/forms.js), when the browser tells it.
        self.timezone.render_kw = {**(self.timezone.render_kw or {}), "data-browser-time-zone": ""}


class ProfileForm(ProfileFields):
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters. Other devices will be logged out."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class LogOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Log out everywhere"))


class RequestResetForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password],
                             description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set new password"))
