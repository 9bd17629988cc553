"""Forms of the organisation pages."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

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


class DecisionForm(Form):
    decision = SelectField(
        "Décision",
        choices=[
            SelectChoice("validate", "Valider la collectivité"),
            SelectChoice("refuse", "Refuser la demande"),
        ],
        validators=[required()],
    )
    reason = TextAreaField(
        "Motif du refus",
        description="Obligatoire en cas de refus : il est envoyé par courriel aux membres de la collectivité.",
        validators=[bounded(2000)],
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
