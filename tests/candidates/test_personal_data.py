"""A candidate's personal data: the archive, account deletion (applications
anonymised, files gone, nothing left pointing at the person), the retention purge."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import String, func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role, User
from recrutement.alerts.models import AlertedOffer, SavedSearch
from recrutement.applications.messages import post_message
from recrutement.applications.models import Application, ApplicationMessage, ApplicationStatus
from recrutement.applications.services import apply, invite_to_interview, reject, withdraw
from recrutement.candidates import personal_data
from recrutement.candidates.models import CandidateProfile, Favourite
from recrutement.core.errors import ServiceError
from recrutement.core.models import AuditEvent
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import store_pdf
from recrutement.files.stores import file_store
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.support import TINY_PDF, later, one_page_pdf

PROFILE_PDF = one_page_pdf("CV du profil de Lea")
SPECIAL_PDF = one_page_pdf("CV pour la seconde offre")
LETTER = "Urbaniste depuis quatre ans, je souhaite piloter la revitalisation de Quimperlé."
SECOND_LETTER = "Votre projet de requalification des halles correspond exactement à mon parcours."


def pdf(content: bytes, name: str) -> FileStorage:
    return FileStorage(BytesIO(content), name)


def client_for(app, email: str):
    client = app.test_client()
    response = client.post("/connexion", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.page[:2000]
    return client


@pytest.fixture
def world(referential, app):
    """Léa, with a full profile, two applications (one in interview with messages,
    one rejected with a shared reason), a saved search and a favourite; Karim, who
    applied to the same offer; the employer member, Yann Le Goff."""
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr",
        user__first_name="Yann",
        user__last_name="Le Goff",
        organisation__commune=referential["quimperle"],
    )
    employer = member.user
    offer = factories.OfferFactory(organisation=member.organisation)
    second_offer = factories.OfferFactory(
        organisation=member.organisation, title="Chargé de mission revitalisation"
    )
    lea = factories.UserFactory(email="lea@exemple.fr", first_name="Léa", last_name="Kerhervé")
    profile = CandidateProfile(
        user_id=lea.id,
        phone="06 12 34 56 78",
        town_insee_code="29233",
        mobility_regions=["53"],
        mobility_departments=["29", "56"],
        experience_years=4,
        diploma="bac+5",
        field_of_study="urbanisme",
        gender="femme",
        default_cv=store_pdf(pdf(PROFILE_PDF, "mon-cv.pdf")),
    )
    db.session.add(profile)
    db.session.commit()

    first = apply(lea, offer, LETTER)  # a copy of the profile's CV
    second = apply(lea, second_offer, SECOND_LETTER, pdf(SPECIAL_PDF, "cv-halles.pdf"))
    post_message(employer, first, "Bonjour Léa, seriez-vous disponible mardi ?")
    post_message(lea, first, "Oui, mardi me convient très bien.")
    invite_to_interview(employer, first, "Mardi 14 h, mairie de Quimperlé, salle du conseil.")
    reject(employer, second, "Le poste demande plus d'expérience en commerce.", share_reason=True)
    search = SavedSearch(
        user_id=lea.id,
        name="Bretagne",
        query={"q": "revitalisation", "region": "53"},
        frequency="weekly",
        unsubscribe_token_hash="a" * 64,
    )
    db.session.add(search)
    db.session.flush()
    db.session.add(AlertedOffer(saved_search_id=search.id, offer_id=offer.id))
    db.session.add(Favourite(user_id=lea.id, offer_id=second_offer.id))
    db.session.commit()

    karim = make_application(offer, "karim@exemple.fr")
    karim.cover_letter = "Lettre de Karim, autre candidat, que Léa ne doit jamais voir."
    db.session.commit()
    return {
        "employer": employer,
        "offer": offer,
        "lea": lea,
        "first": first,
        "second": second,
        "karim": karim,
    }


def read_archive(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["donnees.json"].decode("utf-8")), files


# --- Archive --------------------------------------------------------------------------


def test_archive_holds_all_the_candidates_data_and_their_cvs(app, world):
    first, second = world["first"], world["second"]
    data, files = read_archive(personal_data.export_archive(world["lea"]))

    assert set(files) == {
        "donnees.json",
        "cv-profil.pdf",
        f"candidatures/{first.id}-cv.pdf",
        f"candidatures/{second.id}-cv.pdf",
    }
    assert files["cv-profil.pdf"] == PROFILE_PDF
    assert files[f"candidatures/{first.id}-cv.pdf"] == PROFILE_PDF
    assert files[f"candidatures/{second.id}-cv.pdf"] == SPECIAL_PDF

    assert set(data["lisez-moi"]) >= {"compte", "profil", "candidatures", "favoris"}
    assert data["compte"]["prenom"] == "Léa" and data["compte"]["nom"] == "Kerhervé"
    assert data["compte"]["adresse_electronique"] == "lea@exemple.fr"
    assert data["compte"]["inscrit_le"]
    profile = data["profil"]
    assert profile["telephone"] == "06 12 34 56 78"
    assert profile["commune"] == {"code_insee": "29233", "nom": "Quimperlé"}
    assert [d["nom"] for d in profile["mobilite_departements"]] == ["Finistère", "Morbihan"]
    assert profile["diplome"] == {"code": "bac+5", "libelle": "Bac + 5 (master)"}
    assert profile["domaine_etudes"]["code"] == "urbanisme"
    assert profile["genre"]["libelle"] == "Femme" and profile["annees_experience"] == 4
    assert profile["cv"]["fichier"] == "cv-profil.pdf"

    by_number = {item["numero"]: item for item in data["candidatures"]}
    assert set(by_number) == {first.id, second.id}
    interview = by_number[first.id]
    assert interview["offre"]["collectivite"] == "Commune de Quimperlé"
    assert interview["offre"]["intitule"] == "Chef de projet Petites villes de demain"
    assert interview["etat"] == {"code": "interview", "libelle": "Entretien"}
    assert interview["lettre_de_motivation"] == LETTER
    assert interview["cv"] == f"candidatures/{first.id}-cv.pdf"
    assert "salle du conseil" in interview["details_entretien"]
    assert [m["auteur"] for m in interview["messages"]] == ["collectivité", "vous"]
    assert interview["messages"][0]["collectivite"] == "Commune de Quimperlé"
    assert interview["messages"][1]["texte"] == "Oui, mardi me convient très bien."
    assert [e["evenement"] for e in interview["historique"]] == [
        "Candidature envoyée",
        "Invitation à un entretien",
    ]
    rejected = by_number[second.id]
    assert rejected["motif_de_refus"] == "Le poste demande plus d'expérience en commerce."
    assert rejected["decidee_le"] and rejected["etat"]["code"] == "rejected"
    assert data["recherches_enregistrees"][0]["criteres"] == {"q": "revitalisation", "region": "53"}
    assert data["recherches_enregistrees"][0]["frequence_alertes"] == "hebdomadaire"
    assert data["favoris"][0]["offre"]["intitule"] == "Chargé de mission revitalisation"


def test_archive_holds_nobody_elses_data(app, world):
    data, files = read_archive(personal_data.export_archive(world["lea"]))
    text = files["donnees.json"].decode("utf-8")
    # Neither the employer member (name, email), nor the offer's contact, nor Karim.
    for foreign in ("dgs@quimperle.fr", "Yann", "Le Goff", "Erwan Tanguy", "karim", "Karim"):
        assert foreign not in text, foreign
    assert world["karim"].id not in {item["numero"] for item in data["candidatures"]}
    assert all(name == "donnees.json" or content != TINY_PDF for name, content in files.items())


def test_unshared_rejection_reason_stays_out_of_the_archive(app, world):
    second = world["second"]
    second.rejection_reason_shared = False
    db.session.commit()
    data, _ = read_archive(personal_data.export_archive(world["lea"]))
    by_number = {item["numero"]: item for item in data["candidatures"]}
    assert by_number[second.id]["motif_de_refus"] is None
    assert "commerce" not in json.dumps(data, ensure_ascii=False)


def test_candidate_downloads_the_archive(app, world):
    client = client_for(app, "lea@exemple.fr")
    page = client.get("/candidat/donnees").page
    assert "Télécharger mes données" in page and "Supprimer mon compte" in page
    assert "après 2\u00a0ans sans connexion ni candidature" in page

    response = client.get("/candidat/donnees/archive.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".zip" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data, files = read_archive(response.get_data())
    response.close()
    assert data["compte"]["adresse_electronique"] == "lea@exemple.fr" and len(files) == 4
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "personal_data.exported")
    )


# --- Deletion -------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows per table; rate-limit counters aside (a failed attempt is counted on purpose)."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name != "rate_limit_counter"
    }


def references_to(user_id: int, email: str) -> list[str]:
    """Every column of every table that still names the person: by id (foreign keys,
    the audit journal's objects) or by email (any text column)."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            points_at_user = any(
                fk.column.table.name == "user_account" for fk in column.foreign_keys
            )
            if points_at_user or (table.name == "user_account" and column.name == "id"):
                condition = column == user_id
            elif isinstance(column.type, String):
                condition = func.lower(column).contains(email.lower())
            else:
                continue
            count = db.session.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                found.append(f"{table.name}.{column.name}")
    count = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "user_account", AuditEvent.object_id == str(user_id)
        )
    )
    if count:
        found.append("audit_event.object_id")
    return found


def uploaded_files(app) -> set[str]:
    return {path.name for path in Path(app.config["UPLOAD_DIR"]).iterdir()}


def test_wrong_password_changes_nothing(app, world):
    client = client_for(app, "lea@exemple.fr")
    page = client.get("/candidat/donnees/supprimer").page
    assert "définitive" in page and 'type="password"' in page
    before, files = table_counts(), uploaded_files(app)

    response = client.post("/candidat/donnees/supprimer", data={"password": "pas le bon mot"})
    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.page
    db.session.expire_all()
    assert table_counts() == before and uploaded_files(app) == files
    assert client.get("/candidat/").status_code == 200  # still signed in

    with pytest.raises(ServiceError):
        personal_data.delete_account(world["lea"], "")
    db.session.rollback()
    assert table_counts() == before


def test_deletion_anonymises_applications_and_leaves_no_trace(app, world, mailbox):
    lea, first, second = world["lea"], world["first"], world["second"]
    lea_id, karim_cv = lea.id, world["karim"].cv
    profile = db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == lea_id))
    lea_files = {stored.stored_name for stored in (first.cv, second.cv, profile.default_cv)}
    assert lea_files <= uploaded_files(app)
    client = client_for(app, "lea@exemple.fr")

    response = client.post(
        "/candidat/donnees/supprimer", data={"password": factories.PASSWORD}, follow_redirects=True
    )
    assert response.status_code == 200 and response.request.path == "/"
    assert "Votre compte est supprimé" in response.page
    assert client.get("/candidat/").status_code == 302  # signed out

    db.session.expire_all()
    assert db.session.get(User, lea_id) is None
    # The open application is withdrawn (nobody can answer for it); the decided one stays.
    for application, status in ((first, "withdrawn"), (second, "rejected")):
        application = db.session.get(Application, application.id)
        assert application.candidate_id is None and application.status == status
        assert application.cover_letter == "" and application.cv_id is None
        assert application.interview_details == "" and application.rejection_reason == ""
        assert application.anonymised_at is not None and application.created_at is not None
    assert db.session.scalar(select(func.count(ApplicationMessage.id))) == 0
    assert db.session.scalar(select(func.count(CandidateProfile.id))) == 0
    assert db.session.scalar(select(func.count(SavedSearch.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(AlertedOffer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0
    # Only Karim's CV is left, on disk and in the database.
    assert uploaded_files(app) == {karim_cv.stored_name}
    assert db.session.scalars(select(StoredFile.id)).all() == [karim_cv.id]
    assert not any(
        "commerce" in event.comment or "salle du conseil" in event.comment
        for event in db.session.scalars(select(AuditEvent))
    )
    assert references_to(lea_id, "lea@exemple.fr") == []
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "personal_data.account_deleted"
        )
    )
    # Nothing is mailed to the deleted person afterwards.
    assert mailbox.deliver().to("lea@exemple.fr") == []

    # She can no longer sign in.
    response = app.test_client().post(
        "/connexion", data={"email": "lea@exemple.fr", "password": factories.PASSWORD}
    )
    assert response.status_code != 302 and "incorrect" in response.page


def test_employer_still_sees_the_anonymised_application(app, world):
    first = world["first"]
    client = client_for(app, "lea@exemple.fr")
    client.post("/candidat/donnees/supprimer", data={"password": factories.PASSWORD})

    employer = client_for(app, "dgs@quimperle.fr")
    page = employer.get(f"/collectivite/candidatures/{first.id}").page
    assert "Candidat (compte supprimé)" in page and "Retirée" in page
    assert "Léa" not in page and "Kerhervé" not in page and LETTER not in page
    assert "Télécharger le CV" not in page
    assert employer.get(f"/collectivite/candidatures/{first.id}/cv").status_code == 404
    listing = employer.get(f"/collectivite/offres/{world['offer'].id}/candidatures").page
    assert "Candidat (compte supprimé)" in listing


def test_only_candidates_delete_their_account_this_way(app, world):
    with pytest.raises(ServiceError):
        personal_data.delete_account(world["employer"], factories.PASSWORD)


def test_files_stay_when_the_transaction_fails(app, world, monkeypatch):
    files = uploaded_files(app)

    def failing_commit():
        raise RuntimeError("database gone")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        personal_data.delete_account(world["lea"], factories.PASSWORD)
    monkeypatch.undo()
    db.session.rollback()
    assert uploaded_files(app) == files
    assert db.session.get(User, world["lea"].id) is not None


# --- Retention ------------------------------------------------------------------------


def test_retention_purge(app, world, referential):
    employer = world["employer"]
    # Léa: no login ever, applications 731 days old: her account goes.
    lea_id = world["lea"].id
    # Karim: withdrew long ago but signs in again later: his account stays, his
    # old application is anonymised.
    karim = world["karim"]
    karim_user = karim.candidate
    withdraw(karim_user, karim)
    # Nina: signed up long ago, never signed in, but applied 400 days later.
    nina = factories.UserFactory(email="nina@exemple.fr")
    with later(timedelta(days=400)):
        recent_offer = factories.OfferFactory(organisation=employer.organisation)
        nina_application = apply(nina, recent_offer, LETTER, pdf(TINY_PDF, "cv.pdf"))
        reject(employer, nina_application, "Poste pourvu.")

    with later(timedelta(days=731)):
        karim_user.last_login_at = utcnow()
        fresh_offer = factories.OfferFactory(organisation=employer.organisation)
        fresh = apply(karim_user, fresh_offer, LETTER, pdf(TINY_PDF, "cv.pdf"))
        reject(employer, fresh, "Autre profil retenu.")
        counts = personal_data.purge_expired()
        again = personal_data.purge_expired()

    assert counts == {"accounts_deleted": 1, "applications_anonymised": 3, "files_deleted": 4}
    assert again == {"accounts_deleted": 0, "applications_anonymised": 0, "files_deleted": 0}
    db.session.expire_all()
    assert db.session.get(User, lea_id) is None
    assert references_to(lea_id, "lea@exemple.fr") == []
    old = db.session.get(Application, karim.id)
    assert old.candidate_id is None and old.cover_letter == "" and old.cv_id is None
    assert old.status == ApplicationStatus.WITHDRAWN and old.anonymised_at is not None
    # Karim's account and recent application, Nina's account and application stay.
    assert db.session.get(User, karim_user.id) is not None
    kept = db.session.get(Application, fresh.id)
    assert kept.candidate_id == karim_user.id and kept.cover_letter == LETTER and kept.cv
    assert file_store().exists(kept.cv.stored_name)
    nina_kept = db.session.get(Application, nina_application.id)
    assert nina_kept.candidate_id == nina.id and nina_kept.cv is not None
    assert db.session.get(User, nina.id) is not None
    summary = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_data.purged")
    ).all()
    assert len(summary) == 1
    assert "1 compte(s)" in summary[0].comment and "3 candidature(s)" in summary[0].comment


def test_nothing_is_purged_within_the_retention_period(app, world):
    with later(timedelta(days=729)):
        counts = personal_data.purge_expired()
    assert counts["accounts_deleted"] == 0 and counts["applications_anonymised"] == 0
    assert db.session.get(User, world["lea"].id) is not None


def test_retention_period_is_configurable(app, world):
    app.config["RETENTION_DAYS"] = 30
    with later(timedelta(days=31)):
        counts = personal_data.purge_expired()
    assert counts["accounts_deleted"] == 2  # Léa and Karim never signed in


# --- Permissions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/candidat/donnees", "/candidat/donnees/archive.zip", "/candidat/donnees/supprimer"]
)
def test_only_candidates_reach_their_data_pages(client, login_as, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    login_as(Role.EMPLOYER)
    assert client.get(path).status_code == 403
    assert client.post("/candidat/donnees/supprimer", data={"password": "x"}).status_code == 403
