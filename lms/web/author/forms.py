from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class UploadPackageForm(FlaskForm):
    package = FileField("Course package (.zip)", validators=[
        FileRequired("Choose a .zip file of the course package."),
        FileAllowed(["zip"], "The package must be a .zip file."),
    ], description="A zip of the package folder: course.yaml, module folders, lessons, quizzes and assets.")
    submit = SubmitField("Validate and import as a draft")


class PublishForm(FlaskForm):
    submit = SubmitField("Publish this version")
