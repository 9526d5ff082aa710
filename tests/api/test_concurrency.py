"""Several workers on one database: no lost updates, no worker serves another's stale state, and a
writer that cannot get the lock in time is told to retry (503), never left hanging or given a 500."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from obligraph.app.main import create_app
from tests.api.support import AS_OF, error_of

CONTROLS = ["5.1.1", "6.1.3", "9.1.1", "9.2.1", "10.5.1", "10.10.3", "11.5.1", "12.6.1", "13.2.1", "14.1.1"]


@pytest.fixture
def second_app(settings):
    """Another worker process, as far as caches go: its own app, engine and cache."""
    app = create_app(settings)
    yield app
    app.state.service.close()


def test_concurrent_writes_from_two_workers_lose_nothing(client, workspace, app, second_app):
    workers = [TestClient(app), TestClient(second_app)]
    nodes = ["acme-compute", "acme-paas", "mon-saas", "hr-saas"]
    jobs = [(i % 2, node, control) for i, (node, control) in enumerate((n, c) for n in nodes for c in CONTROLS)]

    def put(job):
        worker, node, control = job
        url = f"/api/v1/workspaces/hr/nodes/{node}/declarations/{control}"
        return workers[worker].put(url, json={"status": "partial", "notes": f"by worker {worker}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(put, jobs))
    assert set(codes) <= {200, 201}, codes
    assert client.get("/api/v1/workspaces/hr").json()["revision"] == 1 + len(jobs)
    for worker in workers:
        for node in nodes:
            declared = {
                d["control"]: d["status"]
                for d in worker.get(f"/api/v1/workspaces/hr/nodes/{node}").json()["declarations"]
            }
            assert all(declared[c] == "partial" for c in CONTROLS), (node, declared)
        gaps = worker.get(
            "/api/v1/workspaces/hr/gaps", params={"as_of": AS_OF, "control": "10.10.3", "node": "acme-compute"}
        ).json()
        assert gaps["revision"] == 1 + len(jobs) and gaps["gaps"][0]["effective"] == "partial"


def test_a_worker_sees_what_another_wrote(client, workspace, second_app):
    other = TestClient(second_app)
    params = {"as_of": AS_OF, "node": "acme-compute", "control": "10.10.3"}
    assert other.get("/api/v1/workspaces/hr/gaps", params=params).json()["matched"] == 1  # cached there now
    client.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "verified"})
    after = other.get("/api/v1/workspaces/hr/gaps", params=params).json()
    assert after["matched"] == 0 and after["revision"] == 2
    # and writes through the second worker build on the first one's write
    other.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "partial"})
    assert client.get("/api/v1/workspaces/hr/gaps", params=params).json()["gaps"][0]["effective"] == "partial"


def test_a_stale_worker_catches_up_from_the_journal_before_it_takes_the_write_lock(client, workspace, second_app):
    """Catching up with the workspace locked would hold up every other worker's writers; and
    replaying the journal spares reading the chain's rows."""
    from sqlalchemy import event

    other = TestClient(second_app)
    other.get("/api/v1/workspaces/hr/gaps", params={"as_of": AS_OF, "limit": 1})  # cached there
    client.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "verified"})
    statements: list[str] = []
    engine = second_app.state.service.db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).upper())

    # SQLite's BEGIN IMMEDIATE goes to the driver directly, and on PostgreSQL the lock is taken in a
    # batch sent to the driver directly (no statement events): a write connection's begin marks it.
    @event.listens_for(engine, "begin")
    def began(conn):
        if conn.get_execution_options().get("obligraph_write"):
            statements.append("WRITE BEGINS")

    try:
        response = other.put("/api/v1/workspaces/hr/nodes/hr-saas/declarations/10.10.3", json={"status": "partial"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "begin", began)
    assert response.status_code in (200, 201), response.text
    locked = statements.index("WRITE BEGINS")
    replays = [i for i, s in enumerate(statements) if s.startswith("SELECT") and "FROM JOURNAL" in s]
    assert replays and min(replays) < locked, statements  # caught up before the lock
    # without reloading the chain (the largest position of a table is read with the lock)
    assert not any("FROM NODES" in s and "MAX(NODES.POSITION)" not in s for s in statements), statements
    assert client.get("/api/v1/workspaces/hr/nodes/acme-compute").json()["declarations"]
    gaps = other.get(
        "/api/v1/workspaces/hr/gaps", params={"as_of": AS_OF, "node": "acme-compute", "control": "10.10.3"}
    ).json()
    assert gaps["matched"] == 0  # the first worker's write is in the second worker's chain


@contextmanager
def workspace_locked_elsewhere(backend: str, database_url: str):
    """Another connection holds the write lock a writer of workspace 'hr' needs, as a long write would."""
    url = make_url(database_url)
    if backend == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
    else:
        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        connection.execute("SELECT id FROM workspaces WHERE id = 'hr' FOR UPDATE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


def test_a_write_that_cannot_get_the_lock_in_time_gets_503_with_retry_after(client, workspace, settings, backend):
    impatient = create_app(settings.model_copy(update={"sqlite_busy_timeout_ms": 300, "postgres_lock_timeout_ms": 300}))
    try:
        with TestClient(impatient, raise_server_exceptions=False) as other:
            declaration = "/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3"
            key = {"Idempotency-Key": "locked-out"}
            extra = {"format": "obligraph/chain@1", "name": "x", "nodes": [{"id": "late-saas", "layer": "saas"}]}
            # The calls run in a thread: a writer that waited forever would hang the test instead of
            # failing it. Leaving the lock's block on a timeout releases the lock, so the pool can end.
            pool = ThreadPoolExecutor(max_workers=1)
            with pool, workspace_locked_elsewhere(backend, settings.database_url):
                for call in (
                    lambda: other.put(declaration, json={"status": "partial"}),
                    lambda: other.post("/api/v1/workspaces/hr/nodes", json={"id": "new-saas", "layer": "saas"}),
                    lambda: other.post("/api/v1/workspaces/hr/import?mode=merge", json=extra, headers=key),
                ):
                    response = pool.submit(call).result(timeout=5)
                    error = error_of(response, 503)
                    assert response.headers["Retry-After"] == "1" and error["code"] == "unavailable"
            # Nothing of the refused writes was stored; the retries go through, the import once.
            assert other.get("/api/v1/workspaces/hr").json()["revision"] == 1
            assert other.put(declaration, json={"status": "partial"}).status_code == 201  # a new declaration
            first = other.post("/api/v1/workspaces/hr/import?mode=merge", json=extra, headers=key)
            second = other.post("/api/v1/workspaces/hr/import?mode=merge", json=extra, headers=key)
            assert first.status_code == second.status_code == 200 and first.content == second.content
            assert other.get("/api/v1/workspaces/hr").json()["revision"] == 3
    finally:
        impatient.state.service.close()


def test_a_full_connection_pool_is_503_not_500(settings):
    """Every pooled connection busy past the pool's timeout is overload too: retry, not an internal error."""
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    app = create_app(settings)

    @app.get("/test-pool-exhausted")
    def exhausted():
        raise PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached, connection timed out, timeout 30.00")

    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/test-pool-exhausted")
            assert error_of(response, 503)["code"] == "unavailable" and response.headers["Retry-After"] == "1"
    finally:
        app.state.service.close()


def test_a_read_at_the_cached_revision_opens_no_transaction(client, workspace, app):
    """The revision probe is the read's one round trip when this worker holds the chain and the
    workspace row at the stored revision, as it does after its own write."""
    from sqlalchemy import event

    engine = app.state.service.db.engine
    client.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "verified"})
    checkouts: list[int] = []

    def count(*_args):
        checkouts.append(1)

    event.listen(engine, "checkout", count)
    try:
        gaps = client.get("/api/v1/workspaces/hr/gaps", params={"as_of": AS_OF, "node": "acme-compute"})
        node = client.get("/api/v1/workspaces/hr/nodes/acme-compute")
        summary = client.get("/api/v1/workspaces/hr/nodes/hr-saas/obligations", params={"as_of": AS_OF})
    finally:
        event.remove(engine, "checkout", count)
    assert gaps.status_code == node.status_code == summary.status_code == 200, (gaps.text, summary.text)
    assert gaps.json()["revision"] == 2
    assert [d["status"] for d in node.json()["declarations"] if d["control"] == "10.10.3"] == ["verified"]
    assert checkouts == []


def test_a_node_read_from_the_cached_chain_is_its_stored_row(client, workspace, second_app):
    """GET of a node answers from the chain in memory; the list reads the rows: both say the same,
    in this worker and in one that caught up from the journal."""
    client.put(
        "/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3",
        json={
            "status": "verified",
            "evidence": [{"kind": "audit_report", "ref": "SOC2-2026", "expires": "2027-01-31"}],
        },
    )
    client.patch("/api/v1/workspaces/hr/nodes/hr-saas", json={"name": "HR suite", "org": "HR Inc."})
    client.post("/api/v1/workspaces/hr/nodes", json={"id": "extra", "layer": "paas", "description": "new"})
    listed = client.get("/api/v1/workspaces/hr/nodes", params={"limit": 100, "as_of": AS_OF}).json()["items"]
    assert len(listed) > 3
    for worker in (client, TestClient(second_app)):
        for item in listed:
            assert worker.get(f"/api/v1/workspaces/hr/nodes/{item['id']}", params={"as_of": AS_OF}).json() == item
