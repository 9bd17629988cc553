"""The tables of the PostgreSQL search backend (SEARCH_BACKEND=postgresql, postgresql.py).

They exist on every database, so that one schema and one migration serve both; only
the PostgreSQL backend fills them. On SQLite `terms` is plain text and the GIN
indexes are ordinary ones, never used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, BigInteger, Dialect, Index, Integer, String, Text, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from recrutement.extensions import Model


class Terms(TypeDecorator[str]):
    """An offer's index terms: TSVECTOR on PostgreSQL, text elsewhere. Not a String type:
    no text function (lower, LIKE) applies to a tsvector."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class SearchDocument(Model):
    """A published offer's search document: what the Whoosh index holds, as a row.

    `terms` holds the title's terms with weight A and the body's with weight D, at the
    positions the application's French analyzer gives them (analysis.py), so that a
    search matches what Whoosh matches, phrases included. Latitude and longitude are
    micro-degrees, as in the Whoosh index.
    """

    __tablename__ = "search_document"

    offer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Terms())
    region: Mapped[str] = mapped_column(String(3))
    department: Mapped[str] = mapped_column(String(3))
    contract_type: Mapped[str] = mapped_column(String(30))
    experience: Mapped[str] = mapped_column(String(30))
    remote_work: Mapped[str] = mapped_column(String(30))
    published_at: Mapped[int] = mapped_column(BigInteger)
    application_deadline: Mapped[int] = mapped_column(Integer, index=True)
    workplace: Mapped[str] = mapped_column(String(5))
    latitude: Mapped[int | None] = mapped_column(Integer)
    longitude: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_search_document_terms", "terms", postgresql_using="gin"),)


class SearchWord(Model):
    """A word of the published offers (lowercased, without accents, 3 letters or more,
    not a stop word) and how many of them hold it: « Vouliez-vous dire »."""

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(200), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ix_search_word_trigrams",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )


class SearchWordForm(Model):
    """How the offers write a word with its accents, and in how many offers."""

    __tablename__ = "search_word_form"

    word: Mapped[str] = mapped_column(String(200), primary_key=True)
    form: Mapped[str] = mapped_column(String(200), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)


class SearchState(Model):
    """One row: the version of the search tables, a new random number from every
    transaction that changes them. Each process keys its result caches on it (cache.py)."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


# The trigram index needs pg_trgm (a trusted extension: the database owner may create it).
event.listen(
    SearchWord.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"
    ),
)
