"""The offer form: every field of docs/design.md, with French labels and hints."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from recrutement.core.forms import Form
from recrutement.core.validators import (
    MultipleCheckboxField,
    between,
    bounded,
    email_address,
    required,
    strip,
)
from recrutement.offers.models import CONTENT_FIELDS, Category, ContractType, Experience, RemoteWork

DATE_MESSAGE = "Saisissez une date valide (jj/mm/aaaa)."


def optional_number(label: str, minimum: int, maximum: int, **kwargs: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            between(minimum, maximum, f"Saisissez un nombre entre {minimum} et {maximum}."),
        ],
        **kwargs,
    )


class OfferForm(Form):
    title = StringField(
        "Intitulé du poste",
        description="Par défaut : « Chef de projet Petites villes de demain ».",
        validators=[bounded(200)],
        filters=[strip],
    )
    recruiting_authority = StringField(
        "Autorité qui recrute",
        description="Par exemple : le maire de Quimperlé, le président de la communauté de communes.",
        validators=[required(), bounded(200)],
        filters=[strip],
    )
    post_is_new = RadioField(
        "Le poste est",
        choices=[SelectChoice("1", "Créé"), SelectChoice("0", "Vacant")],
        default="1",
        validators=[required()],
    )
    vacant_since = DateField(
        "Vacant depuis le", validators=[Optional()], description="Seulement si le poste est vacant."
    )
    towns = MultipleCheckboxField(
        "Communes Petites villes de demain couvertes",
        validators=[required("Choisissez au moins une commune couverte.")],
    )
    workplace_insee_code = SelectField("Lieu de travail", validators=[required()])
    contract_type = SelectField(
        "Type de contrat", choices=ContractType.choices(), validators=[required()]
    )
    duration_months = optional_number(
        "Durée du contrat (en mois)",
        1,
        72,
        description="Pour un contrat de projet ou un CDD. Un contrat de projet dure de 1 à 6 ans.",
    )
    category = SelectField("Catégorie", choices=Category.choices(), validators=[required()])
    grades = StringField(
        "Grades",
        description="Par exemple : attaché territorial, ingénieur territorial.",
        validators=[required(), bounded(300)],
        filters=[strip],
    )
    working_time_percent = IntegerField(
        "Temps de travail (en % d'un temps plein)",
        default=100,
        validators=[required(), between(50, 100, "Entre 50 et 100 %.")],
    )
    remote_work = SelectField("Télétravail", choices=RemoteWork.choices(), validators=[required()])
    salary_min = optional_number("Rémunération annuelle brute minimum (€)", 15000, 150000)
    salary_max = optional_number("Rémunération annuelle brute maximum (€)", 15000, 150000)
    start_date = DateField("Date de prise de poste souhaitée", validators=[Optional()])
    application_deadline = DateField(
        "Date limite de candidature",
        description="Au moins un mois après la publication (minimum légal).",
        validators=[required(DATE_MESSAGE)],
    )
    missions = TextAreaField(
        "Missions", validators=[required(), bounded(10000)], render_kw={"rows": 10}
    )
    profile = TextAreaField(
        "Profil recherché", validators=[required(), bounded(10000)], render_kw={"rows": 8}
    )
    benefits = TextAreaField(
        "Ce que nous offrons",
        description="Rémunération, avantages, cadre de travail, accompagnement…",
        validators=[bounded(5000)],
        render_kw={"rows": 5},
    )
    experience = SelectField(
        "Expérience souhaitée", choices=Experience.choices(), validators=[required()]
    )
    contact_name = StringField(
        "Personne à contacter", validators=[required(), bounded(200)], filters=[strip]
    )
    contact_email = EmailField(
        "Adresse électronique de contact",
        validators=[required(), email_address(), bounded(254)],
        filters=[strip],
    )
    contact_phone = StringField(
        "Téléphone de contact", validators=[Optional(), bounded(30)], filters=[strip]
    )
    attachment = FileField("Fiche de poste", description="Format PDF, 5 Mo au maximum.")
    remove_attachment = BooleanField("Retirer la fiche de poste jointe")

    def content_values(self) -> dict[str, Any]:
        """The form's data as offer attributes."""
        values = {
            name: getattr(self, name).data for name in CONTENT_FIELDS if name != "post_is_new"
        }
        values["post_is_new"] = self.post_is_new.data == "1"
        if values["post_is_new"]:
            values["vacant_since"] = None
        return values


class RepublishForm(Form):
    application_deadline = DateField(
        "Nouvelle date limite de candidature",
        description="Au moins un mois après aujourd'hui (minimum légal).",
        validators=[required(DATE_MESSAGE)],
    )


class ActionForm(Form):
    """An empty form for one-click actions: only its CSRF token matters."""


class UnpublishForm(Form):
    reason = TextAreaField(
        "Motif du retrait",
        description="Envoyé par courriel aux membres de la collectivité.",
        validators=[required(), bounded(2000)],
    )
