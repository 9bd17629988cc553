"""One history query: the journal of one object, in the order things happened."""

from __future__ import annotations

from datetime import timedelta

from recrutement.core.models import history_of, record_event
from recrutement.core.time import utcnow
from recrutement.extensions import db
from tests import factories


def test_history_is_the_objects_events_oldest_first_with_their_actors(app):
    actor = factories.UserFactory(first_name="Anne", last_name="Le Bihan")
    offer, other_offer = factories.OfferFactory(), factories.OfferFactory()
    organisation = factories.OrganisationFactory()
    now = utcnow()
    # Written out of order; two in the same instant keep the order they were written in.
    record_event(actor, "offer.close", offer).created_at = now
    record_event(actor, "offer.created", offer).created_at = now - timedelta(days=2)
    record_event(None, "offer.publish", offer, "premier").created_at = now - timedelta(days=1)
    record_event(actor, "offer.updated", offer, "second").created_at = now - timedelta(days=1)
    # Another offer, and an organisation whose id may be the same number.
    record_event(actor, "offer.created", other_offer)
    record_event(actor, "organisation.validate", organisation)
    db.session.commit()
    db.session.expire_all()

    events = history_of(offer)
    assert [(e.action, e.comment) for e in events] == [
        ("offer.created", ""),
        ("offer.publish", "premier"),
        ("offer.updated", "second"),
        ("offer.close", ""),
    ]
    assert [e.actor.full_name if e.actor else None for e in events] == [
        "Anne Le Bihan",
        None,
        "Anne Le Bihan",
        "Anne Le Bihan",
    ]
    newest_first = history_of(offer, newest_first=True)
    assert [e.action for e in newest_first] == [
        "offer.close",
        "offer.updated",
        "offer.publish",
        "offer.created",
    ]
    assert [e.action for e in history_of(organisation)] == ["organisation.validate"]


def test_an_object_without_events_has_an_empty_history(app):
    assert history_of(factories.OfferFactory()) == []
