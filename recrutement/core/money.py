"""Amounts in euros as French users type and read them: one parser and one formatter
for every form (cofunding requests, the instruction's amounts, the ANAH opinion)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
# The columns hold Numeric(10, 2): nothing in the programme comes near ten million euros.
MAXIMUM = Decimal("9999999.99")
AMOUNT_MESSAGE = "Saisissez un montant en euros, par exemple 60 000 ou 60 000,50."
TOO_LARGE_MESSAGE = "Ce montant est trop élevé : 9 999 999,99 € au plus."
CENTS_MESSAGE = "Le montant s'exprime au centime près (deux décimales au plus)."
# Spaces of every kind (a pasted "60 000 €" carries no-break ones) and the euro sign.
_NOISE = re.compile(r"[\s\u00a0\u202f€]")
# "60.000" or "1.250.000": dots that group thousands, the way many French users type.
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
# Digits with one optional decimal separator: no exponent, no sign, no "NaN".
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_euros(text: str | None) -> Decimal | None:
    """An amount typed the French way ("60 000,50", "60.000", "60000.5 €") as a Decimal;
    None when blank; ValueError with a French message otherwise (negative, exponent,
    more than two decimals, above MAXIMUM)."""
    text = _NOISE.sub("", text or "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif _DOTTED_THOUSANDS.match(text):
        text = text.replace(".", "")
    if not _PLAIN_NUMBER.match(text) or len(text) > 20:
        raise ValueError(AMOUNT_MESSAGE)
    try:
        amount = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover — the pattern above rules it out
        raise ValueError(AMOUNT_MESSAGE) from error
    if amount > MAXIMUM:
        raise ValueError(TOO_LARGE_MESSAGE)
    if amount != amount.quantize(CENT):
        raise ValueError(CENTS_MESSAGE)
    return amount


def format_euros(amount: Decimal | None, cents: bool = False) -> str:
    """60000.5 → "60 000,50"; whole amounts without decimals ("60 000") unless `cents`."""
    if amount is None:
        return ""
    whole = amount == amount.to_integral_value() and not cents
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return text.replace(",", " ").replace(".", ",")
