"""Engine and sessions. SQLite by default (a file in the data dir), PostgreSQL by URL.

SQLite runs in WAL mode, so readers never wait for the writer; a write transaction opens with
``BEGIN IMMEDIATE``, which takes the write lock up front: with a deferred ``BEGIN`` two
read-modify-write transactions can both read, and the second to write then fails with "database
is locked" instead of waiting. pysqlite's own transaction handling is switched off so that the
``begin`` event decides what is emitted (the recipe in SQLAlchemy's SQLite dialect docs).
Writers queue fairly (``core/write_queue.py``): in each process one at a time, in arrival order,
tries ``BEGIN IMMEDIATE`` every ``_WRITE_POLL_S`` until ``sqlite_busy_timeout_ms`` has passed since
it arrived, instead of SQLite's busy handler, whose growing sleeps let newcomers overtake it; and
a process that writes back to back leaves the other processes' writers a turn (``HandOver``).

On PostgreSQL a writer locks the workspace row (``SELECT ... FOR UPDATE``, see ``services/workspace.py``);
readers use REPEATABLE READ so that a chain rebuilt from several queries is one consistent state.
Every connection has ``lock_timeout`` set (``postgres_lock_timeout_ms``), so a writer queued
behind a long one gives up with LockNotAvailable, which the API answers with 503 and Retry-After,
the same as SQLite's "database is locked" after ``busy_timeout``; without it the request would
hang for as long as the lock is held.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session

from obligraph.app.core.json_encoding import column_json, column_value
from obligraph.app.core.settings import Settings
from obligraph.app.core.write_queue import FairLock, HandOver, WriteQueueTimeout

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
_WRITE = "obligraph_write"
_REVISION_SQL = "SELECT uid, revision FROM workspaces WHERE id = {} AND deleted_at IS NULL"
_REVISION_SQLITE = _REVISION_SQL.format("?")
_REVISION_PSYCOPG = _REVISION_SQL.format("%s")
# Any constant works; it only has to be the same in every process that migrates this database.
_MIGRATION_LOCK = 0x6F626C67
_WRITE_DEADLINE = "obligraph_write_deadline"
# Short against a write transaction (a few milliseconds), long against the cost of one try.
_WRITE_POLL_S = 0.002


class Database:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.url = make_url(settings.database_url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._sqlite_engine() if self.is_sqlite else self._server_engine()
        self._writer = self.engine.execution_options(**{_WRITE: True})
        # The revision probe (see revision_of): one kept SQLite connection, or a PostgreSQL pool of its own.
        self._probe: PoolProxiedConnection | None = None
        self._probe_lock = threading.Lock()
        self._write_queue = FairLock()
        self._hand_over = HandOver(_WRITE_POLL_S)
        if self.is_sqlite:
            self._reader = self.engine
        else:
            self._reader = self.engine.execution_options(isolation_level="REPEATABLE READ")
            self._probe_engine = create_engine(
                self.url, pool_size=settings.db_pool_size, max_overflow=0, isolation_level="AUTOCOMMIT"
            )

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def _sqlite_engine(self) -> Engine:
        database = self.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        busy_ms = self.settings.sqlite_busy_timeout_ms
        engine = create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": busy_ms / 1000},
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_pool_size,
            json_serializer=column_json,
            json_deserializer=column_value,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode=WAL",
                f"busy_timeout={busy_ms}",
                "foreign_keys=ON",
                "synchronous=NORMAL",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection) -> None:
            options = connection.get_execution_options()
            if options.get(_WRITE, False):
                deadline = options.get(_WRITE_DEADLINE) or time.monotonic() + busy_ms / 1000  # migrate() has none
                _begin_immediate(connection, deadline, busy_ms, self._hand_over)
            else:
                connection.exec_driver_sql("BEGIN")

        return engine

    def _server_engine(self) -> Engine:
        engine = create_engine(
            self.url,
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_pool_size,
            pool_pre_ping=True,
            json_serializer=column_json,
            json_deserializer=column_value,
        )
        lock_timeout_ms = int(self.settings.postgres_lock_timeout_ms)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:
            # Per session rather than SET LOCAL per transaction: no extra round trip on every write.
            # The URL's own ``options`` (a search_path, say) are left as they are.
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {lock_timeout_ms}")
            dbapi_connection.commit()

        return engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self._reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction; commit it explicitly, anything else rolls back.

        On SQLite the caller first waits its turn in this process's queue of writers; waiting
        longer than ``sqlite_busy_timeout_ms`` in all raises "database is locked" (a 503).
        """
        if not self.is_sqlite:
            with Session(self._writer, expire_on_commit=False) as session:
                yield session
            return
        deadline = time.monotonic() + self.settings.sqlite_busy_timeout_ms / 1000
        try:
            self._write_queue.acquire(deadline)
        except WriteQueueTimeout as exc:
            raise lock_wait_timed_out(str(exc)) from None
        try:
            self._hand_over.before_write()
            writer = self._writer.execution_options(**{_WRITE_DEADLINE: deadline})
            with Session(writer, expire_on_commit=False) as session:
                yield session
        finally:
            self._hand_over.released()
            self._write_queue.release()

    def migrate(self) -> bool:
        """Upgrade the schema to the newest revision; True when the database was empty before."""
        with self._writer.begin() as connection:
            if not self.is_sqlite:
                # Several hosts may start at once; the first migrates, the others wait and find nothing to do.
                # lock_timeout covers advisory locks too: waiting out another host's migration is expected.
                connection.execute(text("SET LOCAL lock_timeout = 0"))
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            before = MigrationContext.configure(connection).get_current_revision()
            command.upgrade(alembic_config(connection), "head")
        return before is None

    def revision_of(self, ws_id: str) -> tuple[str, int] | None:
        """``(uid, revision)`` of a workspace: the check in front of every cached read.

        It runs in autocommit, with no BEGIN/ROLLBACK around it: on SQLite on one connection kept
        for this (a few microseconds, cheap enough for the event loop), on PostgreSQL on a pool of
        its own without pre-ping (one round trip). Every request makes it, so it goes to the
        driver's connection directly: through SQLAlchemy's execution it cost twice the CPU.
        """
        if self.is_sqlite:
            with self._probe_lock:
                if self._probe is None:
                    self._probe = self.engine.raw_connection()
                # SQLAlchemy types the driver's own connection as Any; on this engine it is sqlite3's.
                driver = cast(sqlite3.Connection, self._probe.driver_connection)
                # fetchall runs the statement to its end, which ends SQLite's implicit read transaction.
                rows = driver.execute(_REVISION_SQLITE, (ws_id,)).fetchall()
            return (rows[0][0], rows[0][1]) if rows else None
        try:
            return self._probe_revision(ws_id)
        except DBAPIError as exc:
            # This pool has no pre-ping (it would double the round trips): retry once on a dropped connection.
            if not exc.connection_invalidated:
                raise
            return self._probe_revision(ws_id)

    def _probe_revision(self, ws_id: str) -> tuple[str, int] | None:
        dialect = self._probe_engine.dialect
        connection = self._probe_engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(_REVISION_PSYCOPG, (ws_id,))
            rows = cursor.fetchall()
            cursor.close()
        except dialect.loaded_dbapi.Error as exc:
            invalidated = dialect.is_disconnect(exc, connection.driver_connection, None)
            if invalidated:
                connection.invalidate(exc)
            raise DBAPIError.instance(
                _REVISION_PSYCOPG, (ws_id,), exc, dialect.loaded_dbapi.Error, connection_invalidated=invalidated
            ) from exc
        finally:
            connection.close()  # back to the pool (or gone, when invalidated)
        return (rows[0][0], rows[0][1]) if rows else None

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
                self._probe = None
        if not self.is_sqlite:
            self._probe_engine.dispose()
        self.engine.dispose()


def _begin_immediate(connection: Connection, deadline: float, busy_ms: int, hand_over: HandOver) -> None:
    """``BEGIN IMMEDIATE``, retried every ``_WRITE_POLL_S`` while another process writes, until ``deadline``.

    The attempts go to sqlite3 directly: a refused one through SQLAlchemy costs a wrapped
    exception and its traceback, and the waiting writers of every process poll hundreds of times a
    second under load.
    """
    # The driver's own connection (SQLAlchemy types it as Any); on this engine it is sqlite3's.
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    driver.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                hand_over.contended()
                if time.monotonic() >= deadline:
                    raise lock_wait_timed_out(str(exc)) from None
                time.sleep(_WRITE_POLL_S)
    finally:
        driver.execute(f"PRAGMA busy_timeout={busy_ms}")


def lock_wait_timed_out(detail: str) -> OperationalError:
    """The error SQLite gives when its write lock is not granted in time, which the API answers with 503."""
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(f"database is locked ({detail})"))


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config
