from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SubmitField

from lms.models import Role


class UserAccessForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.value.capitalize()) for role in Role])
    active = BooleanField("Account is active (can log in)")
    submit = SubmitField("Save")
