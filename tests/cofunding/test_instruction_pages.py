"""The instruction of cofunding requests through HTTP: the queue (scope, filters, counts,
order, pages), each action of the préfecture and the ANAH with its mails, refusals that
save nothing, stale pages and two agents at once, and what never leaves the instructors.

Forbidden paths: another département's request answers 404 on every route (the agent
may not know it exists); an ANAH agent gets 403 on the préfecture's actions and a
préfecture agent 403 on the ANAH opinion, whatever the request (the route is not for
their role, as everywhere in the application); a request that does not ask ANAH is out
of the ANAH agent's scope: 404.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.cofunding import instruction, services
from recrutement.cofunding.models import CofundingRequest, InstructionNote
from recrutement.core.time import utcnow
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from tests import factories
from tests.cofunding.conftest import content
from tests.support import TINY_PDF

ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien"}


# --- helpers --------------------------------------------------------------------------


def sign_in(app, user):
    """A browser of its own for `user` (several agents can act side by side)."""
    browser = app.test_client()
    response = browser.post(
        "/connexion", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302, response.page[:500]
    return browser


def filed(people, employer=None, days_ago: int | None = None, **overrides) -> CofundingRequest:
    employer = employer or people.employer
    found = services.create_request(employer, content(**overrides))
    services.submit(employer, found)
    if days_ago is not None:
        found.submitted_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
    return found


def in_instruction(people, **overrides) -> CofundingRequest:
    found = filed(people, **overrides)
    instruction.open_instruction(people.prefecture, found)
    return found


def recipients() -> list[str]:
    return sorted(email.recipient for email in db.session.scalars(select(OutgoingEmail)))


def clear_outbox() -> None:
    db.session.execute(OutgoingEmail.__table__.delete())
    db.session.commit()


def reload(found: CofundingRequest) -> CofundingRequest:
    db.session.expire_all()
    return db.session.get(CofundingRequest, found.id)


def request_numbers(page: str) -> list[int]:
    """The requests listed in the queue, in their order."""
    return [int(number) for number in re.findall(r'href="/prefecture/demandes/(\d+)"', page)]


def flashed(browser, response) -> str:
    """Follow a redirect and return the page (with its flash messages)."""
    assert response.status_code == 302, response.status_code
    return browser.get(response.headers["Location"]).page


def version_of(found: CofundingRequest) -> int:
    return reload(found).version


@pytest.fixture
def prefecture(app, people):
    return sign_in(app, people.prefecture)


@pytest.fixture
def anah(app, people):
    return sign_in(app, people.anah)


# --- the queue ------------------------------------------------------------------------


def test_the_queue_lists_the_departments_filed_requests_oldest_first(people, prefecture):
    newer = filed(people, days_ago=2, post_title="Chef de projet A")
    older = filed(people, days_ago=40, post_title="Chef de projet B")
    draft = services.create_request(people.employer, content(post_title="Brouillon C"))
    other = filed(people, employer=people.other_employer, post_title="Chef de projet Meuse")
    response = prefecture.get("/prefecture/demandes")
    assert response.status_code == 200
    page = response.page
    assert request_numbers(page) == [older.id, newer.id]
    assert draft.id not in request_numbers(page) and "Brouillon C" not in page
    assert other.id not in request_numbers(page) and "Commercy" not in page
    # The columns: collectivité, post, chef de projet, period, funders, total, filed, state.
    for text in (
        "Quimperlé",
        "Chef de projet A",
        "Camille Le Gall",
        "du 01/03/2026",
        "au 31/12/2026",
        "ANCT / État, Banque des territoires",
        "37\u202f726,02 €",
        "il y a 40 jours",
        "il y a 2 jours",
        "Déposée",
    ):
        assert text in page, text
    assert "2 demandes" in page


def test_filters_by_state_funder_and_age_and_counts_per_state(people, prefecture):
    submitted = filed(people, days_ago=3, post_title="Poste déposé")
    with_anah = filed(people, days_ago=20, post_title="Poste ANAH", **ANAH)
    old = filed(people, days_ago=45, post_title="Poste ancien", bdt_asked=False)
    opened = filed(people, days_ago=10, post_title="Poste ouvert")
    instruction.open_instruction(people.prefecture, opened)
    page = prefecture.get("/prefecture/demandes").page
    # The views are links with their counts; the states are options with theirs.
    assert "À traiter (4)" in page and "Décidées (0)" in page and "Toutes (4)" in page
    assert 'href="/prefecture/demandes?etat=decided"' in page
    assert 'href="/prefecture/demandes?etat=all"' in page
    assert "Déposée (3)" in page and "En instruction (1)" in page and "Accordée (0)" in page

    def listed(query):
        return request_numbers(prefecture.get(f"/prefecture/demandes?{query}").page)

    assert listed("etat=in_instruction") == [opened.id]
    assert listed("etat=submitted") == [old.id, with_anah.id, submitted.id]
    assert listed("financeur=anah") == [with_anah.id]
    assert listed("financeur=bdt") == [with_anah.id, opened.id, submitted.id]
    assert listed("anciennete=moins-15j") == [opened.id, submitted.id]
    assert listed("anciennete=15-30j") == [with_anah.id]
    assert listed("anciennete=plus-30j") == [old.id]
    assert listed("etat=submitted&anciennete=moins-15j") == [submitted.id]
    # The dashboard's links (requests waiting for a decision, by age) keep working.
    assert listed("etat=waiting&anciennete=plus-30j") == [old.id]
    # Unknown values are ignored rather than failing: the queue's opening view.
    assert len(listed("etat=draft&financeur=x&anciennete=y")) == 4
    empty = prefecture.get("/prefecture/demandes?etat=granted").page
    assert "Aucune demande ne correspond à ces filtres." in empty
    # The filter form keeps its choices, and the export links carry them.
    filtered = prefecture.get("/prefecture/demandes?etat=submitted&financeur=anah").page
    assert '<option value="submitted" selected>' in filtered
    assert "/prefecture/demandes.csv?etat=submitted&financeur=anah" in filtered
    assert "Revenir aux demandes à traiter" in filtered
    assert "Revenir aux demandes à traiter" not in prefecture.get("/prefecture/demandes").page


def decided_and_open(people) -> dict[str, CofundingRequest]:
    """One request in each state of the préfecture's work, filed from the oldest
    (granted, 60 days ago) to the newest (submitted, 5 days ago)."""
    made = {}
    for name, days in (
        ("granted", 60),
        ("answered", 50),
        ("refused", 40),
        ("changes", 30),
        ("dismissed", 20),
        ("opened", 10),
        ("submitted", 5),
    ):
        made[name] = filed(people, days_ago=days, post_title=f"Poste {name}")
    for name in ("granted", "answered", "refused", "changes", "opened"):
        instruction.open_instruction(people.prefecture, made[name])
    instruction.grant(people.prefecture, made["granted"])
    instruction.refuse(people.prefecture, made["refused"], "Le poste est à mi-temps.")
    instruction.dismiss(people.prefecture, made["dismissed"], "Sans nouvelles.")
    for name in ("answered", "changes"):
        instruction.request_changes(people.prefecture, made[name], "Joignez le contrat.")
    services.answer_changes(people.employer, made["answered"], "Le contrat est joint.")
    return made


def test_the_queue_opens_on_what_awaits_the_prefecture(people, prefecture):
    made = decided_and_open(people)
    response = prefecture.get("/prefecture/demandes")
    page = response.page
    # Filed, in instruction, and back from the collectivité with its answer: oldest first.
    assert request_numbers(page) == [made[name].id for name in ("answered", "opened", "submitted")]
    assert "Complément reçu le" in page
    assert '<a class="fr-tag" href="/prefecture/demandes?etat=waiting" aria-current="true">' in page
    assert "À traiter (3)" in page and "Décidées (3)" in page and "Toutes (7)" in page
    assert "<title>Demandes de cofinancement : à traiter — Recrutement PVD</title>" in page

    def listed(view):
        return request_numbers(prefecture.get(f"/prefecture/demandes?etat={view}").page)

    # The decided ones are one click away, and every request with "Toutes".
    assert listed("decided") == [made[name].id for name in ("granted", "refused", "dismissed")]
    assert listed("all") == [found.id for found in made.values()]
    # The request whose complement is asked waits for the collectivité: its own state.
    assert listed("changes_requested") == [made["changes"].id]


def test_the_exports_follow_the_chosen_view(people, prefecture):
    made = decided_and_open(people)

    def exported(query=""):
        response = prefecture.get(f"/prefecture/demandes.csv{query}")
        text = response.get_data(as_text=True)
        response.close()
        return sorted(int(n) for n in re.findall(r"^(\d+);", text, flags=re.MULTILINE))

    page = prefecture.get("/prefecture/demandes").page
    assert "/prefecture/demandes.csv?etat=waiting" in page and "3 demandes, à traiter" in page
    assert exported() == sorted(made[name].id for name in ("answered", "opened", "submitted"))
    assert exported("?etat=waiting") == exported()
    assert exported("?etat=decided") == sorted(
        made[name].id for name in ("granted", "refused", "dismissed")
    )
    assert exported("?etat=all") == sorted(found.id for found in made.values())
    response = prefecture.get("/prefecture/demandes.xlsx?etat=decided")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    response.close()


def test_an_empty_view_says_so_and_leads_to_every_request(people, prefecture):
    found = in_instruction(people)
    instruction.refuse(people.prefecture, found, "Le poste est à mi-temps.")
    page = prefecture.get("/prefecture/demandes").page
    assert request_numbers(page) == []
    assert "Rien à traiter : aucune demande déposée ou en instruction" in page
    assert 'href="/prefecture/demandes?etat=all">Voir toutes les demandes (1)' in page


def test_the_anah_queue_opens_on_the_opinions_it_owes(people, anah):
    waiting = filed(people, days_ago=30, post_title="Sans avis", **ANAH)
    given = filed(people, days_ago=20, post_title="Avec avis", **ANAH)
    instruction.give_anah_opinion(people.anah, given, True, D("10000"))
    closed = filed(people, days_ago=10, post_title="Classée sans avis", **ANAH)
    instruction.dismiss(people.prefecture, closed, "Sans nouvelles.")
    newer = filed(people, days_ago=5, post_title="Sans avis, récente", **ANAH)
    filed(people, post_title="Sans ANAH")  # not the delegation's
    page = anah.get("/prefecture/demandes").page
    assert request_numbers(page) == [waiting.id, newer.id]
    assert "Avis de l'ANAH en attente (2)" in page
    assert "En attente de décision (3)" in page and "Décidées (1)" in page
    assert "Toutes (4)" in page and "À traiter" not in page

    def listed(view):
        return request_numbers(anah.get(f"/prefecture/demandes?etat={view}").page)

    assert listed("waiting") == [waiting.id, given.id, newer.id]
    assert listed("decided") == [closed.id]
    assert listed("all") == [waiting.id, given.id, closed.id, newer.id]
    csv = anah.get("/prefecture/demandes.csv").get_data(as_text=True)
    assert "Sans avis" in csv and "Avec avis" not in csv
    # Once every opinion is given, the view says so.
    for found in (waiting, newer):
        instruction.give_anah_opinion(people.anah, found, False, D("0"))
    assert "Aucune demande n'attend l'avis de l'ANAH." in anah.get("/prefecture/demandes").page


def test_the_prefecture_may_list_the_requests_waiting_for_the_anah(people, prefecture):
    waiting = filed(people, post_title="Sans avis", **ANAH)
    given = filed(people, post_title="Avec avis", **ANAH)
    instruction.give_anah_opinion(people.anah, given, True, D("10000"))
    listed = request_numbers(prefecture.get("/prefecture/demandes?etat=anah_pending").page)
    assert listed == [waiting.id]


def test_the_queue_pages_by_twenty(people, prefecture):
    made = [filed(people, post_title=f"Chef de projet {n:02d}") for n in range(21)]
    first = prefecture.get("/prefecture/demandes").page
    assert request_numbers(first) == [found.id for found in made[:20]]
    assert "Page suivante" in first and "21 demandes" in first
    second = prefecture.get("/prefecture/demandes?page=2").page
    assert request_numbers(second) == [made[20].id]
    beyond = prefecture.get("/prefecture/demandes?page=9")
    assert beyond.status_code == 200 and request_numbers(beyond.page) == []


def test_an_empty_queue_says_so(people, prefecture):
    services.create_request(people.employer, content())  # a draft is not filed
    page = prefecture.get("/prefecture/demandes").page
    assert "Aucune demande de cofinancement déposée pour le moment." in page


def test_home_links_to_the_queue_with_its_counts(people, prefecture, anah):
    filed(people, post_title="Poste A")
    filed(people, post_title="Poste B", **ANAH)
    page = prefecture.get("/prefecture/").page
    assert "Demandes de cofinancement" in page and "2 demandes" in page
    assert "Déposée (2)" in page and "Collectivités à valider" in page
    assert "1 demande qui sollicite l'ANAH" in anah.get("/prefecture/").page


def test_the_anah_agent_sees_only_the_requests_asking_anah(people, anah):
    plain = filed(people, post_title="Sans ANAH")
    with_anah = filed(people, post_title="Avec ANAH", **ANAH)
    filed(people, employer=people.other_employer, post_title="Meuse ANAH", **ANAH)
    page = anah.get("/prefecture/demandes").page
    assert request_numbers(page) == [with_anah.id]
    assert "vous voyez seulement les demandes de vos départements qui sollicitent l'ANAH" in page
    assert anah.get(f"/prefecture/demandes/{plain.id}").status_code == 404
    assert anah.get(f"/prefecture/demandes/{with_anah.id}").status_code == 200


# --- scope: every route by id ---------------------------------------------------------


def test_another_departments_agents_reach_nothing_by_id(app, people, prefecture):
    """Every route of a request answers 404 to the préfecture and ANAH of the Meuse."""
    found = in_instruction(people, **ANAH)
    attachment = services.add_attachment(
        people.employer,
        services.create_request(people.employer, content(post_title="Avec pièce")),
        "contract",
        FileStorage(BytesIO(TINY_PDF), "contrat.pdf"),
    )
    with_attachment = db.session.get(CofundingRequest, attachment.request_id)
    services.submit(people.employer, with_attachment)
    granted = in_instruction(people, post_title="Accordée")
    instruction.grant(people.prefecture, granted)
    paths = {
        "get": [
            f"/prefecture/demandes/{found.id}",
            f"/prefecture/demandes/{with_attachment.id}/pieces/{attachment.id}",
            f"/prefecture/demandes/{granted.id}/decision.pdf",
            f"/prefecture/demandes/{found.id}/accorder",
            f"/prefecture/demandes/{found.id}/refuser",
            f"/prefecture/demandes/{found.id}/classer",
        ],
        "post": [
            f"/prefecture/demandes/{found.id}/ouvrir",
            f"/prefecture/demandes/{found.id}/complement",
            f"/prefecture/demandes/{found.id}/montants",
            f"/prefecture/demandes/{found.id}/accorder",
            f"/prefecture/demandes/{found.id}/refuser",
            f"/prefecture/demandes/{found.id}/classer",
            f"/prefecture/demandes/{found.id}/notes",
            f"/prefecture/demandes/{found.id}/messages",
        ],
    }
    data = {"version": found.version, "message": "x", "reason": "x", "note": "x", "body": "x"}
    # The paths are right: the Finistère's préfecture reaches them.
    for path in paths["get"]:
        response = prefecture.get(path)
        assert response.status_code == 200, path
        response.close()
    meuse = sign_in(app, people.prefecture55)
    meuse_anah = sign_in(app, people.anah55)
    for browser in (meuse, meuse_anah):
        for path in paths["get"][:3]:
            assert browser.get(path).status_code == 404, path
        for path in paths["post"][-2:]:
            assert browser.post(path, data=data).status_code == 404, path
        for path in ("/prefecture/demandes", "/prefecture/demandes.csv"):
            assert "Quimperlé" not in browser.get(path).get_data(as_text=True)
    for path in paths["get"][3:] + paths["post"]:
        method = meuse.post if path in paths["post"] else meuse.get
        assert method(path, data=data).status_code == 404, path
    opinion = {"favourable": "1", "amount": "1000", "version": found.version}
    assert (
        meuse_anah.post(f"/prefecture/demandes/{found.id}/avis-anah", data=opinion).status_code
        == 404
    )
    found = reload(found)
    assert found.status == "in_instruction" and found.anah_opinion is None
    assert services.thread(found) == [] and services.notes(found) == []


def test_the_anah_agent_has_no_prefecture_action(people, anah):
    found = filed(people, **ANAH)
    page = anah.get(f"/prefecture/demandes/{found.id}").page
    for button in ("Ouvrir l'instruction", "Accorder", "Demander un complément", "Refuser…"):
        assert button not in page
    assert (
        "Enregistrer l'avis" in page and "Ajouter la note" in page and "Envoyer le message" in page
    )
    data = {"version": found.version, "message": "x", "reason": "x"}
    for action in ("ouvrir", "complement", "montants", "accorder", "refuser", "classer"):
        assert anah.post(f"/prefecture/demandes/{found.id}/{action}", data=data).status_code == 403
    for action in ("accorder", "refuser", "classer"):
        assert anah.get(f"/prefecture/demandes/{found.id}/{action}").status_code == 403
    assert reload(found).status == "submitted"


def test_the_prefecture_does_not_give_the_anah_opinion(people, prefecture):
    found = in_instruction(people, **ANAH)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "Enregistrer l'avis" not in page and "Avis de l'ANAH : en attente." in page
    opinion = {"favourable": "1", "amount": "1000", "version": found.version}
    response = prefecture.post(f"/prefecture/demandes/{found.id}/avis-anah", data=opinion)
    assert response.status_code == 403
    assert reload(found).anah_opinion is None


# --- the actions ----------------------------------------------------------------------


def test_opening_locks_the_request_and_tells_the_collectivite(people, prefecture):
    found = filed(people)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "Ouvrir l'instruction verrouille la demande" in page
    assert "Accorder" not in page  # not before the instruction is open
    clear_outbox()
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/ouvrir", data={"version": found.version}
    )
    assert "Instruction ouverte" in flashed(prefecture, response)
    found = reload(found)
    assert found.status == "in_instruction" and found.instructor_id == people.prefecture.id
    assert recipients() == sorted([people.employer.email, people.colleague.email])
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "En instruction" in page and "Instruction commencée" in page
    for button in ("Ajuster les montants", "Demander un complément", "Accorder", "Refuser…"):
        assert button in page


def test_a_change_request_needs_its_message_and_reaches_the_collectivite(people, prefecture):
    found = in_instruction(people)
    url = f"/prefecture/demandes/{found.id}/complement"
    empty = prefecture.post(url, data={"version": found.version, "message": "  "})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.page
    assert reload(found).status == "in_instruction"
    clear_outbox()
    response = prefecture.post(
        url, data={"version": found.version, "message": "Joignez la délibération du conseil."}
    )
    assert "Complément demandé" in flashed(prefecture, response)
    found = reload(found)
    assert found.status == "changes_requested"
    assert recipients() == sorted([people.employer.email, people.colleague.email])
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "Joignez la délibération du conseil." in page  # in the thread
    assert "Classer sans suite…" in page and "Accorder" not in page


def test_parts_are_adjusted_french_style_within_their_caps(people, prefecture):
    found = in_instruction(people)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert 'value="25 150,68"' in page and 'value="12 575,34"' in page
    assert "Au plus 12\u202f575,34 €" in page
    url = f"/prefecture/demandes/{found.id}/montants"
    response = prefecture.post(
        url, data={"version": found.version, "anct": "25 150,68", "bdt": "1 234,50"}
    )
    assert "Montants enregistrés." in flashed(prefecture, response)
    assert reload(found).part("bdt").granted_amount == D("1234.50")
    assert "Montants ajustés" in prefecture.get(f"/prefecture/demandes/{found.id}").page


def test_a_part_above_its_cap_is_refused_and_nothing_is_saved(people, prefecture):
    found = in_instruction(people)
    url = f"/prefecture/demandes/{found.id}/montants"
    response = prefecture.post(
        url, data={"version": found.version, "anct": "20 000", "bdt": "12 575,35"}
    )
    assert response.status_code == 400
    assert "La part Banque des territoires ne peut pas dépasser 12\u202f575,34 €" in response.page
    assert "rien n'a été enregistré" in response.page
    # What was typed is kept, the error sits on its field.
    assert 'value="12 575,35"' in response.page and 'value="20 000"' in response.page
    assert 'id="part-bdt-error-1">La part Banque des territoires ne peut pas' in response.page
    assert 'id="part-anct-error-1"' not in response.page
    found = reload(found)
    # Not even the valid ANCT part was saved.
    assert found.part("anct").granted_amount == D("25150.68")
    assert found.part("bdt").granted_amount == D("12575.34")
    for bad in ("douze mille", "1.234,50", ""):
        response = prefecture.post(url, data={"version": found.version, "anct": "1", "bdt": bad})
        assert response.status_code == 400, bad
    assert reload(found).part("anct").granted_amount == D("25150.68")


def test_grant_waits_for_the_anah_opinion_then_produces_the_decision(app, people, prefecture, anah):
    found = in_instruction(people, **ANAH)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "L'ANAH n'a pas encore donné son avis" in page
    # The confirmation page says why granting is impossible, and has no button.
    confirm = prefecture.get(f"/prefecture/demandes/{found.id}/accorder")
    assert "La demande ne peut pas être accordée en l'état" in confirm.page
    assert "L'ANAH n'a pas encore donné son avis" in confirm.page
    assert "Accorder 37" not in confirm.page
    # Posted anyway, the grant is refused.
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/accorder", data={"version": found.version}
    )
    assert response.status_code == 400
    assert "L'ANAH n'a pas encore donné son avis" in response.page
    assert reload(found).status == "in_instruction"

    # The ANAH agent reads its maximum and gives its opinion.
    page = anah.get(f"/prefecture/demandes/{found.id}").page
    assert "Au plus 25\u202f150,68 €" in page
    clear_outbox()
    response = anah.post(
        f"/prefecture/demandes/{found.id}/avis-anah",
        data={
            "version": version_of(found),
            "favourable": "1",
            "amount": "20 000",
            "comment": "Opération engagée.",
        },
    )
    assert "Avis de l'ANAH enregistré" in flashed(anah, response)
    assert recipients() == [people.prefecture.email]
    found = reload(found)
    assert found.anah_opinion.favourable and found.anah_opinion.amount == D("20000.00")

    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "L'ANAH n'a pas encore donné son avis" not in page
    assert "Avis de l'ANAH : <strong>favorable</strong>" in page
    clear_outbox()
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/accorder", data={"version": found.version}
    )
    assert "Demande accordée" in flashed(prefecture, response)
    found = reload(found)
    assert found.status == "granted" and found.decision_pdf is not None
    assert recipients() == sorted(
        [people.employer.email, people.colleague.email, people.anah.email]
    )
    for browser in (prefecture, anah):
        pdf = browser.get(f"/prefecture/demandes/{found.id}/decision.pdf")
        assert pdf.data.startswith(b"%PDF-")
        assert pdf.headers["Content-Disposition"].startswith("attachment")
        assert pdf.headers["Cache-Control"] == "private, no-store"
        pdf.close()
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert f"Télécharger la décision n° PVD-29-{found.decided_at.year}-{found.id}" in page
    assert "Aucune action" in page


def test_the_decision_pdf_exists_only_once_granted(people, prefecture):
    found = in_instruction(people)
    assert prefecture.get(f"/prefecture/demandes/{found.id}/decision.pdf").status_code == 404


def test_the_anah_opinion_is_refused_above_its_maximum(people, anah):
    found = filed(people, **ANAH)
    url = f"/prefecture/demandes/{found.id}/avis-anah"
    response = anah.post(
        url, data={"version": found.version, "favourable": "1", "amount": "25 150,69"}
    )
    assert response.status_code == 400
    assert "Le montant de l'ANAH ne peut pas dépasser 25\u202f150,68 €" in response.page
    assert 'value="25 150,69"' in response.page
    missing = anah.post(url, data={"version": found.version, "favourable": "1", "amount": ""})
    assert missing.status_code == 400 and "Indiquez un montant positif ou nul." in missing.page
    for choice in ({}, {"favourable": "2"}):
        no_choice = anah.post(url, data={"version": found.version, "amount": "100", **choice})
        assert no_choice.status_code == 400
        assert "Choisissez un avis favorable ou défavorable." in no_choice.page
        assert "Not a valid choice" not in no_choice.page
    assert reload(found).anah_opinion is None
    # An unfavourable opinion needs no amount and leaves no ANAH part.
    response = anah.post(
        url, data={"version": found.version, "favourable": "0", "comment": "Pas d'opération."}
    )
    assert response.status_code == 302
    found = reload(found)
    assert not found.anah_opinion.favourable and found.part("anah").granted_amount == 0


def test_refusal_goes_through_a_confirmation_page_and_needs_a_reason(people, prefecture):
    found = in_instruction(people)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert f"/prefecture/demandes/{found.id}/refuser?version={found.version}" in page
    confirm = prefecture.get(f"/prefecture/demandes/{found.id}/refuser?version={found.version}")
    assert confirm.status_code == 200
    assert "Refuser la demande n°" in confirm.page and "définitivement refusée" in confirm.page
    assert f'value="{found.version}"' in confirm.page
    url = f"/prefecture/demandes/{found.id}/refuser"
    empty = prefecture.post(url, data={"version": found.version, "reason": ""})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.page
    assert reload(found).status == "in_instruction"
    clear_outbox()
    response = prefecture.post(
        url, data={"version": found.version, "reason": "Le poste n'est pas à temps plein."}
    )
    assert "Demande refusée" in flashed(prefecture, response)
    found = reload(found)
    assert (
        found.status == "refused" and found.decision_reason == "Le poste n'est pas à temps plein."
    )
    assert recipients() == sorted([people.employer.email, people.colleague.email])
    # Once decided, the confirmation page sends back to the request.
    again = prefecture.get(url)
    assert "Impossible : la demande est « refusée »" in flashed(prefecture, again)


@pytest.mark.parametrize("state", ["submitted", "in_instruction", "changes_requested"])
def test_dismissal_from_each_open_state(people, prefecture, state):
    found = filed(people)
    if state != "submitted":
        instruction.open_instruction(people.prefecture, found)
    if state == "changes_requested":
        instruction.request_changes(people.prefecture, found, "Le contrat manque.")
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "Classer sans suite…" in page
    url = f"/prefecture/demandes/{found.id}/classer"
    assert "Classer la demande sans suite n°" in prefecture.get(url).page
    clear_outbox()
    response = prefecture.post(
        url, data={"version": version_of(found), "reason": "Sans réponse depuis trois mois."}
    )
    assert "classée sans suite" in flashed(prefecture, response)
    assert reload(found).status == "dismissed"
    assert recipients() == sorted([people.employer.email, people.colleague.email])


def test_acting_on_a_stale_page_is_refused_with_a_clear_message(people, prefecture):
    found = in_instruction(people)
    seen = found.version
    prefecture.post(
        f"/prefecture/demandes/{found.id}/montants",
        data={"version": seen, "anct": "25 150,68", "bdt": "10 000"},
    )
    response = prefecture.post(f"/prefecture/demandes/{found.id}/accorder", data={"version": seen})
    # The confirmation page again, with the amounts now saved and their version.
    assert response.status_code == 400
    assert "Cette demande vient d'être modifiée par quelqu'un d'autre" in response.page
    assert "Accorder 35 150,68 €" in response.page
    assert f'value="{version_of(found)}"' in response.page
    assert reload(found).status == "in_instruction"
    # A typed message is kept on a stale page, with the version now saved.
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/complement",
        data={"version": seen, "message": "Joignez le contrat signé."},
    )
    assert response.status_code == 400
    assert "vient d'être modifiée" in response.page and "Joignez le contrat signé." in response.page
    assert f'value="{version_of(found)}"' in response.page
    assert reload(found).status == "in_instruction"


def test_opening_from_a_stale_page_is_refused(people, prefecture):
    found = filed(people)
    seen = found.version
    services.update_request(people.employer, found, content(annual_loaded_cost=D("50000")))
    response = prefecture.post(f"/prefecture/demandes/{found.id}/ouvrir", data={"version": seen})
    assert "vient d'être modifiée" in flashed(prefecture, response)
    assert reload(found).status == "submitted"


def test_two_agents_deciding_on_the_same_page_cannot_both_win(app, people, prefecture):
    found = in_instruction(people)
    colleague = factories.UserFactory(role=Role.PREFECTURE)
    colleague.departments = list(people.prefecture.departments)
    db.session.commit()
    other = sign_in(app, colleague)
    seen = found.version
    # Both read the request at the same version.
    assert prefecture.get(f"/prefecture/demandes/{found.id}").status_code == 200
    assert other.get(f"/prefecture/demandes/{found.id}/refuser?version={seen}").status_code == 200
    first = prefecture.post(f"/prefecture/demandes/{found.id}/accorder", data={"version": seen})
    assert "Demande accordée" in flashed(prefecture, first)
    second = other.post(
        f"/prefecture/demandes/{found.id}/refuser",
        data={"version": seen, "reason": "Pas de budget."},
    )
    page = flashed(other, second)
    assert "vient d'être modifiée" in page
    found = reload(found)
    assert found.status == "granted" and found.decision_reason == ""


def test_notes_are_for_the_instructors_only(app, people, prefecture, anah):
    found = in_instruction(people, **ANAH)
    url = f"/prefecture/demandes/{found.id}/notes"
    empty = prefecture.post(url, data={"note": " "})
    assert empty.status_code == 400 and "Ce champ est obligatoire." in empty.page
    clear_outbox()
    response = prefecture.post(url, data={"note": "Vérifier le budget primitif."})
    assert "Note enregistrée" in flashed(prefecture, response)
    anah.post(url, data={"note": "OPAH-RU signée en 2024."})
    assert recipients() == []  # a note mails nobody
    page = anah.get(f"/prefecture/demandes/{found.id}").page
    assert "Visibles par les seuls instructeurs" in page
    assert "Vérifier le budget primitif." in page and "OPAH-RU signée en 2024." in page
    assert len(db.session.scalars(select(InstructionNote)).all()) == 2
    employer = sign_in(app, people.employer)
    employer_page = employer.get(f"/collectivite/cofinancements/{found.id}")
    assert employer_page.status_code == 200
    assert "Vérifier le budget primitif." not in employer_page.page
    assert "OPAH-RU signée en 2024." not in employer_page.page


def test_messages_from_the_prefecture_and_the_anah_reach_the_collectivite(people, prefecture, anah):
    found = filed(people, **ANAH)
    url = f"/prefecture/demandes/{found.id}/messages"
    empty = prefecture.post(url, data={"body": ""})
    assert empty.status_code == 400
    clear_outbox()
    response = prefecture.post(url, data={"body": "Pouvez-vous préciser la quotité ?"})
    assert "Message envoyé" in flashed(prefecture, response)
    assert recipients() == sorted([people.employer.email, people.colleague.email])
    anah.post(url, data={"body": "Quelle OPAH-RU exactement ?"})
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    assert "Pouvez-vous préciser la quotité ?" in page and "Quelle OPAH-RU exactement ?" in page


def test_attachments_are_listed_and_downloaded(people, prefecture):
    draft = services.create_request(people.employer, content())
    attachment = services.add_attachment(
        people.employer, draft, "deliberation", FileStorage(BytesIO(TINY_PDF), "deliberation.pdf")
    )
    services.submit(people.employer, draft)
    page = prefecture.get(f"/prefecture/demandes/{draft.id}").page
    assert "Délibération du conseil — deliberation.pdf" in page
    response = prefecture.get(f"/prefecture/demandes/{draft.id}/pieces/{attachment.id}")
    assert response.data == TINY_PDF
    assert response.headers["Cache-Control"] == "private, no-store"
    response.close()
    assert prefecture.get(f"/prefecture/demandes/{draft.id}/pieces/999").status_code == 404


def test_actions_need_the_csrf_token(people, prefecture):
    found = filed(people)
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/ouvrir", data={"version": found.version}, csrf=False
    )
    assert response.status_code == 400
    assert reload(found).status == "submitted"


# --- granting through a confirmation page ---------------------------------------------


def test_granting_shows_what_the_decision_will_fix_before_it_is_made(people, prefecture, anah):
    found = in_instruction(people, **ANAH)
    instruction.give_anah_opinion(people.anah, found, True, D("20000"), "Opération engagée.")
    instruction.adjust_parts(people.prefecture, found, {"bdt": D("5000")})
    found = reload(found)
    page = prefecture.get(f"/prefecture/demandes/{found.id}").page
    # The request page has no one-click grant: a link to the confirmation page.
    assert (
        f'href="/prefecture/demandes/{found.id}/accorder?version={found.version}">Accorder…' in page
    )
    assert f'action="/prefecture/demandes/{found.id}/accorder"' not in page

    clear_outbox()
    confirm = prefecture.get(f"/prefecture/demandes/{found.id}/accorder?version={found.version}")
    assert confirm.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", confirm.page).split())
    for expected in (
        f"Accorder la demande n° {found.id} ?",
        # The amounts per funder, then the total.
        "ANCT / État 0,00 € 0,00 €",
        "Banque des territoires 5 000,00 € 12 575,34 €",
        "ANAH 20 000,00 € 25 150,68 €",
        "Total 25 000,00 € 37 726,02 €",
        # The period and the ANAH opinion.
        "Période financée du 01/03/2026 au 31/12/2026 (306 jours)",
        "Avis de l'ANAH Favorable, 20 000,00 € — Opération engagée.",
        "ne pourront plus être modifiés",
    ):
        assert expected in text.replace("\u202f", " "), expected
    assert "La demande a été modifiée depuis" not in text
    # Seeing the page decides nothing.
    assert reload(found).status == "in_instruction" and recipients() == []

    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/accorder", data={"version": found.version}
    )
    assert "Demande accordée" in flashed(prefecture, response)
    found = reload(found)
    assert found.status == "granted" and found.granted_total == D("25000.00")
    assert found.decision_pdf is not None
    # Once granted, the confirmation page sends back to the request.
    again = prefecture.get(f"/prefecture/demandes/{found.id}/accorder")
    assert "Impossible : la demande est « accordée »" in flashed(prefecture, again)


def test_the_confirmation_shows_amounts_changed_since_the_request_was_read(people, prefecture):
    found = in_instruction(people)
    seen = found.version
    instruction.adjust_parts(people.prefecture, found, {"bdt": D("1000")})
    confirm = prefecture.get(f"/prefecture/demandes/{found.id}/accorder?version={seen}")
    assert "La demande a été modifiée depuis que vous l'avez ouverte" in confirm.page
    # What is shown, and confirmed, is the request as it now is.
    assert "Accorder 26\u202f150,68 €" in confirm.page
    assert f'value="{version_of(found)}"' in confirm.page


def test_a_request_granted_nothing_cannot_be_granted(people, prefecture):
    found = in_instruction(people)
    instruction.adjust_parts(people.prefecture, found, {"anct": D("0"), "bdt": D("0")})
    confirm = prefecture.get(f"/prefecture/demandes/{found.id}/accorder")
    assert "Le total retenu est nul : refusez la demande" in confirm.page
    assert "Accorder 0" not in confirm.page
    assert reload(found).status == "in_instruction"


def test_a_request_not_in_instruction_cannot_be_granted(people, prefecture):
    found = filed(people)
    response = prefecture.get(f"/prefecture/demandes/{found.id}/accorder")
    assert "Impossible : la demande est « déposée »" in flashed(prefecture, response)
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/accorder", data={"version": found.version}
    )
    assert response.status_code == 302
    assert reload(found).status == "submitted"
