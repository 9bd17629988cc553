"""Forms of the instruction of cofunding requests (préfecture and ANAH agents).

Every form that changes a request carries the `version` the agent saw (a hidden
field): the services refuse to act on another one, so an agent acting on a stale
page is told so instead of overwriting a colleague's decision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import AnyOf, InputRequired
from wtforms.widgets import HiddenInput, TextInput

from recrutement.cofunding import instruction
from recrutement.cofunding.content import anah_rule_text, euros
from recrutement.cofunding.models import CofundingRequest
from recrutement.core import money
from recrutement.core.forms import Form
from recrutement.core.money import parse_euros
from recrutement.core.threads import MAX_MESSAGE_LENGTH
from recrutement.core.validators import bounded, required


def format_euros(amount: Decimal) -> str:
    """12 500,50: how an amount is prefilled in a field (parse_euros reads it back)."""
    return money.format_euros(amount, cents=True)


class EuroField(Field):
    """An amount in euros typed the French way; what was typed is shown again on error."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            typed: str = self.raw_data[0]
            return typed
        return format_euros(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = None
        if "," in valuelist[0] and "." in valuelist[0]:
            # An agent adjusting to the cent must not be misread: "1.234,50" is refused.
            raise ValueError(
                "Écrivez le montant sans point de séparation des milliers, "
                "par exemple 12 500 ou 12 500,50."
            )
        self.data = parse_euros(valuelist[0])


def amount_field(
    label: str, description: str, required_message: str | None = None, id: str | None = None
) -> EuroField:
    validators = [InputRequired(message=required_message)] if required_message else []
    return EuroField(
        label,
        description=description,
        validators=validators,
        id=id,
        render_kw={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"},
    )


class VersionedForm(Form):
    """A one-click action on a request (open, grant): its CSRF token and the version seen."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message="Le formulaire est incomplet : rechargez la page.")],
    )


class ChangesForm(VersionedForm):
    message = TextAreaField(
        "Ce que la collectivité doit compléter",
        description="Envoyé à la collectivité par courriel et ajouté aux messages de la demande.",
        validators=[required(), bounded(MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 4},
    )


class RefuseForm(VersionedForm):
    reason = TextAreaField(
        "Motif du refus",
        description="Transmis à la collectivité avec la décision.",
        validators=[required(), bounded(MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 5},
    )


class DismissForm(VersionedForm):
    reason = TextAreaField(
        "Motif du classement sans suite",
        description="Transmis à la collectivité avec la décision.",
        validators=[required(), bounded(MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 5},
    )


class NoteForm(Form):
    note = TextAreaField(
        "Nouvelle note",
        description="Visible par les seuls instructeurs (préfecture et ANAH) : la collectivité ne la voit jamais.",
        validators=[required(), bounded(MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 3},
    )


class MessageForm(Form):
    body = TextAreaField(
        "Votre message à la collectivité",
        description="La collectivité le reçoit par courriel ; il reste dans les messages de la demande.",
        validators=[required(), bounded(MAX_MESSAGE_LENGTH)],
        render_kw={"rows": 4},
    )


FAVOURABLE, UNFAVOURABLE = "1", "0"
CHOOSE_OPINION = "Choisissez un avis favorable ou défavorable."


class AnahOpinionForm(VersionedForm):
    favourable = RadioField(
        "Votre avis",
        choices=[SelectChoice(FAVOURABLE, "Favorable"), SelectChoice(UNFAVOURABLE, "Défavorable")],
        validators=[
            InputRequired(message=CHOOSE_OPINION),
            AnyOf([FAVOURABLE, UNFAVOURABLE], message=CHOOSE_OPINION),
        ],
        # AnyOf above says it in French (WTForms' own check answers in English).
        validate_choice=False,
    )
    # The description (with the maximum) is set per request by anah_opinion_form().
    amount = amount_field("Montant retenu par l'ANAH (€)", "")
    comment = TextAreaField(
        "Commentaire",
        description="Lu par la préfecture et par la collectivité (il figure dans l'historique).",
        validators=[bounded(2000)],
        render_kw={"rows": 3},
    )


def anah_opinion_form(request: CofundingRequest, **kwargs: Any) -> AnahOpinionForm:
    opinion = request.anah_opinion
    data: dict[str, object] = {"version": request.version}
    if opinion is not None:
        data |= {
            "favourable": FAVOURABLE if opinion.favourable else UNFAVOURABLE,
            "amount": opinion.amount,
            "comment": opinion.comment,
        }
    form = AnahOpinionForm(data=data, **kwargs)
    form.amount.description = anah_amount_hint(request)
    return form


def anah_amount_hint(request: CofundingRequest) -> str:
    return (
        f"Au plus {euros(instruction.anah_cap(request))} : la part ANAH demandée pour la période "
        f"({anah_rule_text(request.period_start)}). "
        "Laissez vide ou 0 si l'avis est défavorable."
    )


def adjust_form(request: CofundingRequest, **kwargs: Any) -> FlaskForm:
    """One amount per line of the plan, named after its funder (as the services' errors
    are), prefilled with the amount retained so far and showing its maximum."""

    class AdjustForm(VersionedForm):
        pass

    for line in request.plan:
        limit = instruction.part_limit(request, line)
        reason = (
            "montant retenu par l'ANAH"
            if limit < line.requested_amount
            else "plafond des règles pour la période"
        )
        setattr(
            AdjustForm,
            line.funder,
            amount_field(
                f"Part {line.funder.label} (€)",
                f"Au plus {euros(limit)} ({reason}).",
                f"Indiquez la part {line.funder.label} (0 pour n'en rien accorder).",
                id=f"part-{line.funder}",
            ),
        )
    data = {"version": request.version} | {
        line.funder: line.granted_amount for line in request.plan
    }
    return AdjustForm(data=data, **kwargs)


def adjusted_amounts(form: FlaskForm, request: CofundingRequest) -> dict[str, Decimal]:
    return {line.funder: form[line.funder].data for line in request.plan}
