"""Forms of the organisation pages."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf

from recrutement.accounts.forms import (
    EmailForm,
    PersonFields,
    new_password_field,
    password_confirmation_field,
)
from recrutement.core.forms import Form
from recrutement.core.validators import (
    MultipleCheckboxField,
    bounded,
    email_address,
    required,
    strip,
)


class EmployerSignupForm(PersonFields):
    choice = HiddenField(validators=[required("Choisissez votre collectivité.")])
    petr_name = StringField("Nom du PETR", validators=[bounded(200)])
    petr_siren = StringField(
        "SIREN du PETR",
        description="9 chiffres, figurant sur l'avis de situation au répertoire SIRENE.",
        validators=[bounded(11)],
        render_kw={"inputmode": "numeric"},
    )
    petr_department = HiddenField()
    towns = MultipleCheckboxField(
        "Communes couvertes par le chef de projet",
        description="Cochez la ou les communes Petites villes de demain dont le chef de projet aura la charge.",
        validators=[required("Choisissez au moins une commune couverte.")],
    )
    email = EmailForm.email
    password = new_password_field()
    password_confirmation = password_confirmation_field()


class InviteForm(Form):
    email = EmailField(
        "Adresse électronique de votre collègue",
        validators=[required(), email_address(), bounded(254)],
        filters=[strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


VALIDATE, REFUSE = "validate", "refuse"
CHOOSE = "Choisissez de valider ou de refuser la collectivité."


class DecisionForm(Form):
    """An instructor's decision on a pending organisation: no choice is preset, so that
    saving without choosing decides nothing; a refusal needs its reason."""

    decision = RadioField(
        "Validez-vous cette collectivité ?",
        choices=[
            SelectChoice(VALIDATE, "Valider : la collectivité pourra publier ses offres"),
            SelectChoice(REFUSE, "Refuser : ses membres reçoivent le motif par courriel"),
        ],
        validators=[
            required(CHOOSE),
            AnyOf([VALIDATE, REFUSE], message=CHOOSE),
        ],
        # AnyOf above says it in French (WTForms' own check answers in English).
        validate_choice=False,
    )
    reason = TextAreaField(
        "Motif du refus",
        description="Obligatoire en cas de refus : il est envoyé par courriel aux membres de la collectivité.",
        validators=[bounded(2000)],
    )

    def validate_reason(self, field: Any) -> None:
        if self.decision.data == REFUSE and not (field.data or "").strip():
            raise ValidationError(
                "Indiquez le motif du refus : il est envoyé aux membres de la collectivité."
            )


class PvdImportForm(Form):
    file = FileField(
        "Fichier CSV des communes lauréates",
        description=(
            "Une ligne par commune : code INSEE ; date de signature de la convention "
            "(JJ/MM/AAAA, vide si non signée). Séparateur « ; » ou « , ». Taille maximale : 5 Mo."
        ),
        validators=[required("Choisissez un fichier CSV.")],
    )


class RevokeInvitationForm(Form):
    """An empty form: only its CSRF token matters."""


class NotificationForm(Form):
    frequency = RadioField(
        "Nouvelles candidatures et messages de candidats",
        choices=[
            SelectChoice("instant", "Un courriel à chaque fois"),
            SelectChoice("daily", "Un résumé par jour"),
        ],
        validators=[required()],
    )
