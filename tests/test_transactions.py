"""The outer transaction that rolls each test back (tests/transactions.py) keeps what
production does: commits are seen, an independent connection's commit survives the
rollback of the transaction it ran inside, nothing outlives the test, and what it
cannot reproduce fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from tests.transactions import OuterTransaction

metadata = MetaData()
note = Table(
    "transactions_test_note",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(40), nullable=False),
)


@pytest.fixture
def engines(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """An engine as the app fixture makes it (one shared connection), and another one
    reading the database from outside, with a table of their own."""
    outside = create_engine(database_url)
    metadata.create_all(outside)
    shared = create_engine(database_url, poolclass=StaticPool)
    try:
        yield shared, outside
    finally:
        shared.dispose()
        metadata.drop_all(outside)
        outside.dispose()


def texts(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(note.c.text).order_by(note.c.id)))


def test_commits_are_seen_and_nothing_outlives_the_end(engines):
    shared, outside = engines
    transaction = OuterTransaction(shared)
    with Session(shared) as session:
        session.execute(note.insert().values(text="committed"))
        session.commit()
        session.execute(note.insert().values(text="rolled back"))
        session.rollback()
    assert texts(shared) == ["committed"]
    transaction.end()
    assert texts(outside) == []


def test_an_independent_commit_survives_the_rollback_it_ran_inside(engines):
    """As a rate-limit count written on its own connection during a failed login."""
    shared, _outside = engines
    transaction = OuterTransaction(shared)
    with Session(shared) as session:
        session.execute(note.insert().values(text="request"))
        with shared.begin() as own_connection:
            own_connection.execute(note.insert().values(text="counter"))
        session.rollback()
        assert texts(shared) == ["counter"]
    transaction.end()


def test_transactions_that_do_not_nest_fail_the_test(engines):
    shared, _outside = engines
    transaction = OuterTransaction(shared)
    first = shared.connect()
    first.execute(note.insert().values(text="first"))
    with shared.begin() as second:
        second.execute(text("SELECT 1"))
        first.execute(note.insert().values(text="first again"))
    first.close()
    with pytest.raises(AssertionError, match="another connection while"):
        transaction.end()


def test_another_thread_is_refused(engines):
    shared, _outside = engines
    transaction = OuterTransaction(shared)
    errors: list[Exception] = []

    def read() -> None:
        try:
            texts(shared)
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert len(errors) == 1 and "real_commits" in str(errors[0])
    # The test fails even when the thread swallows the error.
    with pytest.raises(AssertionError, match="another thread"):
        transaction.end()
