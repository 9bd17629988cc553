"""The cofunding request workflow in its services: content rules, overlap, each
transition with its log and mails, adjustments within the caps, the ANAH opinion,
the decision PDF, renewal and concurrency."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from recrutement.accounts.models import Role, User
from recrutement.cofunding import instruction, services
from recrutement.cofunding.models import CofundingRequest, InstructionNote
from recrutement.core.errors import ServiceError
from recrutement.core.models import AuditEvent, history_of
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from recrutement.files.storage import read_stored
from tests import factories
from tests.cofunding.conftest import content


def recipients() -> list[str]:
    return [email.recipient for email in db.session.scalars(select(OutgoingEmail))]


def clear_outbox() -> None:
    db.session.execute(OutgoingEmail.__table__.delete())
    db.session.commit()


def history(request) -> list[str]:
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


def filed(people, **overrides):
    request = services.create_request(people.employer, content(**overrides))
    services.submit(people.employer, request)
    return request


def in_instruction(people, **overrides):
    request = filed(people, **overrides)
    instruction.open_instruction(people.prefecture, request)
    return request


def test_a_draft_holds_the_engine_split_for_its_period(people):
    request = services.create_request(people.employer, content())
    # 60,000 € a year, 306 days of 365: 75 % is 45,000 € a year, capped at 45,000.
    assert request.status == "draft"
    assert {line.funder: line.requested_amount for line in request.plan} == {
        "anct": D("25150.68"),
        "bdt": D("12575.34"),
    }
    assert request.requested_total == D("37726.02")
    assert request.post_key == "title:chef de projet petites villes de demain"


def test_without_bdt_the_state_pays_the_rest(people):
    request = services.create_request(people.employer, content(bdt_asked=False))
    assert {line.funder: line.requested_amount for line in request.plan} == {"anct": D("37726.02")}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"anah_asked": True, "housing_operation": ""}, "housing_operation"),
        ({"period_start": date(2026, 2, 1)}, "period_start"),
        ({"period_end": date(2027, 1, 31)}, "period_end"),
        ({"period_end": date(2026, 2, 1)}, "period_end"),
        ({"contract_end_date": date(2026, 6, 30)}, "period_end"),
        ({"contract_end_date": None}, "contract_end_date"),
        ({"annual_loaded_cost": D("0")}, "annual_loaded_cost"),
        ({"annual_loaded_cost": None}, "annual_loaded_cost"),
        ({"holder_last_name": " "}, "holder_last_name"),
        ({"contract_type": "stage"}, "contract_type"),
    ],
)
def test_bad_content_is_refused_naming_the_field(people, overrides, field):
    with pytest.raises(ServiceError) as refused:
        services.create_request(people.employer, content(**overrides))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(CofundingRequest.id))) == 0


def test_a_second_request_for_the_same_post_and_period_is_refused(people):
    first = services.create_request(people.employer, content())
    with pytest.raises(ServiceError) as refused:
        services.create_request(people.colleague, content(period_start=date(2026, 12, 1)))
    assert f"n° {first.id}" in refused.value.message
    assert "chevauche" in refused.value.message
    db.session.rollback()
    # The next year is another period; another post is another post.
    services.create_request(
        people.employer, content(period_start=date(2027, 1, 1), period_end=date(2027, 12, 31))
    )
    services.create_request(people.employer, content(post_title="Chef de projet PVD — Mellac"))
    # A refused request frees its period.
    services.submit(people.employer, first)
    instruction.open_instruction(people.prefecture, first)
    instruction.refuse(people.prefecture, first, "Le poste n'est pas dédié au programme.")
    services.create_request(people.employer, content())


def test_editing_the_period_into_another_request_is_refused(people):
    services.create_request(
        people.employer, content(period_start=date(2027, 1, 1), period_end=date(2027, 12, 31))
    )
    second = services.create_request(people.employer, content())
    with pytest.raises(ServiceError, match="chevauche"):
        services.update_request(
            people.employer,
            second,
            content(period_start=date(2027, 1, 1), period_end=date(2027, 6, 30)),
        )
    db.session.rollback()
    db.session.refresh(second)
    assert second.period_start == date(2026, 3, 1)


def test_the_same_creation_token_creates_one_request(people):
    first = services.create_request(people.employer, content(), creation_token="abc")
    again = services.create_request(people.employer, content(), creation_token="abc")
    assert again.id == first.id
    assert db.session.scalar(select(func.count(CofundingRequest.id))) == 1


def test_submitting_mails_the_departments_prefecture_and_the_members(people):
    request = services.create_request(people.employer, content())
    clear_outbox()
    assert services.submit(people.employer, request) is True
    assert request.status == "submitted" and request.submitted_at is not None
    assert sorted(recipients()) == sorted(
        [people.prefecture.email, people.employer.email, people.colleague.email]
    )
    # A second click changes nothing and mails nobody.
    clear_outbox()
    assert services.submit(people.employer, request) is False
    assert recipients() == []
    assert history(request) == ["cofunding.create", "cofunding.submit"]


def test_asking_anah_mails_its_delegation(people):
    request = services.create_request(
        people.employer, content(anah_asked=True, housing_operation="OPAH-RU du centre ancien")
    )
    clear_outbox()
    services.submit(people.employer, request)
    assert people.anah.email in recipients()
    assert people.anah55.email not in recipients()


def test_the_collectivite_edits_until_the_prefecture_opens_it(people):
    request = filed(people)
    services.update_request(people.employer, request, content(annual_loaded_cost=D("50000")))
    assert request.part("bdt").requested_amount == D("10479.45")
    instruction.open_instruction(people.prefecture, request)
    with pytest.raises(ServiceError, match="ne peut plus être modifiée"):
        services.update_request(people.employer, request, content(annual_loaded_cost=D("90000")))
    db.session.rollback()
    with pytest.raises(ServiceError, match="pièces"):
        services.add_attachment(people.employer, request, "contract", None)
    db.session.rollback()
    assert history(request) == [
        "cofunding.create",
        "cofunding.submit",
        "cofunding.edit",
        "cofunding.open",
    ]


def test_changes_requested_then_answered(people):
    request = in_instruction(people)
    clear_outbox()
    with pytest.raises(ServiceError) as refused:
        instruction.request_changes(people.prefecture, request, "  ")
    assert refused.value.field == "body"
    db.session.rollback()
    instruction.request_changes(people.prefecture, request, "Joignez la délibération du conseil.")
    assert request.status == "changes_requested"
    assert sorted(recipients()) == sorted([people.employer.email, people.colleague.email])
    services.update_request(people.employer, request, content(annual_loaded_cost=D("58000")))
    clear_outbox()
    services.answer_changes(people.employer, request, "La délibération est jointe.")
    assert request.status == "in_instruction"
    assert recipients() == [people.prefecture.email]
    bodies = [m.body for m in services.thread(request)]
    assert bodies == ["Joignez la délibération du conseil.", "La délibération est jointe."]
    assert history(request)[-3:] == [
        "cofunding.request_changes",
        "cofunding.edit",
        "cofunding.answer",
    ]


def test_parts_are_lowered_within_their_caps_and_never_raised(people):
    request = in_instruction(people)
    instruction.adjust_parts(people.prefecture, request, {"bdt": D("10000.00")})
    assert request.part("bdt").granted_amount == D("10000.00")
    with pytest.raises(ServiceError) as refused:
        instruction.adjust_parts(
            people.prefecture, request, {"anct": D("20000"), "bdt": D("12575.35")}
        )
    assert refused.value.field == "bdt"
    assert "12\u202f575,34 €" in refused.value.message
    db.session.rollback()
    db.session.refresh(request)
    # Nothing of the refused form was saved, not even the valid ANCT part.
    assert request.part("anct").granted_amount == D("25150.68")
    assert request.part("bdt").granted_amount == D("10000.00")
    with pytest.raises(ServiceError):
        instruction.adjust_parts(people.prefecture, request, {"anct": D("-1")})
    db.session.rollback()


def test_anah_part_needs_the_delegations_opinion_before_a_grant(people):
    request = in_instruction(people, anah_asked=True, housing_operation="OPAH-RU de Quimperlé")
    assert request.part("anah").requested_amount == D("25150.68")
    with pytest.raises(ServiceError, match="L'ANAH n'a pas encore donné son avis"):
        instruction.grant(people.prefecture, request)
    db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        instruction.give_anah_opinion(people.anah, request, True, D("25150.69"))
    assert refused.value.field == "amount"
    # The caps it quotes are the rule row's.
    assert (
        "(50 % du coût et 40\u202f000 € par an, dans la limite du total)" in refused.value.message
    )
    db.session.rollback()
    with pytest.raises(ServiceError, match="ne relève pas"):
        instruction.give_anah_opinion(people.anah55, request, True, D("1000"))
    db.session.rollback()
    clear_outbox()
    instruction.give_anah_opinion(people.anah, request, True, D("20000"), "Opération engagée.")
    assert recipients() == [people.prefecture.email]
    assert request.part("anah").granted_amount == D("20000.00")
    with pytest.raises(ServiceError, match="montant retenu par l'ANAH"):
        instruction.adjust_parts(people.prefecture, request, {"anah": D("20000.01")})
    db.session.rollback()
    instruction.grant(people.prefecture, request)
    assert request.status == "granted"


def test_an_unfavourable_opinion_leaves_no_anah_part(people):
    request = in_instruction(people, anah_asked=True, housing_operation="OPAH-RU de Quimperlé")
    instruction.give_anah_opinion(
        people.anah, request, False, D("5000"), "Pas d'opération engagée."
    )
    assert request.anah_opinion.amount == 0
    assert request.part("anah").granted_amount == 0


def test_grant_produces_the_decision_pdf(people):
    request = in_instruction(people, anah_asked=True, housing_operation="OPAH-RU de Quimperlé")
    instruction.give_anah_opinion(people.anah, request, True, D("20000"))
    instruction.adjust_parts(people.prefecture, request, {"bdt": D("5000")})
    clear_outbox()
    instruction.grant(people.prefecture, request)
    assert request.decided_at is not None and request.rule.effective_from == date(2020, 10, 1)
    assert sorted(recipients()) == sorted(
        [people.employer.email, people.colleague.email, people.anah.email]
    )
    pdf = read_stored(request.decision_pdf)
    assert pdf.startswith(b"%PDF-")
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    words = " ".join(words.split())
    for expected in (
        "Quimperlé",
        "Chef de projet Petites villes de demain",
        "Camille Le Gall",
        "du 1er mars 2026 au 31 décembre 2026 (306 jours)",
        "Finistère (29)",
        "ANAH 25 150,68 € 20 000,00 €",
        "Banque des territoires 12 575,34 € 5 000,00 €",
        "ANCT / État 0,00 € 0,00 €",
        "Règles du programme en vigueur depuis le 1er octobre 2020",
        "75 %",
        "55 000,00 €",
        "Avis de l'ANAH : favorable, 20 000,00 €",
    ):
        assert expected in words, expected


def test_refusal_needs_a_reason_and_is_final(people):
    request = in_instruction(people)
    with pytest.raises(ServiceError) as refused:
        instruction.refuse(people.prefecture, request, "")
    assert refused.value.field == "body"
    db.session.rollback()
    instruction.refuse(people.prefecture, request, "Le poste n'est pas à temps plein.")
    assert request.status == "refused" and request.decision_reason
    with pytest.raises(ServiceError, match="désormais « refusée »"):
        instruction.grant(people.prefecture, request)
    db.session.rollback()


def test_dismissal_from_changes_requested(people):
    request = in_instruction(people)
    instruction.request_changes(people.prefecture, request, "Le contrat manque.")
    instruction.dismiss(people.prefecture, request, "Sans réponse depuis trois mois.")
    assert request.status == "dismissed"


def test_another_departments_prefecture_can_do_nothing(people):
    request = filed(people)
    for act in (
        lambda: instruction.open_instruction(people.prefecture55, request),
        lambda: instruction.request_changes(people.prefecture55, request, "Message"),
        lambda: instruction.refuse(people.prefecture55, request, "Motif"),
        lambda: instruction.add_note(people.prefecture55, request, "Note"),
        lambda: services.post_message(people.prefecture55, request, "Message"),
        lambda: services.update_request(people.other_employer, request, content()),
        lambda: services.submit(people.other_employer, request),
    ):
        with pytest.raises(ServiceError):
            act()
        db.session.rollback()
    assert request.status == "submitted"


def test_private_notes_stay_out_of_the_history_and_the_thread(people):
    request = filed(people)
    instruction.add_note(people.prefecture, request, "Vérifier le budget primitif.")
    services.post_message(people.employer, request, "Le contrat est signé.")
    assert db.session.scalar(select(func.count(InstructionNote.id))) == 1
    assert [m.body for m in services.thread(request)] == ["Le contrat est signé."]
    assert "Vérifier" not in " ".join(e.comment for e in history_of(request))
    with pytest.raises(ServiceError):
        instruction.add_note(people.employer, request, "Je lis les notes ?")
    db.session.rollback()


def test_renewal_prefills_the_next_period_once(people):
    request = in_instruction(people)
    instruction.grant(people.prefecture, request)
    renewal = services.renew(people.employer, request)
    assert renewal.status == "draft" and renewal.is_renewal and renewal.renewal_of_id == request.id
    assert (renewal.period_start, renewal.period_end) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal.holder_name == "Camille Le Gall"
    assert renewal.part("anct").requested_amount == D("30000.00")
    assert services.renew(people.employer, request).id == renewal.id


def test_renewal_stops_at_the_contract_end(people):
    request = in_instruction(
        people,
        period_start=date(2028, 1, 1),
        period_end=date(2028, 12, 31),
        contract_end_date=date(2029, 2, 28),
    )
    instruction.grant(people.prefecture, request)
    renewal = services.renew(people.employer, request)
    assert (renewal.period_start, renewal.period_end) == (date(2029, 1, 1), date(2029, 2, 28))


@pytest.mark.real_commits
def test_the_second_of_two_agents_is_told_what_happened(app, people):
    """Agent B acts on a request that agent A has just decided (another connection)."""
    request = in_instruction(people)
    with db.engine.begin() as other_agent:
        other_agent.execute(
            text(
                "UPDATE cofunding_request SET status = 'refused', version = version + 1 "
                "WHERE id = :id"
            ),
            {"id": request.id},
        )
    with pytest.raises(ServiceError, match="désormais « refusée »"):
        instruction.grant(people.prefecture, request)
    db.session.rollback()


def test_acting_on_a_stale_page_is_refused(people):
    request = in_instruction(people)
    seen = request.version
    instruction.adjust_parts(people.prefecture, request, {"bdt": D("100")})
    with pytest.raises(ServiceError, match="vient d'être modifiée"):
        instruction.grant(people.prefecture, request, version=seen)
    db.session.rollback()
    assert request.status == "in_instruction"


@pytest.mark.real_commits
def test_two_agents_deciding_at_once_cannot_both_win(app, people):
    request_id = in_instruction(people).id
    second_agent = factories.UserFactory(role=Role.PREFECTURE)
    second_agent.departments = list(people.prefecture.departments)
    db.session.commit()
    agents = {"grant": people.prefecture.id, "refuse": second_agent.id}
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name):
        with app.app_context():
            agent = db.session.get(User, agents[name])
            found = db.session.get(CofundingRequest, request_id)
            barrier.wait()
            try:
                if name == "grant":
                    instruction.grant(agent, found)
                else:
                    instruction.refuse(agent, found, "Pas de budget.")
                outcomes[name] = "ok"
            except ServiceError as error:
                db.session.rollback()
                outcomes[name] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(name,)) for name in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["grant", "refuse"]
    assert list(outcomes.values()).count("ok") == 1, outcomes
    loser = next(message for message in outcomes.values() if message != "ok")
    assert "désormais" in loser or "vient d'être modifiée" in loser
    db.session.expire_all()
    final = db.session.get(CofundingRequest, request_id)
    assert final.status in ("granted", "refused")
    assert history(final).count("cofunding.grant") + history(final).count("cofunding.refuse") == 1


@pytest.mark.real_commits
def test_a_double_clicked_create_makes_one_request(app, people):
    """The same form posted twice at the same moment (two threads, one token)."""
    barrier = threading.Barrier(2)
    created = []
    employer_id = people.employer.id

    def post():
        with app.app_context():
            employer = db.session.get(User, employer_id)
            barrier.wait()
            created.append(services.create_request(employer, content(), creation_token="tok").id)
            db.session.remove()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(created) == 2 and created[0] == created[1]
    assert db.session.scalar(select(func.count(CofundingRequest.id))) == 1


def test_the_same_form_committed_between_the_checks_is_not_an_overlap(people, monkeypatch):
    """The interleaving behind a flaky double-click run on SQLite (no row lock): the
    other post commits after this one looked for its token, before the overlap check."""
    first = services.create_request(people.employer, content(), creation_token="tok")
    real = services._created_with
    looks = []

    def committed_after_the_first_look(token, actor):
        looks.append(token)
        return None if len(looks) == 1 else real(token, actor)

    monkeypatch.setattr(services, "_created_with", committed_after_the_first_look)
    again = services.create_request(people.employer, content(), creation_token="tok")
    assert again.id == first.id and len(looks) == 2
    assert db.session.scalar(select(func.count(CofundingRequest.id))) == 1
