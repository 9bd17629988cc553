"""Password hashing (argon2id) and the password rules users see, with their form validator."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from wtforms import Field, Form
from wtforms.validators import Length, ValidationError

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 128
PASSWORD_RULE = (
    f"Au moins {MINIMUM_LENGTH} caractères. Une phrase de passe de plusieurs mots "
    "est plus facile à retenir et plus sûre."
)

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown email the
# same as for a known one, so timing does not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("a password nobody has, used only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; runs in the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("recrutement.accounts").joinpath("data/common-passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Why `password` is refused, in French; an empty list means it is accepted."""
    problems = []
    if len(password) < MINIMUM_LENGTH:
        problems.append(f"Le mot de passe doit contenir au moins {MINIMUM_LENGTH} caractères.")
    if len(password) > MAXIMUM_LENGTH:
        problems.append(f"Le mot de passe doit contenir au plus {MAXIMUM_LENGTH} caractères.")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        problems.append("Ce mot de passe est trop courant : choisissez-en un autre.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("Le mot de passe ne doit pas contenir votre adresse électronique.")
    return problems


class StrongPassword:
    """The password rules (`password_problems`), checked against the form's email."""

    def __init__(self, email_field: str | None = "email") -> None:
        self.email_field = email_field

    def __call__(self, form: Form, field: Field) -> None:
        email = ""
        if self.email_field and self.email_field in form:
            email = form[self.email_field].data or ""
        elif hasattr(form, "known_email"):
            email = form.known_email
        problems = password_problems(field.data or "", email)
        if problems:
            raise ValidationError(" ".join(problems))


def password_length() -> Length:
    """Any password field's bound, new or not (the rules' maximum)."""
    return Length(max=MAXIMUM_LENGTH, message=f"{MAXIMUM_LENGTH} caractères au maximum.")
