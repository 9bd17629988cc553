"""Mails about applications: to the candidate at each step, to the employer's members."""

from __future__ import annotations

from recrutement.applications.models import Application
from recrutement.core.french import of_organisation
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email

SUBJECTS = {
    "application_received": "Votre candidature a bien été envoyée",
    "in_review": "Votre candidature est en cours d'examen",
    "interview": "Invitation à un entretien",
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
    """Tell the members of the employing organisation who want instant mails
    (the others read it in their daily digest)."""
    offer = application.offer
    for membership in offer.organisation.memberships:
        if membership.notification_frequency != "instant":
            continue
        queue_email(
            membership.user.email,
            "application_new",
            f"Nouvelle candidature : {offer.title} (n° {offer.id})",
            application=application,
            offer=offer,
            user=membership.user,
            link=absolute_url("employer.application", application_id=application.id),
        )


def message_to_candidate(message) -> None:
    application = message.application
    queue_email(
        application.candidate.email,
        "message_to_candidate",
        f"Nouveau message {of_organisation(application.offer.organisation.name)}",
        message=message,
        application=application,
        offer=application.offer,
        user=application.candidate,
        link=absolute_url("candidate.application", application_id=application.id),
    )


def message_to_members(message, members) -> None:
    application = message.application
    for member in members:
        queue_email(
            member.email,
            "message_to_employer",
            f"Nouveau message d'un candidat : {application.offer.title} (n° {application.offer.id})",
            message=message,
            application=application,
            offer=application.offer,
            user=member,
            link=absolute_url("employer.application", application_id=application.id),
        )


def digest(member, applications, messages) -> None:
    queue_email(
        member.email,
        "employer_digest",
        "Votre résumé quotidien — Recrutement PVD",
        user=member,
        applications=applications,
        messages=messages,
        application_url=lambda application_id: absolute_url(
            "employer.application", application_id=application_id
        ),
    )
