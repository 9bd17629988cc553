"""Reusable WTForms validators and helpers, with French messages (the password
rules' validator is accounts.passwords.StrongPassword: core knows no domain)."""

from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import SelectMultipleField, widgets
from wtforms.validators import DataRequired, Email, Length, NumberRange

REQUIRED = "Ce champ est obligatoire."


def required(message: str = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def email_address() -> Email:
    return Email(
        message="Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        check_deliverability=False,
    )


def strip(value: object) -> object:
    """Field filter: drop the spaces a paste brings around a value."""
    return value.strip() if isinstance(value, str) else value


# Row ids are INTEGER columns: 32 bits on PostgreSQL, and SQLite's driver overflows past
# 64 bits. A number beyond names no row, so it is read as no number at all.
MAX_ROW_ID = 2**31 - 1


def whole_number(raw: object, maximum: int = MAX_ROW_ID) -> int | None:
    """`raw` (a query or form value) as a whole number from 0 to `maximum` written in
    ASCII digits, else None. `str.isdigit()` alone is not enough: it accepts "²", which
    int() refuses, and any length, which the database refuses."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


def between(minimum: int, maximum: int, message: str) -> NumberRange:
    """A number from `minimum` to `maximum`; the French message is shown as written
    (WTForms %-formats it, so a "%" of the message is escaped here)."""
    return NumberRange(minimum, maximum, message.replace("%", "%%"))


def bounded(maximum: int) -> Length:
    return Length(max=maximum, message=f"{maximum} caractères au maximum.")


class MultipleCheckboxField(SelectMultipleField):
    """A multiple choice rendered as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirect)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(character) < 32 for character in target):
        return None
    return target
