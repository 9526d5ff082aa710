"""Nodes: create, list (paged, by layer), get, update, delete."""

from tests.api.support import error_of, messages

BASE = "/api/v1/workspaces/hr/nodes"


def test_create_and_get(client, workspace):
    node = {
        "id": "dns-co",
        "name": "DNS Co",
        "layer": "infra",
        "declarations": [
            {
                "control": "10.5.1",
                "status": "verified",
                "evidence": [{"kind": "certification", "ref": "c1", "issued": "2025-01-01"}],
            }
        ],
    }
    response = client.post(BASE, json=node)
    assert response.status_code == 201, response.text
    body = client.get(f"{BASE}/dns-co").json()
    assert body["layer"] == "infra" and body["declarations"][0]["evidence"][0]["issued"] == "2025-01-01"
    assert client.get("/api/v1/workspaces/hr").json()["revision"] == 2


def test_list_pages_in_document_order(client, workspace):
    first = client.get(BASE, params={"limit": 2}).json()
    assert [n["id"] for n in first["items"]] == ["acme-compute", "acme-paas"]
    assert first["items"][0]["declarations"][0]["control"] == "9.1.1"
    ids = [n["id"] for n in first["items"]]
    cursor = first["next"]
    while cursor:
        page = client.get(BASE, params={"limit": 2, "cursor": cursor}).json()
        ids += [n["id"] for n in page["items"]]
        cursor = page["next"]
    assert ids == ["acme-compute", "acme-paas", "mon-saas", "hr-saas", "customer"]
    saas = client.get(BASE, params={"layer": "saas"}).json()["items"]
    assert [n["id"] for n in saas] == ["mon-saas", "hr-saas"]


def test_update_keeps_declarations_and_edges(client, workspace):
    body = client.patch(f"{BASE}/acme-compute", json={"name": "Acme Cloud", "org": None}).json()
    assert body["name"] == "Acme Cloud" and body["org"] is None and len(body["declarations"]) == 3
    stored = client.get(f"{BASE}/acme-compute").json()
    assert stored["name"] == "Acme Cloud" and stored["org"] is None
    assert client.get("/api/v1/workspaces/hr/edges/acme-compute/acme-paas").status_code == 200


def test_changing_the_layer_changes_the_analysis(client, workspace):
    before = client.get("/api/v1/workspaces/hr/gaps", params={"node": "acme-paas", "as_of": "2026-06-01"}).json()
    assert client.patch(f"{BASE}/acme-compute", json={"layer": "customer"}).status_code == 200
    after = client.get("/api/v1/workspaces/hr/gaps", params={"node": "acme-paas", "as_of": "2026-06-01"}).json()
    assert after["revision"] == before["revision"] + 1
    assert after["gaps"] != before["gaps"]


def test_delete_takes_edges_and_declarations_along(client, workspace):
    assert client.delete(f"{BASE}/acme-paas").status_code == 204
    edges = client.get("/api/v1/workspaces/hr/edges").json()["items"]
    assert all("acme-paas" not in (e["provider"], e["consumer"]) for e in edges)
    assert len(edges) == 1
    error_of(client.get(f"{BASE}/acme-paas"), 404)
    assert client.get("/api/v1/workspaces/hr").json()["nodes"] == 4


def test_not_found(client, workspace):
    assert "no node 'ghost'" in error_of(client.get(f"{BASE}/ghost"), 404)["message"]
    error_of(client.patch(f"{BASE}/ghost", json={"name": "x"}), 404)
    error_of(client.delete(f"{BASE}/ghost"), 404)
    error_of(client.get("/api/v1/workspaces/nope/nodes"), 404)
    error_of(client.post("/api/v1/workspaces/nope/nodes", json={"id": "a", "layer": "iaas"}), 404)


def test_bad_input(client, workspace):
    error = error_of(client.post(BASE, json={"id": "acme-paas", "layer": "paas"}), 409)
    assert "already has a node" in error["message"]
    error = error_of(client.post(BASE, json={"id": "-bad", "layer": "paas"}), 422)
    assert "not a valid id" in messages(error)
    error = error_of(client.post(BASE, json={"id": "x", "layer": "cloud"}), 422)
    assert "'cloud'" in messages(error) and "saas" in messages(error)
    error = error_of(
        client.post(
            BASE, json={"id": "x", "layer": "iaas", "declarations": [{"control": "10.5.9", "status": "declared"}]}
        ),
        422,
    )
    assert error["code"] == "invalid_chain" and "did you mean" in messages(error)
    error = error_of(
        client.post(
            BASE,
            json={
                "id": "x",
                "layer": "iaas",
                "declarations": [
                    {"control": "10.5.1", "status": "declared"},
                    {"control": "10.5.1", "status": "partial"},
                ],
            },
        ),
        422,
    )
    assert "keep one declaration per control" in messages(error)
    error_of(client.patch(f"{BASE}/acme-paas", json={"layer": None}), 422)
    error = error_of(client.patch(f"{BASE}/acme-paas", json={"declarations": []}), 422)
    assert "unknown field 'declarations'" in messages(error)
    assert client.get("/api/v1/workspaces/hr").json()["revision"] == 1  # nothing of the above was stored
