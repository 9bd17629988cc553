"""Forms of the accounts pages."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo

from recrutement.accounts.passwords import PASSWORD_RULE, StrongPassword, password_length
from recrutement.core.forms import Form
from recrutement.core.validators import (
    MultipleCheckboxField,
    bounded,
    email_address,
    required,
    strip,
)


class LoginForm(Form):
    email = EmailField(
        "Adresse électronique",
        validators=[required(), email_address(), bounded(254)],
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        "Mot de passe",
        validators=[required(), password_length()],
        render_kw={"autocomplete": "current-password"},
    )


class EmailForm(Form):
    email = EmailField(
        "Adresse électronique",
        validators=[required(), email_address(), bounded(254)],
        filters=[strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def new_password_field(email_field: str | None = "email") -> PasswordField:
    """A new password, checked against the rules and the form's email field."""
    return PasswordField(
        "Mot de passe",
        description=PASSWORD_RULE,
        validators=[required(), password_length(), StrongPassword(email_field)],
        render_kw={"autocomplete": "new-password"},
    )


def password_confirmation_field() -> PasswordField:
    return PasswordField(
        "Confirmation du mot de passe",
        validators=[
            required(),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PersonFields(Form):
    first_name = StringField(
        "Prénom",
        validators=[required(), bounded(100)],
        filters=[strip],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        "Nom",
        validators=[required(), bounded(100)],
        filters=[strip],
        render_kw={"autocomplete": "family-name"},
    )


class CandidateSignupForm(PersonFields):
    email = EmailForm.email
    password = new_password_field()
    password_confirmation = password_confirmation_field()


class ResetPasswordForm(Form):
    password = new_password_field(email_field=None)
    password_confirmation = password_confirmation_field()


class InvitationAcceptForm(PersonFields):
    password = new_password_field(email_field=None)
    password_confirmation = password_confirmation_field()


class StaffAccountForm(PersonFields):
    email = EmailForm.email
    role = SelectField(
        "Rôle",
        choices=[
            SelectChoice("prefecture", "Préfecture de département"),
            SelectChoice("anah", "Délégation de l'ANAH"),
        ],
        validators=[required()],
    )
    departments = MultipleCheckboxField(
        "Départements",
        description="Le compte ne verra que les collectivités et demandes de ces départements.",
        validators=[required("Choisissez au moins un département.")],
    )
