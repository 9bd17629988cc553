"""The collectivité's cofunding pages, through HTTP: the list, a request started from
a hire or for a post filled elsewhere, the form and its computation, attachments,
filing, answers, messages, the decision, the renewal, and every forbidden path."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from html.parser import HTMLParser
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.cofunding import instruction, services
from recrutement.cofunding.models import Attachment, CofundingRequest
from recrutement.core.models import AuditEvent
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.offers.models import OfferStatus
from tests import factories
from tests.cofunding.conftest import content
from tests.support import TINY_PDF, multipart

BASE = "/collectivite/cofinancements"


@pytest.fixture
def employer(people, login_as):
    """A member of Quimperlé, signed in (people.employer is another member of it)."""
    return login_as(Role.EMPLOYER, organisation=people.quimperle)


def form_data(**overrides) -> dict:
    values = {
        "post_title": "Chef de projet Petites villes de demain",
        "holder_first_name": "Camille",
        "holder_last_name": "Le Gall",
        "holder_start_date": "2026-03-01",
        "contract_type": "project_contract",
        "contract_end_date": "2029-02-28",
        "period_start": "2026-03-01",
        "period_end": "2026-12-31",
        "annual_loaded_cost": "60 000",
        "bdt_asked": "y",
        "housing_operation": "",
        "creation_token": "jeton-de-test",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def count_requests() -> int:
    return db.session.scalar(select(func.count(CofundingRequest.id)))


def actions(request) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "cofunding_request",
                AuditEvent.object_id == str(request.id),
            )
            .order_by(AuditEvent.id)
        )
    )


def hire_in(organisation, **offer_fields) -> Application:
    """A hire recorded on the platform: a filled offer and its hired application."""
    offer = factories.OfferFactory(
        organisation=organisation,
        status=OfferStatus.FILLED,
        title=offer_fields.pop("title", "Cheffe de projet PVD de Quimperlé"),
        start_date=date(2026, 3, 1),
        **offer_fields,
    )
    candidate = factories.UserFactory(role=Role.CANDIDATE, first_name="Léa", last_name="Morvan")
    application = Application(
        offer=offer,
        candidate=candidate,
        cover_letter="Lettre de motivation suffisamment longue pour être acceptée.",
        status=ApplicationStatus.HIRED,
        decided_at=utcnow(),
    )
    db.session.add(application)
    db.session.commit()
    return application


def upload(client, request_id, kind="contract", name="contrat.pdf", data=TINY_PDF):
    body, content_type = multipart(
        {"csrf_token": client.csrf_token(), "kind": kind}, {"file": (name, data)}
    )
    return client.post(
        f"{BASE}/{request_id}/pieces", data=body, content_type=content_type, csrf=False
    )


def attach(actor, request, name="piece.pdf") -> Attachment:
    return services.add_attachment(
        actor,
        request,
        "contract",
        FileStorage(BytesIO(TINY_PDF), name, content_type="application/pdf"),
    )


def granted(people, **overrides) -> CofundingRequest:
    request = services.create_request(people.employer, content(**overrides))
    services.submit(people.employer, request)
    instruction.open_instruction(people.prefecture, request)
    instruction.grant(people.prefecture, request)
    return request


def value_of(page: str, name: str) -> str | None:
    """The value an <input> of the page carries (WTForms writes attributes in order)."""
    match = re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', page)
    return match.group(1) if match else None


class _Controls(HTMLParser):
    """The form controls of a page and the labels that name them."""

    def __init__(self):
        super().__init__()
        self.controls: list[tuple[str, str | None]] = []
        self.labelled: set[str] = set()
        self.named_by_aria: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append((attributes.get("name", "?"), attributes.get("id")))


def unlabelled_controls(page_html: str) -> list[str]:
    parser = _Controls()
    parser.feed(page_html)
    return [name for name, id_ in parser.controls if not id_ or id_ not in parser.labelled]


# --- the list ----------------------------------------------------------------------------


def test_the_list_starts_empty_and_explains_what_a_request_is(client, employer):
    page = client.get(BASE).page
    assert "aucune demande de cofinancement" in page
    assert "75 %" in page and "préfecture de votre département" in page
    assert f'href="{BASE}/nouvelle"' in page and "Nouvelle demande" in page
    # Reachable from the employer's home and navigation.
    assert f'href="{BASE}"' in client.get("/collectivite/").page


def test_the_list_shows_the_organisations_requests_newest_first(client, employer, people):
    older = services.create_request(people.employer, content(post_title="Chef de projet — Mellac"))
    services.submit(people.employer, older)
    newer = services.create_request(
        people.employer, content(post_title="Cheffe de projet — Quimperlé", bdt_asked=False)
    )
    services.create_request(people.other_employer, content(post_title="Poste de Commercy"))
    page = client.get(BASE).page
    assert "2 demandes" in page
    assert page.index("Cheffe de projet — Quimperlé") < page.index("Chef de projet — Mellac")
    assert "Poste de Commercy" not in page
    assert "Déposée" in page and "Brouillon" in page
    assert "Camille Le Gall" in page and "du 01/03/2026" in page and "au 31/12/2026" in page
    assert "37\u202f726,02\u202f€" in page  # asked; nothing granted yet
    assert f'href="{BASE}/{newer.id}"' in page


# --- starting a request ------------------------------------------------------------------


def test_a_request_started_from_a_hire_is_prefilled_and_linked(client, employer, people):
    hire = hire_in(people.quimperle)
    start = client.get(f"{BASE}/nouvelle").page
    assert "Léa Morvan" in start and "Cheffe de projet PVD de Quimperlé" in start
    assert f'href="{BASE}/nouvelle/recrutement/{hire.id}"' in start
    assert f'href="{BASE}/nouvelle/poste"' in start

    form = client.get(f"{BASE}/nouvelle/recrutement/{hire.id}")
    assert form.status_code == 200
    page = form.page
    assert value_of(page, "post_title") == "Cheffe de projet PVD de Quimperlé"
    assert value_of(page, "holder_first_name") == "Léa"
    assert value_of(page, "holder_last_name") == "Morvan"
    assert value_of(page, "holder_start_date") == "2026-03-01"
    assert '<option selected value="project_contract">' in page
    assert value_of(page, "contract_end_date") == "2029-02-28"  # 36 months from 1 March 2026
    assert value_of(page, "period_start") == "2026-03-01"
    assert value_of(page, "period_end") == "2026-12-31"
    assert value_of(page, "annual_loaded_cost") == ""
    token = value_of(page, "creation_token")
    assert len(token) >= 20

    response = client.post(
        f"{BASE}/nouvelle/recrutement/{hire.id}",
        data=form_data(post_title="Cheffe de projet PVD de Quimperlé", creation_token=token),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(CofundingRequest))
    assert response.headers["Location"].endswith(f"{BASE}/{created.id}")
    assert created.application_id == hire.id and created.offer_id == hire.offer_id
    assert created.post_key == f"offer:{hire.offer_id}"
    page = client.get(f"{BASE}/{created.id}").page
    assert "recrutement fait sur la plateforme" in page and "Brouillon" in page
    # The start page now says which period this hire already has.
    assert f"demande n° {created.id}" in client.get(f"{BASE}/nouvelle").page


def test_only_the_organisations_own_hires_can_start_a_request(client, employer, people):
    other_hire = hire_in(people.commercy)
    assert client.get(f"{BASE}/nouvelle/recrutement/{other_hire.id}").status_code == 404
    assert (
        client.post(f"{BASE}/nouvelle/recrutement/{other_hire.id}", data=form_data()).status_code
        == 404
    )
    not_hired = hire_in(people.quimperle)
    not_hired.status = ApplicationStatus.INTERVIEW
    db.session.commit()
    response = client.get(f"{BASE}/nouvelle/recrutement/{not_hired.id}", follow_redirects=True)
    assert "n'a pas abouti à un recrutement" in response.page
    assert count_requests() == 0


def test_a_post_filled_elsewhere_is_declared_by_hand(client, employer):
    form = client.get(f"{BASE}/nouvelle/poste")
    assert form.status_code == 200
    assert "Aucun recrutement" in client.get(f"{BASE}/nouvelle").page
    response = client.post(f"{BASE}/nouvelle/poste", data=form_data(annual_loaded_cost="60 000,50"))
    assert response.status_code == 302
    created = db.session.scalar(select(CofundingRequest))
    assert created.status == "draft" and created.offer_id is None
    assert created.annual_loaded_cost == D("60000.50")
    assert created.organisation_id == employer.organisation.id
    assert {line.funder for line in created.plan} == {"anct", "bdt"}
    page = client.get(response.headers["Location"]).page
    assert f"Brouillon n° {created.id} enregistré" in page
    assert "Déposer la demande" in page and "Supprimer le brouillon" in page


def test_anah_asked_with_its_housing_operation(client, employer):
    response = client.post(
        f"{BASE}/nouvelle/poste",
        data=form_data(anah_asked="y", housing_operation="OPAH-RU du centre-bourg 2024-2029"),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(CofundingRequest))
    assert created.anah_asked and created.housing_operation == "OPAH-RU du centre-bourg 2024-2029"
    assert {line.funder for line in created.plan} == {"anct", "bdt", "anah"}


# --- the form: errors, computation, double posts ---------------------------------------


def test_bad_input_is_refused_and_everything_typed_is_kept(client, employer):
    response = client.post(
        f"{BASE}/nouvelle/poste",
        data=form_data(
            post_title="Chargée de mission revitalisation",
            holder_last_name="",
            annual_loaded_cost="soixante mille",
            period_end="31/12/2026",
        ),
    )
    assert response.status_code == 400
    page = response.page
    assert "Indiquez le nom du chef de projet." in page
    assert "Saisissez un montant en euros" in page
    assert 'value="Chargée de mission revitalisation"' in page
    assert 'value="soixante mille"' in page and 'value="31/12/2026"' in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="annual_loaded_cost"', page)
    assert count_requests() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"period_start": "2026-02-01"}, "period_start", "avant l'arrivée du chef de projet"),
        ({"period_end": "2027-01-31"}, "period_end", "une seule année civile"),
        ({"anah_asked": "y"}, "housing_operation", "nommez-la"),
        ({"contract_end_date": ""}, "contract_end_date", "durée déterminée"),
    ],
)
def test_a_refusal_of_the_rules_is_shown_on_its_field(client, employer, overrides, field, message):
    response = client.post(f"{BASE}/nouvelle/poste", data=form_data(**overrides))
    assert response.status_code == 400
    page = response.page
    error = re.search(rf'id="{field}-error-1">([^<]+)<', page)
    assert error and message in error.group(1), page[:3000]
    assert 'value="Camille"' in page
    assert count_requests() == 0


def test_calculer_without_javascript_shows_the_split_and_saves_nothing(client, employer):
    only_figures = {
        "annual_loaded_cost": "60 000",
        "period_start": "01/03/2026",
        "period_end": "2026-12-31",
        "bdt_asked": "y",
        "action": "calculer",
    }
    response = client.post(f"{BASE}/nouvelle/poste", data=only_figures)
    assert response.status_code == 200, response.page[:3000]
    page = response.page
    assert all(
        f"{amount}\u202f€" in page
        for amount in ("25\u202f150,68", "12\u202f575,34", "37\u202f726,02")
    )
    assert "Pour 306 jours sur 365" in page
    assert "Indiquez le nom du chef de projet." not in page  # names are not needed to compute
    assert 'value="01/03/2026"' in page
    assert count_requests() == 0

    without_bdt = client.post(f"{BASE}/nouvelle/poste", data={**only_figures, "bdt_asked": ""}).page
    assert "Non sollicitée" in without_bdt and "37\u202f726,02\u202f€" in without_bdt

    over_two_years = client.post(
        f"{BASE}/nouvelle/poste", data={**only_figures, "period_end": "2027-01-31"}
    )
    assert over_two_years.status_code == 400
    assert "une seule année civile" in over_two_years.page
    assert count_requests() == 0


def test_the_live_computation_panel_and_its_script(client, employer):
    page = client.get(f"{BASE}/nouvelle/poste").get_data(as_text=True)
    assert re.search(
        r'id="calcul" aria-live="polite" data-simulator-url="/api/v1/simulateur"', page
    )
    script = re.search(r'<script src="(/static/js/cofunding\.js)" nonce="[^"]+" defer>', page)
    assert script
    served = client.get(script.group(1))
    data = served.data
    served.close()
    assert served.status_code == 200 and b"data-simulator-url" in data
    assert 'name="action" value="calculer"' in page
    # The API the script reads answers the split it shows.
    api = client.get("/api/v1/simulateur?cout=60000&anah=0&debut=2026-03-01&fin=2026-12-31").json
    assert api["parts"]["anct"] + api["parts"]["bdt"] == pytest.approx(37726.02)


def test_the_same_form_posted_twice_creates_one_request(client, employer):
    first = client.post(f"{BASE}/nouvelle/poste", data=form_data(creation_token="double-clic"))
    second = client.post(f"{BASE}/nouvelle/poste", data=form_data(creation_token="double-clic"))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count_requests() == 1


def test_every_field_has_a_label(client, employer, people):
    assert unlabelled_controls(client.get(f"{BASE}/nouvelle/poste").get_data(as_text=True)) == []
    request = services.create_request(people.employer, content())
    services.submit(people.employer, request)
    instruction.open_instruction(people.prefecture, request)
    instruction.request_changes(people.prefecture, request, "Joignez la délibération.")
    for path in (f"{BASE}/{request.id}", f"{BASE}/{request.id}/modifier"):
        html = client.get(path).get_data(as_text=True)
        assert unlabelled_controls(html) == [], path


# --- editing --------------------------------------------------------------------------


def test_edit_while_submitted_then_refused_once_the_prefecture_opened_it(client, employer, people):
    request = services.create_request(people.employer, content())
    services.submit(people.employer, request)
    form = client.get(f"{BASE}/{request.id}/modifier")
    assert form.status_code == 200
    assert 'value="60 000"' in form.page and "vos modifications seront visibles" in form.page
    seen = value_of(form.page, "version")
    response = client.post(
        f"{BASE}/{request.id}/modifier",
        data=form_data(annual_loaded_cost="70 000", version=seen, creation_token=None),
    )
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.annual_loaded_cost == D("70000") and request.status == "submitted"
    assert "cofunding.edit" in actions(request)
    assert "Modifications enregistrées" in client.get(f"{BASE}/{request.id}").page

    seen = str(request.version)
    instruction.open_instruction(people.prefecture, request)
    locked = client.get(f"{BASE}/{request.id}/modifier", follow_redirects=True)
    assert "ne peut plus être modifiée" in locked.page
    assert "Modifier</a>" not in client.get(f"{BASE}/{request.id}").page
    # A page opened before the préfecture started: refused, what was typed is kept.
    stale = client.post(
        f"{BASE}/{request.id}/modifier",
        data=form_data(annual_loaded_cost="80 000", version=seen, creation_token=None),
    )
    assert stale.status_code == 400
    assert "vient d'être modifiée" in stale.page and 'value="80 000"' in stale.page
    current = client.post(
        f"{BASE}/{request.id}/modifier",
        data=form_data(annual_loaded_cost="80 000", version=str(request.version)),
    )
    assert current.status_code == 400 and "La préfecture instruit cette demande" in current.page
    db.session.refresh(request)
    assert request.annual_loaded_cost == D("70000")


def test_an_overlapping_period_for_the_same_post_is_refused_with_the_reason(
    client, employer, people
):
    first = services.create_request(people.employer, content())
    response = client.post(
        f"{BASE}/nouvelle/poste",
        data=form_data(period_start="2026-06-01", creation_token="autre-jeton"),
    )
    assert response.status_code == 400
    error = re.search(r'id="period_start-error-1">([^<]+)<', response.page).group(1)
    assert "chevauche" in error and f"n° {first.id}" in error
    assert count_requests() == 1


# --- attachments -----------------------------------------------------------------------


def test_attachments_upload_download_and_removal(client, employer, people):
    request = services.create_request(people.employer, content())
    page = client.get(f"{BASE}/{request.id}").page
    assert "Aucune pièce jointe" in page and "Contrat ou arrêté de nomination" in page

    assert upload(client, request.id, name="contrat-signe.pdf").status_code == 302
    db.session.refresh(request)
    [attachment] = request.attachments
    page = client.get(f"{BASE}/{request.id}").page
    assert "contrat-signe.pdf" in page
    link = f"{BASE}/{request.id}/pieces/{attachment.id}"
    assert f'href="{link}"' in page
    download = client.get(link)
    data = download.data
    download.close()
    assert data == TINY_PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "private, no-store"

    refused = upload(client, request.id, name="photo.pdf", data=b"GIF89a not a pdf")
    assert refused.status_code == 400 and "n'est pas un PDF valide" in refused.page
    no_kind = upload(client, request.id, kind="")
    assert no_kind.status_code == 400 and "Choisissez le type de pièce." in no_kind.page
    db.session.refresh(request)
    assert len(request.attachments) == 1

    assert client.post(f"{link}/retirer").status_code == 302
    db.session.refresh(request)
    assert request.attachments == []
    assert client.get(link).status_code == 404


def test_attachments_are_frozen_once_the_prefecture_opened_the_request(client, employer, people):
    request = services.create_request(people.employer, content())
    attachment = attach(people.employer, request)
    services.submit(people.employer, request)
    instruction.open_instruction(people.prefecture, request)
    page = client.get(f"{BASE}/{request.id}").page
    assert "Ajouter la pièce" not in page and "Retirer" not in page
    after = upload(client, request.id)
    assert after.status_code == 302
    assert "ses pièces ne peuvent plus changer" in client.get(after.headers["Location"]).page
    removal = client.post(
        f"{BASE}/{request.id}/pieces/{attachment.id}/retirer", follow_redirects=True
    )
    assert "ses pièces ne peuvent plus changer" in removal.page
    db.session.refresh(request)
    assert [a.id for a in request.attachments] == [attachment.id]
    # Still downloadable.
    download = client.get(f"{BASE}/{request.id}/pieces/{attachment.id}")
    download.close()
    assert download.status_code == 200


# --- filing, answering, messages --------------------------------------------------------


def test_submitting_twice_files_once(client, employer, people, mailbox):
    request = services.create_request(people.employer, content())
    page = client.get(f"{BASE}/{request.id}").page
    version = value_of(page, "version")
    first = client.post(f"{BASE}/{request.id}/deposer", data={"version": version})
    second = client.post(
        f"{BASE}/{request.id}/deposer", data={"version": version}, follow_redirects=True
    )
    assert first.status_code == 302
    assert "Cette demande est déjà déposée." in second.page
    db.session.refresh(request)
    assert request.status == "submitted"
    assert actions(request).count("cofunding.submit") == 1
    page = client.get(f"{BASE}/{request.id}").page
    assert "Déposer la demande" not in page and "Supprimer le brouillon" not in page
    assert "Demande déposée" in page  # the history
    assert people.prefecture.email in {
        address for mail in mailbox.deliver().received for address in mail.recipients
    }


def test_submitting_a_stale_draft_is_refused(client, employer, people):
    request = services.create_request(people.employer, content())
    seen = request.version
    services.update_request(people.colleague, request, content(annual_loaded_cost=D("50000")))
    response = client.post(
        f"{BASE}/{request.id}/deposer", data={"version": str(seen)}, follow_redirects=True
    )
    assert "vient d'être modifiée" in response.page
    db.session.refresh(request)
    assert request.status == "draft"


def test_answering_a_request_for_changes(client, employer, people, mailbox):
    request = services.create_request(people.employer, content())
    services.submit(people.employer, request)
    instruction.open_instruction(people.prefecture, request)
    instruction.request_changes(people.prefecture, request, "Joignez la délibération du conseil.")
    page = client.get(f"{BASE}/{request.id}").page
    assert "Complément demandé par la préfecture" in page
    assert "Joignez la délibération du conseil." in page
    assert "Votre réponse à la préfecture" in page and "Modifier</a>" in page

    empty = client.post(f"{BASE}/{request.id}/reponse", data={"reponse-body": "  "})
    assert empty.status_code == 400 and "Écrivez votre réponse à la préfecture." in empty.page

    answered = client.post(
        f"{BASE}/{request.id}/reponse",
        data={"reponse-body": "La délibération du 12 mars est jointe."},
        follow_redirects=True,
    )
    assert "la demande retourne en instruction" in answered.page
    db.session.refresh(request)
    assert request.status == "in_instruction"
    assert [m.body for m in services.thread(request)][
        -1
    ] == "La délibération du 12 mars est jointe."
    assert "La délibération du 12 mars est jointe." in answered.page  # in the thread


def test_messages_with_the_prefecture_once_filed(client, employer, people):
    draft = services.create_request(people.employer, content())
    assert "Envoyer le message" not in client.get(f"{BASE}/{draft.id}").page
    refused = client.post(
        f"{BASE}/{draft.id}/messages", data={"body": "Bonjour"}, follow_redirects=True
    )
    assert "Déposez la demande avant d'écrire à la préfecture." in refused.page
    services.submit(people.employer, draft)
    empty = client.post(f"{BASE}/{draft.id}/messages", data={"body": ""})
    assert empty.status_code == 400 and "Écrivez votre message." in empty.page
    sent = client.post(
        f"{BASE}/{draft.id}/messages",
        data={"body": "Le contrat signé arrive la semaine prochaine."},
        follow_redirects=True,
    )
    assert "Message envoyé à la préfecture." in sent.page
    assert "Le contrat signé arrive la semaine prochaine." in sent.page


# --- decision, renewal, deletion -----------------------------------------------------------


def test_the_decision_pdf_once_granted(client, employer, people):
    pending = services.create_request(people.employer, content())
    assert client.get(f"{BASE}/{pending.id}/decision.pdf").status_code == 404
    request = granted(people, post_title="Chef de projet — Mellac")
    page = client.get(f"{BASE}/{request.id}").page
    assert "Accordée" in page and "Télécharger la décision" in page
    assert "Renouveler pour la période suivante" in page
    response = client.get(f"{BASE}/{request.id}/decision.pdf")
    data = response.data
    response.close()
    assert response.status_code == 200 and data.startswith(b"%PDF")
    assert f"decision-cofinancement-{request.id}.pdf" in response.headers["Content-Disposition"]


def test_renewing_a_granted_request(client, employer, people):
    request = granted(people)
    response = client.post(f"{BASE}/{request.id}/renouveler")
    assert response.status_code == 302
    renewal = db.session.scalar(
        select(CofundingRequest).where(CofundingRequest.renewal_of_id == request.id)
    )
    assert response.headers["Location"].endswith(f"{BASE}/{renewal.id}")
    assert renewal.status == "draft"
    assert (renewal.period_start, renewal.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    page = client.get(response.headers["Location"]).page
    assert "préremplie à partir de la demande" in page and "marquée comme renouvellement" in page
    assert "Renouvellement" in page
    # Clicking again opens the same draft.
    again = client.post(f"{BASE}/{request.id}/renouveler")
    assert again.headers["Location"] == response.headers["Location"]
    assert count_requests() == 2


def test_only_a_granted_request_is_renewed(client, employer, people):
    request = services.create_request(people.employer, content())
    response = client.post(f"{BASE}/{request.id}/renouveler", follow_redirects=True)
    assert "Seule une demande accordée peut être renouvelée." in response.page
    assert count_requests() == 1


def test_deleting_a_draft_asks_for_confirmation(client, employer, people):
    request = services.create_request(people.employer, content())
    assert f'href="{BASE}/{request.id}/supprimer"' in client.get(f"{BASE}/{request.id}").page
    confirm = client.get(f"{BASE}/{request.id}/supprimer")
    assert confirm.status_code == 200
    assert f"Supprimer le brouillon n° {request.id} ?" in confirm.page
    assert "Le brouillon sera supprimé définitivement." in confirm.page
    assert count_requests() == 1  # nothing deleted by looking
    assert client.post(f"{BASE}/{request.id}/supprimer", csrf=False).status_code == 400
    assert count_requests() == 1  # nor without the CSRF token
    deleted = client.post(f"{BASE}/{request.id}/supprimer", follow_redirects=True)
    assert f"Le brouillon n° {request.id} est supprimé." in deleted.page
    assert count_requests() == 0


def test_deleting_a_draft_deletes_its_attachments(client, employer, people):
    request = services.create_request(people.employer, content())
    attach(people.employer, request)
    confirm = client.get(f"{BASE}/{request.id}/supprimer").page
    assert "Le brouillon et sa pièce jointe seront supprimés définitivement." in confirm
    deleted = client.post(f"{BASE}/{request.id}/supprimer", follow_redirects=True)
    assert f"Le brouillon n° {request.id} est supprimé." in deleted.page
    assert count_requests() == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    # The bytes and the file records go with it.
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_a_filed_request_cannot_be_deleted(client, employer, people):
    request = services.create_request(people.employer, content())
    services.submit(people.employer, request)
    response = client.post(f"{BASE}/{request.id}/supprimer", follow_redirects=True)
    assert "Seul un brouillon peut être supprimé." in response.page
    assert client.get(f"{BASE}/{request.id}/supprimer").status_code == 302
    assert count_requests() == 1


# --- forbidden paths -----------------------------------------------------------------------

ROUTES = [
    ("get", "{base}/{id}"),
    ("get", "{base}/{id}/modifier"),
    ("post", "{base}/{id}/modifier"),
    ("post", "{base}/{id}/deposer"),
    ("get", "{base}/{id}/supprimer"),
    ("post", "{base}/{id}/supprimer"),
    ("post", "{base}/{id}/pieces"),
    ("get", "{base}/{id}/pieces/{attachment}"),
    ("post", "{base}/{id}/pieces/{attachment}/retirer"),
    ("post", "{base}/{id}/reponse"),
    ("post", "{base}/{id}/messages"),
    ("get", "{base}/{id}/decision.pdf"),
    ("post", "{base}/{id}/renouveler"),
]
COLLECTION_ROUTES = [
    ("get", "{base}"),
    ("get", "{base}/nouvelle"),
    ("get", "{base}/nouvelle/poste"),
    ("post", "{base}/nouvelle/poste"),
    ("get", "{base}/nouvelle/recrutement/{hire}"),
    ("post", "{base}/nouvelle/recrutement/{hire}"),
]


@pytest.fixture
def commercy_request(people):
    """A granted request of Commercy (55), with an attachment, and a Commercy hire."""
    request = services.create_request(people.other_employer, content())
    attachment = attach(people.other_employer, request)
    services.submit(people.other_employer, request)
    instruction.open_instruction(people.prefecture55, request)
    instruction.grant(people.prefecture55, request)
    hire = hire_in(people.commercy)
    return request, attachment, hire


def test_another_organisations_request_is_not_found(client, employer, people, commercy_request):
    request, attachment, _ = commercy_request
    for method, route in ROUTES:
        path = route.format(base=BASE, id=request.id, attachment=attachment.id)
        response = getattr(client, method)(path, data=form_data() if method == "post" else None)
        assert response.status_code == 404, (method, path)
    db.session.refresh(request)
    assert request.status == "granted" and len(request.attachments) == 1
    assert services.thread(request) == []
    assert count_requests() == 1


def test_another_requests_attachment_is_not_found_on_ours(
    client, employer, people, commercy_request
):
    _, attachment, _ = commercy_request
    ours = services.create_request(people.employer, content())
    path = f"{BASE}/{ours.id}/pieces/{attachment.id}"
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/retirer").status_code == 404
    assert db.session.get(Attachment, attachment.id) is not None


@pytest.mark.parametrize("role", [Role.PREFECTURE, Role.ANAH, Role.CANDIDATE, Role.ADMIN])
def test_other_roles_are_forbidden(client, login_as, people, commercy_request, role):
    request, attachment, hire = commercy_request
    login_as(role, departments=("55",)) if role in (Role.PREFECTURE, Role.ANAH) else login_as(role)
    for method, route in ROUTES + COLLECTION_ROUTES:
        path = route.format(base=BASE, id=request.id, attachment=attachment.id, hire=hire.id)
        response = getattr(client, method)(path, data=form_data() if method == "post" else None)
        assert response.status_code == 403, (method, path)
    assert count_requests() == 1


def test_anonymous_visitors_are_sent_to_the_login_page(client, people, commercy_request):
    request, attachment, hire = commercy_request
    for method, route in ROUTES + COLLECTION_ROUTES:
        path = route.format(base=BASE, id=request.id, attachment=attachment.id, hire=hire.id)
        response = getattr(client, method)(path, data=form_data() if method == "post" else None)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/connexion"), (method, path)
    assert count_requests() == 1


def test_the_history_reads_in_paris_time(client, employer, people):
    from datetime import UTC, datetime

    from recrutement.core.models import AuditEvent

    request = services.create_request(people.employer, content())
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(request.id))
    ).first()
    event.created_at = datetime(2026, 7, 1, 8, 5, tzinfo=UTC)
    db.session.commit()
    page = client.get(f"{BASE}/{request.id}").page
    assert "01/07/2026 à 10:05" in page and "(UTC)" not in page
