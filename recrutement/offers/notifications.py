"""Mails about offers."""

from __future__ import annotations

from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email
from recrutement.offers.models import Offer


def offer_unpublished(offer: Offer, reason: str) -> None:
    for membership in offer.organisation.memberships:
        queue_email(
            membership.user.email,
            "offer_unpublished",
            f"Votre offre « {offer.title} » a été retirée de la publication",
            offer=offer,
            reason=reason,
            user=membership.user,
            link=absolute_url("employer.offer", offer_id=offer.id),
        )
