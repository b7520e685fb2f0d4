from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A button that changes something (enrol, complete a lesson…): a form so it carries the CSRF token."""

    submit = SubmitField(_l("Go"))
