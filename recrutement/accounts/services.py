"""What may be done with accounts: sign up, confirm, sign in, reset, create staff,
and ANCT's administration of accounts (deactivate, reactivate, resend an
invitation, change a staff account's départements).

Services take the acting user explicitly, raise ServiceError with a French
message when a rule refuses, and leave the commit to the caller only where
stated; the functions here commit themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from recrutement.accounts import notifications
from recrutement.accounts.devices import known_device
from recrutement.accounts.models import Role, User, email_lookup
from recrutement.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from recrutement.accounts.tokens import TokenPurpose, read_token
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.ratelimit import Limit, RateLimitExceeded, check, hit
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.organisations.models import Membership, Organisation
from recrutement.referential.models import Department

LOGIN_PER_ADDRESS = Limit(hits=20, seconds=600)
LOGIN_PER_ACCOUNT = Limit(hits=10, seconds=900)
RESET_PER_ADDRESS = Limit(hits=10, seconds=3600)
RESET_PER_ACCOUNT = Limit(hits=3, seconds=3600)
SIGNUP_PER_ADDRESS = Limit(hits=10, seconds=3600)

STAFF_ROLES = (Role.PREFECTURE, Role.ANAH)
# The password_hash of a staff account whose owner has not chosen a password yet.
UNUSABLE_PASSWORD = "!"  # noqa: S105 — a marker, not a password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(email_lookup(email)))


def check_new_password(password: str, email: str) -> None:
    problems = password_problems(password, email)
    if problems:
        raise ServiceError(" ".join(problems), field="password")


def new_user(
    email: str,
    password: str | None,
    role: Role,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Add a user to the session (not committed); refuse a taken email."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ServiceError(
            "Un compte existe déjà avec cette adresse. Connectez-vous ou utilisez "
            "« Mot de passe oublié ».",
            field="email",
        )
    if password is not None:
        check_new_password(password, email)
    user = User(
        email=email,
        # A staff account gets no usable password until its owner sets one by mail.
        password_hash=hash_password(password) if password is not None else UNUSABLE_PASSWORD,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    db.session.add(user)
    return user


def register_candidate(
    email: str, password: str, first_name: str, last_name: str, remote_address: str
) -> User:
    """Create a candidate account and send the confirmation mail."""
    hit("signup-ip", remote_address, SIGNUP_PER_ADDRESS)
    user = new_user(email, password, Role.CANDIDATE, first_name, last_name)
    db.session.flush()
    notifications.confirm_email(user)
    record_event(user, "signed_up", user)
    db.session.commit()
    return user


def confirm_email(token: str) -> User:
    user = read_token(TokenPurpose.CONFIRM_EMAIL, token)
    user.email_confirmed_at = utcnow()
    record_event(user, "email_confirmed", user)
    db.session.commit()
    return user


def resend_confirmation(email: str, remote_address: str) -> None:
    """Send a new confirmation link if the account exists and is unconfirmed; the same
    answer, the same counting and the same time whatever the email (no enumeration)."""
    with same_time_for_everyone():
        hit("reset-ip", remote_address, RESET_PER_ADDRESS)
        user = find_user_by_email(email)
        if _within_account_budget(email) and user and user.email_confirmed_at is None:
            notifications.confirm_email(user)
            db.session.commit()


def _within_account_budget(email: str) -> bool:
    """Count one mail request for this address, existing or not; False past its budget
    (then nothing is sent, and the answer does not say so)."""
    try:
        hit("reset-account", normalise_email(email), RESET_PER_ACCOUNT)
    except RateLimitExceeded:
        return False
    return True


@contextmanager
def same_time_for_everyone() -> Iterator[None]:
    """Answer no sooner than MAIL_REQUEST_SECONDS: a request that mails a link and one
    that finds no account take the same time, so timings reveal no email."""
    started = time.monotonic()
    yield
    remaining = current_app.config["MAIL_REQUEST_SECONDS"] - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


DEACTIVATED_MESSAGE = (
    "Ce compte a été désactivé : vous ne pouvez plus vous connecter. Pour le faire "
    "réactiver, contactez l'ANCT (direction du programme Petites villes de demain), "
    "qui gère les comptes de la plateforme."
)


class LoginRefused(ServiceError):
    """Wrong credentials, or an account that cannot sign in yet."""

    def __init__(self, message: str, unconfirmed: bool = False) -> None:
        super().__init__(message)
        self.unconfirmed = unconfirmed


def authenticate(
    email: str, password: str, remote_address: str, device_cookie: str | None = None
) -> User:
    """The user these credentials open, after the rate limits; LoginRefused otherwise.

    Only failures count: per address (so one office's agents, behind one outgoing
    address, can all sign in), and per account, or per device for a browser that
    signed in to this account before (accounts.devices): guessing from elsewhere never
    locks the owner out of their own browser."""
    user = find_user_by_email(email)
    device = known_device(device_cookie, user)
    guesses = ("login-device", device) if device else ("login-account", normalise_email(email))
    check("login-ip", remote_address, LOGIN_PER_ADDRESS)
    check(*guesses, LOGIN_PER_ACCOUNT)
    # The password is checked even without an account (the same time either way).
    if not verify_password(user.password_hash if user else None, password) or user is None:
        hit("login-ip", remote_address, LOGIN_PER_ADDRESS)
        hit(*guesses, LOGIN_PER_ACCOUNT)
        # One message whatever failed, so the form does not reveal which emails exist.
        raise LoginRefused("Adresse électronique ou mot de passe incorrect.")
    if not user.is_active:
        # Only said to whoever knows the password: it reveals nothing to others.
        raise LoginRefused(DEACTIVATED_MESSAGE)
    if user.email_confirmed_at is None:
        raise LoginRefused(
            "Votre adresse électronique n'est pas encore confirmée. Ouvrez le lien que "
            "nous vous avons envoyé, ou demandez un nouveau lien ci-dessous.",
            unconfirmed=True,
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def request_password_reset(email: str, remote_address: str) -> None:
    """Mail a reset link if the account exists; the same answer, the same counting and
    the same time whatever the email (no enumeration)."""
    with same_time_for_everyone():
        hit("reset-ip", remote_address, RESET_PER_ADDRESS)
        user = find_user_by_email(email)
        if _within_account_budget(email) and user and user.is_active:
            notifications.reset_password(user)
            db.session.commit()


def user_for_reset_token(token: str) -> User:
    return read_token(TokenPurpose.RESET_PASSWORD, token)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; ends every other session."""
    user = read_token(TokenPurpose.RESET_PASSWORD, token)
    check_new_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    # Receiving the link proves the address, e.g. for a staff account's first password.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.rotate_session_token()
    notifications.password_changed(user)
    record_event(user, "password_reset", user)
    db.session.commit()
    return user


def create_staff_account(
    actor: User,
    email: str,
    role: Role,
    department_codes: Iterable[str],
    first_name: str = "",
    last_name: str = "",
) -> User:
    """ANCT creates a préfecture or ANAH agent scoped to départements."""
    if actor.role != Role.ADMIN:
        raise ServiceError("Seule l'ANCT peut créer des comptes de préfecture ou de l'ANAH.")
    if role not in STAFF_ROLES:
        raise ServiceError("Ce rôle ne peut pas être attribué ici.", field="role")
    codes = sorted(set(department_codes))
    departments = list(db.session.scalars(select(Department).where(Department.code.in_(codes))))
    if not departments or len(departments) != len(codes):
        raise ServiceError("Choisissez au moins un département valide.", field="departments")
    user = new_user(email, None, role, first_name, last_name)
    user.departments = departments
    db.session.flush()
    notifications.staff_account_created(user, actor)
    record_event(actor, "staff_account_created", user, f"{role} {' '.join(codes)}")
    db.session.commit()
    return user


def create_admin(email: str, password: str) -> User:
    """Create an ANCT (admin) account from the command line, confirmed."""
    user = new_user(email, password, Role.ADMIN)
    user.email_confirmed_at = utcnow()
    db.session.flush()
    record_event(None, "admin_created", user)
    db.session.commit()
    return user


# ANCT's administration of accounts (/pilotage/comptes).


def search_accounts(
    text: str = "", role: str = "", organisation_name: str = ""
) -> Select[tuple[User]]:
    """Every account matching a name or email, a role and an organisation's name
    (each optional, case-insensitive), by name; for ANCT's national list."""
    query = select(User).options(
        selectinload(User.departments),
        selectinload(User.membership).selectinload(Membership.organisation),
    )
    text = " ".join(text.split())
    if text:
        query = query.where(
            or_(
                User.email.icontains(text, autoescape=True),
                User.first_name.icontains(text, autoescape=True),
                User.last_name.icontains(text, autoescape=True),
                (User.first_name + " " + User.last_name).icontains(text, autoescape=True),
                (User.last_name + " " + User.first_name).icontains(text, autoescape=True),
            )
        )
    if role in {member.value for member in Role}:
        query = query.where(User.role == role)
    organisation_name = " ".join(organisation_name.split())
    if organisation_name:
        query = query.where(
            User.id.in_(
                select(Membership.user_id)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(Organisation.name.icontains(organisation_name, autoescape=True))
            )
        )
    return query.order_by(User.last_name, User.first_name, User.email, User.id)


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise ServiceError("Seule l'ANCT peut administrer les comptes.")


def deactivate_account(actor: User, user: User, reason: str = "") -> None:
    """ANCT deactivates an account: it can no longer log in and its open sessions end."""
    _require_admin(actor)
    if user.id == actor.id:
        raise ServiceError("Vous ne pouvez pas désactiver votre propre compte.")
    if not user.is_active_account:
        raise ServiceError("Ce compte est déjà désactivé.")
    user.is_active_account = False
    # The session id embeds this token (User.get_id): open sessions end at their next request.
    user.rotate_session_token()
    record_event(actor, "account_deactivated", user, reason.strip())
    db.session.commit()


def reactivate_account(actor: User, user: User, reason: str = "") -> None:
    """ANCT reactivates an account: its owner may log in again with the same password."""
    _require_admin(actor)
    if user.is_active_account:
        raise ServiceError("Ce compte est déjà actif.")
    user.is_active_account = True
    record_event(actor, "account_reactivated", user, reason.strip())
    db.session.commit()


def has_chosen_password(user: User) -> bool:
    return user.password_hash != UNUSABLE_PASSWORD


# What each invitation mail is, as the account page and the journal say it.
INVITATION_MAILS = {
    "staff_account_created": "courriel de création du compte, avec un lien pour choisir le mot de passe",
    "reset_password": "lien pour choisir le mot de passe",
    "confirm_email": "lien de confirmation de l'adresse électronique",
}


def invitation_to_resend(user: User) -> str | None:
    """Which mail would invite this account again, or None when it needs none.

    A préfecture or ANAH account that never chose its password (or never confirmed
    its address) gets "staff_account_created" again; an ANCT account in that case
    gets "reset_password" (its link sets the password and confirms the address);
    any other unconfirmed account gets "confirm_email"."""
    never_finished = not has_chosen_password(user) or user.email_confirmed_at is None
    if user.role in STAFF_ROLES and never_finished:
        return "staff_account_created"
    if user.role == Role.ADMIN and never_finished:
        return "reset_password"
    if user.email_confirmed_at is None:
        return "confirm_email"
    return None


def resend_invitation(actor: User, user: User) -> str:
    """ANCT sends the account's invitation again, with a fresh link; returns which mail.

    No rate limit (only ANCT can do it), and idempotent enough: each mail carries a
    new link, and earlier links stay valid until one is used or expires."""
    _require_admin(actor)
    if not user.is_active_account:
        raise ServiceError(
            "Ce compte est désactivé : réactivez-le avant de renvoyer une invitation."
        )
    kind = invitation_to_resend(user)
    if kind is None:
        raise ServiceError(
            "Ce compte a déjà confirmé son adresse et choisi son mot de passe : il n'y a pas "
            "d'invitation à renvoyer. En cas d'oubli, la personne peut utiliser « Mot de passe "
            "oublié »."
        )
    if kind == "staff_account_created":
        notifications.staff_account_created(user, actor)
    elif kind == "reset_password":
        notifications.reset_password(user)
    else:
        notifications.confirm_email(user)
    record_event(actor, "invitation_resent", user, INVITATION_MAILS[kind])
    db.session.commit()
    return kind


def change_staff_departments(actor: User, user: User, department_codes: Iterable[str]) -> bool:
    """ANCT changes the départements a préfecture or ANAH account covers.

    Returns False (nothing recorded) when they are the same as before."""
    _require_admin(actor)
    if user.role not in STAFF_ROLES:
        raise ServiceError(
            "Seuls les comptes de préfecture et de l'ANAH sont rattachés à des départements."
        )
    codes = sorted(set(department_codes))
    departments = list(
        db.session.scalars(
            select(Department).where(Department.code.in_(codes)).order_by(Department.code)
        )
    )
    if not departments or len(departments) != len(codes):
        raise ServiceError("Choisissez au moins un département valide.", field="departments")
    before = user.department_codes
    if before == codes:
        return False
    user.departments = departments
    record_event(
        actor, "staff_departments_changed", user, f"{' '.join(before) or '—'} → {' '.join(codes)}"
    )
    db.session.commit()
    return True
