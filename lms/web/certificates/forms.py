from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.web.form_filters import strip


class IssueForm(FlaskForm):
    email = EmailField(_l("Learner's e-mail address"), validators=[DataRequired(), Length(max=254)], filters=[strip])
    course = SelectField(_l("Course"), validators=[DataRequired()], choices=[])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)], filters=[strip],
                           description=_l("Recorded with the certificate, e.g. \"Completed the course on paper in "
                                          "the Seoul workshop\" or \"Replaces a certificate revoked for a misspelt "
                                          "name\"."))
    submit = SubmitField(_l("Issue the certificate"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)], filters=[strip],
                           description=_l("Shown to anyone who verifies the certificate."))
    submit = SubmitField(_l("Revoke the certificate"))
