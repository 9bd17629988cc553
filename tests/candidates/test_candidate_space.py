"""The candidate's own space (issue 11, point 4): the home (applications by state, the
interviews, the unread messages, new offers for the saved searches), the inbox of
message threads with the unread count in the navigation, and the progress stepper
of each application."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.alerts.saved_searches import save_search
from recrutement.applications import messages
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.progress import progress_of
from recrutement.candidates.home import VISIT_GAP, record_visit
from recrutement.candidates.models import CandidateProfile
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.time import utcnow
from recrutement.extensions import db
from tests import factories

HOME = "/candidat/"
INBOX = "/candidat/messages"


def text_of(page: str) -> str:
    """The page's text (`.page` has its entities decoded already) without tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def quimperle(referential):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    return member


def application_to(candidate, organisation, status=ApplicationStatus.SENT, **fields):
    offer = factories.OfferFactory(organisation=organisation, **fields.pop("offer", {}))
    application = Application(
        offer=offer,
        candidate=candidate,
        cover_letter="Lettre de motivation assez longue pour être acceptée ici.",
        status=status,
        **fields,
    )
    db.session.add(application)
    db.session.commit()
    return application


def nav_badge(page: str) -> str | None:
    """The accessible text of the unread badge in the candidate navigation, if any."""
    found = re.search(r'href="/candidat/messages"[^>]*>Messages(.*?)</a>', page, re.S)
    assert found, "the navigation has no Messages link"
    hidden = re.search(r'class="fr-sr-only">([^<]+)<', found.group(1))
    return hidden.group(1) if hidden else None


# --- Home: applications by state, interviews ---------------------------------------------


def test_a_new_candidate_sees_what_to_do_instead_of_empty_blocks(client, login_as):
    login_as(Role.CANDIDATE, first_name="Léa")
    page = text_of(client.get(HOME).page)
    assert "Bonjour Léa" in page
    assert "Vous n'avez pas encore postulé" in page
    assert "Aucun entretien pour le moment" in page
    assert "Aucun message non lu" in page
    assert "Vous n'avez pas encore d'alerte" in page


def test_the_home_counts_applications_by_state_and_links_to_them(client, login_as, quimperle):
    candidate = login_as(Role.CANDIDATE)
    organisation = quimperle.organisation
    for status in ("sent", "sent", "in_review", "rejected"):
        application_to(candidate, organisation, status)
    someone_else = factories.UserFactory(role=Role.CANDIDATE)
    application_to(someone_else, organisation, "hired")

    page = client.get(HOME).page
    text = text_of(page)
    assert "2 candidatures envoyées" in text
    assert "1 candidature en cours d'examen" in text
    assert "1 candidature non retenue" in text
    assert "0 candidature retenue" in text  # someone else's hire is not counted
    assert "Toutes mes candidatures (4)" in text
    assert 'href="/candidat/candidatures?etat=sent"' in page
    assert 'href="/candidat/candidatures?etat=hired"' not in page  # nothing to list

    listed = client.get("/candidat/candidatures?etat=sent").page
    assert "2 candidatures : envoyée" in text_of(listed)
    rows = listed.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 2 and "Non retenue" not in rows
    everything = text_of(client.get("/candidat/candidatures?etat=nimporte").page)
    assert "Cet état n'existe pas : voici toutes vos candidatures." in everything
    assert "4 candidatures" in everything
    empty = text_of(client.get("/candidat/candidatures?etat=hired").page)
    assert "Aucune candidature dans cet état." in empty


def test_interviews_show_their_details(client, login_as, quimperle):
    candidate = login_as(Role.CANDIDATE)
    application_to(
        candidate,
        quimperle.organisation,
        ApplicationStatus.INTERVIEW,
        interview_details="Mardi 8 décembre à 14 h, mairie de Quimperlé, salle du conseil.",
        offer={"title": "Cheffe de projet centre-bourg"},
    )
    application_to(candidate, quimperle.organisation, ApplicationStatus.IN_REVIEW)

    page = text_of(client.get(HOME).page)
    interviews = page.split("Mes entretiens", 1)[1].split("Messages non lus", 1)[0]
    assert "Cheffe de projet centre-bourg" in interviews
    assert "Mardi 8 décembre à 14 h, mairie de Quimperlé, salle du conseil." in interviews
    assert interviews.count("invitation reçue le") == 1


# --- Messages: unread counts, inbox, reading marks read ----------------------------------


def test_unread_messages_are_counted_everywhere_and_reading_the_thread_reads_them(
    client, login_as, quimperle
):
    candidate = login_as(Role.CANDIDATE)
    first = application_to(candidate, quimperle.organisation, offer={"title": "Poste A"})
    second = application_to(candidate, quimperle.organisation, offer={"title": "Poste B"})
    quiet = application_to(candidate, quimperle.organisation, offer={"title": "Poste C"})
    member = quimperle.user
    messages.post_message(member, first, "Pouvez-vous nous indiquer vos disponibilités ?")
    messages.post_message(member, first, "Nous proposons mardi ou jeudi.")
    messages.post_message(member, second, "Merci pour votre candidature.")
    # The candidate's own message is never unread.
    messages.post_message(candidate, quiet, "Je reste disponible pour échanger.")

    home = client.get(HOME).page
    assert nav_badge(home) == "3 messages non lus"
    text = text_of(home)
    assert "Vous avez 3 messages non lus." in text
    assert "Nous proposons mardi ou jeudi." in text and "2 non lus" in text

    inbox = client.get(INBOX).page
    inbox_text = text_of(inbox)
    assert "3 messages non lus ; 3 conversations." in inbox_text
    assert inbox_text.index("Poste C") < inbox_text.index("Poste B") < inbox_text.index("Poste A")
    assert "Vous, le" in inbox_text  # the last word of the quiet thread is the candidate's

    client.get(f"/candidat/candidatures/{first.id}")
    after = client.get(INBOX).page
    assert nav_badge(after) == "1 message non lu"
    assert "1 message non lu ;" in text_of(after)

    # A new message after reading is unread again; only that one.
    messages.post_message(member, first, "Jeudi 10 h vous convient-il ?")
    assert nav_badge(client.get(INBOX).page) == "2 messages non lus"
    client.get(f"/candidat/candidatures/{first.id}")
    client.get(f"/candidat/candidatures/{second.id}")
    read = client.get(HOME).page
    assert nav_badge(read) is None
    assert "Aucun message non lu." in text_of(read)


def test_the_inbox_is_paginated_and_says_when_empty(client, login_as, quimperle):
    candidate = login_as(Role.CANDIDATE)
    assert "Aucun message pour le moment." in text_of(client.get(INBOX).page)
    for number in range(21):
        application = application_to(
            candidate, quimperle.organisation, offer={"title": f"Poste {number:02d}"}
        )
        messages.post_message(quimperle.user, application, f"Message {number}")

    first_page = text_of(client.get(INBOX).page)
    assert "21 conversations" in first_page and "Poste 20" in first_page
    assert "Poste 00" not in first_page
    second_page = text_of(client.get(f"{INBOX}?page=2").page)
    assert "Poste 00" in second_page and "Poste 20" not in second_page
    beyond = client.get(f"{INBOX}?page=99")
    assert beyond.status_code == 200
    assert "Cette page est vide" in text_of(beyond.page)


def test_nobody_reads_another_candidates_thread(client, login_as, quimperle):
    owner = factories.UserFactory(role=Role.CANDIDATE)
    application = application_to(owner, quimperle.organisation)
    messages.post_message(quimperle.user, application, "Bonjour, une question.")
    intruder = login_as(Role.CANDIDATE)

    assert client.get(f"/candidat/candidatures/{application.id}").status_code == 404
    with pytest.raises(ServiceError):
        messages.mark_read_by_candidate(intruder, application)
    db.session.refresh(application)
    assert application.candidate_read_message_id is None
    assert "Bonjour, une question." not in client.get(INBOX).page
    assert nav_badge(client.get(INBOX).page) is None


def test_the_inbox_is_the_candidates_only(client, login_as):
    assert client.get(INBOX).headers["Location"].startswith("/connexion?next=")
    login_as(Role.EMPLOYER)
    assert client.get(INBOX).status_code == 403


# --- New offers for the saved searches ---------------------------------------------------


def test_new_offers_come_from_each_saved_search_through_the_real_search(
    client, login_as, referential
):
    candidate = login_as(Role.CANDIDATE)
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    now = utcnow()

    def offer(title, days_ago, missions="Coordonner le programme."):
        return factories.OfferFactory(
            organisation=organisation,
            title=title,
            missions=missions,
            profile="Goût du travail en équipe.",
            published_at=now - timedelta(days=days_ago),
        )

    offer("Chargée d'urbanisme réglementaire", 2, "Instruire les permis, urbanisme durable.")
    offer("Urbaniste de la communauté", 12, "Piloter le plan local d'urbanisme.")
    offer("Agent comptable", 1)
    save_search(candidate, {"q": "urbanisme"}, "daily", "Urbanisme")
    save_search(candidate, {"q": "patrimoine"}, "weekly", "Patrimoine")

    text = text_of(client.get(HOME).page)
    block = text.split("Nouvelles offres pour mes alertes", 1)[1]
    assert "Publiées ces 7 derniers jours." in block
    assert "Chargée d'urbanisme réglementaire" in block
    assert "Urbaniste de la communauté" not in block  # 12 days old
    assert "Agent comptable" not in block  # matches neither search
    assert "Aucune nouvelle offre pour cette recherche." in block  # "patrimoine"

    # Back after a month: everything since the previous visit, reload included.
    profile = db.session.scalar(
        select(CandidateProfile).where(CandidateProfile.user_id == candidate.id)
    )
    profile.home_seen_at = now - timedelta(days=30)
    db.session.commit()
    for _ in range(2):
        block = text_of(client.get(HOME).page).split("Nouvelles offres pour mes alertes", 1)[1]
        assert "Publiées depuis votre dernière visite" in block
        assert "Urbaniste de la communauté" in block
        assert "Chargée d'urbanisme réglementaire" in block


def test_many_new_offers_show_a_few_and_link_to_the_search(client, login_as, referential):
    candidate = login_as(Role.CANDIDATE)
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    for number in range(5):
        factories.OfferFactory(organisation=organisation, title=f"Chef de projet n°{number}")
    save_search(candidate, {"region": "53"}, "daily", "Bretagne")

    page = client.get(HOME).page
    block = text_of(page).split("Nouvelles offres pour mes alertes", 1)[1]
    assert sum(f"Chef de projet n°{number}" in block for number in range(5)) == 3
    assert "Voir les 5 nouvelles offres de « Bretagne »" in block
    assert 'href="/offres?tri=date&region=53"' in page


def test_a_visit_is_a_run_of_views(app, referential):
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    start = utcnow()
    assert record_visit(candidate, start) is None
    assert record_visit(candidate, start + VISIT_GAP / 2) is None  # the same visit
    later = start + VISIT_GAP * 3
    assert record_visit(candidate, later) == start + VISIT_GAP / 2
    assert record_visit(candidate, later + timedelta(minutes=5)) == start + VISIT_GAP / 2


# --- Progress stepper ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "title", "state", "next_step"),
    [
        ("sent", "Envoyée", "Étape 1 sur 4", "En cours d'examen"),
        ("in_review", "En cours d'examen", "Étape 2 sur 4", "Entretien"),
        ("interview", "Entretien", "Étape 3 sur 4", "Décision"),
        ("hired", "Décision : candidature retenue", "Étape 4 sur 4", None),
        ("rejected", "Décision : candidature non retenue", "Étape 4 sur 4", None),
    ],
)
def test_each_application_page_shows_where_it_stands(
    client, login_as, quimperle, status, title, state, next_step
):
    candidate = login_as(Role.CANDIDATE)
    application = application_to(candidate, quimperle.organisation, status)

    page = client.get(f"/candidat/candidatures/{application.id}").page
    step = state.split()[1]
    assert f'data-fr-current-step="{step}" data-fr-steps="4"' in page
    text = text_of(page)
    assert f"{title} {state}" in text
    if next_step:
        assert f"Étape suivante : {next_step}" in text
    else:
        assert "Étape suivante" not in text


def test_a_withdrawn_application_says_so_and_where_it_stopped(client, login_as, quimperle):
    candidate = login_as(Role.CANDIDATE)
    application = application_to(candidate, quimperle.organisation, ApplicationStatus.WITHDRAWN)
    record_event(quimperle.user, "application.review", application)
    record_event(candidate, "application.withdraw", application)
    db.session.commit()

    page = client.get(f"/candidat/candidatures/{application.id}").page
    assert 'data-fr-current-step="2"' in page
    text = text_of(page)
    assert "Candidature retirée Retirée à l'étape 2 sur 4 : En cours d'examen" in text
    assert "Vous avez retiré cette candidature : la collectivité ne l'examine plus" in text
    assert "Retirer ma candidature" not in text


def test_a_rejection_is_said_plainly_with_the_reason_when_shared():
    rejected = progress_of("rejected", ["application.review", "application.reject"])
    assert rejected.outcome == "rejected" and rejected.step == 4
    assert rejected.explanation.startswith("La collectivité n'a pas retenu votre candidature.")
    assert progress_of("withdrawn").state == "Retirée à l'étape 1 sur 4 : Envoyée"
    interviewed = progress_of("withdrawn", ["application.review", "application.interview"])
    assert interviewed.step == 3
