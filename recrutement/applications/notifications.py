"""Mails about applications: to the candidate at each step, to the employer's members."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template

from recrutement.applications.models import Application
from recrutement.core.french import of_organisation
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email

if TYPE_CHECKING:
    from recrutement.accounts.models import User
    from recrutement.applications.models import ApplicationMessage

SUBJECTS = {
    "application_received": "Votre candidature a bien été envoyée",
    "in_review": "Votre candidature est en cours d'examen",
    "interview": "Invitation à un entretien",
    "hired": "Votre candidature est retenue",
    "rejected": "Réponse à votre candidature",
    "withdrawn": "Votre candidature est retirée",
}


def _to_candidate_mail(
    application: Application, template: str, **context: Any
) -> tuple[str, str, dict[str, Any]]:
    """The template name, subject and context of a mail to the candidate."""
    return (
        f"application_{template}" if not template.startswith("application_") else template,
        f"{SUBJECTS[template]} — {application.offer.title}",
        dict(
            application=application,
            offer=application.offer,
            user=application.candidate,
            link=absolute_url("candidate.application", application_id=application.id),
            **context,
        ),
    )


def to_candidate(application: Application, template: str, **context: Any) -> None:
    """Tell the candidate about their application (`template` names the step)."""
    if application.candidate is None:
        return  # anonymised: nobody to tell
    name, subject, values = _to_candidate_mail(application, template, **context)
    queue_email(application.candidate.email, name, subject, **values)


def preview_to_candidate(
    application: Application, template: str, **context: Any
) -> tuple[str, str]:
    """The subject and text of the mail `to_candidate` would send, without sending it
    (the employer reads it before confirming a hire)."""
    name, subject, values = _to_candidate_mail(application, template, **context)
    # The context queue_email completes, for the same text.
    values.setdefault("base_url", current_app.config["BASE_URL"])
    values.setdefault("subject", subject)
    return subject, render_template(f"email/{name}.txt", **values)


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


def message_to_candidate(message: ApplicationMessage) -> None:
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


def message_to_members(message: ApplicationMessage, members: Iterable[User]) -> None:
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


def digest(
    member: User,
    applications: Sequence[Application],
    messages: Sequence[ApplicationMessage],
) -> None:
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
