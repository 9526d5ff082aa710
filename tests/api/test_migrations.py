"""Schema migrations and the database settings that keep writers safe."""

import json
from datetime import date, datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import event, inspect, text
from sqlmodel import SQLModel

from obligraph.app.core.db import Database, alembic_config
from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_database_made_at_the_first_revision_upgrades_in_place(fresh_database_url, tmp_path):
    settings = Settings(database_url=fresh_database_url, data_dir=tmp_path)
    database = Database(settings)
    with database.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    with database.engine.begin() as connection:
        assert "snapshots" not in inspect(connection).get_table_names()
        connection.execute(
            text(
                "INSERT INTO workspaces (id, uid, name, catalog, revision, created_at, updated_at, controls)"
                " VALUES ('old', 'u1', 'Old', 'meti-2011', 3, :at, :at, :controls)"
            ),
            {"at": datetime(2024, 1, 1, tzinfo=timezone.utc), "controls": '["10.5.1"]'},
        )
        connection.execute(
            text(
                "INSERT INTO nodes (workspace_id, node_id, position, layer) VALUES"
                " ('old', 'iaas', 0, 'iaas'), ('old', 'app', 1, 'saas')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO edges (workspace_id, provider, consumer, position, responsibility)"
                " VALUES ('old', 'iaas', 'app', 0, '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO declarations (workspace_id, node_id, control, position, status)"
                " VALUES ('old', 'app', '10.5.1', 0, 'declared')"
            )
        )
    assert database.migrate() is False  # it was not empty
    with database.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
        assert {"snapshots", "api_tokens"} <= set(inspect(connection).get_table_names())
    database.dispose()

    app = create_app(settings)
    with TestClient(app) as client:
        body = client.get("/api/v1/workspaces/old/gaps", params={"as_of": "2026-01-01"}).json()
        assert body["revision"] == 3 and [(g["node"], g["kind"]) for g in body["gaps"]] == [
            ("iaas", "origin"),
            ("app", "inherited"),
        ]


def test_a_new_database_reports_itself_empty_once(fresh_database_url, tmp_path):
    database = Database(Settings(database_url=fresh_database_url, data_dir=tmp_path))
    assert database.migrate() is True
    assert database.migrate() is False
    database.dispose()


def test_the_migrations_build_exactly_the_models(app):
    with app.state.service.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_sqlite_connection_settings(app, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only")
    with app.state.service.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            == app.state.service.settings.sqlite_busy_timeout_ms
        )


def test_writes_take_the_lock_up_front(app, client, backend):
    """SQLite: a write transaction starts with BEGIN IMMEDIATE, a read with a plain BEGIN.
    PostgreSQL: a write locks the workspace row before it reads anything else."""
    statements: list[str] = []
    engine = app.state.service.db.engine

    def record_statement(statement: str) -> None:
        statements.append(" ".join(statement.split()).upper())

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args):
        if backend != "sqlite":
            record_statement(statement)

    # On SQLite the write lock is taken on the driver's connection directly: sqlite3 reports
    # every statement it runs, whoever sends it.
    @event.listens_for(engine, "checkout")
    def trace(dbapi_connection, *_args):
        if backend == "sqlite":
            dbapi_connection.set_trace_callback(record_statement)

    client.post("/api/v1/workspaces", json={"id": "lock", "name": "lock"})
    # A write first loads a missing or stale chain in a read of its own (Service._refresh_chain);
    # with the chain cached, the request's first statement is its write transaction's.
    client.get("/api/v1/workspaces/lock/gaps")
    statements.clear()
    client.post("/api/v1/workspaces/lock/nodes", json={"id": "a", "layer": "iaas"})
    if backend == "sqlite":
        # The writer polls for the lock itself (core/db.py), with SQLite's busy handler off meanwhile.
        # (The revision probe before it runs outside any transaction, on a connection of its own.)
        transaction = [s for s in statements if not s.startswith("SELECT UID, REVISION FROM WORKSPACES")]
        assert transaction[:3] == ["PRAGMA BUSY_TIMEOUT=0", "BEGIN IMMEDIATE", "PRAGMA BUSY_TIMEOUT=10000"]
    else:
        assert statements[0].startswith("SELECT") and statements[0].endswith("FOR UPDATE")
    statements.clear()
    client.get("/api/v1/workspaces/lock/nodes")
    if backend == "sqlite":
        assert statements[0] == "BEGIN"
    assert not any("FOR UPDATE" in s for s in statements)
    event.remove(engine, "before_cursor_execute", record)
    event.remove(engine, "checkout", trace)


def _node_with_declarations_at_0006(connection) -> None:
    connection.execute(
        text(
            "INSERT INTO workspaces (id, uid, name, catalog, revision, created_at, updated_at)"
            " VALUES ('w', 'u6', 'W', 'meti-2011', 1, :at, :at), ('v', 'u7', 'V', 'meti-2011', 1, :at, :at)"
        ),
        {"at": datetime(2026, 1, 1, tzinfo=timezone.utc)},
    )
    connection.execute(
        text(
            "INSERT INTO nodes (workspace_id, node_id, position, layer) VALUES"
            " ('w', 'iaas', 0, 'iaas'), ('w', 'app', 1, 'saas'), ('v', 'iaas', 0, 'iaas')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO edges (workspace_id, provider, consumer, position, responsibility)"
            " VALUES ('w', 'iaas', 'app', 0, '{}')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO declarations (workspace_id, node_id, control, position, status, assigns, notes) VALUES"
            " ('w', 'iaas', '10.5.1', 1, 'verified', NULL, 'daily'),"
            " ('w', 'iaas', '11.2.1', 0, 'declared', 'consumer', NULL),"
            " ('v', 'iaas', '10.5.1', 0, 'unknown', NULL, NULL)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO evidence (workspace_id, node_id, control, position, kind, ref, issued, expires,"
            " independence, scope) VALUES"
            " ('w', 'iaas', '10.5.1', 1, 'audit_report', 'SOC 2', :issued, NULL, 'first_party', NULL),"
            " ('w', 'iaas', '10.5.1', 0, 'certification', 'ISO 27001', NULL, :expires, NULL, :scope)"
        ),
        {"issued": date(2026, 2, 1), "expires": date(2028, 3, 31), "scope": '["10.5.1"]'},
    )


STORED_0006 = {
    ("v", "iaas"): [{"control": "10.5.1", "status": "unknown"}],
    ("w", "iaas"): [
        {"control": "11.2.1", "status": "declared", "assigns": "consumer"},
        {
            "control": "10.5.1",
            "status": "verified",
            "evidence": [
                {"kind": "certification", "ref": "ISO 27001", "expires": "2028-03-31", "scope": ["10.5.1"]},
                {"kind": "audit_report", "ref": "SOC 2", "issued": "2026-02-01", "independence": "first_party"},
            ],
            "notes": "daily",
        },
    ],
    ("w", "app"): [],
}


def test_declarations_and_evidence_move_into_their_node_and_back(fresh_database_url, tmp_path):
    """0007 folds the declaration and evidence rows into each node's list, in their stored order,
    and its downgrade gives the same rows back; the edges stay through 0008 and back."""
    database = Database(Settings(database_url=fresh_database_url, data_dir=tmp_path))
    with database.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        _node_with_declarations_at_0006(connection)
        before = [
            connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4")).all()
            for table in ("declarations", "evidence")
        ]
    with database.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        assert connection.execute(text("SELECT provider, consumer FROM edges")).all() == [("iaas", "app")]
        tables = set(inspect(connection).get_table_names())
        assert not {"declarations", "evidence"} & tables
        stored = {
            (row.workspace_id, row.node_id): (
                json.loads(row.declarations) if isinstance(row.declarations, str) else row.declarations
            )
            for row in connection.execute(text("SELECT workspace_id, node_id, declarations FROM nodes"))
        }
        assert stored == STORED_0006
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
        after = [
            connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4")).all()
            for table in ("declarations", "evidence")
        ]
        assert "declarations" not in {column["name"] for column in inspect(connection).get_columns("nodes")}
        assert connection.execute(text("SELECT provider, consumer FROM edges")).all() == [("iaas", "app")]
        assert {key["referred_table"] for key in inspect(connection).get_foreign_keys("edges")} == {"nodes"}
    # Positions come back numbered from 0 in list order: the same here, as they were numbered so.
    assert after == before
    database.dispose()
