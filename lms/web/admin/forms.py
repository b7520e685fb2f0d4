from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from lms.models import Role
from lms.services.audit import ACTIONS
from lms.web.form_filters import strip


class UserAccessForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.value.capitalize()) for role in Role])
    active = BooleanField("Account is active (can log in)")
    submit = SubmitField("Save")


class MailActionForm(FlaskForm):
    """Retry or discard a failed message: a button, with the CSRF token."""


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form: bookmarkable, no CSRF needed)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[SelectChoice("", "Any action")]
                         + [SelectChoice(name, f"{label} ({name})") for name, label in ACTIONS.items()],
                         validators=[Optional()])
    actor = StringField("Done by (e-mail address, or “command line”)", validators=[Optional(), Length(max=254)],
                        filters=[strip])
    date_from = DateField("From (date)", validators=[Optional()],
                          description="Days in your time zone, e.g. 2026-11-23.")
    date_to = DateField("To (date, included)", validators=[Optional()])

    def validate_date_from(self, field: DateField) -> None:
        _require_plausible_year(field)

    def validate_date_to(self, field: DateField) -> None:
        _require_plausible_year(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must not be before the start date.")


# Days the log could hold; year 1 or 9999 would only overflow the time zone arithmetic.
AUDIT_YEARS = range(2000, 2200)


def _require_plausible_year(field: DateField) -> None:
    if field.data and field.data.year not in AUDIT_YEARS:
        raise ValidationError(f"Choose a date between {AUDIT_YEARS.start} and {AUDIT_YEARS.stop - 1}.")


class ThemeForm(FlaskForm):
    """The site's theme. Colours are checked for contrast by the service when saved (and shown on preview)."""

    site_name = StringField("Site name", validators=[Length(max=80)], filters=[strip],
                            description="Shown in the header, in page titles and on certificates.")
    brand_colour = StringField("Brand colour", validators=[Length(max=7)], filters=[strip],
                               description="Header, buttons and links, as #rrggbb. White text sits on it and it "
                                           "sits on white: 4.5:1 contrast at least.")
    accent_colour = StringField("Accent colour", validators=[Length(max=7)], filters=[strip],
                                description="Focus rings, progress bars and card edges, as #rrggbb: 3:1 against "
                                            "white at least.")
    footer_text = StringField("Footer text", validators=[Optional(), Length(max=300)], filters=[strip])
    footer_links = TextAreaField("Footer links", validators=[Optional(), Length(max=3000)],
                                 description="One a line: Title | https://address")
    logo = FileField("Logo (SVG or PNG, at most 512 KB)",
                     description="Shown beside the site name and on certificates. SVG files are cleaned of "
                                 "scripts and links; PNG files are re-encoded.")
    remove_logo = BooleanField("Remove the current logo")
    favicon = FileField("Favicon (SVG or PNG)")
    remove_favicon = BooleanField("Remove the current favicon")
    preview = SubmitField("Preview")
    submit = SubmitField("Save theme")


class ResetThemeForm(FlaskForm):
    submit = SubmitField("Go back to the default theme")
