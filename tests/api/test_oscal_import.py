"""OSCAL over HTTP: an exported set imports into a new workspace; a plan sent as plain JSON is recognised."""

from __future__ import annotations

import json

from obligraph.graph.chain import Chain
from tests.api.support import error_of
from tests.graph.formats.test_oscal_import import leveraging_saas

WS = "/api/v1/workspaces"


def test_an_exported_oscal_set_imports_into_another_workspace(client, workspace):
    data = client.get(f"{WS}/hr/export", params={"format": "oscal"}).content
    assert client.post(WS, json={"id": "copy", "name": "copy"}).status_code == 201
    # No format=: a zip of OSCAL documents is told from a CSV bundle by its content.
    response = client.post(f"{WS}/copy/import", content=data, headers={"content-type": "application/zip"})
    assert response.status_code == 200, response.text
    original = Chain.from_dict(client.get(f"{WS}/hr/export", params={"format": "json"}).json())
    copy = Chain.from_dict(client.get(f"{WS}/copy/export", params={"format": "json"}).json())
    assert sorted(copy.edges()) == sorted(original.edges()) and set(copy.graph.nodes) == set(original.graph.nodes)


def test_a_plan_posted_as_json_is_read_as_oscal(client):
    assert client.post(WS, json={"id": "saas", "name": "SaaS"}).status_code == 201
    response = client.post(f"{WS}/saas/import", content=json.dumps(leveraging_saas()),
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    nodes = {n["id"] for n in client.get(f"{WS}/saas/export", params={"format": "json"}).json()["nodes"]}
    assert nodes == {"CSP-IaaS-Leveraged-System", "Leveraging-SaaS-System"}
    plan = leveraging_saas()
    plan["system-security-plan"]["control-implementation"]["implemented-requirements"][0]["control-id"] = "ac-2"
    error = error_of(client.post(f"{WS}/saas/import", params={"format": "oscal-ssp"}, content=json.dumps(plan)), 422)
    assert "ac-2" in json.dumps(error)
