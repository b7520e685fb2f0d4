from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from lms.services.reports import SORTS, STATUSES

SORT_LABELS = {"name": _l("Name"), "email": _l("E-mail"), "organisation": _l("Organisation"), "city": _l("City"),
               "country": _l("Country"), "progress": _l("Progress"), "last_activity": _l("Last activity"),
               "enrolled": _l("Enrolment date")}
STATUS_LABELS = {"not-started": _l("Not started"), "in-progress": _l("In progress"), "completed": _l("Completed")}


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LearnerFilterForm(FlaskForm):
    """The learner table's filters, read from the query string (a GET form: bookmarkable, no CSRF needed)."""

    class Meta:
        csrf = False

    cohort = SelectField(_l("Cohort"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any"))]
                         + [SelectChoice(key, label) for key, label in STATUS_LABELS.items()], validators=[Optional()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)], filters=[strip])
    country = StringField(_l("Country (2-letter code)"), validators=[Optional(), Length(max=2)], filters=[strip])
    organisation = StringField(_l("Organisation contains"), validators=[Optional(), Length(max=200)], filters=[strip])
    inactive_days = IntegerField(_l("Inactive for at least (days)"), validators=[Optional(), NumberRange(min=0,
                                 max=3650, message=_l("Give a number of days from 0 to 3650."))])
    language = SelectField(_l("Language studied in"), choices=[], validators=[Optional()])
    q = StringField(_l("Name or e-mail contains"), validators=[Optional(), Length(max=200)], filters=[strip])
    sort = SelectField(_l("Sort by"), choices=[SelectChoice(key, SORT_LABELS[key]) for key in SORTS]
                       + [SelectChoice(f"-{key}", _l("%(column)s (descending)", column=SORT_LABELS[key]))
                          for key in SORTS],
                       default="name", validators=[Optional()])


class AssignInstructorForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose the course."))])
    email = EmailField(_l("Instructor's e-mail"), validators=[DataRequired(_l("Give the instructor's e-mail address.")),
                                                          Email(_l("Give a valid e-mail address.")), Length(max=254)],
                       filters=[strip])
    submit = SubmitField(_l("Assign"))


__all__ = ["STATUSES", "AssignInstructorForm", "LearnerFilterForm"]
