"""Consistent reads and serialised writes of one workspace, with the caches kept in step.

``Service.view(ws)`` yields a ``View``: the stored workspace row and its chain at one revision,
valid while the ``with`` block runs. ``Service.edit(ws)`` yields an ``Edit``: a write
transaction holding the workspace's lock (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR
UPDATE`` on PostgreSQL) and the chain at the locked revision; leaving the block bumps the
revision and stores the write's change-journal entry in the same transaction, which commits
before the block returns. Writes of a workspace that queue in this process while another holds
its lock share that transaction and its one commit (``write_group.py``); the rows of most writes
wait as pending rows for the group to send them together (``repository/pending_rows.py``).

A worker whose cached chain is older than the stored revision replays the journal entries since
on a fork of it, and reloads the rows only when the journal does not reach back far enough or
holds a reload marker (docs/architecture.md, "Change journal").
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date
from typing import Any, Callable, Generator, Iterator

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlmodel import Session

from obligraph.app.core.cache import Cache
from obligraph.app.core.db import Database, lock_wait_timed_out
from obligraph.app.core.exceptions import NotFound
from obligraph.app.core.json_encoding import dump_json
from obligraph.app.core.settings import Settings
from obligraph.app.core.statement_batch import BatchResult, StatementBatch
from obligraph.app.models import Workspace, utcnow
from obligraph.app.repository import journal_rows, store, workspace_rows
from obligraph.app.repository.pending_rows import PendingRows
from obligraph.app.repository.rows import insert_chain
from obligraph.app.repository.workspace_rows import WORKSPACE_COLUMNS
from obligraph.app.services import journal
from obligraph.app.services.write_group import WriteGroup, WriteGroups
from obligraph.graph.analysis import Analysis
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError

log = logging.getLogger(__name__)


class View:
    """A workspace and its chain at one committed revision, for reading (never edit either)."""

    def __init__(self, service: "Service", workspace: Workspace, revision: int, chain: Chain):
        self.service = service
        self.workspace = workspace
        self.revision = revision
        self.chain = chain

    def analysis(
        self,
        requirement: str | None = None,
        as_of: date | None = None,
        controls: tuple[str, ...] | None = None,
        cloud_guidance_only: bool = False,
    ) -> Analysis:
        if cloud_guidance_only:
            controls = tuple(self.chain.analysed_controls(controls, cloud_guidance_only=True))
        # "today" is part of the key, so a default-date analysis does not outlive its day.
        day = as_of or date.today()
        key = (self.workspace.uid, self.revision, requirement, day, controls)
        return self.service.cache.analyses.get_or_compute(
            key,
            lambda: self.service.cache.incremental.analyze(
                self.chain, requirement=requirement, as_of=day, controls=controls
            ),
        )

    def cached_json(self, key: tuple, compute: Callable[[], Any]) -> bytes:
        """A rendered JSON body, cached for this revision (``key`` must hold every parameter)."""
        full_key = (self.workspace.uid, self.revision, *key)
        return self.service.cache.responses.get_or_compute(full_key, lambda: dump_json(compute()))

    def require_node(self, node_id: str) -> None:
        if node_id not in self.chain:
            raise NotFound(f"workspace '{self.workspace.id}' has no node '{node_id}'")


class Edit:
    """One write of a workspace: the locked row, its chain, and what the write changes in it.

    ``chain`` is the cached chain until the first change, then a fork of it (``Chain.fork``)
    that only this write sees; the fork becomes the cached chain when the write commits, so
    readers never wait for the edit and a failed write leaves nothing to undo.
    """

    def __init__(self, session: Session, workspace: Workspace, chain: Chain | None, group: WriteGroup):
        self._session = session
        self._group = group
        #: This write's savepoint, opened when it first writes through ``session``.
        self.savepoint: Any = None
        #: Rows this write adds or rewrites without a statement of its own (``pending_rows.py``).
        self.rows = PendingRows(workspace.id)
        self.workspace = workspace
        self._base = chain
        self._fork: Chain | None = None
        self.changed_chain = False
        self.cancelled = False
        self.failed = False
        # What the change journal stores for this write; None: only a reload reproduces it.
        self.journal: list[journal.Change] | None = []
        self._before_commit: list[Callable[[Workspace], None]] = []

    @property
    def session(self) -> Session:
        """The group's transaction, for statements of this write's own, inside a savepoint of its own.

        The first use sends the rows that the group's earlier writes left pending (they come first)
        and opens the savepoint, so that this write can fail alone; its own pending rows go in the
        savepoint too. A write that only reads (``reader``) and leaves ``rows`` needs neither.
        """
        if self.savepoint is None:
            self._group.rows.send(self._session)
            self._group.positions.forget()
            self.savepoint = self._session.begin_nested()
            self.rows.send(self._session)
        return self._session

    @property
    def reader(self) -> Session:
        """The group's transaction, for reads of this write's own: no savepoint, nothing sent first.
        The rows the group's writes left pending are not in it yet (``pending``)."""
        return self._session

    def pending(self) -> list[PendingRows]:
        """The rows pending in this transaction: this write's, then its group's earlier writes'."""
        return [self.rows, self._group.rows]

    def next_position(self, table: Any) -> int:
        """The position of one new row of ``table`` (``store.NODES`` or ``store.EDGES``), in document order."""
        return self._group.positions.take(self._session, table)

    @property
    def has_chain(self) -> bool:
        """False in a ``replacing`` edit until the new chain is given."""
        return self._fork is not None or self._base is not None

    @property
    def chain(self) -> Chain:
        """This write's chain: the cached one until the first change, then its fork."""
        chain = self._fork if self._fork is not None else self._base
        if chain is None:
            raise RuntimeError("this edit was opened with replacing=True: give it a chain (store_whole_chain) first")
        return chain

    def before_commit(self, callback: Callable[[Workspace], None]) -> None:
        """Run ``callback(workspace)`` after the revision bump, in this transaction, just before commit.

        For rows that must be stored with the edit and need its new revision (an import's idempotency key).
        """
        self._before_commit.append(callback)

    def cancel(self) -> None:
        """Leave the block without writing: the transaction rolls back and the revision stays."""
        self.cancelled = True

    def change(self, change: journal.Change | None, *, run: Callable[[Chain], Any] | None = None) -> Any:
        """Make one journaled edit (``services/journal.py``) on this write's chain.

        ``run`` makes it instead of ``apply_change`` when the caller has more at hand (a merge's checked
        document); ``change`` None: the edit is too large to journal, other workers will reload.
        """
        if run is None:
            if change is None:
                raise ValueError("an edit that is not journaled needs run")
            entry = change

            def run(chain: Chain) -> Any:
                return journal.apply_change(chain, entry)

        result = self.apply(run, journaled=change is not None)
        if change is not None and self.journal is not None:
            self.journal.append(change)
        return result

    def apply(self, change: Callable[[Chain], Any], *, journaled: bool = False) -> Any:
        """Run ``change`` on this write's chain; unless ``journaled``, other workers reload after this write."""
        if self._base is None:
            raise RuntimeError("a replacing edit has no chain to change; call replace_chain")
        if self._fork is None:
            self._fork = self._base.fork()
        if not journaled:
            self.journal = None
        try:
            result = change(self._fork)
        except BaseException:
            # A merge may have stopped halfway, so the fork no longer matches the journal or the rows.
            self.failed = True
            raise
        self.changed_chain = True
        return result

    def replace_chain(self, chain: Chain) -> None:
        self._fork = chain
        self.changed_chain = True
        self.journal = None

    def store_whole_chain(self, chain: Chain, *, keep_name: bool = False) -> None:
        """Make ``chain`` the workspace's whole state: its rows and its document-level settings.

        ``keep_name``: the workspace keeps its name (the chain takes it), for imports that replace the content.
        """
        if keep_name:
            chain.name = self.workspace.name
        self.replace_chain(chain)
        self.rewrite_rows()

    def rewrite_rows(self) -> None:
        """Store this write's chain as all new rows and settings; what the journal holds stays as it is
        (a large merge rewrites everything, which is cheaper than row-by-row, yet journals the merge)."""
        chain = self.chain
        if chain is None:
            raise RuntimeError("there is no chain to store")
        store.delete_chain(self.session, self.workspace.id)
        insert_chain(self.session, self.workspace.id, chain)
        workspace = self.workspace
        workspace.name = chain.name
        workspace.description = chain.description
        workspace.catalog = chain.catalog.id
        workspace.requirement = chain.requirement.value if chain.requirement else None
        workspace.controls = list(chain.controls) if chain.controls is not None else None


class Service:
    def __init__(self, settings: Settings, database: Database | None = None):
        self.settings = settings
        self.db = database or Database(settings)
        self.cache = Cache(settings.chain_cache_size, settings.analysis_cache_size, settings.response_cache_bytes)
        self.groups = WriteGroups(settings.write_group_limit)

    def workspace(self, session: Session, ws_id: str, *, lock: bool = False) -> Workspace:
        workspace = workspace_rows.find_workspace(session, ws_id, lock=lock)
        if workspace is None:
            raise NotFound(f"there is no workspace '{ws_id}'; create it with POST /api/v1/workspaces")
        return workspace

    def respond(self, ws_id: str, key: tuple, compute: Callable[[View], Any]) -> bytes:
        """A JSON body for ``key`` at the workspace's current revision, rendered once per revision.

        The hot path is one primary-key lookup of the revision (the check that keeps workers
        consistent) and a dictionary hit; only a miss loads the workspace and renders.
        """
        found = self.db.revision_of(ws_id)
        body = self._response_at(found, key)
        if body is not None:
            return body
        with self.view_at(ws_id, found) as view:
            return view.cached_json(key, lambda: compute(view))

    def cached_response(self, ws_id: str, key: tuple) -> bytes | None:
        return self._response_at(self.db.revision_of(ws_id), key)

    def _response_at(self, found: tuple[str, int] | None, key: tuple) -> bytes | None:
        """The body cached for ``key`` at ``found``, the workspace's ``(uid, revision)`` (None: no workspace)."""
        return self.cache.responses.get((*found, *key)) if found else None

    async def respond_async(self, ws_id: str, key: tuple, compute: Callable[[View], Any]) -> bytes:
        """``respond`` for async routes: a cache hit on SQLite is answered on the event loop, the
        rest (PostgreSQL's network round trip, rendering) runs in the thread pool."""
        if self.db.is_sqlite:
            body = self.cached_response(ws_id, key)
            if body is not None:
                return body
        return await run_in_threadpool(self.respond, ws_id, key, compute)

    @contextmanager
    def view(self, ws_id: str) -> Iterator[View]:
        """The workspace ``ws_id`` and its chain at the latest committed revision this process knows.

        When the chain and the workspace row cached in this process are as new as the stored
        revision, no transaction is opened: the revision probe is the one round trip. Otherwise
        a read transaction loads the row and catches the chain up.
        """
        with self.view_at(ws_id, self.db.revision_of(ws_id)) as view:
            yield view

    @contextmanager
    def view_at(self, ws_id: str, found: tuple[str, int] | None) -> Iterator[View]:
        """``view``, given the workspace's ``(uid, revision)`` as ``Database.revision_of`` read it just now."""
        cached = self._cached_view(*found) if found is not None else None
        if cached is not None:
            yield cached
            return
        with self.db.read() as session:
            workspace = self.workspace(session, ws_id)
            self.cache.put_workspace(workspace.uid, workspace.revision, workspace)
            revision, chain = self._chain_for_read(session, workspace)
            yield View(self, workspace, revision, chain)

    def _cached_view(self, uid: str, revision: int) -> View | None:
        """The view from this process's caches when they hold revision ``revision`` or a newer one."""
        cached = self.cache.chain(uid)
        if cached is None or cached[0] < revision:
            return None
        workspace = self.cache.workspace(uid, cached[0])
        return View(self, workspace, *cached) if workspace is not None else None

    def _chain_for_read(self, session: Session, workspace: Workspace) -> tuple[int, Chain]:
        cached = self.cache.chain(workspace.uid)
        # A newer cached revision than this transaction saw is committed state too: serve it.
        if cached is not None and cached[0] >= workspace.revision:
            return cached
        with self.cache.builder(workspace.uid):
            cached = self.cache.chain(workspace.uid)
            if cached is not None and cached[0] >= workspace.revision:
                return cached
            chain = self._current_chain(session, workspace, cached)
            self.cache.put_chain(workspace.uid, workspace.revision, chain)
            return workspace.revision, chain

    def _current_chain(
        self,
        session: Session,
        workspace: Workspace,
        cached: tuple[int, Chain] | None,
        read: BatchResult | None = None,
    ) -> Chain:
        """The chain at ``workspace.revision``: the cached one with the journal's entries since replayed
        on a fork of it, or, when the journal does not reach back that far or holds a reload, loaded.

        ``read``: the journal's entries after some revision, read already; they serve when they
        reach back to the cached one's.
        """
        if cached is not None and cached[0] == workspace.revision:
            return cached[1]
        if cached is not None and workspace.revision - cached[0] <= self.settings.journal_keep:
            entries = journal_rows.entries(read, cached[0], workspace.revision) if read is not None else None
            if entries is None:
                entries = journal_rows.changes_after(session, workspace.id, cached[0], workspace.revision)
            if entries is not None and all(changes is not None for changes in entries):
                chain = cached[1].fork()
                try:
                    for changes in entries:
                        for change in changes or ():
                            journal.apply_change(chain, change)
                    return chain
                except ChainError as exc:  # a journal that does not fit the chain: the rows are the truth
                    log.warning("workspace '%s': replaying the journal failed (%s); reloading", workspace.id, exc)
        return store.load_chain(session, workspace)

    @contextmanager
    def edit(self, ws_id: str, *, replacing: bool = False) -> Iterator[Edit]:
        """One write of workspace ``ws_id``, committed when the block ends (``services/write_group.py``:
        writes that queue behind it in this process may share its transaction and its commit).

        ``replacing``: the caller brings a whole new chain, so the stored one is not loaded.
        """
        group, turn = self.groups.join(ws_id, alone=replacing)
        if turn is None:
            yield from self._lead(group)
            return
        if not turn.called.wait(self._lock_wait_s()) and self.groups.leave(group, turn):
            raise lock_wait_timed_out(f"no turn to write workspace '{ws_id}' within the lock timeout")
        turn.called.wait()
        if turn.error is not None:
            raise turn.error
        try:
            stored = yield from self._take_turn(group)
        finally:
            turn.finished.set()
        if stored:
            group.ended.wait()
            if group.error is not None:
                raise group.error

    def _lead(self, group: WriteGroup) -> Iterator[Edit]:
        """Open the transaction, make this write, then let the writes that joined make theirs; commit once."""
        ws_id = group.ws_id
        known = None if group.alone else self._refresh_chain(ws_id)
        own_error: BaseException | None = None
        try:
            with self.db.write() as session:
                # One round trip: the lock, then (once it is granted) what the group needs under it.
                start = StatementBatch()
                locked = workspace_rows.read_locked_row(start, ws_id)
                after = self.cache.chain(known[0]) if known is not None else None
                journal_read = journal_rows.read_changes_after(start, ws_id, after[0]) if after is not None else None
                group.positions.read_in(start)
                start.send(session)
                row = locked.first()
                if row is None:
                    raise NotFound(f"there is no workspace '{ws_id}'; create it with POST /api/v1/workspaces")
                group.session, group.row, group.locked_row = session, row, row
                if not group.alone:
                    # Up to date already unless a write landed since _refresh_chain; then this catches up.
                    read = journal_read if known is not None and row["uid"] == known[0] else None
                    group.chain = self._current_chain(session, _detached(row), self.cache.chain(row["uid"]), read)
                try:
                    yield from self._take_turn(group)
                except BaseException as exc:  # this write's own failure; the others' writes go on
                    own_error = exc
                while (turn := self.groups.next_turn(group)) is not None:
                    turn.called.set()
                    turn.finished.wait()
                if group.stored:
                    # One round trip again: the pending rows, the revisions, the commit.
                    end = StatementBatch()
                    group.rows.queue(end)
                    self._store_revisions(group, end)
                    end.send(session, commit=True)
                else:
                    session.rollback()
        except BaseException as exc:
            group.error = exc
        finally:
            for waiting in self.groups.disband(group):
                waiting.error = group.error
                waiting.called.set()
            if group.error is None and group.stored:
                uid, revision = group.row["uid"], group.row["revision"]
                self.cache.put_workspace(uid, revision, _detached(group.row))
                if group.chain is not None:
                    self.cache.put_chain(uid, revision, group.chain)
                self.cache.advance(uid, revision)
            group.ended.set()
        if own_error is not None:
            raise own_error
        if group.error is not None:
            raise group.error

    def _take_turn(self, group: WriteGroup) -> Generator[Edit, None, bool]:
        """One write of ``group`` in its transaction; True when it stored a new revision.

        A write's statements run in a savepoint of its own (``Edit.session``), so that it can fail
        alone; the rows it only leaves pending (``Edit.rows``) join the group's once it has ended well.
        """
        before = group.row
        workspace = _detached(before)
        edit = Edit(group.session, workspace, group.chain, group)
        if group.alone:
            edit.journal = None  # whatever it stores, other workers reload it
        try:
            yield edit
            if edit.cancelled and not edit.changed_chain:
                if edit.savepoint is not None:
                    edit.savepoint.rollback()
                return False
            if edit.cancelled:
                raise RuntimeError("an edit that changed the chain cannot be cancelled")
            if edit.failed:
                raise RuntimeError("a chain edit of this write failed; the write cannot be committed")
            workspace.revision = before["revision"] + 1
            workspace.updated_at = utcnow()
            after = {name: getattr(workspace, name) for name in WORKSPACE_COLUMNS}
            for callback in edit._before_commit:
                callback(workspace)
            if edit.savepoint is not None:
                edit.rows.send(group.session)
                edit.savepoint.commit()
        except BaseException:
            if edit.savepoint is not None and edit.savepoint.is_active:
                edit.savepoint.rollback()
            raise
        group.rows.extend(edit.rows)
        group.row = after
        group.journal.append((workspace.revision, edit.journal))
        if edit.has_chain:
            group.chain = edit.chain
        return True

    def _store_revisions(self, group: WriteGroup, batch: StatementBatch) -> None:
        """The workspace row as the group's last stored write left it, and one journal row per
        stored write, into ``batch``, which the group sends with its commit.

        Once per group rather than once per write: on PostgreSQL each statement is a round trip,
        and under load a write waited as long for those as for its own statements.
        """
        before, after = group.locked_row, group.row
        changed = {name: value for name, value in after.items() if value != before[name]}
        workspace_rows.update_workspace_row(batch, group.ws_id, changed)
        journal_rows.append_all(batch, group.ws_id, group.journal)
        journal_rows.prune(batch, group.ws_id, self.settings.journal_keep, [r for r, _ in group.journal])

    def _lock_wait_s(self) -> float | None:
        """How long a write may wait for the workspace's lock (None: for ever)."""
        if self.db.is_sqlite:
            return self.settings.sqlite_busy_timeout_ms / 1000
        return self.settings.postgres_lock_timeout_ms / 1000 or None

    def _refresh_chain(self, ws_id: str) -> tuple[str, int] | None:
        """Bring a stale cached chain (another worker wrote since) up to date before taking the write lock;
        the workspace's ``(uid, revision)`` as it was then (None: there is no such workspace).

        Otherwise that happens with the workspace locked, and every other worker's writers wait
        for it. A write that lands in between is still caught up with under the lock.
        """
        found = self.db.revision_of(ws_id)
        if found is None:
            return None  # the edit itself says the workspace does not exist
        uid, revision = found
        cached = self.cache.chain(uid)
        if cached is None or cached[0] < revision:
            with self.view_at(ws_id, found):
                pass
        return found

    def close(self) -> None:
        self.db.dispose()


def _detached(row: dict[str, Any]) -> Workspace:
    """A workspace object of its own for one write, outside the session (the row is written with Core).

    The values come from the stored row or from a write's own object, valid already: built without
    the model's validation (a tenth of the 0.1 ms that ``Workspace(**row)`` took, three times per write),
    then given the instance state SQLAlchemy's attributes need to be set.
    """
    values: dict[str, Any] = {name: list(value) if isinstance(value, list) else value for name, value in row.items()}
    workspace = Workspace.model_construct(**values)
    _WORKSPACE_MANAGER.setup_instance(workspace)
    return workspace


_WORKSPACE_MANAGER = manager_of_class(Workspace)
