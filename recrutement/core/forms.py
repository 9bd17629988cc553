"""The base of every form of the platform: text inputs are cleaned the same way in all
of them, so no form can forget it (issue 10, findings 9 and 10).

- single-line fields (every StringField but TextAreaField: names, titles, emails,
  hidden fields) refuse control characters, CR and LF included: a PETR name with a line
  break would otherwise break a mail's subject line;
- multi-line fields (TextAreaField) keep tabs and line breaks and lose every other
  control character, NUL included (PostgreSQL refuses NUL in text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

# C0 controls and DEL; the multi-line set spares tab, line feed and carriage return.
SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f]")
MULTI_LINE_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = (
    "Ce champ tient sur une ligne : retirez les retours à la ligne et les caractères "
    "spéciaux invisibles."
)


def refuse_control_characters(value: object) -> object:
    """Filter of single-line fields: a French error instead of a hidden character."""
    if isinstance(value, str) and SINGLE_LINE_FORBIDDEN.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def drop_control_characters(value: object) -> object:
    """Filter of multi-line fields: line breaks and tabs stay, other controls go."""
    if isinstance(value, str):
        return MULTI_LINE_DROPPED.sub("", value)
    return value


class Form(FlaskForm):
    """FlaskForm (CSRF on every POST) whose text fields are cleaned as said above."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            extra: Callable[[object], object] | None = None
            if issubclass(field_class, TextAreaField):
                extra = drop_control_characters
            elif issubclass(field_class, StringField):
                extra = refuse_control_characters
            if extra is not None:
                # First, so that the field's own filters (strip…) see clean text.
                options["filters"] = [extra, *unbound_field.kwargs.get("filters", ())]
            return super().bind_field(form, unbound_field, options)
