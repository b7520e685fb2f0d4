"""Choices shared by the forms of every blueprint."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import SelectChoice

from lms.core import locales


def language_choices() -> dict[str, list[SelectChoice]]:
    """The interface's languages first, then every other language: two groups of the select (optgroups)."""
    first, others = locales.language_choices()
    return {_("Languages of this site"): [SelectChoice(code, name) for code, name in first],
            _("Other languages"): [SelectChoice(code, name) for code, name in others]}
