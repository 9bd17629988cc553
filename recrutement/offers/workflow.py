"""The offer lifecycle as data: which transition goes from which states to which,
and who makes it.

draft → published → filled | closed | expired; closed or expired → published
again with a new deadline (docs/design.md). The collectivité's members publish, close
and fill; the platform expires (no one acts); ANCT unpublishes. Services check
this table; nothing else changes `Offer.status`.
"""

from __future__ import annotations

from recrutement.accounts.models import Role
from recrutement.core.workflow import Transition
from recrutement.offers.models import OfferStatus as S

MEMBERS = frozenset({Role.EMPLOYER})
NOBODY: frozenset[Role] = frozenset()

PUBLISH = Transition("publish", frozenset({S.DRAFT}), S.PUBLISHED, MEMBERS, "publiée")
REPUBLISH = Transition(
    "republish", frozenset({S.CLOSED, S.EXPIRED}), S.PUBLISHED, MEMBERS, "republiée"
)
CLOSE = Transition("close", frozenset({S.PUBLISHED}), S.CLOSED, MEMBERS, "clôturée")
FILL = Transition(
    "fill", frozenset({S.PUBLISHED, S.CLOSED, S.EXPIRED}), S.FILLED, MEMBERS, "pourvue"
)
EXPIRE = Transition("expire", frozenset({S.PUBLISHED}), S.EXPIRED, NOBODY, "expirée")
UNPUBLISH = Transition(
    "unpublish", frozenset({S.PUBLISHED}), S.CLOSED, frozenset({Role.ADMIN}), "dépubliée"
)

TRANSITIONS = {t.name: t for t in (PUBLISH, REPUBLISH, CLOSE, FILL, EXPIRE, UNPUBLISH)}
# The timestamp each target state sets on the offer.
STATE_TIMESTAMP = {
    S.PUBLISHED: "published_at",
    S.CLOSED: "closed_at",
    S.FILLED: "filled_at",
    S.EXPIRED: "expired_at",
}
EDITABLE_STATES = frozenset({S.DRAFT, S.PUBLISHED, S.CLOSED, S.EXPIRED})
