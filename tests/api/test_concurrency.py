"""Several workers on one database: no lost updates, and no worker serves another's stale state."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from obligraph.app.main import create_app
from tests.api.support import AS_OF

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
