"""What a cofunding request says, checked, and the split the rules give it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from recrutement.cofunding.engine import InvalidPeriod, Split, compute_split
from recrutement.cofunding.models import CofundingRequest
from recrutement.cofunding.rules import as_rule, funding_rule_in_force
from recrutement.core.errors import ServiceError
from recrutement.offers.models import FIXED_TERM_CONTRACTS, ContractType
from recrutement.referential.text import fold

MAX_COST = Decimal("1000000")


@dataclass
class RequestContent:
    """What the collectivité fills in (already type-checked by the form)."""

    post_title: str
    holder_first_name: str
    holder_last_name: str
    holder_start_date: date | None
    contract_type: str
    contract_end_date: date | None
    period_start: date | None
    period_end: date | None
    annual_loaded_cost: Decimal | None
    bdt_asked: bool = True
    anah_asked: bool = False
    housing_operation: str = ""


CONTENT_FIELDS = [field.name for field in fields(RequestContent)]


def check_content(content: RequestContent) -> Split:
    """Refuse incomplete or inconsistent content (ServiceError naming the field);
    return the maximum split the rules allow for it."""
    required = {
        "post_title": "Indiquez l'intitulé du poste.",
        "holder_first_name": "Indiquez le prénom du chef de projet.",
        "holder_last_name": "Indiquez le nom du chef de projet.",
        "holder_start_date": "Indiquez la date d'arrivée du chef de projet.",
        "period_start": "Indiquez le début de la période demandée.",
        "period_end": "Indiquez la fin de la période demandée.",
        "annual_loaded_cost": "Indiquez le coût chargé annuel du poste.",
    }
    for name, message in required.items():
        value = getattr(content, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ServiceError(message, field=name)
    # Said to the type checker: the loop above refused every missing one.
    assert content.holder_start_date is not None
    assert content.period_start is not None and content.period_end is not None
    assert content.annual_loaded_cost is not None
    if content.contract_type not in set(ContractType):
        raise ServiceError("Choisissez le type de contrat.", field="contract_type")
    if content.contract_type in FIXED_TERM_CONTRACTS and content.contract_end_date is None:
        raise ServiceError(
            "Indiquez la date de fin de ce contrat à durée déterminée.", field="contract_end_date"
        )
    if content.contract_end_date and content.contract_end_date < content.holder_start_date:
        raise ServiceError(
            "La fin du contrat précède l'arrivée du chef de projet.", field="contract_end_date"
        )
    if content.period_start < content.holder_start_date:
        raise ServiceError(
            "La période ne peut pas commencer avant l'arrivée du chef de projet "
            f"({content.holder_start_date:%d/%m/%Y}).",
            field="period_start",
        )
    if content.contract_end_date and content.period_end > content.contract_end_date:
        raise ServiceError(
            f"La période ne peut pas dépasser la fin du contrat ({content.contract_end_date:%d/%m/%Y}).",
            field="period_end",
        )
    cost = content.annual_loaded_cost
    if cost <= 0 or cost > MAX_COST:
        raise ServiceError(
            "Le coût chargé annuel doit être compris entre 0 et 1 000 000 €.",
            field="annual_loaded_cost",
        )
    if content.anah_asked and len(content.housing_operation.strip()) < 5:
        raise ServiceError(
            "L'ANAH ne finance le poste qu'au titre d'une OPAH-RU ou d'une opération d'habitat : nommez-la.",
            field="housing_operation",
        )
    return split_for(content)


def split_for(content: RequestContent) -> Split:
    """The maximum split for content whose cost and period are given (every caller
    checks them first: check_content, the form's required fields)."""
    assert content.annual_loaded_cost is not None
    assert content.period_start is not None and content.period_end is not None
    try:
        rule = as_rule(funding_rule_in_force(content.period_start))
        return compute_split(
            content.annual_loaded_cost,
            content.anah_asked,
            content.period_start,
            content.period_end,
            rule,
            bdt_asked=content.bdt_asked,
        )
    except InvalidPeriod as error:
        field = {"debut": "period_start", "fin": "period_end"}.get(
            error.parameter, "annual_loaded_cost"
        )
        raise ServiceError(error.message, field=field) from error


def post_key(offer_id: int | None, post_title: str) -> str:
    """Which post a request is about: its offer when it has one, else its folded title."""
    return f"offer:{offer_id}" if offer_id else f"title:{fold(post_title)[:200]}"


def content_of(request: CofundingRequest) -> RequestContent:
    return RequestContent(**{name: getattr(request, name) for name in CONTENT_FIELDS})


def euros(amount: Decimal) -> str:
    """12 345,67 € (French grouping with a narrow no-break space)."""
    text = f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def anah_rule_text(on: date) -> str:
    """The ANAH caps of the rule in force on `on`, in words: "50 % du coût et
    40 000 € par an, dans la limite du total" (read from the rule row, not written here)."""
    rule = funding_rule_in_force(on)
    cap = f"{rule.anah_cap:,.0f}".replace(",", "\u202f")
    return f"{rule.anah_rate * 100:.0f} % du coût et {cap} € par an, dans la limite du total"
