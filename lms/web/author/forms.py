from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, SubmitField

from lms.services.quiz_preview import Situation


class UploadPackageForm(FlaskForm):
    package = FileField("Course package (.zip)", validators=[
        FileRequired("Choose a .zip file of the course package."),
        FileAllowed(["zip"], "The package must be a .zip file."),
    ], description="A zip of the package folder: course.yaml, module folders, lessons, quizzes and assets.")
    submit = SubmitField("Validate and import as a draft")


class PublishForm(FlaskForm):
    # The published version the author saw on the confirmation page ("" for none): publishing is refused if another
    # one was published meanwhile, so what was confirmed is what happens.
    replacing = HiddenField()
    submit = SubmitField("Yes, publish this version")


class DeleteDraftForm(FlaskForm):
    submit = SubmitField("Yes, delete this draft")


class QuizPreviewForm(FlaskForm):
    seed = HiddenField()  # the layout (question and choice order) shown, so the answers are graded against it
    situation = RadioField("Show the result as it appears to a learner", default=Situation.ATTEMPTS_LEFT.value,
                           choices=[SelectChoice(Situation.ATTEMPTS_LEFT.value, "who can still try again"),
                                    SelectChoice(Situation.LAST_ATTEMPT.value, "who has used all their attempts")])
