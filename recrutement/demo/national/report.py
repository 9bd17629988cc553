"""What the national demo tells as it goes: each step with the seconds elapsed, and the
French summary of what was added."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from time import perf_counter

from flask import current_app

from recrutement.cofunding.content import euros
from recrutement.cofunding.models import CofundingStatus
from recrutement.demo.national.model import Plan
from recrutement.demo.national.parameters import NATIONAL_DOMAIN


class Clock:
    """Prints each step with the seconds elapsed since the start."""

    def __init__(self, echo: Callable[[str], None] | None) -> None:
        self.echo = echo or (lambda _message: None)
        self.started = perf_counter()

    def __call__(self, message: str) -> None:
        self.echo(f"  [{self.elapsed():5.1f} s] {message}")

    def elapsed(self) -> float:
        return perf_counter() - self.started


def summary(plan: Plan, clock: Clock) -> str:
    kinds = Counter(org.kind for org in plan.orgs)
    offers = Counter(offer.status for offer in plan.offers)
    requests = Counter(str(request.status) for request in plan.requests)
    covered = sum(len(org.towns) for org in plan.orgs)
    money = sum(
        (
            granted
            for r in plan.requests
            if r.status == CofundingStatus.GRANTED
            for _, granted in r.parts.values()
        ),
        Decimal(0),
    )
    labels = {status.value: status.label.lower() for status in CofundingStatus}
    return "\n".join(
        [
            f"Programme national de démonstration (comptes @{NATIONAL_DOMAIN}, mot de passe "
            f"{current_app.config['DEMO_PASSWORD']}) :",
            f"  {covered} communes PVD couvertes par {len(plan.orgs)} collectivités "
            f"({kinds['epci']} EPCI, {kinds['commune']} communes, {kinds['petr']} PETR), "
            f"{plan.vacant_towns} sans collectivité",
            f"  {len(plan.offers)} offres ({offers['filled']} pourvues, {offers['published']} "
            f"publiées, {offers['expired']} expirées), {plan.application_count()} candidatures, "
            f"{len(plan.candidates)} comptes candidats",
            f"  {len(plan.tenures)} recrutements depuis 2020 ; {len(plan.requests)} demandes de "
            "cofinancement ("
            + ", ".join(f"{count} {labels[status]}" for status, count in sorted(requests.items()))
            + f"), {euros(money)} accordés",
            f"  en {clock.elapsed():.1f} s",
        ]
    )
