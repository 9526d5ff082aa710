"""Obligations, what-if, impact, single points of failure, fix ranking and the incident library over HTTP."""

from obligraph.graph.analysis import analyze, fix_ranking, obligations, single_points_of_failure, what_if
from obligraph.graph.chain import Chain
from tests.api.support import AS_OF, HR_CHAIN, error_of, messages

WS = "/api/v1/workspaces/hr"


def test_obligations_match_the_engine(client, workspace):
    body = client.get(f"{WS}/nodes/acme-paas/obligations", params={"as_of": AS_OF}).json()
    expected = obligations(analyze(Chain.from_dict(HR_CHAIN), as_of=AS_OF), "acme-paas")
    assert body["node"] == "acme-paas" and body["revision"] == 1
    assert body["obligations"] == expected and expected
    assert {"hr-saas", "mon-saas"} <= set(expected[0]["direct_consumers"])
    error_of(client.get(f"{WS}/nodes/ghost/obligations"), 404)


def test_what_if(client, workspace):
    changes = [{"op": "set_status", "node": "acme-compute", "controls": ["9.1.1"], "status": "not_implemented"}]
    response = client.post(f"{WS}/what-if", json={"changes": changes, "as_of": AS_OF})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = what_if(Chain.from_dict(HR_CHAIN), changes, as_of=AS_OF)
    assert body["opened"] == expected["opened"] and body["summary"] == expected["summary"]
    assert body["summary"]["opened"] > 0 and "hr-saas" in body["affected_nodes"]
    # Nothing is stored.
    assert client.get(WS).json()["revision"] == 1
    removal = client.post(
        f"{WS}/what-if", json={"changes": [{"op": "remove_edge", "provider": "acme-paas", "consumer": "hr-saas"}]}
    )
    assert removal.status_code == 200


def test_what_if_over_no_controls_is_empty(client, workspace):
    body = {"changes": [{"node": "acme-paas", "op": "remove_node"}], "controls": []}
    response = client.post(f"{WS}/what-if", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["opened"] == 0


def test_what_if_bad_input(client, workspace):
    error = error_of(client.post(f"{WS}/what-if", json={"changes": []}), 422)
    assert "body.changes" in messages(error)
    error = error_of(client.post(f"{WS}/what-if", json={"changes": [{"op": "explode", "node": "acme-paas"}]}), 422)
    assert "set_status" in messages(error)
    error = error_of(client.post(f"{WS}/what-if", json={"changes": [{"op": "remove_node", "node": "ghost"}]}), 422)
    assert "changes[0].node" in messages(error)
    error = error_of(
        client.post(
            f"{WS}/what-if", json={"changes": [{"op": "apply_incident", "node": "acme-paas", "incident": "meteor"}]}
        ),
        422,
    )
    assert "paas-outage" in messages(error)
    error = error_of(
        client.post(f"{WS}/what-if", json={"changes": [{"op": "remove_node", "node": "acme-paas", "x": 1}]}), 422
    )
    assert "unknown field 'x'" in messages(error)
    error_of(
        client.post("/api/v1/workspaces/nope/what-if", json={"changes": [{"op": "remove_node", "node": "a"}]}), 404
    )


def test_impact(client, workspace):
    body = client.get(
        f"{WS}/impact", params={"provider": "acme-paas", "incident": "paas-outage", "as_of": AS_OF}
    ).json()
    assert body["changes"] == [{"op": "apply_incident", "node": "acme-paas", "incident": "paas-outage"}]
    assert "customer" in body["affected_nodes"]  # an outage reaches everything downstream
    gone = client.get(f"{WS}/impact", params={"provider": "acme-paas", "as_of": AS_OF}).json()
    assert gone["removed_nodes"] == ["acme-paas"]
    error_of(client.get(f"{WS}/impact", params={"provider": "ghost"}), 404)
    error = error_of(client.get(f"{WS}/impact"), 422)
    assert "'provider' is required" in messages(error)
    error = error_of(client.get(f"{WS}/impact", params={"provider": "acme-paas", "incident": "meteor"}), 422)
    assert "not a known incident" in messages(error)


def test_spof(client, workspace):
    body = client.get(f"{WS}/spof").json()
    expected = single_points_of_failure(Chain.from_dict(HR_CHAIN))
    assert body["dominators"] == expected["dominators"] and body["concentration"] == expected["concentration"]
    assert body["dominators"]["customer"][0] == "hr-saas"
    error_of(client.get("/api/v1/workspaces/nope/spof"), 404)


def test_fixes(client, workspace):
    body = client.get(f"{WS}/fixes", params={"as_of": AS_OF, "limit": 3}).json()
    expected = fix_ranking(analyze(Chain.from_dict(HR_CHAIN), as_of=AS_OF), limit=3)
    assert body["fixes"] == expected and len(expected) == 3
    error = error_of(client.get(f"{WS}/fixes", params={"limit": 0}), 422)
    assert "at least 1" in messages(error)
    error_of(client.get(f"{WS}/fixes", params={"limit": 100_000}), 422)


def test_incidents(client):
    items = client.get("/api/v1/incidents").json()["items"]
    assert "paas-outage" in {item["id"] for item in items}
    assert all(item["impact"]["kind"] in ("outage", "degrade") for item in items)
