"""One message thread component for applications and cofunding requests: the same
columns (on each domain's own table), the same reading and writing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import String

from recrutement.accounts.models import Role
from recrutement.applications.models import Application, ApplicationMessage
from recrutement.cofunding.models import CofundingMessage, CofundingRequest
from recrutement.core.errors import ServiceError
from recrutement.core.threads import (
    MAX_MESSAGE_LENGTH,
    add_message,
    clean_body,
    newest_message_id,
    thread_of,
)
from recrutement.extensions import db
from tests import factories


def test_each_thread_keeps_its_table_and_columns():
    application = ApplicationMessage.__table__
    cofunding = CofundingMessage.__table__
    assert application.name == "application_message" and cofunding.name == "cofunding_message"
    shared = {"id", "author_id", "author_side", "body", "created_at"}
    assert set(application.c.keys()) == shared | {"application_id"}
    assert set(cofunding.c.keys()) == shared | {"request_id"}
    # The widths and indexes each table was created with.
    assert isinstance(application.c.author_side.type, String)
    assert application.c.author_side.type.length == 10
    assert cofunding.c.author_side.type.length == 12
    assert application.c.created_at.index and not cofunding.c.created_at.index
    for table, owner in ((application, "application_id"), (cofunding, "request_id")):
        assert table.c.id.primary_key
        (author_key,) = table.c.author_id.foreign_keys
        assert author_key.target_fullname == "user_account.id"
        assert author_key.ondelete == "SET NULL"
        (owner_key,) = table.c[owner].foreign_keys
        assert owner_key.ondelete == "CASCADE"
        assert table.c[owner].index
    assert ApplicationMessage.owner_column() is ApplicationMessage.application_id
    assert CofundingMessage.owner_column() is CofundingMessage.request_id


def test_clean_body_trims_and_bounds_the_text():
    assert clean_body("  Bonjour.\n") == "Bonjour."
    assert clean_body("x" * MAX_MESSAGE_LENGTH) == "x" * MAX_MESSAGE_LENGTH
    with pytest.raises(ServiceError) as empty:
        clean_body("   ")
    assert (empty.value.message, empty.value.field) == ("Écrivez votre message.", "body")
    with pytest.raises(ServiceError, match="Indiquez le motif."):
        clean_body(None, "Indiquez le motif.")
    with pytest.raises(ServiceError) as long:
        clean_body("x" * (MAX_MESSAGE_LENGTH + 1))
    assert long.value.message == "5000 caractères au maximum."


def _application(app) -> Application:
    offer = factories.OfferFactory()
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    application = Application(offer=offer, candidate=candidate, cover_letter="Lettre.")
    db.session.add(application)
    db.session.commit()
    return application


def _request(app) -> CofundingRequest:
    request = CofundingRequest(
        organisation_id=factories.OrganisationFactory().id,
        status="submitted",
        post_title="Chef de projet",
        post_key="title:chef de projet",
        holder_first_name="Camille",
        holder_last_name="Le Gall",
        holder_start_date=date(2026, 3, 1),
        contract_type="project_contract",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 12, 31),
        annual_loaded_cost=Decimal("60000"),
    )
    db.session.add(request)
    db.session.commit()
    return request


@pytest.mark.parametrize(
    ("model", "make_owner", "sides"),
    [
        (ApplicationMessage, _application, ("employer", "candidate")),
        (CofundingMessage, _request, ("prefecture", "employer")),
    ],
    ids=["application", "cofunding"],
)
def test_a_thread_is_written_and_read_the_same_way_for_both_owners(app, model, make_owner, sides):
    owner, other = make_owner(app), make_owner(app)
    author = factories.UserFactory(first_name="Yann", last_name="Kerhervé")
    assert thread_of(model, owner.id) == [] and newest_message_id(model, owner.id) is None

    first = add_message(model, owner.id, author, sides[0], "Première question.")
    add_message(model, other.id, author, sides[0], "Ailleurs.")
    db.session.flush()
    second = add_message(model, owner.id, author, sides[1], "Réponse.")
    # Written in the same instant: the thread keeps the order of writing.
    second.created_at = first.created_at
    db.session.commit()
    db.session.expire_all()

    messages = thread_of(model, owner.id)
    assert [(m.author_side, m.body) for m in messages] == [
        (sides[0], "Première question."),
        (sides[1], "Réponse."),
    ]
    assert all(type(m) is model for m in messages)
    assert messages[0].author.full_name == "Yann Kerhervé"
    assert getattr(messages[0], model.owner_key) == owner.id
    assert newest_message_id(model, owner.id) == second.id
    # The author's account gone, the message stays with its side.
    db.session.delete(author)
    db.session.commit()
    db.session.expire_all()
    assert [(m.author_id, m.author_side) for m in thread_of(model, owner.id)] == [
        (None, sides[0]),
        (None, sides[1]),
    ]
