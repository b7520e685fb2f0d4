"""Showing a service's refusal on the form that caused it, the same way on every page."""

from __future__ import annotations

from flask_wtf import FlaskForm

from lms.services.errors import ServiceError


def show_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Put the message next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
