"""The offer lifecycle as data: which transition goes from which states to which.

draft → published → filled | closed | expired; closed or expired → published
again with a new deadline (DESIGN.md). Services check this table; nothing else
changes `Offer.status`.
"""

from __future__ import annotations

from dataclasses import dataclass

from recrutement.offers.models import OfferStatus as S


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[S]
    target: S
    # Past participle for messages: "L'offre est publiée."
    done: str


PUBLISH = Transition("publish", frozenset({S.DRAFT}), S.PUBLISHED, "publiée")
REPUBLISH = Transition("republish", frozenset({S.CLOSED, S.EXPIRED}), S.PUBLISHED, "republiée")
CLOSE = Transition("close", frozenset({S.PUBLISHED}), S.CLOSED, "clôturée")
FILL = Transition("fill", frozenset({S.PUBLISHED, S.CLOSED, S.EXPIRED}), S.FILLED, "pourvue")
EXPIRE = Transition("expire", frozenset({S.PUBLISHED}), S.EXPIRED, "expirée")
UNPUBLISH = Transition("unpublish", frozenset({S.PUBLISHED}), S.CLOSED, "dépubliée")

TRANSITIONS = {t.name: t for t in (PUBLISH, REPUBLISH, CLOSE, FILL, EXPIRE, UNPUBLISH)}
# The timestamp each target state sets on the offer.
STATE_TIMESTAMP = {
    S.PUBLISHED: "published_at",
    S.CLOSED: "closed_at",
    S.FILLED: "filled_at",
    S.EXPIRED: "expired_at",
}
EDITABLE_STATES = frozenset({S.DRAFT, S.PUBLISHED, S.CLOSED, S.EXPIRED})


def allowed(transition: Transition, status: str) -> bool:
    return S(status) in transition.sources
