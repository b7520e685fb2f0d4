from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.core import locales
from lms.web.form_filters import strip

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MODES = [SelectChoice("application", "By application (staff review each one)"),
         SelectChoice("open", "Open (anyone can enrol)"), SelectChoice("invite", "By invitation")]


def _time_zones() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in locales.time_zones()]


class ActionForm(FlaskForm):
    submit = SubmitField("Go")


class CohortForm(FlaskForm):
    course = SelectField("Course", validators=[DataRequired("Choose the course.")])
    name = StringField("Name", validators=[DataRequired("Give the cohort a name."), Length(max=200)], filters=[strip],
                       description="For example: Caring Cities 2024.")
    timezone = SelectField("Time zone", default="Europe/Madrid",
                           description="The dates, the deadline and the session times are read in this zone.")
    applications_open = DateTimeLocalField("Applications open", format=LOCAL_FORMATS, validators=[Optional()],
                                           description="Local date and time. Empty: open as soon as it is saved.")
    application_deadline = DateTimeLocalField(
        "Application deadline", format=LOCAL_FORMATS, validators=[Optional()],
        description="Local date and time; applications are accepted until the end of this minute.")
    starts_on = DateField("First day", validators=[DataRequired("Give the first day.")])
    ends_on = DateField("Last day", validators=[DataRequired("Give the last day.")])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=1, message="At least 1.")],
                            description="The most participants; empty for no limit.")
    enrolment_mode = SelectField("How people join", choices=MODES, default="application")
    allow_late_attempts = BooleanField("Allow quiz attempts after the last day")
    submit = SubmitField("Save cohort")

    def __init__(self, *args, courses: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = _time_zones()
        self.course.choices = [SelectChoice(slug, slug) for slug in (courses or [])]

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first day.")


class SessionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the session a title."), Length(max=300)],
                        filters=[strip])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    timezone = SelectField("Time zone", description="The start and end below are local times in this zone.")
    starts_at = DateTimeLocalField("Starts", format=LOCAL_FORMATS, validators=[DataRequired("Give the start.")])
    ends_at = DateTimeLocalField("Ends", format=LOCAL_FORMATS, validators=[DataRequired("Give the end.")])
    join_url = URLField("Joining link", validators=[Optional(), Length(max=500)], filters=[strip],
                        description="For example a Zoom link. Only the cohort's participants and staff see it.")
    recording_url = URLField("Recording link", validators=[Optional(), Length(max=500)], filters=[strip],
                             description="Add it after the session.")
    submit = SubmitField("Save session")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = _time_zones()


DECISIONS = [SelectChoice("accepted", "Accept (enrols the applicant)"), SelectChoice("waitlisted", "Waitlist"),
             SelectChoice("rejected", "Reject")]


class DecisionForm(FlaskForm):
    decision = SelectField("Decision", choices=DECISIONS)
    note = TextAreaField("Note to the applicant", validators=[Optional(), Length(max=2000)],
                         description="Optional. It is e-mailed to the applicant and kept in the history.")
    submit = SubmitField("Record the decision")


class BulkDecisionForm(FlaskForm):
    decision = SelectField("Decision for the selected applications", choices=DECISIONS)
    note = TextAreaField("Note to the applicants", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Apply to the selected applications")


class AttendanceImportForm(FlaskForm):
    report = FileField("Zoom participants report (.csv)", validators=[FileRequired("Choose the CSV file.")],
                       description="In Zoom: Reports → Usage → Participants → Export. People are matched by e-mail.",
                       render_kw={"accept": ".csv,text/csv"})
    min_minutes = IntegerField("Minimum minutes to count as present", default=0,
                               validators=[Optional(), NumberRange(min=0, max=1440)])
    confirm_early = BooleanField("Import even if the session has not started yet")
    submit = SubmitField("Import attendance")


class StyleguideForm(FlaskForm):
    """The style guide's sample fields: one plain, one with a hint, one with an error, a long text, a checkbox."""

    class Meta:
        csrf = False

    name = StringField("Full name", validators=[DataRequired()], description="As it should appear on the certificate.")
    email = StringField("E-mail address")
    note = TextAreaField("Note to the applicant", description="Sent with the decision.")
    agree = BooleanField("Tell the applicant by e-mail")
    city = StringField("City")
    country = StringField("Country (2-letter code)")
