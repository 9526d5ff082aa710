"""In-process page tests: one app on a temporary SQLite file with the demo workspace and a
workspace whose every free-text field carries an XSS payload."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from obligraph.app.core.server import load_demo
from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    '<a href="javascript:alert(1)">x</a>',
    "' href='javascript:alert(1)' x='",
    "<!--<script>alert(1)//-->",
]


def xss_chain() -> dict:
    """Every payload as a node name, org, description, declaration notes, evidence reference and notes, edge notes."""
    nodes = []
    for i, payload in enumerate(XSS):
        nodes.append(
            {
                "id": f"p{i}",
                "name": payload,
                "layer": ["infra", "iaas", "paas", "saas"][i % 4],
                "org": payload,
                "description": payload,
                "declarations": [
                    {
                        "control": "10.5.1",
                        "status": "verified" if i % 2 else "partial",
                        "notes": payload,
                        "evidence": [{"kind": "certification", "ref": payload, "notes": payload, "url": payload}],
                    }
                ],
            }
        )
    nodes.append({"id": "app", "name": XSS[0], "layer": "customer", "org": XSS[1]})
    edges = [{"provider": f"p{i}", "consumer": f"p{i + 1}", "notes": XSS[i]} for i in range(len(XSS) - 1)]
    edges.append({"provider": f"p{len(XSS) - 1}", "consumer": "app", "notes": XSS[2]})
    return {
        "format": "obligraph/chain@1",
        "name": XSS[2],
        "description": XSS[4],
        "controls": ["10.5.1", "9.1.1", "12.6.1"],
        "nodes": nodes,
        "edges": edges,
    }


@pytest.fixture(scope="session")
def client(tmp_path_factory) -> Iterator[TestClient]:
    directory = tmp_path_factory.mktemp("web")
    # An explicit SQLite URL, so an OBLIGRAPH_DATABASE_URL in the environment cannot redirect the test.
    settings = Settings(data_dir=directory, database_url=f"sqlite:///{directory / 'web.db'}", demo=True)
    app = create_app(settings)
    assert load_demo(app.state.service.db) == "demo"
    with TestClient(app) as test_client:
        created = test_client.post("/api/v1/workspaces", json={"id": "xss", "name": XSS[5]})
        assert created.status_code == 201, created.text
        imported = test_client.post("/api/v1/workspaces/xss/import", json=xss_chain())
        assert imported.status_code == 200, imported.text
        snapshot_xss_changes(test_client)
        yield test_client


def snapshot_xss_changes(client) -> None:
    """Two snapshots of the XSS workspace, labelled with payloads, around a change that is all
    payloads too: the snapshot and diff pages show every one of them."""
    base = "/api/v1/workspaces/xss"
    assert client.post(f"{base}/snapshots", json={"label": XSS[0]}).status_code == 201
    node = {"id": "added", "name": XSS[3], "layer": "saas", "org": XSS[6], "description": XSS[7]}
    assert client.post(f"{base}/nodes", json=node).status_code == 201
    declaration = {
        "control": "9.1.1",
        "status": "partial",
        "notes": XSS[4],
        "evidence": [{"kind": "certification", "ref": XSS[5]}],
    }
    assert client.post(f"{base}/nodes/added/declarations", json=declaration).status_code == 201
    edge = {"provider": "p0", "consumer": "added", "notes": XSS[1]}
    assert client.post(f"{base}/edges", json=edge).status_code == 201
    assert client.patch(f"{base}/nodes/p1", json={"description": XSS[2]}).status_code == 200
    assert client.post(f"{base}/snapshots", json={"label": XSS[1]}).status_code == 201
