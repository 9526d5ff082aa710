"""Group commit: writes of a workspace that queue behind another in the same process share its
transaction, each with its own revision and journal entry, and one commit; a failed write leaves nothing."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from obligraph.app.main import create_app
from obligraph.app.models import JournalRow
from obligraph.app.repository import store
from obligraph.app.repository.rows import declaration_list
from obligraph.app.services import journal
from obligraph.app.services.workspace import Service
from obligraph.graph.schema import Edge, Node, parse_declaration
from tests.strategies import CONTROLS

WS = "hr"
NODE = "hr-saas"


def declare(
    service: Service, control: str, status: str = "declared", *, fail: bool = False, direct: bool = False
) -> None:
    """One declaration write, as the declarations route makes it; ``fail``: the write raises after its row is
    written (or left pending); ``direct``: the row is written by a statement of the write's own instead."""
    declaration = parse_declaration({"control": control, "status": status})
    with service.edit(WS) as edit:
        edit.change(journal.declare(NODE, declaration))
        declarations = edit.chain.declarations(NODE).values()
        if direct:
            where = (store.NODES.c.workspace_id == WS, store.NODES.c.node_id == NODE)
            edit.session.execute(update(store.NODES).where(*where).values(declarations=declaration_list(declarations)))
        else:
            edit.rows.store_declarations(NODE, declarations)
        if fail:
            raise ValueError(f"refused {control}")


class Writers:
    """A leader write held open inside its transaction while other writes of the workspace queue behind it."""

    def __init__(self, service: Service):
        self.service = service
        self.inside = threading.Event()
        self.release = threading.Event()
        self.errors: dict[str, BaseException] = {}
        self.threads: list[threading.Thread] = []

    def _run(self, name: str, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - the test reads what each writer raised
            self.errors[name] = exc

    def start(self, name: str, write: Callable[[], None]) -> None:
        thread = threading.Thread(target=self._run, args=(name, write))
        thread.start()
        self.threads.append(thread)

    def lead(self, control: str) -> None:
        def write() -> None:
            declaration = parse_declaration({"control": control, "status": "verified"})
            with self.service.edit(WS) as edit:
                edit.change(journal.declare(NODE, declaration))
                edit.rows.store_declarations(NODE, edit.chain.declarations(NODE).values())
                self.inside.set()
                assert self.release.wait(30)

        self.start("leader", write)
        assert self.inside.wait(30)

    def enqueue(self, name: str, write: Callable[[], None]) -> None:
        """Start ``write`` and wait until it has joined the leader's group, behind the ones before it."""
        size = self.service.groups._open[WS].size
        self.start(name, write)
        self.wait_until_queued(size + 1)

    def wait_until_queued(self, size: int) -> None:
        deadline = time.monotonic() + 30
        while self.service.groups._open[WS].size < size:
            assert time.monotonic() < deadline, "the writes did not join the leader's group"
            time.sleep(0.005)

    def finish(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(30)
            assert not thread.is_alive()


def commits_of(service: Service) -> list[int]:
    counted: list[int] = []
    event.listen(service.db.engine, "commit", lambda _connection: counted.append(1))
    return counted


def stored_state(service: Service) -> tuple[int, dict]:
    with service.db.read() as session:
        workspace = service.workspace(session, WS)
        return workspace.revision, store.load_chain(session, workspace).to_dict()


def journal_entries(service: Service, after: int) -> dict[int, list | None]:
    with service.db.read() as session:
        rows = session.execute(
            select(JournalRow.revision, JournalRow.changes).where(
                JournalRow.workspace_id == WS, JournalRow.revision > after
            )
        ).all()
    return {revision: changes for revision, changes in rows}


def cached_state(service: Service) -> tuple[int, dict]:
    with service.view(WS) as view:
        return view.revision, view.chain.to_dict()


def statements_of(service: Service) -> list[str]:
    seen: list[str] = []
    event.listen(
        service.db.engine, "before_cursor_execute", lambda _c, _cursor, statement, *_: seen.append(statement.upper())
    )
    return seen


def test_queued_writes_share_the_leaders_transaction_each_with_its_revision(client, workspace):
    service = client.app.state.service
    revision_before, _ = stored_state(service)
    writers = Writers(service)
    commits = commits_of(service)
    writers.lead("5.1.1")
    for control in ("6.1.3", "9.1.1", "10.5.1"):
        writers.enqueue(control, lambda control=control: declare(service, control))
    statements = statements_of(service)
    writers.finish()

    assert writers.errors == {}
    assert len(commits) == 1
    # The workspace row and the four journal rows are written once, for the group, before its commit.
    assert sum(s.startswith("UPDATE WORKSPACES") for s in statements) == 1
    assert sum(s.startswith("INSERT INTO JOURNAL") for s in statements) == 1
    # So are the four declaration lists, by one executemany, and none of the writes needs a savepoint.
    assert sum(s.startswith("UPDATE NODES") for s in statements) == 1
    assert not any(s.startswith("SAVEPOINT") for s in statements)
    revision, stored = stored_state(service)
    assert revision == revision_before + 4
    entries = journal_entries(service, revision_before)
    assert sorted(entries) == list(range(revision_before + 1, revision + 1))
    assert [len(changes or ()) for changes in entries.values()] == [1, 1, 1, 1]
    # In arrival order: the leader first, then the writes that queued behind it.
    assert entries[revision_before + 1][0]["declaration"]["control"] == "5.1.1"
    # The chain the group leaves in the cache is the one the rows give.
    assert cached_state(service) == (revision, stored)
    node = next(n for n in stored["nodes"] if n["id"] == NODE)
    statuses = {d["control"]: d["status"] for d in node["declarations"]}
    assert statuses["5.1.1"] == "verified"
    assert {statuses[c] for c in ("6.1.3", "9.1.1", "10.5.1")} == {"declared"}


def test_a_write_that_fails_in_a_group_is_rolled_back_alone(client, workspace):
    service = client.app.state.service
    revision_before, _ = stored_state(service)
    writers = Writers(service)
    writers.lead("5.1.1")
    writers.enqueue("refused", lambda: declare(service, "6.1.3", "verified", fail=True))
    writers.enqueue("accepted", lambda: declare(service, "9.1.1"))
    writers.finish()

    assert set(writers.errors) == {"refused"}
    assert isinstance(writers.errors["refused"], ValueError)
    revision, stored = stored_state(service)
    assert revision == revision_before + 2
    assert [c[0]["declaration"]["control"] for c in journal_entries(service, revision_before).values()] == [
        "5.1.1",
        "9.1.1",
    ]
    node = next(n for n in stored["nodes"] if n["id"] == NODE)
    statuses = {d["control"]: d["status"] for d in node["declarations"]}
    assert statuses.get("6.1.3") != "verified"  # the refused write's row went with its savepoint
    assert statuses["9.1.1"] == "declared"
    assert cached_state(service) == (revision, stored)


def test_a_write_with_statements_of_its_own_fails_alone_after_the_pending_rows_before_it(client, workspace):
    service = client.app.state.service
    revision_before, _ = stored_state(service)
    writers = Writers(service)
    writers.lead("5.1.1")
    writers.enqueue("pending", lambda: declare(service, "9.1.1"))
    writers.enqueue("refused", lambda: declare(service, "6.1.3", "verified", fail=True, direct=True))
    writers.enqueue("direct", lambda: declare(service, "10.5.1", "partial", direct=True))
    writers.enqueue("last", lambda: declare(service, "12.6.1"))
    writers.finish()

    assert set(writers.errors) == {"refused"}
    revision, stored = stored_state(service)
    assert revision == revision_before + 4
    node = next(n for n in stored["nodes"] if n["id"] == NODE)
    statuses = {d["control"]: d["status"] for d in node["declarations"]}
    assert statuses.get("6.1.3") != "verified"
    assert (statuses["5.1.1"], statuses["9.1.1"], statuses["10.5.1"], statuses["12.6.1"]) == (
        "verified",
        "declared",
        "partial",
        "declared",
    )
    assert cached_state(service) == (revision, stored)


def test_pending_rows_of_new_nodes_edges_and_declarations_are_stored_in_the_order_written(client, workspace):
    service = client.app.state.service
    revision_before, stored_before = stored_state(service)

    def add_node(node_id: str) -> None:
        with service.edit(WS) as edit:
            edit.change(journal.add_node(Node(id=node_id, layer="saas")))
            edit.rows.insert_node(edit.chain.node(node_id), edit.next_position(store.NODES))

    def declare_on(node_id: str) -> None:
        with service.edit(WS) as edit:
            edit.change(journal.declare(node_id, parse_declaration({"control": "9.1.1", "status": "partial"})))
            edit.rows.store_declarations(node_id, edit.chain.declarations(node_id).values())

    def add_edge(provider: str, consumer: str) -> None:
        with service.edit(WS) as edit:
            edit.change(journal.add_edge(Edge(provider=provider, consumer=consumer)))
            edit.rows.insert_edge(edit.chain.edge(provider, consumer), edit.next_position(store.EDGES))

    writers = Writers(service)
    writers.lead("5.1.1")
    queued = [
        ("node a", lambda: add_node("a")),
        ("declare a", lambda: declare_on("a")),
        ("node b", lambda: add_node("b")),
        ("edge", lambda: add_edge(NODE, "a")),
        ("edge again", lambda: add_edge(NODE, "a")),  # refused by the chain: nothing of it is stored
        ("edge b", lambda: add_edge("a", "b")),
    ]
    for name, write in queued:
        writers.enqueue(name, write)
    writers.finish()

    assert set(writers.errors) == {"edge again"}
    revision, stored = stored_state(service)
    assert revision == revision_before + 6
    assert [n["id"] for n in stored["nodes"]] == [n["id"] for n in stored_before["nodes"]] + ["a", "b"]
    assert [(e["provider"], e["consumer"]) for e in stored["edges"]][-2:] == [(NODE, "a"), ("a", "b")]
    assert next(n for n in stored["nodes"] if n["id"] == "a")["declarations"] == [
        {"control": "9.1.1", "status": "partial"}
    ]
    assert cached_state(service) == (revision, stored)


def test_an_import_key_left_pending_in_the_group_answers_its_retry_in_the_same_group(client, workspace):
    service = client.app.state.service
    revision_before, _ = stored_state(service)
    document = {"format": "obligraph/chain@1", "name": "m", "nodes": [{"id": "m1", "layer": "saas"}]}
    headers = {"Content-Type": "application/json", "Idempotency-Key": "same"}
    answers: dict[str, object] = {}

    def send(name: str) -> None:
        response = client.post(
            f"/api/v1/workspaces/{WS}/import", params={"mode": "merge"}, json=document, headers=headers
        )
        answers[name] = response

    writers = Writers(service)
    writers.lead("5.1.1")
    writers.enqueue("first", lambda: send("first"))
    writers.enqueue("retry", lambda: send("retry"))
    writers.finish()

    first, retry = answers["first"], answers["retry"]
    assert first.status_code == retry.status_code == 200, (first.text, retry.text)
    assert "Idempotent-Replayed" not in first.headers and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    revision, stored = stored_state(service)
    assert revision == revision_before + 2  # the leader's write and one import
    assert [n["id"] for n in stored["nodes"]].count("m1") == 1


def test_a_failed_commit_fails_every_write_of_the_group_and_stores_none(client, workspace, monkeypatch):
    service = client.app.state.service
    revision_before, stored_before = stored_state(service)
    cached_before = cached_state(service)
    dialect = service.db.engine.dialect

    def refuse_commit(dbapi_connection) -> None:
        # As a full disk or a dropped connection would: the driver's commit raises, the transaction is lost.
        dialect.do_rollback(dbapi_connection)
        raise dialect.loaded_dbapi.OperationalError("disk I/O error")

    writers = Writers(service)
    writers.lead("5.1.1")
    writers.enqueue("second", lambda: declare(service, "6.1.3"))
    writers.enqueue("third", lambda: declare(service, "9.1.1"))
    monkeypatch.setattr(dialect, "do_commit", refuse_commit)
    writers.finish()
    monkeypatch.undo()

    assert set(writers.errors) == {"leader", "second", "third"}
    assert all(isinstance(error, OperationalError) for error in writers.errors.values())
    assert stored_state(service) == (revision_before, stored_before)
    assert journal_entries(service, revision_before) == {}
    assert cached_state(service) == cached_before
    declare(service, "10.5.1")  # the workspace takes writes again
    assert stored_state(service)[0] == revision_before + 1


@pytest.fixture
def impatient_app(settings):
    """Writers give up after 200 ms of waiting for the workspace."""
    app = create_app(settings.model_copy(update={"sqlite_busy_timeout_ms": 200, "postgres_lock_timeout_ms": 200}))
    yield app
    app.state.service.close()


def test_a_write_that_waits_past_the_lock_timeout_leaves_the_queue(client, workspace, impatient_app):
    service = impatient_app.state.service
    revision_before, _ = stored_state(service)
    writers = Writers(service)
    writers.lead("5.1.1")
    writers.enqueue("impatient", lambda: declare(service, "6.1.3"))
    writers.threads[-1].join(30)
    assert isinstance(writers.errors.get("impatient"), OperationalError)  # answered 503 over HTTP
    assert service.groups._open[WS].size == 1
    writers.finish()
    assert set(writers.errors) == {"impatient"}
    assert stored_state(service)[0] == revision_before + 1


def test_with_a_limit_of_one_every_write_commits_alone(client, workspace, settings):
    app = create_app(settings.model_copy(update={"write_group_limit": 1}))
    service = app.state.service
    try:
        revision_before, _ = stored_state(service)
        commits = commits_of(service)
        writers = Writers(service)
        writers.lead("5.1.1")
        writers.start("second", lambda: declare(service, "6.1.3"))
        time.sleep(0.2)  # it cannot join: it waits for the lock instead
        assert service.groups._open[WS].size == 1
        writers.finish()
        assert writers.errors == {}
        assert len(commits) == 2
        assert stored_state(service)[0] == revision_before + 2
    finally:
        service.close()


@pytest.fixture
def second_app(settings):
    """Another worker process, as far as caches and groups go: its own app, engine and cache."""
    app = create_app(settings)
    yield app
    app.state.service.close()


def test_mixed_concurrent_writes_from_two_workers_leave_every_cache_equal_to_the_rows(client, workspace, second_app):
    """Every kind of journaled write, some refused, from 8 threads over two workers: whatever groups
    formed, each worker's chain ends equal to the one the rows give, at the revision the rows hold."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    workers = [client, TestClient(second_app)]
    api = f"/api/v1/workspaces/{WS}"

    def write(i: int) -> tuple[str, int]:
        http = workers[i % 2]
        kind = ("declare", "node", "edge", "merge", "refused")[i % 5]
        if kind == "declare":
            body = {"status": ("declared", "partial", "verified")[i % 3], "notes": f"write {i}"}
            return kind, http.put(
                f"{api}/nodes/{NODE}/declarations/{CONTROLS[i % len(CONTROLS)]}", json=body
            ).status_code
        if kind == "node":
            return kind, http.post(f"{api}/nodes", json={"id": f"n{i}", "layer": "saas"}).status_code
        if kind == "edge":
            http.post(f"{api}/nodes", json={"id": f"e{i}", "layer": "saas"})
            return kind, http.post(f"{api}/edges", json={"provider": NODE, "consumer": f"e{i}"}).status_code
        if kind == "merge":
            document = {
                "format": "obligraph/chain@1",
                "name": "merge",
                "nodes": [
                    {"id": f"m{i}", "layer": "saas", "declarations": [{"control": "9.1.1", "status": "declared"}]}
                ],
                "edges": [{"provider": NODE, "consumer": f"m{i}"}],
            }
            headers = {"Idempotency-Key": f"merge-{i}"}
            return kind, http.post(
                f"{api}/import", params={"mode": "merge"}, json=document, headers=headers
            ).status_code
        return kind, http.post(f"{api}/edges", json={"provider": NODE, "consumer": "no-such-node"}).status_code

    revision_before, _ = stored_state(client.app.state.service)
    commits = [commits_of(client.app.state.service), commits_of(second_app.state.service)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(write, range(80)))
    assert all(code == 422 if kind == "refused" else 200 <= code < 300 for kind, code in outcomes), outcomes
    stored_writes = sum(2 if kind == "edge" else 1 for kind, _ in outcomes if kind != "refused")
    revision, stored = stored_state(client.app.state.service)
    assert revision == revision_before + stored_writes
    assert sorted(journal_entries(client.app.state.service, revision_before)) == list(
        range(revision_before + 1, revision + 1)
    )
    for app in (client.app, second_app):
        assert cached_state(app.state.service) == (revision, stored)
    # Eight writers on two workers queue behind one another: groups formed (about 22 commits for 80 writes here).
    assert len(commits[0]) + len(commits[1]) < stored_writes
