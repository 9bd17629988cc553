"""The enumerated column type: the value in a VARCHAR, the member in the model,
on the backend under test (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.organisations.models import Organisation, OrganisationStatus
from tests import factories


class Colour(LabelledEnum):
    RED = "red"
    BLUE = "blue"


Colour.LABELS = {"red": "Rouge", "blue": "Bleu"}


@pytest.fixture
def colours(app):
    """A table of its own (outside the application's metadata, so no migration drift)."""
    metadata = MetaData()
    table = Table(
        "test_enum_colour",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("colour", EnumString(Colour, 8), nullable=True),
    )
    metadata.create_all(db.engine)
    yield table
    db.session.rollback()
    metadata.drop_all(db.engine)


def test_labels_and_choices():
    assert Colour.BLUE.label == "Bleu"
    assert [(choice.value, choice.label) for choice in Colour.choices()] == [
        ("red", "Rouge"),
        ("blue", "Bleu"),
    ]


def test_the_database_holds_the_value_and_reads_back_the_member(colours):
    db.session.execute(
        insert(colours),
        [{"id": 1, "colour": Colour.RED}, {"id": 2, "colour": "blue"}, {"id": 3, "colour": None}],
    )
    rows = dict(db.session.execute(select(colours.c.id, colours.c.colour)).all())
    assert rows == {1: Colour.RED, 2: Colour.BLUE, 3: None}
    assert type(rows[1]) is Colour and type(rows[2]) is Colour
    # What is stored is the plain value, as raw SQL reads it.
    stored = db.session.execute(text("SELECT colour FROM test_enum_colour WHERE id = 2")).scalar()
    assert type(stored) is str and stored == "blue"


def test_filters_take_members_strings_and_unknown_values(colours):
    db.session.execute(insert(colours), [{"id": 1, "colour": "red"}, {"id": 2, "colour": "blue"}])
    by_member = select(colours.c.id).where(colours.c.colour == Colour.BLUE)
    by_string = select(colours.c.id).where(colours.c.colour.in_(["red", "blue"]))
    unknown = select(colours.c.id).where(colours.c.colour == "green")
    assert db.session.scalars(by_member).all() == [2]
    assert sorted(db.session.scalars(by_string).all()) == [1, 2]
    # A filter on a state that does not exist finds nothing (it does not fail).
    assert db.session.scalars(unknown).all() == []


def test_the_column_is_the_same_varchar_as_before(colours):
    (column,) = [
        c for c in inspect(db.engine).get_columns("test_enum_colour") if c["name"] == "colour"
    ]
    assert isinstance(column["type"], String)
    assert column["type"].length == 8


def test_a_model_holds_the_member_from_assignment_to_reload(app):
    organisation = factories.OrganisationFactory(status="pending")
    assert organisation.status is OrganisationStatus.PENDING
    organisation.status = "validated"
    # Coerced at once, before any flush: pages can read the label right away.
    assert organisation.status is OrganisationStatus.VALIDATED
    assert organisation.status.label == "Validée"
    db.session.commit()
    db.session.expire_all()
    reloaded = db.session.get(Organisation, organisation.id)
    assert reloaded.status is OrganisationStatus.VALIDATED
    assert (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.status == "validated")
        )
        == 1
    )


def test_an_unknown_value_is_refused_on_assignment(app):
    organisation = factories.OrganisationFactory()
    with pytest.raises(ValueError):
        organisation.status = "archived"


def test_a_member_reads_as_its_value_in_json_text_and_comparisons(app):
    offer = factories.OfferFactory(status=OfferStatus.PUBLISHED)
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.status == "published"
    assert f"{offer.status}" == str(offer.status) == "published"
    assert json.dumps({"statut": offer.status}) == '{"statut": "published"}'
    assert {"published": "success"}[offer.status] == "success"
