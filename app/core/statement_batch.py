"""Statements sent together: on PostgreSQL in one round trip, through psycopg's pipeline mode.

A write group holds its workspace's lock while it opens (the locked row, the journal entries it
has to catch up with, the next free positions) and while it ends (the pending rows, the
workspace row, the journal rows, the commit). Sent one by one, each of those statements is a
round trip, and under load each round trip also waits for the process's GIL when its answer
comes back: most of the time the lock was held went to waiting. A ``StatementBatch`` queues the
statements and sends them at once; PostgreSQL runs them in order, and the answers come back
together.

SQLAlchemy waits for each statement's result even inside a pipeline (it reads the cursor's
description at once), so the batch compiles each statement with SQLAlchemy, applies the bind
processors of its parameters' types (JSON to text, say), and runs it on the driver's own
connection. Errors come back as SQLAlchemy's (``DBAPIError.instance``), a dropped connection is
invalidated as SQLAlchemy would, so callers and the HTTP error handlers see no difference. On
any other database (SQLite: in process, no round trips) the statements run one by one through
the session.

Statements are compiled once per statement and set of parameter names: pass statements built
once, with bind parameters, rather than values written into them.

>>> from sqlalchemy import bindparam, column, select, table
>>> numbers = table("numbers", column("n"))
>>> query = select(numbers.c.n).where(numbers.c.n > bindparam("least"))
>>> batch = StatementBatch()
>>> answer = batch.execute(query, {"least": 2})
>>> len(batch)
1
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Sequence, cast

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session


class BatchResult:
    """The rows one queued statement returns, once its batch has been sent."""

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] | None = None

    def all(self) -> list[dict[str, Any]]:
        """Every row, as column name to value."""
        if self._rows is None:
            raise RuntimeError("the batch holding this statement has not been sent yet")
        return self._rows

    def first(self) -> dict[str, Any] | None:
        rows = self.all()
        return rows[0] if rows else None

    def scalar(self) -> Any:
        """The first column of the first row; None when there is no row."""
        row = self.first()
        return next(iter(row.values())) if row else None


class StatementBatch:
    """Statements queued in order, then sent together in the session's transaction (``send``)."""

    def __init__(self) -> None:
        # (statement, parameter sets, whether it returns rows, its result holder)
        self._steps: list[tuple[Executable, list[dict[str, Any]], bool, BatchResult]] = []

    def __len__(self) -> int:
        return len(self._steps)

    def execute(self, statement: Executable, params: dict[str, Any] | None = None) -> BatchResult:
        """Queue ``statement`` once; its rows are in the result after ``send``."""
        result = BatchResult()
        self._steps.append((statement, [params or {}], True, result))
        return result

    def executemany(self, statement: Executable, rows: Iterable[dict[str, Any]]) -> None:
        """Queue ``statement`` once per parameter set (all with the same names); no rows come back."""
        rows = list(rows)
        if rows:
            self._steps.append((statement, rows, False, BatchResult()))

    def send(self, session: Session, *, commit: bool = False) -> None:
        """Run the queued statements in order in the session's transaction, then, with ``commit``,
        commit it; on PostgreSQL all in one round trip. Nothing stays queued, whatever happens."""
        steps, self._steps = self._steps, []
        connection = session.connection()
        dialect = connection.dialect
        if not _pipelines(dialect):
            for statement, params, returns, result in steps:
                if returns:
                    result._rows = [dict(row) for row in connection.execute(statement, params[0]).mappings()]
                else:
                    connection.execute(statement, params)
            if commit:
                session.commit()
            return
        driver: Any = connection.connection.driver_connection  # psycopg's Connection
        # The engine's statement events still see every statement (tracing, tests), with no
        # execution context, as SQLAlchemy gives them for the statements it runs on a bare cursor.
        events = connection.dispatch
        sent: list[tuple[Any, str, Any, bool, BatchResult]] = []
        queued: list[str] = []
        try:
            with driver.pipeline():
                for statement, params, returns, result in steps:
                    sql, compiled, processors = _compiled(statement, tuple(params[0]), dialect)
                    queued.append(sql)
                    values = [_processed(compiled, processors, compiled_params) for compiled_params in params]
                    cursor = driver.cursor()
                    arguments = values[0] if returns else values
                    events.before_cursor_execute(connection, cursor, sql, arguments, None, not returns)
                    if returns:
                        cursor.execute(sql, arguments)
                    else:
                        cursor.executemany(sql, arguments)
                    sent.append((cursor, sql, arguments, returns, result))
                if commit:
                    dialect.do_commit(driver)  # in the pipeline: COMMIT joins the same round trip
            for cursor, sql, arguments, returns, result in sent:
                if returns:
                    names = [column.name for column in cursor.description or ()]
                    result._rows = [dict(zip(names, row)) for row in cursor.fetchall()]
                events.after_cursor_execute(connection, cursor, sql, arguments, None, not returns)
                cursor.close()
        except dialect.loaded_dbapi.Error as exc:
            invalidated = dialect.is_disconnect(exc, driver, None)
            if invalidated:
                connection.invalidate(exc)
            # The pipeline reports the first failure when it syncs, not which statement it was: name them all.
            statements = "; ".join(queued)
            raise DBAPIError.instance(
                statements, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=invalidated, dialect=dialect
            ) from exc
        if commit:
            session.commit()  # the driver's transaction has ended; this ends the session's


def _pipelines(dialect: Dialect) -> bool:
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


@functools.lru_cache(maxsize=256)
def _compiled(statement: Executable, names: Sequence[str], dialect: Dialect) -> tuple[str, SQLCompiler, dict[str, Any]]:
    """The driver's SQL for ``statement`` given parameters ``names``, its compiled form, and the bind
    processor of each parameter that has one (by name)."""
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(names)))
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("a batched statement cannot expand its parameters (IN lists); bind one value per name")
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("a batched statement gets no column defaults computed in Python: give every column a value")
    processors: dict[str, Any] = {}
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    return compiled.string, compiled, processors


def _processed(compiled: SQLCompiler, processors: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the statement's own bound values (a literal in its WHERE, say), converted for the driver."""
    values = dict(compiled.construct_params(params))
    for name, processor in processors.items():
        if name in values:
            values[name] = processor(values[name])
    return values
