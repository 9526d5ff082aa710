"""StatementBatch: queued statements run in order, in the session's transaction, with the same
results and errors as SQLAlchemy's own execution, on SQLite and on PostgreSQL (one round trip)."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, column, delete, event, func, insert, select, table, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from obligraph.app.core.db import Database
from obligraph.app.core.statement_batch import StatementBatch
from obligraph.app.models import JournalRow, Workspace

JOURNAL = JournalRow.__table__  # type: ignore[attr-defined]
WORKSPACES = Workspace.__table__  # type: ignore[attr-defined]
AFTER = (
    select(JOURNAL.c.revision, JOURNAL.c.changes)
    .where(JOURNAL.c.workspace_id == bindparam("ws"), JOURNAL.c.revision > bindparam("after"))
    .order_by(JOURNAL.c.revision)
)
COUNT = select(func.count()).select_from(JOURNAL).where(JOURNAL.c.workspace_id == bindparam("ws"))
RENAME = update(WORKSPACES).where(WORKSPACES.c.id == bindparam("ws_"))


@pytest.fixture
def database(settings, workspace):
    """The database holding workspace 'hr', its journal emptied."""
    database = Database(settings)
    with database.write() as session:
        session.execute(delete(JOURNAL))
        session.commit()
    yield database
    with database.write() as session:
        session.execute(delete(JOURNAL))
        session.commit()
    database.dispose()


def entries(database: Database) -> list[tuple[int, object]]:
    with database.read() as session:
        return [tuple(row) for row in session.execute(select(JOURNAL.c.revision, JOURNAL.c.changes))]


def test_statements_run_in_order_and_answer_with_their_rows(database):
    with database.write() as session:
        batch = StatementBatch()
        batch.executemany(
            insert(JOURNAL), [{"workspace_id": "hr", "revision": r, "changes": [{"r": r}]} for r in (5, 6, 7)]
        )
        later = batch.execute(AFTER, {"ws": "hr", "after": 5})
        counted = batch.execute(COUNT, {"ws": "hr"})
        nothing = batch.execute(AFTER, {"ws": "hr", "after": 7})
        batch.executemany(RENAME, [{"name": "Renamed", "ws_": "hr"}])
        assert len(batch) == 5
        batch.send(session, commit=True)
        assert len(batch) == 0
    # JSON comes back decoded, as SQLAlchemy gives it; the rows written before a read are in it.
    assert later.all() == [{"revision": 6, "changes": [{"r": 6}]}, {"revision": 7, "changes": [{"r": 7}]}]
    assert counted.scalar() == 3 and nothing.first() is None and nothing.scalar() is None
    assert entries(database) == [(5, [{"r": 5}]), (6, [{"r": 6}]), (7, [{"r": 7}])]
    with database.read() as session:
        assert session.execute(select(WORKSPACES.c.name).where(WORKSPACES.c.id == "hr")).scalar() == "Renamed"


def test_without_commit_the_statements_stay_in_the_open_transaction(database):
    with database.write() as session:
        batch = StatementBatch()
        batch.executemany(insert(JOURNAL), [{"workspace_id": "hr", "revision": 9, "changes": None}])
        batch.send(session)
        assert session.execute(text("SELECT count(*) FROM journal")).scalar() == 1  # seen inside
        session.rollback()
    assert entries(database) == []


def test_the_engine_statement_events_see_every_statement(database):
    seen: list[tuple[str, bool]] = []

    def record(_conn, _cursor, statement, _parameters, _context, executemany):
        seen.append((" ".join(statement.split()).split(" ")[0].upper(), executemany))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.write() as session:
            batch = StatementBatch()
            batch.executemany(insert(JOURNAL), [{"workspace_id": "hr", "revision": r, "changes": None} for r in (3, 4)])
            batch.execute(COUNT, {"ws": "hr"})
            batch.send(session, commit=True)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert [kind for kind in seen if kind[0] in ("INSERT", "SELECT")] == [("INSERT", True), ("SELECT", False)]


def test_a_failing_statement_raises_sqlalchemys_error_and_commits_nothing(database):
    row = {"workspace_id": "hr", "revision": 4, "changes": None}
    with database.write() as session:
        batch = StatementBatch()
        batch.executemany(insert(JOURNAL), [row])
        batch.executemany(insert(JOURNAL), [row])  # the same primary key again
        with pytest.raises(IntegrityError) as raised:
            batch.send(session, commit=True)
        assert "INSERT INTO journal" in str(raised.value.statement)  # the message names what ran
        session.rollback()
    assert entries(database) == []
    with database.write() as session:  # the connection is usable again
        batch = StatementBatch()
        batch.executemany(insert(JOURNAL), [row])
        batch.send(session, commit=True)
    assert entries(database) == [(4, None)]


def test_a_dropped_connection_is_invalidated(database, backend):
    if backend != "postgres":
        pytest.skip("PostgreSQL only: SQLite has no connection to drop")
    with database.write() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with database.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        batch = StatementBatch()
        batch.execute(COUNT, {"ws": "hr"})
        with pytest.raises(DBAPIError) as raised:
            batch.send(session)
        assert raised.value.connection_invalidated
    with database.write() as session:  # the pool hands out a live connection next
        batch = StatementBatch()
        counted = batch.execute(COUNT, {"ws": "hr"})
        batch.send(session)
        assert counted.scalar() == 0


def test_results_are_there_only_once_the_batch_is_sent():
    result = StatementBatch().execute(select(column("n")).select_from(table("numbers")))
    with pytest.raises(RuntimeError, match="not been sent"):
        result.all()


def test_statements_a_batch_cannot_send_whole_are_refused(database, backend):
    if backend != "postgres":
        pytest.skip("the statements are compiled only for PostgreSQL's pipeline")
    expanding = select(JOURNAL.c.revision).where(JOURNAL.c.revision.in_(bindparam("revisions", expanding=True)))
    with database.write() as session:
        batch = StatementBatch()
        batch.execute(expanding, {"revisions": [1, 2]})
        with pytest.raises(ValueError, match="IN lists"):
            batch.send(session)
