from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.core.discussions import BODY_MAX, REASON_MAX, TITLE_MAX

MARKDOWN_HINT = _l("Markdown works: *emphasis*, **strong**, lists, [links](https://example.org). No images.")


class ThreadForm(FlaskForm):
    # "Question" is also a quiz item, which Korean and Arabic name differently: the kind has its own context.
    # Announcements are the staff's: the service refuses one from anyone else, and the view offers it to staff only.
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice("discussion", _l("Discussion")),
        SelectChoice("question", lazy_pgettext("discussion kind", "Question")),
        SelectChoice("announcement", _l("Announcement"))])
    place = HiddenField()
    item_key = HiddenField()
    # Staff only: filled by the view; the service checks the cohort is the course's.
    space = SelectField(_l("Space"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the discussion a title.")),
                                                 Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Message"), description=MARKDOWN_HINT,
                         validators=[DataRequired(_l("Write something first.")), Length(max=BODY_MAX)])
    submit = SubmitField(_l("Post"))


class ReplyForm(FlaskForm):
    parent_id = HiddenField()
    body = TextAreaField(_l("Your reply"), description=MARKDOWN_HINT,
                         validators=[DataRequired(_l("Write something first.")), Length(max=BODY_MAX)])
    submit = SubmitField(_l("Reply"))


class ReflectionForm(FlaskForm):
    body = TextAreaField(_l("Your reflection"), description=MARKDOWN_HINT,
                         validators=[DataRequired(_l("Write something first.")), Length(max=BODY_MAX)])
    submit = SubmitField(_l("Share with my cohort"))


class EditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Message"), description=MARKDOWN_HINT,
                         validators=[DataRequired(_l("Write something first.")), Length(max=BODY_MAX)])
    submit = SubmitField(_l("Save"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Send"))


class MuteForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])
    days = IntegerField(_l("Days"), default=7, validators=[DataRequired(), NumberRange(min=1, max=365)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Mute"))


class ActionForm(FlaskForm):
    """A button that changes something (remove, pin, lock, restore): a form so it carries the CSRF token."""

    submit = SubmitField(_l("Go"))


class AnswerForm(FlaskForm):
    post_id = HiddenField()
    submit = SubmitField(_l("Mark as the answer"))


class MailSettingsForm(FlaskForm):
    mail_mode = SelectField(_l("E-mail from discussions"), choices=[
        SelectChoice("each", _l("A message for each new post in the discussions I follow")),
        SelectChoice("digest", _l("One daily digest")),
        SelectChoice("off", _l("No e-mail"))])
    submit = SubmitField(_l("Save"))
