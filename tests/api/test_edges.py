"""Edges: create, list (paged, by provider or consumer), get, update, delete."""

from tests.api.support import error_of, messages

BASE = "/api/v1/workspaces/hr/edges"


def test_create_get_update_delete(client, workspace):
    edge = {
        "provider": "acme-compute",
        "consumer": "hr-saas",
        "responsibility": {"10.5.1": "provider"},
        "criticality": "low",
    }
    assert client.post(BASE, json=edge).status_code == 201
    body = client.get(f"{BASE}/acme-compute/hr-saas").json()
    assert body["responsibility"] == {"10.5.1": "provider"} and body["criticality"] == "low"
    updated = client.patch(f"{BASE}/acme-compute/hr-saas", json={"criticality": "high", "notes": "primary"}).json()
    assert updated["criticality"] == "high" and updated["responsibility"] == {"10.5.1": "provider"}
    cleared = client.patch(f"{BASE}/acme-compute/hr-saas", json={"responsibility": None}).json()
    assert cleared["responsibility"] == {}
    assert client.get(f"{BASE}/acme-compute/hr-saas").json()["notes"] == "primary"
    assert client.delete(f"{BASE}/acme-compute/hr-saas").status_code == 204
    error_of(client.get(f"{BASE}/acme-compute/hr-saas"), 404)


def test_list_and_filters(client, workspace):
    page = client.get(BASE, params={"limit": 2}).json()
    assert [(e["provider"], e["consumer"]) for e in page["items"]] == [
        ("acme-compute", "acme-paas"),
        ("acme-paas", "mon-saas"),
    ]
    rest = client.get(BASE, params={"limit": 10, "cursor": page["next"]}).json()
    assert len(rest["items"]) == 3 and rest["next"] is None
    from_paas = client.get(BASE, params={"provider": "acme-paas"}).json()["items"]
    assert {e["consumer"] for e in from_paas} == {"mon-saas", "hr-saas"}
    into_paas = client.get(BASE, params={"consumer": "acme-paas"}).json()["items"]
    assert {e["provider"] for e in into_paas} == {"acme-compute", "mon-saas"}


def test_an_override_changes_the_analysis(client, workspace):
    params = {"node": "hr-saas", "control": "11.5.1", "as_of": "2026-06-01"}
    before = client.get("/api/v1/workspaces/hr/gaps", params=params).json()["gaps"]
    client.patch(f"{BASE}/acme-paas/hr-saas", json={"responsibility": {"11.5.1": "customer"}})
    after = client.get("/api/v1/workspaces/hr/gaps", params=params).json()["gaps"]
    assert before and not after  # hr-saas declared 11.5.1 itself; with nothing delegated it is assured


def test_bad_input(client, workspace):
    error = error_of(client.post(BASE, json={"provider": "acme-compute", "consumer": "acme-paas"}), 409)
    assert "already exists" in error["message"]
    error = error_of(client.post(BASE, json={"provider": "acme-compute", "consumer": "hr-sass"}), 422)
    assert "did you mean 'hr-saas'" in messages(error)
    error = error_of(client.post(BASE, json={"provider": "hr-saas", "consumer": "hr-saas"}), 422)
    assert "cannot be its own provider" in messages(error)
    error = error_of(
        client.post(
            BASE, json={"provider": "acme-compute", "consumer": "hr-saas", "responsibility": {"10.5.1": "mine"}}
        ),
        422,
    )
    assert "'mine'" in messages(error)
    error = error_of(
        client.post(
            BASE, json={"provider": "acme-compute", "consumer": "hr-saas", "responsibility": {"99.1": "shared"}}
        ),
        422,
    )
    assert "not a control" in messages(error)
    error = error_of(client.patch(f"{BASE}/acme-compute/acme-paas", json={"criticality": "extreme"}), 422)
    assert "high" in messages(error)
    error = error_of(client.patch(f"{BASE}/acme-compute/acme-paas", json={"responsibility": {"99.1": "shared"}}), 422)
    assert "not a control" in messages(error)
    error_of(client.patch(f"{BASE}/acme-compute/ghost", json={"notes": "x"}), 404)
    error_of(client.delete(f"{BASE}/ghost/acme-paas"), 404)
    assert client.get("/api/v1/workspaces/hr").json()["revision"] == 1
