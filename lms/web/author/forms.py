from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, SubmitField

from lms.services.quiz_preview import Situation


class UploadPackageForm(FlaskForm):
    package = FileField(_l("Course package (.zip)"), validators=[
        FileRequired(_l("Choose a .zip file of the course package.")),
        FileAllowed(["zip"], _l("The package must be a .zip file.")),
    ], description=_l("A zip of the package folder: course.yaml, module folders, lessons, quizzes and assets."))
    submit = SubmitField(_l("Validate and import as a draft"))


class PublishForm(FlaskForm):
    # The published version the author saw on the confirmation page ("" for none): publishing is refused if another
    # one was published meanwhile, so what was confirmed is what happens.
    replacing = HiddenField()
    submit = SubmitField(_l("Yes, publish this version"))


class DeleteDraftForm(FlaskForm):
    submit = SubmitField(_l("Yes, delete this draft"))


class QuizPreviewForm(FlaskForm):
    seed = HiddenField()  # the layout (question and choice order) shown, so the answers are graded against it
    situation = RadioField(_l("Show the result as it appears to a learner"), default=Situation.ATTEMPTS_LEFT.value,
                           choices=[SelectChoice(Situation.ATTEMPTS_LEFT.value, _l("who can still try again")),
                                    SelectChoice(Situation.LAST_ATTEMPT.value, _l("who has used all their attempts"))])
