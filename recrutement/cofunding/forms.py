"""The collectivité's cofunding forms: the request, its attachments, its answers and
messages. (The instructors' forms are in instruction_forms.py.)"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from recrutement.cofunding.content import RequestContent
from recrutement.cofunding.models import AttachmentKind
from recrutement.core.forms import Form
from recrutement.core.money import format_euros, parse_euros
from recrutement.core.validators import bounded, required, strip, whole_number
from recrutement.offers.models import ContractType

DATE_MESSAGE = "Saisissez une date valide, par exemple 01/03/2026."


class EurosField(StringField):
    """An amount in euros, typed freely; shown back exactly as typed."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = None
        self.data = parse_euros(valuelist[0])

    def _value(self) -> str:
        if self.raw_data:
            typed: str = self.raw_data[0]
            return typed
        return format_euros(self.data)


class FrenchDateField(DateField):
    """A date from the browser's date picker (AAAA-MM-JJ) or typed (JJ/MM/AAAA), with a
    French message; blank is no date (the validators decide whether that is allowed)."""

    def __init__(
        self, label: str | None = None, validators: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(
            label,
            validators,
            format=["%Y-%m-%d", "%d/%m/%Y"],
            invalid_value_message=DATE_MESSAGE,
            **kwargs,
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        values = [value.strip() for value in valuelist or []]
        if not "".join(values):
            self.data = None
            return
        super().process_formdata(values)


def required_input(message: str) -> InputRequired:
    """Required, judged on what was typed: a badly typed date keeps its own message."""
    return InputRequired(message=message)


class RequestForm(Form):
    """The request's content (services.RequestContent), for a new request and an edit."""

    post_title = StringField(
        "Intitulé du poste",
        description="Par exemple : Chef de projet Petites villes de demain.",
        validators=[required("Indiquez l'intitulé du poste."), bounded(200)],
        filters=[strip],
    )
    holder_first_name = StringField(
        "Prénom du chef de projet",
        validators=[required("Indiquez le prénom du chef de projet."), bounded(100)],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    holder_last_name = StringField(
        "Nom du chef de projet",
        validators=[required("Indiquez le nom du chef de projet."), bounded(100)],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    holder_start_date = FrenchDateField(
        "Date d'arrivée du chef de projet",
        description="Format : jj/mm/aaaa.",
        validators=[required_input("Indiquez la date d'arrivée du chef de projet.")],
    )
    contract_type = SelectField(
        "Type de contrat",
        choices=[SelectChoice("", "Choisir un type de contrat"), *ContractType.choices()],
        validators=[required("Choisissez le type de contrat.")],
    )
    contract_end_date = FrenchDateField(
        "Date de fin du contrat",
        description="Obligatoire pour un contrat de projet ou un CDD. Format : jj/mm/aaaa.",
        validators=[Optional()],
    )
    period_start = FrenchDateField(
        "Début de la période demandée",
        description=(
            "Une demande couvre une période d'une seule année civile : à partir de la date "
            "d'arrivée du chef de projet, ou du 1er janvier. Format : jj/mm/aaaa."
        ),
        validators=[required_input("Indiquez le début de la période demandée.")],
    )
    period_end = FrenchDateField(
        "Fin de la période demandée",
        description="Au plus tard le 31 décembre de la même année, ou la fin du contrat.",
        validators=[required_input("Indiquez la fin de la période demandée.")],
    )
    annual_loaded_cost = EurosField(
        "Coût chargé annuel du poste (€)",
        description=(
            "Salaire brut et charges patronales sur une année entière, "
            "par exemple 60 000 ou 60 000,50."
        ),
        validators=[required_input("Indiquez le coût chargé annuel du poste.")],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    bdt_asked = BooleanField(
        "Solliciter la Banque des territoires",
        description="Elle finance une part du coût, dans la limite de son taux et de son plafond annuel.",
        default=True,
    )
    anah_asked = BooleanField(
        "Solliciter l'ANAH",
        description="Seulement au titre d'une OPAH-RU ou d'une opération d'habitat, à nommer ci-dessous.",
    )
    housing_operation = StringField(
        "Opération d'habitat qui justifie l'ANAH",
        description=(
            "Obligatoire si l'ANAH est sollicitée, par exemple : "
            "« OPAH-RU du centre-bourg 2024-2029 »."
        ),
        validators=[bounded(300)],
        filters=[strip],
    )
    # A random token written on the page: the same form posted twice makes one request.
    creation_token = HiddenField(validators=[Length(max=64)])
    # The version the user saw: acting on a stale page is refused.
    version = HiddenField()

    def content(self) -> RequestContent:
        return RequestContent(
            post_title=self.post_title.data or "",
            holder_first_name=self.holder_first_name.data or "",
            holder_last_name=self.holder_last_name.data or "",
            holder_start_date=self.holder_start_date.data,
            contract_type=self.contract_type.data or "",
            contract_end_date=self.contract_end_date.data,
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            annual_loaded_cost=self.annual_loaded_cost.data,
            bdt_asked=bool(self.bdt_asked.data),
            anah_asked=bool(self.anah_asked.data),
            housing_operation=self.housing_operation.data or "",
        )


# What the "Calculer" button needs (the rest of the form may still be empty).
COMPUTATION_FIELDS = ("annual_loaded_cost", "period_start", "period_end", "bdt_asked", "anah_asked")


class AttachmentForm(Form):
    kind = SelectField(
        "Type de pièce",
        choices=[SelectChoice("", "Choisir le type de pièce"), *AttachmentKind.choices()],
        validators=[required("Choisissez le type de pièce.")],
    )
    file = FileField(
        "Fichier PDF (5 Mo au maximum)",
        validators=[FileRequired("Choisissez un fichier PDF.")],
        render_kw={"accept": "application/pdf,.pdf"},
    )


class AnswerForm(Form):
    """The collectivité's answer to a request for changes (used with prefix="reponse")."""

    body = TextAreaField(
        "Votre réponse à la préfecture",
        description="Expliquez ce que vous avez complété ou modifié. La demande retournera en instruction.",
        validators=[required("Écrivez votre réponse à la préfecture."), bounded(5000)],
        render_kw={"rows": 5},
    )


class MessageForm(Form):
    body = TextAreaField(
        "Votre message",
        validators=[required("Écrivez votre message."), bounded(5000)],
        render_kw={"rows": 5},
    )


class VersionForm(Form):
    """A one-click move on the version of the request the user saw."""

    version = HiddenField()


class ActionForm(Form):
    """A one-click move: only its CSRF token matters."""


def version_of(form: FlaskForm) -> int | None:
    """The version a form carried back, or None when it carried none readable."""
    return whole_number(form.version.data)
