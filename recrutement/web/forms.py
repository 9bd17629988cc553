"""Helpers shared by views that handle forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from recrutement.core.errors import ServiceError


def add_service_error(form: FlaskForm, error: Exception) -> None:
    """Show a service's refusal on the field it names, or at the top of the form."""
    message = getattr(error, "message", None) or str(error)
    field_name = getattr(error, "field", None) if isinstance(error, ServiceError) else None
    if field_name and field_name in form:
        form[field_name].errors = [*form[field_name].errors, message]
    else:
        form.form_errors.append(message)
