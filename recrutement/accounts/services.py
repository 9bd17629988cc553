"""What may be done with accounts: sign up, confirm, sign in, reset, create staff.

Services take the acting user explicitly, raise ServiceError with a French
message when a rule refuses, and leave the commit to the caller only where
stated; the functions here commit themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from recrutement.accounts import notifications
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
from recrutement.core.ratelimit import Limit, hit
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.referential.models import Department

LOGIN_PER_ADDRESS = Limit(hits=20, seconds=600)
LOGIN_PER_ACCOUNT = Limit(hits=10, seconds=900)
RESET_PER_ADDRESS = Limit(hits=10, seconds=3600)
RESET_PER_ACCOUNT = Limit(hits=3, seconds=3600)
SIGNUP_PER_ADDRESS = Limit(hits=10, seconds=3600)

STAFF_ROLES = (Role.PREFECTURE, Role.ANAH)


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
        password_hash=hash_password(password) if password is not None else "!",
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
    """Send a new confirmation link if the account exists and is unconfirmed."""
    hit("reset-ip", remote_address, RESET_PER_ADDRESS)
    user = find_user_by_email(email)
    if user is None or user.email_confirmed_at is not None:
        return
    hit("reset-account", user.email, RESET_PER_ACCOUNT)
    notifications.confirm_email(user)
    db.session.commit()


class LoginRefused(ServiceError):
    """Wrong credentials, or an account that cannot sign in yet."""

    def __init__(self, message: str, unconfirmed: bool = False):
        super().__init__(message)
        self.unconfirmed = unconfirmed


def authenticate(email: str, password: str, remote_address: str) -> User:
    """The user these credentials open, after the rate limits; LoginRefused otherwise."""
    hit("login-ip", remote_address, LOGIN_PER_ADDRESS)
    hit("login-account", normalise_email(email), LOGIN_PER_ACCOUNT)
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        # One message whatever failed, so the form does not reveal which emails exist.
        raise LoginRefused("Adresse électronique ou mot de passe incorrect.")
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
    """Mail a reset link if the account exists; say nothing either way."""
    hit("reset-ip", remote_address, RESET_PER_ADDRESS)
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    hit("reset-account", user.email, RESET_PER_ACCOUNT)
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
