"""Mails about cofunding requests: each transition reaches the parties concerned."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from recrutement.accounts.models import Role, User, user_department
from recrutement.core.french import of_organisation, upper_first, with_article
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email
from recrutement.extensions import db

if TYPE_CHECKING:
    from recrutement.cofunding.models import CofundingMessage, CofundingRequest


def members(request: CofundingRequest) -> list[User]:
    return [membership.user for membership in request.organisation.memberships]


def agents(request: CofundingRequest, role: Role) -> list[User]:
    """The active préfecture or ANAH agents of the request's département."""
    return list(
        db.session.scalars(
            select(User)
            .join(user_department, user_department.c.user_id == User.id)
            .where(
                User.role == role,
                user_department.c.department_code == request.organisation.department_code,
            )
            .order_by(User.id)
        )
    )


def _send(
    recipients: Iterable[User],
    request: CofundingRequest,
    subject: str,
    side: str,
    **context: Any,
) -> None:
    endpoint = "employer.cofunding_request" if side == "employer" else "prefecture.request"
    link = absolute_url(endpoint, request_id=request.id)
    for user in recipients:
        if not user.is_active:
            continue
        queue_email(
            user.email,
            "cofunding_event",
            f"{subject} — demande de cofinancement n° {request.id}",
            request=request,
            user=user,
            side=side,
            link=link,
            **context,
        )


def submitted(request: CofundingRequest) -> None:
    organisation = request.organisation.name
    subject = upper_first(with_article(organisation))
    _send(
        agents(request, Role.PREFECTURE),
        request,
        f"Nouvelle demande {of_organisation(organisation)}",
        "prefecture",
        intro=f"{subject} a déposé une demande de cofinancement du poste « {request.post_title} ».",
        next_step="Ouvrez-la pour commencer l'instruction : la collectivité ne pourra plus la modifier.",
    )
    if request.anah_asked:
        _send(
            agents(request, Role.ANAH),
            request,
            f"Avis de l'ANAH attendu : {organisation}",
            "anah",
            intro=f"{subject} sollicite l'ANAH au titre de « {request.housing_operation} ».",
            next_step="Donnez l'avis de l'ANAH et le montant retenu : la préfecture ne peut pas accorder de part ANAH avant.",
        )
    _send(
        members(request),
        request,
        "Demande déposée",
        "employer",
        intro="Votre demande de cofinancement est déposée auprès de la préfecture.",
        next_step="Vous pouvez encore la modifier tant que la préfecture n'a pas ouvert son instruction.",
    )


def opened(request: CofundingRequest) -> None:
    _send(
        members(request),
        request,
        "Instruction commencée",
        "employer",
        intro="La préfecture a commencé l'instruction de votre demande : elle ne peut plus être modifiée.",
        next_step="Vous recevrez un courriel à chaque étape. Un élément a changé ? Écrivez à la préfecture depuis la demande.",
    )


def changes_requested(request: CofundingRequest, message: str) -> None:
    _send(
        members(request),
        request,
        "Complément demandé",
        "employer",
        intro="La préfecture vous demande de compléter votre demande.",
        comment=message,
        next_step="Modifiez la demande ou ajoutez les pièces demandées, puis renvoyez-la avec votre réponse.",
    )


def answered(request: CofundingRequest, message: str) -> None:
    recipients = [request.instructor] if request.instructor else agents(request, Role.PREFECTURE)
    _send(
        recipients,
        request,
        f"Réponse {of_organisation(request.organisation.name)}",
        "prefecture",
        intro=f"{upper_first(with_article(request.organisation.name))} a répondu à votre demande de complément : la demande revient en instruction.",
        comment=message,
        next_step="Reprenez l'instruction.",
    )


def anah_opinion_given(request: CofundingRequest) -> None:
    opinion = request.anah_opinion
    verdict = "favorable" if opinion.favourable else "défavorable"
    _send(
        agents(request, Role.PREFECTURE),
        request,
        f"Avis de l'ANAH : {verdict}",
        "prefecture",
        intro=f"L'ANAH a donné un avis {verdict} sur la demande {of_organisation(request.organisation.name)}.",
        comment=opinion.comment,
        next_step="Vous pouvez désormais décider de la part ANAH.",
    )


DECISION_TEXT = {
    "granted": ("Demande accordée", "La préfecture a accordé votre demande de cofinancement."),
    "refused": ("Demande refusée", "La préfecture a refusé votre demande de cofinancement."),
    "dismissed": ("Demande classée sans suite", "La préfecture a classé votre demande sans suite."),
}


def decided(request: CofundingRequest) -> None:
    subject, intro = DECISION_TEXT[request.status]
    next_step = (
        "Téléchargez la décision depuis la demande. Pour la période suivante, renouvelez-la en un clic."
        if request.status == "granted"
        else "Vous pouvez déposer une nouvelle demande si la situation du poste change."
    )
    _send(
        members(request),
        request,
        subject,
        "employer",
        intro=intro,
        comment=request.decision_reason,
        next_step=next_step,
    )
    if request.anah_asked:
        _send(
            agents(request, Role.ANAH),
            request,
            subject,
            "anah",
            intro=f"La préfecture a décidé de la demande {of_organisation(request.organisation.name)} : « {request.status.label.lower()} ».",
            comment=request.decision_reason,
        )


def message_posted(request: CofundingRequest, message: CofundingMessage) -> None:
    if message.author_side == "employer":
        recipients = agents(request, Role.PREFECTURE)
        if request.anah_asked:
            recipients += agents(request, Role.ANAH)
        sides = {user.id: user.role for user in recipients}
        for user in recipients:
            _send(
                [user],
                request,
                f"Message {of_organisation(request.organisation.name)}",
                sides[user.id],
                intro=f"{upper_first(with_article(request.organisation.name))} vous écrit au sujet de sa demande.",
                comment=message.body,
            )
    else:
        author = "l'ANAH" if message.author_side == "anah" else "la préfecture"
        _send(
            members(request),
            request,
            f"Message de {author}",
            "employer",
            intro=f"Vous avez un message de {author} au sujet de votre demande.",
            comment=message.body,
            next_step="Répondez depuis la demande.",
        )
