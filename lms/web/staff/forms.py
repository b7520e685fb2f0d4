from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from lms.web.form_choices import TIME_ZONE_SELECT, time_zone_choices
from lms.web.form_filters import strip

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MODES = [SelectChoice("application", _l("By application (staff review each one)")),
         SelectChoice("open", _l("Open (anyone can enrol)")), SelectChoice("invite", _l("By invitation"))]





class ActionForm(FlaskForm):
    submit = SubmitField(_l("Go"))


class CohortForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose the course."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the cohort a name.")), Length(max=200)],
                       filters=[strip],
                       description=_l("For example: Caring Cities 2024."))
    timezone = SelectField(_l("Time zone"), default="Europe/Madrid", render_kw=TIME_ZONE_SELECT,
                           description=_l("The dates, the deadline and the session times are read in this zone."))
    applications_open = DateTimeLocalField(_l("Applications open"), format=LOCAL_FORMATS, validators=[Optional()],
                                           description=_l("Local date and time. Empty: open as soon as it is saved."))
    application_deadline = DateTimeLocalField(
        _l("Application deadline"), format=LOCAL_FORMATS, validators=[Optional()],
        description=_l("Local date and time; applications are accepted until the end of this minute."))
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Give the first day."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Give the last day."))])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, message=_l("At least 1."))],
                            description=_l("The most participants; empty for no limit."))
    enrolment_mode = SelectField(_l("How people join"), choices=MODES, default="application")
    allow_late_attempts = BooleanField(_l("Allow quiz attempts after the last day"))
    premoderate_first_posts = BooleanField(
        _l("A moderator approves each learner's first post in the discussions"),
        description=_l("Until one of their posts is approved, a learner's posts wait in the moderation queue, seen "
                       "only by them and the course's staff."))
    submit = SubmitField(_l("Save cohort"))

    def __init__(self, *args, courses: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = time_zone_choices()
        self.course.choices = [SelectChoice(slug, slug) for slug in (courses or [])]

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("The last day cannot be before the first day."))


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the session a title.")), Length(max=300)],
                        filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    timezone = SelectField(_l("Time zone"), description=_l("The start and end below are local times in this zone."),
                           render_kw=TIME_ZONE_SELECT)
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMATS, validators=[DataRequired(_l("Give the start."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMATS, validators=[DataRequired(_l("Give the end."))])
    join_url = URLField(_l("Joining link"), validators=[Optional(), Length(max=500)], filters=[strip],
                        description=_l("For example a Zoom link. Only the cohort's participants and staff see it."))
    recording_url = URLField(_l("Recording link"), validators=[Optional(), Length(max=500)], filters=[strip],
                             description=_l("Add it after the session."))
    submit = SubmitField(_l("Save session"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = time_zone_choices()


DECISIONS = [SelectChoice("accepted", _l("Accept (enrols the applicant)")), SelectChoice("waitlisted", _l("Waitlist")),
             SelectChoice("rejected", _l("Reject"))]


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=DECISIONS)
    note = TextAreaField(_l("Note to the applicant"), validators=[Optional(), Length(max=2000)],
                         description=_l("Optional. It is e-mailed to the applicant and kept in the history."))
    submit = SubmitField(_l("Record the decision"))


class BulkDecisionForm(FlaskForm):
    decision = SelectField(_l("Decision for the selected applications"), choices=DECISIONS)
    note = TextAreaField(_l("Note to the applicants"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Apply to the selected applications"))


class AttendanceImportForm(FlaskForm):
    report = FileField(_l("Zoom participants report (.csv)"), validators=[FileRequired(_l("Choose the CSV file."))],
                       description=_l("In Zoom: Reports → Usage → Participants → Export. People are matched by "
                                      "e-mail."),
                       render_kw={"accept": ".csv,text/csv"})
    min_minutes = IntegerField(_l("Minimum minutes to count as present"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=1440)])
    confirm_early = BooleanField(_l("Import even if the session has not started yet"))
    submit = SubmitField(_l("Import attendance"))


class StyleguideForm(FlaskForm):
    """The style guide's sample fields: one plain, one with a hint, one with an error, a long text, a checkbox."""

    class Meta:
        csrf = False

    name = StringField(_l("Full name"), validators=[DataRequired()],
                       description=_l("As it should appear on the certificate."))
    email = StringField(_l("E-mail address"))
    note = TextAreaField(_l("Note to the applicant"), description=_l("Sent with the decision."))
    agree = BooleanField(_l("Tell the applicant by e-mail"))
    city = StringField(_l("City"))
    country = StringField(_l("Country (2-letter code)"))
