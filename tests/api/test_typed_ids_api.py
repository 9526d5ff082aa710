"""Typed control ids (27002:2013/..., 27002:2022/..., ccm:...) over HTTP: filters, declarations, imports, catalog."""

from __future__ import annotations

import copy

from tests.api.support import AS_OF, HR_CHAIN, error_of

GAPS = "/api/v1/workspaces/hr/gaps"


def gap_cells(client, **params) -> list[tuple[str, str]]:
    body = client.get(GAPS, params={"as_of": AS_OF, "limit": 1000, **params}).json()
    return [(gap["node"], gap["control"]) for gap in body["gaps"]]


def test_gap_filter_takes_a_2013_id(client, workspace):
    by_catalog_id = gap_cells(client, control="10.5.1")
    assert by_catalog_id  # the fixture has gaps on 10.5.1, so the comparison below can fail
    assert gap_cells(client, control="27002:2013/A.12.3.1") == by_catalog_id
    assert gap_cells(client, control="27002:2022/8.13") == by_catalog_id


def test_gap_filter_with_a_typed_id_of_several_controls(client, workspace):
    # 27002:2013/A.9.4.2 maps to 11.5.1, 11.5.5 and 11.5.6; only 11.5.1 is analysed in this workspace.
    error = error_of(client.get(GAPS, params={"control": "27002:2013/A.9.4.2"}), 422)
    assert (
        error["message"]
        == "control '11.5.5' (from '27002:2013/A.9.4.2') is not analysed here; add it to `controls` to include it"
    )
    both = gap_cells(client, controls="11.5.1,11.5.5,11.5.6", control="27002:2013/A.9.4.2")
    assert both == gap_cells(client, controls="11.5.1,11.5.5,11.5.6")


def test_gap_filter_rejects_annex_a_shorthand_without_a_wrong_guess(client, workspace):
    error = error_of(client.get(GAPS, params={"control": "A.5.1"}), 422)
    assert "12.5.1" not in error["message"] and "'27002:2022/5.1'" in error["message"]
    assert error["details"][0]["location"] == "query.control"


def test_analysis_controls_parameter_takes_typed_ids(client, workspace):
    body = client.get(GAPS, params={"as_of": AS_OF, "controls": "27002:2022/8.13,ccm:IAM-14"}).json()
    assert body["summary"]["controls"] == 4  # 10.5.1, and 11.5.1, 11.5.5, 11.5.6 from A.9.4.2


def test_declaring_by_a_typed_id_stores_each_catalog_control(client, workspace):
    url = "/api/v1/workspaces/hr/nodes/mon-saas/declarations"
    response = client.post(url, json={"control": "27002:2022/5.15", "status": "partial"})
    assert response.status_code == 201, response.text
    assert response.json()["control"] == "11.1.1"
    stored = {item["control"]: item["status"] for item in client.get(url).json()["items"]}
    assert stored == {"11.1.1": "partial", "11.4.1": "partial"}
    assert client.get(f"{url}/11.4.1").json()["status"] == "partial"
    again = client.post(url, json={"control": "27002:2013/A.9.1.2", "status": "declared"})
    assert error_of(again, 409)["message"].startswith("node 'mon-saas' already declares control '11.4.1'")


def test_declaring_an_id_with_no_2005_counterpart_is_refused_at_the_field(client, workspace):
    url = "/api/v1/workspaces/hr/nodes/mon-saas/declarations"
    error = error_of(client.post(url, json={"control": "27002:2022/8.11", "status": "partial"}), 422)
    assert error["details"] == [{"location": "body.control", "message": error["message"]}]
    assert "Data masking" in error["message"]


def test_import_with_a_2013_declaration_id(client):
    assert client.post("/api/v1/workspaces", json={"id": "typed", "name": "typed"}).status_code == 201
    document = copy.deepcopy(HR_CHAIN)
    document["nodes"][3]["declarations"] = [{"control": "27002:2013/A.9.4.2", "status": "declared"}]
    document["edges"][3]["responsibility"] = {"27001:2022/A.8.5": "shared"}
    response = client.post("/api/v1/workspaces/typed/import", json=document)
    assert response.status_code == 200, response.text
    declared = client.get("/api/v1/workspaces/typed/nodes/hr-saas/declarations").json()["items"]
    assert [item["control"] for item in declared] == ["11.5.1", "11.5.5", "11.5.6"]
    edge = client.get("/api/v1/workspaces/typed/edges/acme-paas/hr-saas").json()
    assert edge["responsibility"] == {"11.5.1": "shared", "11.5.5": "shared", "11.5.6": "shared"}
    exported = client.get("/api/v1/workspaces/typed/export", params={"format": "json"}).json()
    assert all("/" not in d["control"] for node in exported["nodes"] for d in node.get("declarations", []))


def test_merge_import_with_a_typed_id_replaces_the_catalog_declaration(client, workspace):
    patch = {
        "format": "obligraph/chain@1",
        "name": "HR platform",
        "nodes": [
            {
                "id": "acme-compute",
                "layer": "iaas",
                "declarations": [{"control": "27002:2022/8.13", "status": "partial"}],
            }
        ],
    }
    response = client.post("/api/v1/workspaces/hr/import", params={"mode": "merge"}, json=patch)
    assert response.status_code == 200, response.text
    item = client.get("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.5.1").json()
    assert item["status"] == "partial"


def test_catalog_controls_carry_their_2022_ids(client):
    catalog = client.get("/api/v1/catalogs/meti-2011").json()
    by_id = {control["id"]: control["iso27002_2022"] for control in catalog["controls"]}
    assert by_id["10.5.1"] == ["8.13"] and by_id["11.4.1"] == ["5.15"] and by_id["6.1.1"] == []
    assert client.get("/api/v1/catalogs/meti-2011/controls/12.5.4").json()["iso27002_2022"] == ["8.12"]
    cld = client.get("/api/v1/catalogs/iso27017-cld").json()
    assert all(control["iso27002_2022"] == [] for control in cld["controls"])


def test_workspace_controls_given_as_typed_ids_are_stored_as_catalog_ids(client):
    body = {"id": "settings", "name": "settings", "controls": ["27002:2022/5.15", "10.5.1"]}
    created = client.post("/api/v1/workspaces", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["controls"] == ["11.1.1", "11.4.1", "10.5.1"]
    changed = client.patch("/api/v1/workspaces/settings", json={"controls": ["ccm:LOG-06"]})
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/workspaces/settings").json()["controls"] == ["10.10.6"]
    refused = client.patch("/api/v1/workspaces/settings", json={"controls": ["A.12.3.1"]})
    assert "'27002:2013/A.12.3.1'" in error_of(refused, 422)["message"]


def test_unknown_catalog_control_is_explained_from_its_numbering(client):
    error = error_of(client.get("/api/v1/catalogs/meti-2011/controls/A.12.3.1"), 404)
    assert "write '27002:2013/A.12.3.1' (Information backup)" in error["message"]
