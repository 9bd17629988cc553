"""SavedSearch and AlertedOffer (docs/design.md, Applications; docs/glossary.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model


class SavedSearch(Model):
    """A candidate's saved search, mailed as an alert (docs/glossary.md)."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # The public search parameters (as SearchParams.to_args gives them).
    query: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # instant, daily or weekly
    frequency: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # For the one-click unsubscribe link that needs no login; only its hash is stored.
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    user = relationship("User")


class AlertedOffer(Model):
    """An offer already mailed by a saved search: never mailed twice."""

    __tablename__ = "alerted_offer"

    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_search.id", ondelete="CASCADE"), primary_key=True
    )
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
