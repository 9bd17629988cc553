"""Saved searches mailed as alerts (instant, daily, weekly), and the unsubscribe link
that needs no login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.alerts import sending
from recrutement.alerts.models import AlertedOffer, SavedSearch
from recrutement.alerts.saved_searches import alert_title, save_search
from recrutement.alerts.sending import send_alerts, send_instant_alerts
from recrutement.alerts.unsubscribe import saved_search_for_token, unsubscribe, unsubscribe_token
from recrutement.core.errors import ServiceError
from recrutement.core.french import long_date
from recrutement.core.tasks import BackgroundTask
from recrutement.core.time import paris_today
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from recrutement.offers import services as offer_services
from recrutement.offers.models import OfferStatus
from recrutement.offers.services import OFFER_PUBLISHED
from recrutement.worker import Worker, run_tasks
from tests import factories
from tests.support import later, path_of

NEUTRAL = {
    "missions": "Coordonner les partenaires du programme et suivre le budget.",
    "profile": "Goût du travail en équipe.",
    "benefits": "RTT.",
}


@pytest.fixture
def quimperle(referential):
    return factories.OrganisationFactory(
        commune=referential["quimperle"], name="Ville de Quimperlé"
    )


@pytest.fixture
def commercy(referential):
    return factories.OrganisationFactory(commune=referential["commercy"], name="Ville de Commercy")


def offer_about(organisation, title, words="", **fields):
    """A published offer whose text holds `words` and nothing else searchable."""
    values = {**NEUTRAL, "missions": f"{NEUTRAL['missions']} {words}".strip(), **fields}
    return factories.OfferFactory(organisation=organisation, title=title, **values)


@pytest.fixture
def candidate(referential):
    return factories.UserFactory(role=Role.CANDIDATE, email="lea@exemple.fr", first_name="Léa")


def alert_mails(mailbox, email="lea@exemple.fr"):
    """The alert mails `email` received since last asked (taken out of the mailbox,
    the others' stay); the clock moves past them (the tests travel in time)."""
    with later(timedelta(days=30)):
        received = mailbox.deliver().to(email)
    taken = {id(mail) for mail in received}
    with mailbox.lock:
        mailbox.received[:] = [mail for mail in mailbox.received if id(mail) not in taken]
    return [mail for mail in received if "alerte" in mail.subject]


def unsubscribe_link(mail) -> str:
    return next(link for link in mail.links() if "/alertes/desinscription/" in link)


# --- Saving a search ------------------------------------------------------------------


def test_save_search_keeps_the_validated_args_and_names_it(candidate):
    saved = save_search(
        candidate,
        {"q": " urbanisme ", "region": "53", "contrat": "", "tri": "date", "page": "3"},
        "daily",
    )
    assert saved.query == {"q": "urbanisme", "region": "53"}
    assert saved.name == "« urbanisme » — Bretagne"
    assert saved.frequency == "daily" and saved.last_sent_at is None
    assert len(saved.unsubscribe_token_hash) == 64

    named = save_search(candidate, {"departement": "29"}, "weekly", name="  Mon   Finistère ")
    assert named.name == "Mon Finistère"
    assert alert_title(named) == "« Mon Finistère »"
    assert alert_title(saved) == "« urbanisme » — Bretagne"
    near = save_search(candidate, {"commune": "Quimperlé", "rayon": "20"}, "instant")
    assert near.query == {"commune": "29233", "rayon": "20"}
    assert near.name == "à moins de 20 km de Quimperlé"
    everything = save_search(candidate, {}, "daily")
    assert everything.name == "Toutes les offres"


@pytest.mark.parametrize(
    ("args", "frequency", "message"),
    [
        ({"contrat": "stage"}, "daily", "Valeur inconnue"),
        ({"region": "99"}, "daily", "Région inconnue"),
        ({"q": "urbanisme"}, "monthly", "fréquence"),
        ({"q": "urbanisme", "tri": "pertinence"}, "daily", "déjà une alerte"),
    ],
)
def test_save_search_refuses_bad_args_frequency_and_duplicates(candidate, args, frequency, message):
    save_search(candidate, {"q": "urbanisme"}, "daily")
    with pytest.raises(ServiceError, match=message):
        save_search(candidate, args, frequency)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1


def test_only_candidates_save_searches(referential):
    employer = factories.MembershipFactory().user
    with pytest.raises(ServiceError):
        save_search(employer, {"q": "urbanisme"}, "daily")


def test_candidate_saves_the_search_from_the_search_page(client, login_as):
    login_as(Role.CANDIDATE)
    response = client.post(
        "/candidat/alertes",
        data={"q": "mobilités", "departement": "29", "frequency": "weekly", "name": ""},
    )
    assert response.headers["Location"] == "/candidat/alertes"
    page = client.get("/candidat/alertes").page
    assert "« mobilités » — Finistère (29)" in page
    assert "Une fois par semaine" in page and "Aucun envoi pour l'instant" in page
    assert "/offres?q=mobilit" in client.get("/candidat/alertes").get_data(as_text=True)

    refused = client.post("/candidat/alertes", data={"contrat": "stage", "frequency": "daily"})
    assert refused.headers["Location"] == "/offres?contrat=stage"
    assert "Valeur inconnue" in client.get("/candidat/alertes").page  # the flash
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1


# --- Daily and weekly alerts ----------------------------------------------------------


def test_daily_alert_mails_new_matching_offers_once(candidate, quimperle, commercy, mailbox):
    offer_about(quimperle, "Déjà là avant l'alerte", "urbanisme")
    saved = save_search(candidate, {"q": "urbanisme"}, "daily")

    with later(timedelta(hours=2)):
        first = offer_about(quimperle, "Urbaniste Quimperlé", "urbanisme durable")
        offer_about(commercy, "Chargé de mission commerce", "vacance commerciale")
        closed = offer_about(commercy, "Poste déjà clos", "urbanisme", status=OfferStatus.CLOSED)
    with later(timedelta(days=1)):
        assert send_alerts("daily") == 1
        assert send_alerts("daily") == 0  # already sent today
    mails = alert_mails(mailbox)
    assert len(mails) == 1
    mail = mails[0]
    assert mail.subject == "1 nouvelle offre pour votre alerte « urbanisme »"
    assert "Une nouvelle offre correspond à votre alerte « urbanisme » :" in mail.text
    assert (
        "Urbaniste Quimperlé" in mail.text and "Ville de Quimperlé — Quimperlé (29300)" in mail.text
    )
    assert "Déjà là avant l'alerte" not in mail.text
    assert "Chargé de mission commerce" not in mail.text and closed.title not in mail.text
    deadline = long_date(first.application_deadline)
    assert f"Date limite de candidature : {deadline}" in mail.text
    assert f"http://localhost/offres/{first.id}-urbaniste-quimperle" in mail.text
    assert "http://localhost/candidat/alertes" in mail.text
    assert unsubscribe_link(mail) in mail.html
    assert "Urbaniste Quimperlé" in mail.html

    with later(timedelta(days=1, hours=3)):
        second = offer_about(commercy, "Urbaniste Commercy", "urbanisme")
    with later(timedelta(days=1, hours=4)):
        assert send_alerts("daily") == 0  # less than a day since the last mail
    with later(timedelta(days=2, hours=1)):
        assert send_alerts("daily") == 1
    with later(timedelta(days=4)):
        assert send_alerts("daily") == 0  # nothing new: no mail
    mails = alert_mails(mailbox)
    assert len(mails) == 1
    assert "Urbaniste Commercy" in mails[0].text and "Urbaniste Quimperlé" not in mails[0].text
    # The same link in every mail of the alert.
    assert unsubscribe_link(mails[0]) == unsubscribe_link(mail)

    mailed = db.session.scalars(
        select(AlertedOffer.offer_id).where(AlertedOffer.saved_search_id == saved.id)
    ).all()
    assert sorted(mailed) == sorted([first.id, second.id])
    db.session.refresh(saved)
    assert saved.last_sent_at is not None


def test_an_offer_republished_is_not_mailed_twice(candidate, quimperle, mailbox):
    save_search(candidate, {"q": "urbanisme"}, "daily")
    with later(timedelta(hours=1)):
        offer = offer_about(quimperle, "Urbaniste", "urbanisme")
    with later(timedelta(days=1)):
        assert send_alerts("daily") == 1
    with later(timedelta(days=1, hours=1)):
        offer.published_at = offer.published_at + timedelta(days=1, hours=1)
        db.session.commit()
    with later(timedelta(days=3)):
        assert send_alerts("daily") == 0
    assert len(alert_mails(mailbox)) == 1


def test_weekly_alert_groups_a_week_of_offers(candidate, quimperle, commercy, mailbox):
    save_search(candidate, {"region": "53"}, "weekly")
    save_search(candidate, {"region": "44"}, "daily")  # another frequency: not this run
    with later(timedelta(hours=1)):
        offer_about(quimperle, "Chef de projet Quimperlé")
        offer_about(commercy, "Chef de projet Commercy")
    with later(timedelta(days=2)):
        assert send_alerts("weekly") == 1
    with later(timedelta(days=3)):
        offer_about(quimperle, "Second poste en Bretagne")
        offer_about(quimperle, "Troisième poste en Bretagne")
    with later(timedelta(days=5)):
        assert send_alerts("weekly") == 0  # not a week yet
    with later(timedelta(days=9)):
        assert send_alerts("weekly") == 1
    first, second = alert_mails(mailbox)
    assert "Chef de projet Quimperlé" in first.text and "Commercy" not in first.text
    assert second.subject == "2 nouvelles offres pour votre alerte « Bretagne »"
    assert "2 nouvelles offres correspondent à votre alerte « Bretagne » :" in second.text
    assert "Second poste en Bretagne" in second.text and "Troisième poste" in second.text
    assert "Chef de projet Quimperlé" not in second.text


def test_inactive_accounts_get_no_alert(candidate, quimperle, mailbox):
    save_search(candidate, {}, "daily")
    candidate.is_active_account = False
    db.session.commit()
    with later(timedelta(hours=1)):
        offer_about(quimperle, "Poste")
    with later(timedelta(days=1)):
        assert send_alerts("daily") == 0


# --- Instant alerts -------------------------------------------------------------------


def test_instant_alert_on_publication(candidate, quimperle, mailbox):
    other = factories.UserFactory(role=Role.CANDIDATE, email="noe@exemple.fr")
    save_search(candidate, {"q": "mobilités", "departement": "29"}, "instant")
    save_search(other, {"q": "mobilités", "departement": "55"}, "instant")
    save_search(other, {"q": "mobilités"}, "daily")  # not instant
    employer = factories.MembershipFactory(organisation=quimperle).user
    with later(timedelta(minutes=5)):
        offer = offer_about(
            quimperle, "Chef de projet mobilités", "mobilités douces", status=OfferStatus.DRAFT
        )
        offer_services.publish(employer, offer)
        # The worker runs the task the publication queued.
        assert run_tasks() == 1
        assert run_tasks() == 0  # done once
        assert send_instant_alerts(offer.id) == 0  # never the same offer twice
        assert send_alerts("instant") == 0
    (mail,) = alert_mails(mailbox)
    assert "Chef de projet mobilités" in mail.text
    assert mail.subject == "1 nouvelle offre pour votre alerte « mobilités » — Finistère (29)"
    assert alert_mails(mailbox, "noe@exemple.fr") == []


def alert_count() -> int:
    """Alert mails in the outbox, sent or not."""
    return db.session.scalar(
        select(func.count()).select_from(OutgoingEmail).where(OutgoingEmail.template == "alert")
    )


def test_publishing_only_queues_a_task_that_the_worker_runs(candidate, quimperle, mailbox):
    """Publishing mails nobody itself, however many alerts find the offer: it records a
    task in its own transaction, and the worker's round (index, tasks, outbox) mails."""
    save_search(candidate, {"q": "mobilités"}, "instant")
    employer = factories.MembershipFactory(organisation=quimperle).user
    with later(timedelta(minutes=5)):
        offer = offer_about(
            quimperle, "Chef de projet mobilités", "mobilités douces", status=OfferStatus.DRAFT
        )
        offer_services.publish(employer, offer)
        assert alert_count() == 0
        assert db.session.scalar(select(func.count()).select_from(AlertedOffer)) == 0
        task = db.session.scalar(select(BackgroundTask))
        assert (task.kind, task.subject_id, task.status) == (OFFER_PUBLISHED, offer.id, "pending")

        round_ = Worker(clock=lambda: 0.0)
        round_.last_housekeeping = 0.0  # this round is not the catch-up's
        round_.tick()
    db.session.refresh(task)
    assert task.status == "done"
    assert alert_count() == 1
    # The round delivered it already.
    assert [mail.subject for mail in mailbox.to("lea@exemple.fr")] == [
        "1 nouvelle offre pour votre alerte « mobilités »"
    ]


def test_the_task_retried_after_a_failure_mails_nobody_twice(
    candidate, quimperle, mailbox, monkeypatch
):
    """A task that fails half-way (one alert mailed and committed, not the other) is
    retried by a later round, which mails only the alert still missing."""
    noe = factories.UserFactory(role=Role.CANDIDATE, email="noe@exemple.fr")
    save_search(candidate, {"q": "mobilités"}, "instant")
    save_search(noe, {"q": "mobilités", "departement": "29"}, "instant")
    employer = factories.MembershipFactory(organisation=quimperle).user
    mail_alert = sending._mail_alert
    calls = []

    def crash_on_the_second(*args, **kwargs):
        calls.append(args[0].id)
        if len(calls) == 2:
            raise RuntimeError("the worker stops here")
        return mail_alert(*args, **kwargs)

    with later(timedelta(minutes=5)):
        offer = offer_about(
            quimperle, "Chef de projet mobilités", "mobilités douces", status=OfferStatus.DRAFT
        )
        offer_services.publish(employer, offer)
        monkeypatch.setattr(sending, "_mail_alert", crash_on_the_second)
        assert run_tasks() == 0
        assert alert_count() == 1
        task = db.session.scalar(select(BackgroundTask))
        assert (task.status, task.attempts) == ("pending", 1)
    with later(timedelta(minutes=10)):
        assert run_tasks() == 1
    assert len(calls) == 3  # Léa, Noé (failed), then Noé again: Léa is not mailed twice
    assert alert_count() == 2
    assert len(alert_mails(mailbox)) == 1
    assert len(alert_mails(mailbox, "noe@exemple.fr")) == 1


def test_republishing_queues_the_task_again(candidate, quimperle, mailbox):
    employer = factories.MembershipFactory(organisation=quimperle).user
    offer = offer_about(quimperle, "Chef de projet patrimoine", "patrimoine")
    offer_services.close(employer, offer)
    with later(timedelta(days=1)):
        save_search(candidate, {"q": "patrimoine"}, "instant")
    with later(timedelta(days=2)):
        offer_services.republish(employer, offer, paris_today() + timedelta(days=60))
        tasks = db.session.scalars(select(BackgroundTask)).all()
        assert [(task.kind, task.subject_id) for task in tasks] == [(OFFER_PUBLISHED, offer.id)]
        assert alert_count() == 0
        assert run_tasks() == 1
    assert "Chef de projet patrimoine" in alert_mails(mailbox)[0].text


def test_instant_alerts_skip_non_matching_and_unpublished_offers(candidate, quimperle, mailbox):
    save_search(candidate, {"q": "patrimoine"}, "instant")
    with later(timedelta(minutes=5)):
        other = offer_about(quimperle, "Chef de projet habitat", "habitat indigne")
        draft = offer_about(quimperle, "Brouillon", "patrimoine", status=OfferStatus.DRAFT)
        assert send_instant_alerts(other.id) == 0
        assert send_instant_alerts(draft.id) == 0
    assert alert_mails(mailbox) == []


def test_worker_catches_up_instant_alerts(candidate, quimperle, mailbox):
    """An offer whose task did not mail it (published without one, or the task given
    up) is mailed later."""
    save_search(candidate, {"q": "patrimoine"}, "instant")
    with later(timedelta(minutes=5)):
        offer_about(quimperle, "Chef de projet patrimoine", "patrimoine bâti")
    with later(timedelta(minutes=10)):
        assert send_alerts("instant") == 1
        assert send_alerts("instant") == 0
    assert "Chef de projet patrimoine" in alert_mails(mailbox)[0].text


# --- Unsubscribing --------------------------------------------------------------------


def test_unsubscribe_link_works_without_login_and_twice(client, candidate, quimperle, mailbox):
    saved = save_search(candidate, {}, "daily")
    saved_id = saved.id
    with later(timedelta(hours=1)):
        offer_about(quimperle, "Poste à Quimperlé")
    with later(timedelta(days=1)):
        send_alerts("daily")
    link = path_of(unsubscribe_link(alert_mails(mailbox)[0]))

    # Opening the link (as a mail client's preview does) deletes nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Me désinscrire de cette alerte" in page.page and "Toutes les offres" in page.page
    assert db.session.get(SavedSearch, saved_id) is not None

    done = client.post(link)
    assert done.status_code == 200 and "Vous êtes désinscrit" in done.page
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0
    again = client.post(link)
    assert again.status_code == 200 and "Déjà désinscrit" in again.page
    assert "Déjà désinscrit" in client.get(link).page


def test_bad_unsubscribe_token_is_explained(client, candidate):
    saved = save_search(candidate, {}, "daily")
    token = unsubscribe_token(saved)
    for bad in ("n-importe-quoi", token[:-3] + "abc", token + "x"):
        response = client.get(f"/alertes/desinscription/{bad}")
        assert response.status_code == 404
        assert "Ce lien de désinscription n'est pas valide" in response.page
        assert client.post(f"/alertes/desinscription/{bad}").status_code == 404
    with pytest.raises(ServiceError):
        unsubscribe("n-importe-quoi")
    assert db.session.get(SavedSearch, saved.id) is not None


def test_unsubscribe_token_is_stored_only_as_a_hash(candidate):
    saved = save_search(candidate, {}, "daily")
    token = unsubscribe_token(saved)
    assert token not in saved.unsubscribe_token_hash
    assert saved_search_for_token(token) is saved
    assert unsubscribe(token) == "Toutes les offres"
    assert unsubscribe(token) is None


# --- Managing alerts ------------------------------------------------------------------


def test_candidate_deletes_an_alert_after_confirmation(client, login_as):
    user = login_as(Role.CANDIDATE)
    saved = save_search(user, {"q": "urbanisme"}, "daily")
    confirm = client.get(f"/candidat/alertes/{saved.id}/supprimer")
    assert confirm.status_code == 200
    assert "Supprimer l'alerte « urbanisme » ?" in confirm.page
    assert db.session.get(SavedSearch, saved.id) is not None
    response = client.post(f"/candidat/alertes/{saved.id}/supprimer")
    assert response.headers["Location"] == "/candidat/alertes"
    assert "est supprimée" in client.get("/candidat/alertes").page
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_another_candidates_alert_is_not_found(client, login_as, candidate):
    theirs = save_search(candidate, {"q": "urbanisme"}, "daily")
    login_as(Role.CANDIDATE)
    assert client.get(f"/candidat/alertes/{theirs.id}/supprimer").status_code == 404
    assert client.post(f"/candidat/alertes/{theirs.id}/supprimer").status_code == 404
    assert "urbanisme" not in client.get("/candidat/alertes").page
    assert db.session.get(SavedSearch, theirs.id) is not None


def test_alerts_and_favourites_are_for_candidates_only(client, login_as):
    assert client.get("/candidat/alertes").headers["Location"].startswith("/connexion")
    login_as(Role.EMPLOYER)
    for url in ("/candidat/alertes", "/candidat/favoris"):
        assert client.get(url).status_code == 403
    assert client.post("/candidat/alertes", data={"frequency": "daily"}).status_code == 403
    assert client.post("/candidat/favoris/1").status_code == 403


def test_mail_clients_unsubscribe_in_one_click_rfc_8058(client, candidate, quimperle, mailbox):
    """The alert mail carries List-Unsubscribe headers; the mail client's POST (no CSRF
    token, no login) unsubscribes at once. A POST without the RFC marker still needs
    the page's CSRF token."""
    saved = save_search(candidate, {}, "daily")
    saved_id = saved.id
    with later(timedelta(hours=1)):
        offer_about(quimperle, "Poste à Quimperlé")
    with later(timedelta(days=1)):
        send_alerts("daily")
    mail = alert_mails(mailbox)[0]
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(mail.message["List-Unsubscribe"])
    assert header.startswith("<http://localhost/alertes/desinscription/") and header.endswith(">")
    link = path_of(header.strip("<>"))

    forged = client.post(link, data={"confirm": "1"}, csrf=False)
    # Without the marker, the page's own form keeps its CSRF check: it only asks again.
    assert forged.status_code == 200 and "Me désinscrire de cette alerte" in forged.page
    assert db.session.get(SavedSearch, saved_id) is not None

    response = client.post(link, data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert response.status_code == 204
    assert db.session.get(SavedSearch, saved_id) is None
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}, csrf=False).status_code == 204
