"""Helpers shared by views that handle forms."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from recrutement.core.errors import ServiceError
from recrutement.core.validators import whole_number


def add_service_error(form: FlaskForm, error: Exception) -> None:
    """Show a service's refusal on the field it names, or at the top of the form."""
    message = getattr(error, "message", None) or str(error)
    field_name = getattr(error, "field", None) if isinstance(error, ServiceError) else None
    if field_name and field_name in form:
        form[field_name].errors = [*form[field_name].errors, message]
    else:
        form.form_errors.append(message)


# No list of the platform comes near this many pages; larger numbers (which SQL would
# overflow on) show the last, empty page instead of failing.
MAX_PAGE = 10_000


def page_number(args: Mapping[str, str]) -> int:
    """The `?page=` of a list: a whole number from 1 to MAX_PAGE, 1 when absent or bad."""
    raw = (args.get("page") or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    number = whole_number(raw, MAX_PAGE)
    return MAX_PAGE if number is None else max(number, 1)
