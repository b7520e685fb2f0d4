"""Showing a service's refusal on the form that caused it, the same way on every page.

Every view with a form saves it through ``save_form``: a refusal of what was typed (Invalid) or of the state it
meets (Conflict) is shown on the form, which is kept, with status 422, and what the use case wrote before refusing is
rolled back here (services raise, they do not roll back first). NotAllowed and NotFound are not the form's
business: they reach lms.web.errors and answer 403 and 404 like any other page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from lms.extensions import db
from lms.services.errors import Conflict, Invalid, ServiceError

Saved = TypeVar("Saved")


def show_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Put the message next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def save_form(form: FlaskForm, save: Callable[[], Saved],
              refusals: tuple[type[ServiceError], ...] = (Invalid, Conflict)) -> tuple[Saved | None, int]:
    """(what ``save`` returned, 200) once a submitted, valid form is saved; (None, 422) when the form or the service
    refused it, the reasons shown on the form; (None, 200) when nothing was submitted."""
    if form.validate_on_submit():
        try:
            return save(), 200
        except refusals as error:
            db.session.rollback()  # the one place for refusals kept on a form, as lms.web.errors for the others
            show_service_error(form, error)
            return None, 422
    return None, 422 if form.is_submitted() else 200
