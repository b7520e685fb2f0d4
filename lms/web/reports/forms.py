from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from lms.services.reports import SORTS, STATUSES

SORT_LABELS = {"name": "Name", "email": "E-mail", "organisation": "Organisation", "city": "City",
               "country": "Country", "progress": "Progress", "last_activity": "Last activity",
               "enrolled": "Enrolment date"}
STATUS_LABELS = {"not-started": "Not started", "in-progress": "In progress", "completed": "Completed"}


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LearnerFilterForm(FlaskForm):
    """The learner table's filters, read from the query string (a GET form: bookmarkable, no CSRF needed)."""

    class Meta:
        csrf = False

    cohort = SelectField("Cohort", choices=[], validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice("", "Any")]
                         + [SelectChoice(key, label) for key, label in STATUS_LABELS.items()], validators=[Optional()])
    city = StringField("City", validators=[Optional(), Length(max=120)], filters=[strip])
    country = StringField("Country (2-letter code)", validators=[Optional(), Length(max=2)], filters=[strip])
    organisation = StringField("Organisation contains", validators=[Optional(), Length(max=200)], filters=[strip])
    inactive_days = IntegerField("Inactive for at least (days)", validators=[Optional(), NumberRange(min=0,
                                 max=3650, message="Give a number of days from 0 to 3650.")])
    language = SelectField("Language studied in", choices=[], validators=[Optional()])
    q = StringField("Name or e-mail contains", validators=[Optional(), Length(max=200)], filters=[strip])
    sort = SelectField("Sort by", choices=[SelectChoice(key, SORT_LABELS[key]) for key in SORTS]
                       + [SelectChoice(f"-{key}", f"{SORT_LABELS[key]} (descending)") for key in SORTS],
                       default="name", validators=[Optional()])


class AssignInstructorForm(FlaskForm):
    course = SelectField("Course", validators=[DataRequired("Choose the course.")])
    email = EmailField("Instructor's e-mail", validators=[DataRequired("Give the instructor's e-mail address."),
                                                          Email("Give a valid e-mail address."), Length(max=254)],
                       filters=[strip])
    submit = SubmitField("Assign")


__all__ = ["STATUSES", "AssignInstructorForm", "LearnerFilterForm"]
