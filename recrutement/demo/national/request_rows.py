"""The rows of the national demo's cofunding requests: the requests, their funding
plans, the ANAH opinions and the history of each, as the platform would hold them."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from recrutement.cofunding.content import euros
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, Funder
from recrutement.demo.national.model import Plan, RequestPlan, known
from recrutement.demo.national.parameters import ANAH_OPINION, CHANGES


class RequestRows:
    """Builds the rows of a plan's requests (ids set by the writer as it inserts them)."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan = plan
        self.rng = rng

    def request_row(self, request: RequestPlan) -> dict[str, Any]:
        tenure = request.tenure
        offer, org, steps = tenure.offer, tenure.offer.line.org, request.steps
        decided = request.status in (
            CofundingStatus.GRANTED,
            CofundingStatus.REFUSED,
            CofundingStatus.DISMISSED,
        )
        previous = request.previous
        return {
            "organisation_id": org.id,
            "status": str(request.status),
            "version": 1,
            "offer_id": offer.id,
            "application_id": known(tenure.hire, "hire").id,
            "post_title": offer.content["title"],
            "post_key": f"offer:{offer.id}",
            "holder_first_name": tenure.holder[0],
            "holder_last_name": tenure.holder[1],
            "holder_start_date": tenure.started_on,
            "contract_type": offer.content["contract_type"],
            "contract_end_date": tenure.ends_on,
            "period_start": request.period[0],
            "period_end": request.period[1],
            "annual_loaded_cost": Decimal(request.cost),
            "bdt_asked": request.bdt_asked,
            "anah_asked": request.anah_asked,
            "housing_operation": offer.line.housing_operation if request.anah_asked else "",
            "renewal_of_id": previous.id
            if previous is not None and previous.status == CofundingStatus.GRANTED
            else None,
            "creation_token": None,
            "instructor_id": self.plan.agents["prefecture"].get(org.department_code)
            if "opened" in steps
            else None,
            "decision_reason": request.reason,
            "rule_id": request.rule_id if request.status == CofundingStatus.GRANTED else None,
            "decision_pdf_id": None,
            "created_at": steps["created"],
            "updated_at": max(steps.values()),
            "submitted_at": steps.get("submitted"),
            "instruction_started_at": steps.get("opened"),
            "decided_at": steps.get("decided") if decided else None,
        }

    def plan_rows(self, request: RequestPlan) -> list[dict[str, Any]]:
        return [
            {
                "request_id": request.id,
                "funder": funder,
                "requested_amount": requested,
                "granted_amount": granted,
            }
            for funder, (requested, granted) in request.parts.items()
        ]

    def opinion_row(self, request: RequestPlan) -> dict[str, Any]:
        steps = request.steps
        given = steps["opened"] + (steps.get("decided", steps["opened"]) - steps["opened"]) / 2
        return {
            "request_id": request.id,
            "author_id": self.plan.agents["anah"].get(
                request.tenure.offer.line.org.department_code
            ),
            "favourable": True,
            "amount": request.opinion,
            "comment": ANAH_OPINION,
            "created_at": given,
        }

    def event_rows(self, request: RequestPlan) -> list[dict[str, Any]]:
        org = request.tenure.offer.line.org
        prefecture = self.plan.agents["prefecture"].get(org.department_code)
        steps = request.steps
        events = [
            ("cofunding.create", org.member_id, steps["created"], ""),
            ("cofunding.submit", org.member_id, steps["submitted"], ""),
        ]
        if "opened" in steps:
            events.append(("cofunding.open", prefecture, steps["opened"], ""))
        if "changes" in steps:
            events.append(
                (
                    "cofunding.request_changes",
                    prefecture,
                    steps["changes"],
                    self.rng.choice(CHANGES),
                )
            )
        if request.opinion is not None:
            anah = self.plan.agents["anah"].get(org.department_code)
            comment = f"Avis favorable, {euros(request.opinion)}"
            events.append(
                ("cofunding.anah_opinion", anah, self.opinion_row(request)["created_at"], comment)
            )
        if "decided" in steps:
            action = {"granted": "grant", "refused": "refuse", "dismissed": "dismiss"}[
                str(request.status)
            ]
            events.append(
                (f"cofunding.{action}", prefecture, steps["decided"], self.decision(request))
            )
        return [
            {
                "created_at": at,
                "actor_id": actor,
                "action": action,
                "object_type": CofundingRequest.__tablename__,
                "object_id": str(request.id),
                "comment": comment,
            }
            for action, actor, at, comment in events
        ]

    def decision(self, request: RequestPlan) -> str:
        if request.status != CofundingStatus.GRANTED:
            return request.reason
        return " ; ".join(
            f"{Funder(funder).label} {euros(granted)}"
            for funder, (_requested, granted) in request.parts.items()
        )
