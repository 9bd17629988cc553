"""Mails about organisations: invitations, validation, refusal."""

from __future__ import annotations

from recrutement.core.french import of_organisation, with_article
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email
from recrutement.organisations.models import Invitation, Organisation


def invitation(invitation: Invitation, token: str) -> None:
    queue_email(
        invitation.email,
        "invitation",
        f"Invitation à rejoindre {with_article(invitation.organisation.name)} sur Recrutement PVD",
        invitation=invitation,
        link=absolute_url("auth.accept_invitation", token=token),
    )


def organisation_decided(organisation: Organisation) -> None:
    validated = organisation.is_validated
    subject = (
        f"Inscription validée sur Recrutement PVD : {organisation.name}"
        if validated
        else f"La demande d'inscription {of_organisation(organisation.name)} n'a pas été validée"
    )
    for membership in organisation.memberships:
        queue_email(
            membership.user.email,
            "organisation_validated" if validated else "organisation_refused",
            subject,
            organisation=organisation,
            user=membership.user,
            link=absolute_url("employer.home"),
        )


def organisation_to_validate(organisation: Organisation, recipients: list[str]) -> None:
    for email in recipients:
        queue_email(
            email,
            "organisation_to_validate",
            f"Nouvelle collectivité à valider : {organisation.name}",
            organisation=organisation,
            link=absolute_url("prefecture.organisation", organisation_id=organisation.id),
        )
