"""GET .../evidence: evidence lapsing soon or already not assuring, with the gaps each lapse opens."""

from __future__ import annotations

from obligraph.graph.analysis import analyze, lapsing_evidence
from obligraph.graph.chain import Chain
from tests.api.support import AS_OF, error_of

URL = "/api/v1/workspaces/hr/evidence"


def test_lists_not_assuring_evidence_of_verified_declarations_with_the_reason(client, workspace):
    body = client.get(URL, params={"as_of": AS_OF}).json()
    assert (body["requirement"], body["as_of"], body["expiring_within"], body["count"]) == ("declared", AS_OF, 90, 1)
    [item] = body["items"]
    assert item["node"] == "acme-compute" and item["control"] == "12.6.1" and item["ref"] == "SOC 2 2024"
    assert item["title"] == "Control of technical vulnerabilities"
    assert (item["assures"], item["reason"], item["in_force_until"]) == (False, "expired 2025-01-01", "2025-01-01")
    assert (item["independence"], item["scope"], item["gaps_opened"]) == ("third_party", None, [])
    # The ISO certificate runs to 2030-01-01: listed once the window reaches it, and not a day before.
    assert client.get(URL, params={"as_of": "2029-12-01", "expiring_within": 30}).json()["count"] == 1
    body = client.get(URL, params={"as_of": "2029-12-01", "expiring_within": 31}).json()
    assert [(i["ref"], i["assures"], i["in_force_until"]) for i in body["items"]] == [
        ("SOC 2 2024", False, "2025-01-01"),
        ("ISO/IEC 27001 #1", True, "2030-01-01"),
    ]


def _verified(ref: str, expires: str) -> dict:
    return {
        "control": "10.5.1",
        "status": "verified",
        "evidence": [{"kind": "certification", "ref": ref, "expires": expires}],
    }


LAPSE_CHAIN = {
    "format": "obligraph/chain@1",
    "name": "Lapse",
    "controls": ["10.5.1", "9.1.1"],
    "requirement": "verified",
    "nodes": [
        {"id": "iaas", "layer": "iaas", "declarations": [_verified("ISO 27001 iaas", "2026-07-15")]},
        {"id": "saas", "layer": "saas", "declarations": [_verified("SOC 2 saas", "2030-01-01")]},
        {"id": "lone", "layer": "iaas", "declarations": [_verified("ISO 27001 lone", "2026-07-15")]},
    ],
    "edges": [{"provider": "iaas", "consumer": "saas"}],
}


def test_gaps_opened_by_a_lapse_are_the_analysis_the_day_after(client):
    assert client.post("/api/v1/workspaces", json={"id": "lapse", "name": "Lapse"}).status_code == 201
    assert client.post("/api/v1/workspaces/lapse/import", json=LAPSE_CHAIN).status_code == 200
    url = "/api/v1/workspaces/lapse/evidence"
    body = client.get(url, params={"as_of": AS_OF}).json()
    assert body["requirement"] == "verified"  # the workspace's own requirement
    items = {item["ref"]: item for item in body["items"]}
    assert set(items) == {"ISO 27001 iaas", "ISO 27001 lone"}  # saas's runs past the 90 days
    # From 2026-07-16 iaas counts declared: its own gap opens, and saas's, which relies on it.
    assert [(g["node"], g["kind"], g["effective"]) for g in items["ISO 27001 iaas"]["gaps_opened"]] == [
        ("iaas", "origin", "declared"),
        ("saas", "inherited", "declared"),
    ]
    assert items["ISO 27001 lone"]["gaps_opened"] == []  # no provider, no consumer: never a gap
    before = analyze(Chain.from_dict(LAPSE_CHAIN), as_of=AS_OF)
    assert body["items"] == lapsing_evidence(before, 90)
    # Against "declared" the lapse changes nothing that matters.
    declared = client.get(url, params={"as_of": AS_OF, "require": "declared"}).json()
    assert all(item["gaps_opened"] == [] for item in declared["items"])
    # The window counts the last day in force: 44 days after as_of is 2026-07-15.
    assert client.get(url, params={"as_of": AS_OF, "expiring_within": 43}).json()["count"] == 0
    assert client.get(url, params={"as_of": AS_OF, "expiring_within": 44}).json()["count"] == 2
    # Only the analysed controls: 9.1.1 has no evidence.
    assert client.get(url, params={"as_of": AS_OF, "controls": "9.1.1"}).json()["count"] == 0


def test_an_edit_shows_at_once(client, workspace):
    soon = {"kind": "certification", "ref": "ISO/IEC 27001 #2", "expires": "2026-07-15"}
    assert client.get(URL, params={"as_of": AS_OF}).json()["count"] == 1
    declaration = {"status": "verified", "evidence": [soon]}
    put = client.put("/api/v1/workspaces/hr/nodes/acme-paas/declarations/11.5.1", json=declaration)
    assert put.status_code == 201, put.text
    refs = [item["ref"] for item in client.get(URL, params={"as_of": AS_OF}).json()["items"]]
    assert refs == ["SOC 2 2024", "ISO/IEC 27001 #2"]


def test_parameters_are_checked(client, workspace):
    for bad in ("-1", "ninety", "3661"):
        error = error_of(client.get(URL, params={"expiring_within": bad}), 422)
        assert "expiring_within" in error["message"]
    assert "unknown query parameter 'days'" in error_of(client.get(URL, params={"days": 5}), 422)["message"]
    assert "as_of" in error_of(client.get(URL, params={"as_of": "2026-13-01"}), 422)["message"]
    assert "require" in error_of(client.get(URL, params={"require": "great"}), 422)["message"]
    error_of(client.get("/api/v1/workspaces/ghost/evidence"), 404)
    assert client.get(URL, params={"expiring_within": 0, "as_of": AS_OF}).status_code == 200


def test_declarations_nodes_and_the_report_carry_each_items_assessment(client, workspace):
    base = "/api/v1/workspaces/hr/nodes/acme-compute"
    expired = {"assures": False, "reason": "expired 2025-01-01", "in_force_until": "2025-01-01"}
    in_force = {"assures": True, "reason": "in force until 2025-01-01", "in_force_until": "2025-01-01"}

    def assessment(evidence: dict) -> dict:
        return {key: evidence[key] for key in ("assures", "reason", "in_force_until")}

    one = client.get(f"{base}/declarations/12.6.1", params={"as_of": AS_OF}).json()
    assert assessment(one["evidence"][0]) == expired
    one = client.get(f"{base}/declarations/12.6.1", params={"as_of": "2024-06-01"}).json()
    assert assessment(one["evidence"][0]) == in_force
    listed = client.get(f"{base}/declarations", params={"as_of": AS_OF}).json()["items"]
    assert assessment(next(d for d in listed if d["control"] == "12.6.1")["evidence"][0]) == expired
    node = client.get(base, params={"as_of": "2024-06-01"}).json()
    assert assessment(next(d for d in node["declarations"] if d["control"] == "12.6.1")["evidence"][0]) == in_force
    report = client.get(f"{base}/report", params={"as_of": AS_OF}).json()
    declaration = next(item for item in report["controls"] if item["control"] == "12.6.1")["declaration"]
    assert assessment(declaration["evidence"][0]) == expired
    # Writes answer with today's assessment; the reason follows the evidence rules (scope first).
    scoped = {"kind": "certification", "ref": "Scoped", "expires": "2999-01-01", "scope": ["9"]}
    put = client.put(f"{base}/declarations/10.5.1", json={"status": "verified", "evidence": [scoped]}).json()
    assert put["evidence"][0]["scope"] == ["9"]
    assert assessment(put["evidence"][0]) == {
        "assures": False,
        "reason": "outside the evidence's scope",
        "in_force_until": None,
    }
    error_of(client.get(f"{base}/declarations/12.6.1", params={"as_of": "someday"}), 422)
