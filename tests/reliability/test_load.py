"""The load test of ``benchmarks/load.py``, short: a real server with two workers, eight clients for
five seconds of mixed reads and writes, then every acknowledged write looked up in the database.
On SQLite, and on PostgreSQL (a schema of its own) when ``OBLIGRAPH_TEST_POSTGRES_URL`` is set;
and the check itself, on a database missing what clients were told was stored."""

import os
from collections import Counter

import pytest

from benchmarks.load import run

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("OBLIGRAPH_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)] if POSTGRES_URL else ["sqlite"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_5xx_but_503_and_no_acknowledged_write_lost(backend, tmp_path):
    report = run(
        backend, workers=2, clients=8, seconds=5, nodes=100, postgres_url=POSTGRES_URL or "", directory=tmp_path
    )
    counts = report.counts()
    # The run did real work of every kind; how much depends on the machine, so no throughput is asserted here
    # (benchmarks/load.py reports it).
    assert all(counts[kind]["2xx"] > 0 for kind in counts if kind != "all"), report.table()
    assert all(report.verdict.checked[kind] > 0 for kind in ("declaration", "node_create", "import")), report.table()
    assert report.failed == [], f"{report.table()}\n{report.verdict.lost[:5]} {report.unexpected[:5]}"
    assert counts["all"]["4xx"] == 0 and counts["all"]["none"] == 0, report.unexpected[:5]


def test_the_check_finds_lost_and_phantom_writes(tmp_path):
    """The verdict of ``verify`` on a database that lacks what the clients were told was stored."""
    from fastapi.testclient import TestClient

    from benchmarks.load import ClientLog, Report, verify
    from obligraph.app.core.settings import Settings
    from obligraph.app.main import create_app

    settings = Settings(data_dir=tmp_path)
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.post("/api/v1/workspaces", json={"id": "load", "name": "load"}).status_code == 201
        assert client.post("/api/v1/workspaces/load/nodes", json={"id": "a", "layer": "saas"}).status_code == 201
        url = "/api/v1/workspaces/load/nodes/a/declarations/9.1.1"
        assert client.put(url, json={"status": "partial", "notes": "c0:1"}).status_code == 201
        assert client.put(url, json={"status": "verified", "notes": "c0:3"}).status_code == 200
    app.state.service.close()

    log = ClientLog()
    # acknowledged c0:1, then c0:2 acknowledged (but the database holds c0:3, which was refused)
    log.declarations[("a", "9.1.1")] = [
        ("partial", "c0:1", "ack"),
        ("declared", "c0:2", "ack"),
        ("verified", "c0:3", "refused"),
    ]
    log.nodes = ["a", "ghost"]
    log.imports = [{"key": "k1", "nodes": ["x-0"], "edges": [], "acked": True}]
    verdict = verify(settings.database_url, [log], revision_before=0)
    assert any("declaration ('a', '9.1.1')" in line for line in verdict.phantom), verdict
    assert any(line.startswith("node ghost") for line in verdict.lost), verdict.lost
    assert any("import k1" in line for line in verdict.lost), verdict.lost
    # 2 declarations + 2 nodes + 1 import acknowledged; the workspace moved 3 revisions
    assert (verdict.revision_bumps, verdict.expected_bumps) == (3, 5)
    report = Report("sqlite", 1, 1, 1, 1.0, 0.5, 2.0, [], verdict, 0, [], [], 0, Counter(), 10)
    assert len(report.failed) == 3 and "the revision grew by 3, the acknowledged writes were 5" in report.failed[2]
