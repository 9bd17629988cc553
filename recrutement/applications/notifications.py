"""Mails about applications: to the candidate at each step, to the employer's members."""

from __future__ import annotations

from recrutement.applications.models import Application
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email

SUBJECTS = {
    "application_received": "Votre candidature a bien été envoyée",
    "in_review": "Votre candidature est en cours d'examen",
    "interview": "Vous êtes invité(e) à un entretien",
    "hired": "Votre candidature est retenue",
    "rejected": "Réponse à votre candidature",
    "withdrawn": "Votre candidature est retirée",
}


def to_candidate(application: Application, template: str, **context) -> None:
    """Tell the candidate about their application (`template` names the step)."""
    if application.candidate is None:
        return  # anonymised: nobody to tell
    queue_email(
        application.candidate.email,
        f"application_{template}" if not template.startswith("application_") else template,
        f"{SUBJECTS[template]} — {application.offer.title}",
        application=application,
        offer=application.offer,
        user=application.candidate,
        link=absolute_url("candidate.application", application_id=application.id),
        **context,
    )


def new_application(application: Application) -> None:
    """Tell every member of the employing organisation."""
    offer = application.offer
    for membership in offer.organisation.memberships:
        queue_email(
            membership.user.email,
            "application_new",
            f"Nouvelle candidature : {offer.title} (n° {offer.id})",
            application=application,
            offer=offer,
            user=membership.user,
            link=absolute_url("employer.application", application_id=application.id),
        )
