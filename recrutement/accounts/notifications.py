"""The mails the accounts domain sends; each one queued in the caller's transaction."""

from __future__ import annotations

from recrutement.accounts.models import User
from recrutement.accounts.tokens import TokenPurpose, make_token
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email


def confirm_email(user: User) -> None:
    link = absolute_url("auth.confirm_email", token=make_token(TokenPurpose.CONFIRM_EMAIL, user))
    queue_email(
        user.email,
        "confirm_email",
        "Confirmez votre adresse électronique — Recrutement PVD",
        user=user,
        link=link,
    )


def reset_password(user: User) -> None:
    link = absolute_url("auth.reset_password", token=make_token(TokenPurpose.RESET_PASSWORD, user))
    queue_email(
        user.email,
        "reset_password",
        "Réinitialisation de votre mot de passe — Recrutement PVD",
        user=user,
        link=link,
    )


def staff_account_created(user: User, created_by: User) -> None:
    link = absolute_url("auth.reset_password", token=make_token(TokenPurpose.RESET_PASSWORD, user))
    queue_email(
        user.email,
        "staff_account_created",
        "Votre compte Recrutement PVD a été créé",
        user=user,
        created_by=created_by,
        link=link,
        forgotten_link=absolute_url("auth.password_forgotten"),
    )


def password_changed(user: User) -> None:
    queue_email(
        user.email,
        "password_changed",
        "Votre mot de passe a été modifié — Recrutement PVD",
        user=user,
        forgotten_link=absolute_url("auth.password_forgotten"),
    )
