from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms.core import locales
from lms.services import accounts
from lms.web.form_choices import language_choices
from lms.web.form_filters import strip


def strong_password(form: FlaskForm, field: PasswordField) -> None:
    email = form.email.data if hasattr(form, "email") else ""
    problem = accounts.password_problem(field.data or "", email or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class ProfileFields(FlaskForm):
    display_name = StringField("Full name", validators=[DataRequired(), Length(max=200)],
                               description="As it should appear on your certificate.",
                               render_kw={"autocomplete": "name"})
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)],
                               description="Your city, local or regional government, or other organisation.",
                               render_kw={"autocomplete": "organization"})
    job_title = StringField("Position", validators=[Optional(), Length(max=200)],
                            render_kw={"autocomplete": "organization-title"})
    city = StringField("City", validators=[Optional(), Length(max=120)], render_kw={"autocomplete": "address-level2"})
    country = SelectField("Country", validators=[Optional()], render_kw={"autocomplete": "country"})
    timezone = SelectField("Time zone", default="UTC",
                           description="Live sessions and deadlines are shown in this time zone.")
    preferred_language = SelectField("Preferred language", default="en")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "Choose a country")] + [
            SelectChoice(code, name) for code, name in locales.countries()]
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in locales.time_zones()]
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
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False),
                                                     Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired(), strong_password],
                             description="At least 10 characters.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", "The two passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Create account")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new account starts on the browser's time zone (static/js/forms.js), when the browser tells it.
        self.timezone.render_kw = {**(self.timezone.render_kw or {}), "data-browser-time-zone": ""}


class ProfileForm(ProfileFields):
    submit = SubmitField("Save profile")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), strong_password],
                             description="At least 10 characters. Other devices will be logged out.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", "The two passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change password")


class LogOutEverywhereForm(FlaskForm):
    submit = SubmitField("Log out everywhere")


class RequestResetForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), strong_password],
                             description="At least 10 characters.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", "The two passwords do not match.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set new password")
