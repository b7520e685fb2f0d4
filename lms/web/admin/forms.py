from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from lms.models import Role
from lms.services.audit import ACTIONS
from lms.web.form_filters import strip

ROLE_LABELS = {Role.LEARNER: _l("Learner"), Role.INSTRUCTOR: _l("Instructor"), Role.ADMIN: _l("Admin")}


class UserAccessForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in Role])
    active = BooleanField(_l("Account is active (can log in)"))
    submit = SubmitField(_l("Save"))


class MailActionForm(FlaskForm):
    """Retry or discard a failed message: a button, with the CSRF token."""


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form: bookmarkable, no CSRF needed)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[SelectChoice("", _l("Any action"))]
                         + [SelectChoice(name, _l("%(action)s (%(name)s)", action=label, name=name))
                            for name, label in ACTIONS.items()],
                         validators=[Optional()])
    actor = StringField(_l("Done by (e-mail address, or “command line”)"), validators=[Optional(), Length(max=254)],
                        filters=[strip])
    date_from = DateField(_l("From (date)"), validators=[Optional()],
                          description=_l("Days in your time zone, e.g. 2026-11-23."))
    date_to = DateField(_l("To (date, included)"), validators=[Optional()])

    def validate_date_from(self, field: DateField) -> None:
        _require_plausible_year(field)

    def validate_date_to(self, field: DateField) -> None:
        _require_plausible_year(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date must not be before the start date."))


# Days the log could hold; year 1 or 9999 would only overflow the time zone arithmetic.
AUDIT_YEARS = range(2000, 2200)


def _require_plausible_year(field: DateField) -> None:
    if field.data and field.data.year not in AUDIT_YEARS:
        raise ValidationError(_("Choose a date between %(first)s and %(last)s.", first=AUDIT_YEARS.start,
                                last=AUDIT_YEARS.stop - 1))


class ThemeForm(FlaskForm):
    """The site's theme. Colours are checked for contrast by the service when saved (and shown on preview)."""

    site_name = StringField(_l("Site name"), validators=[Length(max=80)], filters=[strip],
                            description=_l("Shown in the header, in page titles and on certificates."))
    brand_colour = StringField(_l("Brand colour"), validators=[Length(max=7)], filters=[strip],
                               description=_l("Header, buttons and links, as #rrggbb. White text sits on it and it "
                                              "sits on white: 4.5:1 contrast at least."))
    accent_colour = StringField(_l("Accent colour"), validators=[Length(max=7)], filters=[strip],
                                description=_l("Focus rings, progress bars and card edges, as #rrggbb: 3:1 against "
                                               "white at least."))
    footer_text = StringField(_l("Footer text"), validators=[Optional(), Length(max=300)], filters=[strip])
    footer_links = TextAreaField(_l("Footer links"), validators=[Optional(), Length(max=3000)],
                                 description=_l("One a line: Title | https://address"))
    logo = FileField(_l("Logo (SVG or PNG, at most 512 KB)"),
                     description=_l("Shown beside the site name and on certificates. SVG files are cleaned of "
                                    "scripts and links; PNG files are re-encoded."))
    remove_logo = BooleanField(_l("Remove the current logo"))
    favicon = FileField(_l("Favicon (SVG or PNG)"))
    remove_favicon = BooleanField(_l("Remove the current favicon"))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save theme"))


class ResetThemeForm(FlaskForm):
    submit = SubmitField(_l("Go back to the default theme"))
