from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.web.form_choices import country_choices, language_choices


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """A button that changes something (withdraw, reset the calendar address): a form for the CSRF token."""

    submit = SubmitField(_l("Go"))


class ApplicationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Please give your name.")), Length(max=200)],
                            filters=[strip], description=_l("As it should appear on your certificate."),
                            render_kw={"autocomplete": "name"})
    organisation = StringField(_l("Organisation"), filters=[strip],
                               validators=[DataRequired(_l("Please give your organisation.")), Length(max=200)],
                               description=_l("Your city, or local or regional government."),
                               render_kw={"autocomplete": "organization"})
    position = StringField(_l("Position"), validators=[DataRequired(_l("Please give your position.")), Length(max=200)],
                           filters=[strip], render_kw={"autocomplete": "organization-title"})
    city = StringField(_l("City"), validators=[DataRequired(_l("Please give your city.")), Length(max=120)],
                       filters=[strip], render_kw={"autocomplete": "address-level2"})
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Please choose your country."))],
                          render_kw={"autocomplete": "country"})
    language = SelectField(_l("Preferred language"), validators=[DataRequired(_l("Please choose a language."))])
    motivation = TextAreaField(_l("Motivation"),
                               validators=[DataRequired(_l("Please tell us why you want to take part.")),
                                           Length(min=20, max=5000)],
                               description=_l("Why do you want to take part, and how will your city use what you "
                                              "learn? A few sentences are enough."))
    letter = FileField(_l("Letter of support"),
                       validators=[FileRequired(_l("Please upload the signed letter of support."))],
                       description=_l("Signed by your city's Mayor or your Head of Department. A PDF, or a PNG or "
                                      "JPEG photo or scan."),
                       render_kw={"accept": "application/pdf,image/png,image/jpeg"})
    submit = SubmitField(_l("Send my application"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.language.choices = language_choices()
