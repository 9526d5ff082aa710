"""The map's JSON endpoint (expanding groups of the aggregated view) and the node page's edit forms."""

from __future__ import annotations

import json
import re

import pytest

from obligraph.graph.viz import AGGREGATE_ABOVE, org_group

LAYERS = ["infra", "iaas", "paas", "saas", "customer"]


@pytest.fixture(scope="module")
def big(client) -> str:
    n = AGGREGATE_ABOVE + 100
    nodes = [{"id": f"n{i}", "layer": LAYERS[i % 5], "org": f"org{i % 3}"} for i in range(n)]
    edges = [{"provider": f"n{i}", "consumer": f"n{i + 1}"} for i in range(n - 1) if i % 5 != 4]
    document = {"format": "obligraph/chain@1", "name": "Big", "controls": ["10.5.1"], "nodes": nodes, "edges": edges}
    assert client.post("/api/v1/workspaces", json={"id": "bigmap", "name": "Big"}).status_code == 201
    assert client.post("/api/v1/workspaces/bigmap/import", json=document).status_code == 200
    return "bigmap"


def embedded(text: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S).group(1))


def test_the_json_endpoint_is_the_pages_data(client, big):
    page = embedded(client.get(f"/w/{big}").text)
    response = client.get(f"/w/{big}/map.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == page
    assert page["mode"] == "aggregated" and page["expanded"] == [] and len(page["nodes"]) == 15


def test_expanding_a_group_replaces_it_by_its_members(client, big):
    group = org_group("saas", "org1")
    data = client.get(f"/w/{big}/map.json", params={"expand": [group]}).json()
    members = [n for n in data["nodes"] if not n.get("group_node")]
    assert data["expanded"] == [group] and group not in {n["id"] for n in data["nodes"]}
    assert members and all(n["layer"] == "saas" and n["org"] == "org1" for n in members)
    assert len(members) == sum(1 for i in range(AGGREGATE_ABOVE + 100) if i % 5 == 3 and i % 3 == 1)
    assert len(data["nodes"]) <= data["limit"]
    # The page opens with the same groups expanded (a reload keeps them).
    assert embedded(client.get(f"/w/{big}", params={"expand": [group]}).text) == data


def test_expanding_everything_is_cut_at_the_limit(client, big):
    groups = [n["id"] for n in client.get(f"/w/{big}/map.json").json()["nodes"]]
    data = client.get(f"/w/{big}/map.json", params={"expand": groups}).json()
    assert len(data["nodes"]) <= data["limit"] == AGGREGATE_ABOVE
    assert data["cut"] and all(c["shown"] < c["members"] for c in data["cut"])
    drawn = sum(1 for n in data["nodes"] if not n.get("group_node"))
    assert drawn + sum(n["members"] for n in data["nodes"] if n.get("group_node")) == AGGREGATE_ABOVE + 100


def test_bad_expand_requests(client, big):
    response = client.get(f"/w/{big}/map.json", params={"expand": ["org|nope|x"]})
    assert response.status_code == 404 and "no group 'org|nope|x'" in response.json()["error"]["message"]
    page = client.get(f"/w/{big}", params={"expand": ["org|nope|x"]})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert client.get(f"/w/{big}/map.json", params={"expand": ["x"] * 51}).status_code == 422
    assert client.get("/w/nope/map.json").status_code == 404
    assert client.get(f"/w/{big}/map.json", params={"focus": "ghost"}).status_code == 404


def test_the_node_page_has_edit_and_delete_forms(client):
    base = "/api/v1/workspaces/forms"
    assert client.post("/api/v1/workspaces", json={"id": "forms", "name": "Forms"}).status_code == 201
    for node in ({"id": "cloud", "layer": "iaas"}, {"id": "app", "layer": "saas"}):
        assert client.post(f"{base}/nodes", json=node).status_code == 201
    edge = {
        "provider": "cloud",
        "consumer": "app",
        "criticality": "high",
        "responsibility": {"10.5.1": "customer", "9.1.1": "shared"},
    }
    assert client.post(f"{base}/edges", json=edge).status_code == 201
    declaration = {
        "control": "10.5.1",
        "status": "verified",
        "evidence": [{"kind": "certification", "ref": "ISO 1"}, {"kind": "audit_report", "ref": "SOC 2"}],
    }
    assert client.post(f"{base}/nodes/cloud/declarations", json=declaration).status_code == 201
    page = client.get("/w/forms/nodes/app").text
    edit = re.search(r'<details class="edge-edit" data-edge="cloud>app">(.*?)</details>', page, re.S).group(1)
    assert 'data-action="/api/v1/workspaces/forms/edges/cloud/app" data-method="PATCH"' in edit
    assert 'data-method="DELETE"' in edit
    assert re.findall(r'<input [^>]*data-key="control"[^>]*value="([^"]*)"', edit) == ["10.5.1", "9.1.1"]
    assert '<option value="high" selected>high</option>' in edit
    cloud = client.get("/w/forms/nodes/cloud").text
    decl = re.search(
        r'<details class="declaration-edit" data-control="10.5.1"[^>]*>(.*?)</details>', cloud, re.S
    ).group(1)
    assert 'data-action="/api/v1/workspaces/forms/nodes/cloud/declarations/10.5.1" data-method="PUT"' in decl
    assert re.findall(r'<input [^>]*data-key="ref"[^>]*value="([^"]*)"', decl) == ["ISO 1", "SOC 2"]
    assert '<option value="verified" selected>verified</option>' in decl


def test_the_add_edge_form_takes_several_overrides(client):
    page = client.get("/w/demo").text
    form = re.search(r'<form[^>]*id="form-edge"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert 'class="repeat" data-field="responsibility" data-shape="map"' in form
    assert 'class="add-row"' in form
    assert "override_control" not in form
