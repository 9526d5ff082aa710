"""Declarations under a node: create, list, get, put (create or replace), patch, delete."""

from tests.api.support import AS_OF, error_of, messages

BASE = "/api/v1/workspaces/hr/nodes/acme-paas/declarations"


def test_lifecycle(client, workspace):
    created = client.post(BASE, json={"control": "10.5.1", "status": "partial", "notes": "nightly"})
    assert created.status_code == 201
    assert client.get(f"{BASE}/10.5.1").json()["notes"] == "nightly"
    patched = client.patch(f"{BASE}/10.5.1", json={"status": "declared"}).json()
    assert patched["status"] == "declared" and patched["notes"] == "nightly"
    evidence = [{"kind": "audit_report", "ref": "SOC 2", "expires": "2030-01-01"}]
    replaced = client.put(f"{BASE}/10.5.1", json={"status": "verified", "evidence": evidence})
    assert replaced.status_code == 200 and replaced.json()["notes"] is None
    assert client.get(f"{BASE}/10.5.1").json()["evidence"][0]["ref"] == "SOC 2"
    assert client.put(f"{BASE}/9.1.1", json={"status": "declared"}).status_code == 201
    listed = client.get(BASE).json()["items"]
    assert [d["control"] for d in listed] == ["12.6.1", "10.5.1", "9.1.1"]  # a replaced one keeps its place
    page = client.get(BASE, params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next"]
    assert client.delete(f"{BASE}/10.5.1").status_code == 204
    error_of(client.get(f"{BASE}/10.5.1"), 404)
    assert [d["control"] for d in client.get(BASE).json()["items"]] == ["12.6.1", "9.1.1"]


def test_declaring_closes_a_gap(client, workspace):
    gaps = "/api/v1/workspaces/hr/gaps"
    params = {"node": "acme-compute", "control": "10.10.3", "as_of": AS_OF}
    assert client.get(gaps, params=params).json()["matched"] == 1
    client.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "declared"})
    assert client.get(gaps, params=params).json()["matched"] == 0


def test_lapsed_evidence_counts_as_declared(client, workspace):
    report = client.get("/api/v1/workspaces/hr/nodes/acme-compute/report", params={"as_of": AS_OF}).json()
    by_control = {item["control"]: item for item in report["controls"]}
    assert by_control["9.1.1"]["own"] == "verified"
    assert by_control["12.6.1"]["own"] == "declared"  # its audit report expired in 2025


def test_bad_input(client, workspace):
    error = error_of(client.post(BASE, json={"control": "12.6.1", "status": "declared"}), 409)
    assert "PUT or PATCH" in error["message"]
    error = error_of(client.post(BASE, json={"control": "12.6.9", "status": "declared"}), 422)
    assert "did you mean" in messages(error)
    error = error_of(client.put(f"{BASE}/12.6.9", json={"status": "declared"}), 422)
    assert "not a control" in messages(error)
    error = error_of(client.put(f"{BASE}/10.5.1", json={"status": "verifed"}), 422)
    assert "'verifed'" in messages(error) and "verified" in messages(error)
    bad_dates = [{"kind": "certification", "ref": "c", "issued": "2025-05-01", "expires": "2024-01-01"}]
    error = error_of(client.put(f"{BASE}/10.5.1", json={"status": "verified", "evidence": bad_dates}), 422)
    assert "before issued" in messages(error)
    error = error_of(
        client.put(f"{BASE}/10.5.1", json={"status": "verified", "evidence": [{"kind": "rumour", "ref": "r"}]}), 422
    )
    assert "certification" in messages(error)
    error = error_of(client.put(f"{BASE}/10.5.1", json={"status": "declared", "control": "10.5.1"}), 422)
    assert "unknown field 'control'" in messages(error)
    error_of(client.patch(f"{BASE}/12.6.1", json={"status": None}), 422)
    error_of(client.patch(f"{BASE}/10.5.1", json={"status": "declared"}), 404)
    error_of(client.delete(f"{BASE}/10.5.1"), 404)
    error_of(client.get("/api/v1/workspaces/hr/nodes/ghost/declarations"), 404)
    error_of(client.get("/api/v1/workspaces/hr/nodes/ghost/declarations/10.5.1"), 404)
    error_of(client.put("/api/v1/workspaces/hr/nodes/ghost/declarations/10.5.1", json={"status": "declared"}), 404)
    assert client.get("/api/v1/workspaces/hr").json()["revision"] == 1


def test_evidence_independence_and_scope_survive_the_database(client, workspace):
    # Both fields change the analysis, so losing them in the database would silently change answers.
    evidence = [
        {"kind": "audit_report", "ref": "Internal audit", "issued": "2026-01-10", "independence": "internal"},
        {"kind": "certification", "ref": "ISMS", "issued": "2026-01-10", "scope": ["9", "10.5"]},
    ]
    assert client.put(f"{BASE}/10.5.1", json={"status": "verified", "evidence": evidence}).status_code in (200, 201)
    assert client.put(f"{BASE}/11.5.1", json={"status": "verified", "evidence": evidence}).status_code in (200, 201)
    stored = client.get(f"{BASE}/10.5.1").json()["evidence"]
    assert [(e["independence"], e["scope"]) for e in stored] == [("internal", None), (None, ["9", "10.5"])]
    report = client.get("/api/v1/workspaces/hr/nodes/acme-paas/report", params={"as_of": "2026-06-01"}).json()
    own = {item["control"]: item["own"] for item in report["controls"]}
    assert own["10.5.1"] == "verified"  # the certificate's scope covers 10.5
    assert own["11.5.1"] == "declared"  # internal audit never assures; 11.5.1 is outside the certificate
    exported = client.get("/api/v1/workspaces/hr/export", params={"format": "json"}).json()
    node = next(n for n in exported["nodes"] if n["id"] == "acme-paas")
    declaration = next(d for d in node["declarations"] if d["control"] == "10.5.1")
    assert declaration["evidence"][0]["independence"] == "internal"
    assert declaration["evidence"][1]["scope"] == ["9", "10.5"]
    # Through an import (the bulk write path) too.
    assert client.post("/api/v1/workspaces/hr/import", json=exported).status_code == 200
    assert client.get(f"{BASE}/10.5.1").json()["evidence"] == stored
