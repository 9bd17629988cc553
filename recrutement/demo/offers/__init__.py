"""The demo offers: texts drawn from the vocabulary of data/offers.toml.

- vocabulary.py: the words and weights of data/offers.toml;
- writer.py: an offer's content drawn with a seeded random generator (OfferWriter);
- dates.py: coherent lifecycle dates for each state;
- bulk.py: `create_demo_offers(count)`, bulk inserts over every département;
- states.py: the base demo's offers in every state, and the summary line.
"""

from recrutement.demo.offers.bulk import create_demo_offers
from recrutement.demo.offers.states import (
    create_demo_offers_in_every_state,
    describe_demo_offers,
)
from recrutement.demo.offers.vocabulary import DEMO_OFFERS_ACROSS_FRANCE
from recrutement.demo.offers.writer import Deck, OfferWriter, Place

__all__ = [
    "DEMO_OFFERS_ACROSS_FRANCE",
    "Deck",
    "OfferWriter",
    "Place",
    "create_demo_offers",
    "create_demo_offers_in_every_state",
    "describe_demo_offers",
]
