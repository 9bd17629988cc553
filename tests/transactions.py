"""Each test inside one transaction, rolled back at its end.

The app's engine hands every caller one connection (StaticPool), on which one outer
transaction stays open for the whole test. Every transaction begun on the engine, by
the session or by code that opens its own connection on purpose (rate limits, session
activity, the search index), becomes a savepoint of it: its commit releases the
savepoint, its rollback rolls back to it. So the code under test commits as in
production and reads what it committed, and nothing outlives the test.

One difference with production remains, and is made up for: a transaction committed
on its own connection *while another is open* lands inside that other's savepoint
(there is one connection). In production it stays whatever the other does; here the
other's rollback would take it away. So its writes are recorded, and replayed after
such a rollback: a wrong password's rate-limit count survives the failed login's
rollback, as it does in production.

Transactions of several connections must nest (the one begun last ends first, and
only it runs statements meanwhile), as they do when code opens its own connection for
one short write. Threads and other processes cannot share the connection: a test
whose data they read needs real commits (the `real_commits` marker). Using the engine
from another thread fails at once and says so; so does anything else this emulation
cannot reproduce (the test fails with what happened).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


@dataclass(frozen=True)
class _Write:
    """One statement as the driver received it, to run it again."""

    statement: str
    parameters: Any
    many: bool


@dataclass
class _Savepoint:
    """A transaction of the code under test, as a savepoint of the outer one."""

    connection: Connection
    name: str
    # What this transaction wrote, in order (for a replay, should it be needed).
    writes: list[_Write] = field(default_factory=list)
    # What other connections committed while this was open, in commit order: it
    # survives this transaction's rollback.
    committed_inside: list[_Write] = field(default_factory=list)


def _nothing(*_args: Any) -> None:
    """Stands for the driver's own BEGIN, COMMIT and ROLLBACK: they would end the
    outer transaction."""


class OuterTransaction:
    """Run everything done on `engine` (a StaticPool engine, not used yet) inside one
    transaction; `end()` rolls it back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.thread = threading.get_ident()
        self.open: list[_Savepoint] = []
        self.problems: list[str] = []
        self._names = itertools.count(1)
        dialect: Any = engine.dialect
        dialect.do_begin = dialect.do_commit = dialect.do_rollback = _nothing
        event.listen(engine, "engine_connect", self._same_thread)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine, "before_cursor_execute", self._record)
        proxied = engine.raw_connection()
        self.dbapi_connection: Any = proxied.dbapi_connection
        proxied.close()
        if engine.dialect.name == "sqlite":
            # The driver then leaves transactions to us (no implicit BEGIN or COMMIT).
            self.dbapi_connection.isolation_level = None
            self._execute("BEGIN")

    def end(self) -> None:
        """Roll back everything the test wrote, close the connection, and fail if the
        emulation met something it cannot reproduce."""
        self.dbapi_connection.rollback()
        self.engine.dispose()
        assert not self.problems, self.problems

    def _execute(self, statement: str, parameters: Any = None, many: bool = False) -> None:
        cursor = self.dbapi_connection.cursor()
        try:
            if many:
                cursor.executemany(statement, parameters)
            elif parameters is None:
                cursor.execute(statement)
            else:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()  # INSERT … RETURNING runs to its end
        finally:
            cursor.close()

    def _same_thread(self, _connection: Connection) -> None:
        if threading.get_ident() != self.thread:
            problem = (
                "the database was used from another thread: the test's transaction "
                "cannot be shared; mark the test with pytest.mark.real_commits"
            )
            self.problems.append(problem)
            raise RuntimeError(problem)

    def _begin(self, connection: Connection) -> None:
        savepoint = _Savepoint(connection, f"test_transaction_{next(self._names)}")
        self._execute(f"SAVEPOINT {savepoint.name}")
        self.open.append(savepoint)

    def _record(
        self,
        connection: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        many: bool,
    ) -> None:
        if self.open and self.open[-1].connection is not connection:
            # Another connection's transaction, begun later, is open: in production
            # neither would see the other's writes; here they would mix.
            self.problems.append(
                f"a statement on another connection while {self.open[-1].name} is open: "
                f"{statement[:80]!r}"
            )
        if statement.lstrip()[:6].upper() == "SELECT" or not self.open:
            return
        self.open[-1].writes.append(_Write(statement, parameters, many))

    def _commit(self, connection: Connection) -> None:
        depth = self._depth(connection)
        if depth is None:
            return
        savepoint = self.open[depth]
        self._execute(f"RELEASE SAVEPOINT {savepoint.name}")
        del self.open[depth:]
        if depth > 0:
            # Committed inside another connection's transaction: that one's rollback
            # must not take it away.
            self.open[depth - 1].committed_inside += savepoint.committed_inside
            self.open[depth - 1].committed_inside += savepoint.writes

    def _rollback(self, connection: Connection) -> None:
        depth = self._depth(connection)
        if depth is None:
            return
        savepoint = self.open[depth]
        self._execute(f"ROLLBACK TO SAVEPOINT {savepoint.name}")
        self._execute(f"RELEASE SAVEPOINT {savepoint.name}")
        del self.open[depth:]
        for write in savepoint.committed_inside:
            try:
                self._execute(write.statement, write.parameters, write.many)
            except Exception as error:
                self.problems.append(f"replaying {write.statement!r} failed: {error}")
                raise
        if depth > 0:
            self.open[depth - 1].committed_inside += savepoint.committed_inside

    def _depth(self, connection: Connection) -> int | None:
        """Where the transaction of `connection` is in the stack (None: it has none)."""
        depth = next(
            (depth for depth, open_ in enumerate(self.open) if open_.connection is connection),
            None,
        )
        if depth is not None and depth != len(self.open) - 1:
            # Ending a savepoint ends those begun after it, on other connections:
            # they would be committed or rolled back with it.
            later = [open_.name for open_ in self.open[depth + 1 :]]
            self.problems.append(f"{self.open[depth].name} ended before {later}")
        return depth
