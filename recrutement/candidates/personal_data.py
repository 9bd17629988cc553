"""A candidate's personal data: export, account deletion, retention purge
(docs/design.md, Applications: "Personal data").

What deletion and the retention purge do, and why:

- Applications are never deleted (they feed the programme statistics) but
  anonymised, their message thread with them (applications.anonymisation says
  what goes and why).
- The profile, its default CV, the saved searches (with what they alerted) and
  the favourites are deleted with the account.
- The events about the account itself (signed_up, email_confirmed...) are
  deleted and the candidate is no longer the actor of any event; the deletion
  is journalled without naming the person.
- Mails addressed to the candidate are dropped from the outbox.
- Files leave the disk only once the transaction that forgets them has
  committed: a failure leaves the database and the files as they were.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from datetime import datetime, timedelta
from io import BytesIO
from typing import IO, Any

from flask import current_app
from sqlalchemy import delete, func, select, update

from recrutement.accounts.models import Role, User
from recrutement.accounts.passwords import verify_password
from recrutement.alerts.models import SavedSearch
from recrutement.applications.anonymisation import anonymise_all_of, anonymise_finished_before
from recrutement.applications.models import (
    EVENT_LABELS,
    Application,
    ApplicationMessage,
    ApplicationStatus,
)
from recrutement.candidates.models import (
    DIPLOMAS,
    FIELDS_OF_STUDY,
    GENDERS,
    CandidateProfile,
    Favourite,
)
from recrutement.core.errors import ServiceError
from recrutement.core.models import AuditEvent, history_of, record_event, record_event_on
from recrutement.core.ratelimit import Limit, hit
from recrutement.core.time import utcnow
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.stores import file_store
from recrutement.offers.models import Offer
from recrutement.referential.models import Department, Region

DATA_FILE = "donnees.json"
PROFILE_CV = "cv-profil.pdf"
# The password check of the deletion form must not become a password oracle.
DELETE_ATTEMPTS = Limit(hits=5, seconds=900)
FREQUENCIES = {"instant": "immédiate", "daily": "quotidienne", "weekly": "hebdomadaire"}

README = {
    "présentation": (
        "Toutes les données personnelles que la plateforme Recrutement PVD conserve sur vous, "
        "au format JSON (UTF-8). Les dates sont en temps universel (UTC), au format ISO 8601. "
        "Une valeur null signifie « non renseigné »."
    ),
    "compte": "Votre compte : prénom, nom, adresse électronique et dates clés.",
    "profil": (
        "Votre profil de candidat : téléphone, commune, mobilité, CV par défaut (fichier "
        f"{PROFILE_CV} de l'archive) et vos réponses facultatives aux questions statistiques "
        "(expérience, diplôme, domaine d'études, genre)."
    ),
    "candidatures": (
        "Vos candidatures : offre et collectivité, état, dates, lettre de motivation, CV envoyé "
        "(dossier candidatures/ de l'archive), détails d'entretien, motif de refus s'il vous a "
        "été communiqué, historique et messages. Pour les messages de la collectivité, seul "
        "le nom de la collectivité figure : les données de ses agents ne sont pas les vôtres."
    ),
    "recherches_enregistrees": "Vos recherches enregistrées et la fréquence de leurs alertes.",
    "favoris": "Les offres que vous avez mises en favori.",
}


# --- Export ---------------------------------------------------------------------------


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _offer(offer: Offer) -> dict[str, Any]:
    return {
        "numero": offer.id,
        "intitule": offer.title,
        "collectivite": offer.organisation.name,
    }


def _labelled(code: str | None, labels: dict[str, str]) -> dict[str, str] | None:
    return {"code": code, "libelle": labels.get(code, code)} if code else None


def _named(model: type[Region] | type[Department], codes: list[str]) -> list[dict[str, Any]]:
    if not codes:
        return []
    rows = db.session.execute(select(model.code, model.name).where(model.code.in_(codes)))
    names = {code: name for code, name in rows}
    return [{"code": code, "nom": names.get(code)} for code in codes]


def _history(application: Application) -> list[dict[str, Any]]:
    """What happened to the application, without who did it nor internal comments."""
    return [
        {"date": _date(event.created_at), "evenement": EVENT_LABELS.get(event.action, event.action)}
        for event in history_of(application)
    ]


def _messages(application: Application) -> list[dict[str, Any]]:
    messages = db.session.scalars(
        select(ApplicationMessage)
        .where(ApplicationMessage.application_id == application.id)
        .order_by(ApplicationMessage.created_at, ApplicationMessage.id)
    )
    return [
        {
            "envoye_le": _date(message.created_at),
            # Never the employer member's name or email: theirs, not the candidate's.
            "auteur": "vous" if message.author_side == "candidate" else "collectivité",
            "collectivite": (
                application.offer.organisation.name if message.author_side != "candidate" else None
            ),
            "texte": message.body,
        }
        for message in messages
    ]


def _existing(stored: StoredFile | None) -> str | None:
    """The stored name of a file the store still holds, else None."""
    if stored is None or not file_store().exists(stored.stored_name):
        return None
    return stored.stored_name


def _collect(user: User) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The JSON document and the files (name in the archive, stored name)."""
    files: list[tuple[str, str]] = []
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    profile_data = None
    if profile is not None:
        cv_stored = _existing(profile.default_cv)
        if cv_stored is not None:
            files.append((PROFILE_CV, cv_stored))
        profile_data = {
            "telephone": profile.phone or None,
            "commune": (
                {"code_insee": profile.town.insee_code, "nom": profile.town.name}
                if profile.town
                else None
            ),
            "mobilite_regions": _named(Region, profile.mobility_regions or []),
            "mobilite_departements": _named(Department, profile.mobility_departments or []),
            "cv": (
                {"fichier": PROFILE_CV, "nom_d_origine": profile.default_cv.original_name}
                if cv_stored is not None
                else None
            ),
            "annees_experience": profile.experience_years,
            "diplome": _labelled(profile.diploma, DIPLOMAS),
            "domaine_etudes": _labelled(profile.field_of_study, FIELDS_OF_STUDY),
            "genre": _labelled(profile.gender, GENDERS),
            "mis_a_jour_le": _date(profile.updated_at),
        }

    applications = []
    for application in db.session.scalars(
        select(Application)
        .where(Application.candidate_id == user.id)
        .order_by(Application.created_at, Application.id)
    ):
        cv_name = None
        cv_stored = _existing(application.cv)
        if cv_stored is not None:
            cv_name = f"candidatures/{application.id}-cv.pdf"
            files.append((cv_name, cv_stored))
        shared_reason = (
            application.rejection_reason
            if application.rejection_reason_shared and application.rejection_reason
            else None
        )
        applications.append(
            {
                "numero": application.id,
                "offre": _offer(application.offer),
                "etat": _labelled(application.status, ApplicationStatus.LABELS),
                "envoyee_le": _date(application.created_at),
                "mise_a_jour_le": _date(application.updated_at),
                "decidee_le": _date(application.decided_at),
                "lettre_de_motivation": application.cover_letter,
                "cv": cv_name,
                "details_entretien": application.interview_details or None,
                "motif_de_refus": shared_reason,
                "historique": _history(application),
                "messages": _messages(application),
            }
        )

    saved_searches = [
        {
            "nom": search.name,
            "criteres": search.query,
            "frequence_alertes": FREQUENCIES.get(search.frequency, search.frequency),
            "creee_le": _date(search.created_at),
            "derniere_alerte_le": _date(search.last_sent_at),
        }
        for search in db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    ]
    favourites = [
        {"offre": _offer(favourite.offer), "ajoute_le": _date(favourite.created_at)}
        for favourite in db.session.scalars(
            select(Favourite)
            .where(Favourite.user_id == user.id)
            .order_by(Favourite.created_at, Favourite.offer_id)
        )
    ]
    document = {
        "lisez-moi": README,
        "genere_le": _date(utcnow()),
        "compte": {
            "prenom": user.first_name,
            "nom": user.last_name,
            "adresse_electronique": user.email,
            "inscrit_le": _date(user.created_at),
            "adresse_confirmee_le": _date(user.email_confirmed_at),
            "derniere_connexion_le": _date(user.last_login_at),
        },
        "profil": profile_data,
        "candidatures": applications,
        "recherches_enregistrees": saved_searches,
        "favoris": favourites,
    }
    return document, files


def write_archive(user: User, target: IO[bytes]) -> None:
    """Write the ZIP of the candidate's data into `target` (a file opened for writing)."""
    document, files = _collect(user)
    store = file_store()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_FILE, json.dumps(document, ensure_ascii=False, indent=2))
        for name, stored_name in files:
            # Dated like the stored file, as ZipFile.write dates a file from its disk.
            modified = time.localtime(store.info(stored_name).modified)[:6]
            entry = zipfile.ZipInfo(name, date_time=modified)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o100644 << 16
            with store.open(stored_name) as source, archive.open(entry, "w") as out:
                shutil.copyfileobj(source, out)


def export_archive(user: User) -> bytes:
    """The ZIP of all the candidate's data: donnees.json and their CVs."""
    buffer = BytesIO()
    write_archive(user, buffer)
    return buffer.getvalue()


def record_export(user: User) -> None:
    record_event(user, "personal_data.exported", user)
    db.session.commit()


# --- Anonymisation and deletion -------------------------------------------------------


def _erase(user: User, now: datetime) -> tuple[int, list[str]]:
    """Stage the deletion of a candidate and everything about them (not committed).
    Returns how many applications were anonymised and the stored names to delete."""
    doomed: list[str] = []
    anonymised = anonymise_all_of(user, now, doomed)

    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))
    if profile is not None:
        cv = profile.default_cv
        db.session.delete(profile)
        if cv is not None:
            db.session.flush()
            doomed.append(cv.stored_name)
            db.session.delete(cv)

    # Alerted offers go with their saved search (ON DELETE CASCADE).
    db.session.execute(delete(SavedSearch).where(SavedSearch.user_id == user.id))
    db.session.execute(delete(Favourite).where(Favourite.user_id == user.id))
    db.session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == user.id).values(actor_id=None)
    )
    db.session.execute(
        delete(AuditEvent).where(
            AuditEvent.object_type == User.__tablename__,
            AuditEvent.object_id == str(user.id),
        )
    )
    db.session.execute(
        delete(OutgoingEmail).where(func.lower(OutgoingEmail.recipient) == user.email.lower())
    )
    db.session.delete(user)
    return anonymised, doomed


def _commit_then_delete(doomed: list[str]) -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    store = file_store()
    for name in doomed:
        store.delete(name)


def delete_account(user: User, password: str) -> None:
    """Delete the candidate's account once they confirmed with their password;
    their applications are anonymised. One transaction; files go after it commits."""
    if user.role != Role.CANDIDATE:
        raise ServiceError("Seul un compte candidat peut être supprimé depuis cet espace.")
    hit("delete-account", str(user.id), DELETE_ATTEMPTS)
    if not verify_password(user.password_hash, password or ""):
        raise ServiceError(
            "Mot de passe incorrect : votre compte n'a pas été supprimé.", field="password"
        )
    count, doomed = _erase(user, utcnow())
    record_event_on(
        None,
        "personal_data.account_deleted",
        "personal_data",
        "",
        f"Compte candidat supprimé à la demande de son titulaire ; "
        f"{count} candidature(s) anonymisée(s).",
    )
    _commit_then_delete(doomed)


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Apply the retention period (config RETENTION_DAYS): delete the candidate
    accounts with no login and no application since, and anonymise the applications
    decided or withdrawn before it. Returns the counts; journals them if any."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    recent_application = (
        select(Application.id)
        .where(Application.candidate_id == User.id, Application.created_at >= cutoff)
        .exists()
    )
    inactive = (
        User.role == Role.CANDIDATE,
        func.coalesce(User.last_login_at, User.created_at) < cutoff,
        ~recent_application,
    )
    accounts = applications = files = 0
    for user_id in db.session.scalars(select(User.id).where(*inactive)).all():
        # Re-checked under a lock: a login or another worker may have come first.
        user = db.session.scalar(
            select(User).where(User.id == user_id, *inactive).with_for_update(skip_locked=True)
        )
        if user is None:
            db.session.rollback()
            continue
        count, doomed = _erase(user, now)
        _commit_then_delete(doomed)
        accounts += 1
        applications += count
        files += len(doomed)

    finished_files: list[str] = []
    applications += anonymise_finished_before(cutoff, now, finished_files)
    files += len(finished_files)
    counts = {
        "accounts_deleted": accounts,
        "applications_anonymised": applications,
        "files_deleted": files,
    }
    if accounts or applications:
        record_event_on(
            None,
            "personal_data.purged",
            "personal_data",
            "",
            f"Durée de conservation ({current_app.config['RETENTION_DAYS']} jours) : "
            f"{accounts} compte(s) candidat inactif(s) supprimé(s), "
            f"{applications} candidature(s) anonymisée(s), {files} fichier(s) effacé(s).",
        )
    _commit_then_delete(finished_files)
    return counts
