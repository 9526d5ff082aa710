"""Automatic snapshots before destructive edits: undo restores exactly the state before."""

from __future__ import annotations

import copy

import pytest

from obligraph.app.services.undo import AUTO_LABEL, UNDO_HEADER
from tests.api.support import HR_CHAIN

WS = "/api/v1/workspaces/hr"


def _chain(client) -> dict:
    return client.get(f"{WS}/export", params={"format": "json"}).json()


def _undo(client, response) -> None:
    snapshot = response.headers[UNDO_HEADER]
    restored = client.post(f"{WS}/snapshots/{snapshot}/restore")
    assert restored.status_code == 200, restored.text


@pytest.mark.parametrize(
    "path",
    [
        "/nodes/acme-paas",
        "/edges/acme-compute/acme-paas",
        "/nodes/acme-compute/declarations/9.1.1",
    ],
)
def test_a_delete_can_be_undone_exactly(client, workspace, path):
    before = _chain(client)
    gaps_before = client.get(f"{WS}/gaps", params={"limit": 1000}).json()["gaps"]
    response = client.delete(WS + path)
    assert response.status_code == 204
    assert _chain(client) != before
    _undo(client, response)
    assert _chain(client) == before
    assert client.get(f"{WS}/gaps", params={"limit": 1000}).json()["gaps"] == gaps_before
    labels = [s["label"] for s in client.get(f"{WS}/snapshots").json()["items"]]
    assert any(label.startswith(AUTO_LABEL) for label in labels)


def test_a_replace_import_keeps_the_name_and_can_be_undone(client, workspace):
    assert client.post(f"{WS}/nodes", json={"id": "by-hand", "layer": "saas"}).status_code == 201
    before = _chain(client)
    document = copy.deepcopy(HR_CHAIN)
    document["name"] = "Another name"
    preview = client.post(f"{WS}/import/preview", json=document)
    assert preview.status_code == 200, preview.text
    said = preview.json()
    assert said["nodes_removed"] == 1 and said["removed_node_ids"] == ["by-hand"]
    assert (said["name"], said["document_name"]) == ("HR platform", "Another name")
    response = client.post(f"{WS}/import", json=document)
    assert response.status_code == 200
    assert client.get(WS).json()["name"] == "HR platform"  # kept: the file's name is not the workspace's
    assert _chain(client)["name"] == "HR platform"
    _undo(client, response)
    assert _chain(client) == before
    renamed = client.post(f"{WS}/import", params={"rename": "true"}, json=document)
    assert renamed.status_code == 200
    assert client.get(WS).json()["name"] == "Another name"


def test_automatic_snapshots_are_pruned_but_manual_ones_kept(client, workspace, app):
    app.state.service.settings.auto_snapshots_keep = 2
    manual = client.post(f"{WS}/snapshots", json={"label": "by hand"}).json()["id"]
    for control in ("9.1.1", "12.6.1", "10.5.1"):
        assert client.delete(f"{WS}/nodes/acme-compute/declarations/{control}").status_code == 204
    items = client.get(f"{WS}/snapshots").json()["items"]
    automatic = [s for s in items if (s["label"] or "").startswith(AUTO_LABEL)]
    assert len(automatic) == 2
    assert "10.5.1" in automatic[-1]["label"]  # the newest stays
    assert manual in {s["id"] for s in items}


def test_automatic_snapshots_can_be_turned_off(client, workspace, app):
    app.state.service.settings.auto_snapshots_keep = 0
    response = client.delete(f"{WS}/nodes/acme-paas")
    assert response.status_code == 204
    assert UNDO_HEADER not in response.headers
    assert client.get(f"{WS}/snapshots").json()["items"] == []


def test_preview_refuses_an_invalid_document(client, workspace):
    bad = {**HR_CHAIN, "nodes": [{"id": "x", "layer": "cloud"}], "edges": []}
    response = client.post(f"{WS}/import/preview", json=bad)
    assert response.status_code == 422
    assert "layer" in response.text


def test_a_deleted_workspace_is_hidden_then_restored_exactly(client, workspace):
    assert client.post(f"{WS}/snapshots", json={"label": "by hand"}).status_code == 201
    before, summary = _chain(client), client.get(WS).json()
    snapshots = client.get(f"{WS}/snapshots").json()["items"]
    response = client.delete(WS)
    assert response.status_code == 204
    assert response.headers["X-Undo-Restore"] == f"{WS}/restore"
    # Gone from every route, the list included, as a missing workspace is.
    for path in (WS, f"{WS}/gaps", f"{WS}/nodes", f"{WS}/snapshots"):
        assert client.get(path).status_code == 404, path
    assert "hr" not in [w["id"] for w in client.get("/api/v1/workspaces").json()["items"]]
    assert client.delete(WS).status_code == 404
    assert client.post(f"{WS}/nodes", json={"id": "x", "layer": "saas"}).status_code == 404
    restored = client.post(response.headers["X-Undo-Restore"])
    assert restored.status_code == 200, restored.text
    assert restored.json() == summary  # same name, counts and revision
    assert _chain(client) == before
    assert client.get(f"{WS}/snapshots").json()["items"] == snapshots
    error = client.post(f"{WS}/restore").json()["error"]
    assert error["message"] == "workspace 'hr' is not deleted; there is nothing to restore"


def test_a_restore_names_the_limit_when_nothing_is_kept(client):
    response = client.post("/api/v1/workspaces/never/restore")
    assert response.status_code == 404
    assert "kept 30 days" in response.json()["error"]["message"]


def test_deleted_workspaces_past_the_limit_go_for_good_at_the_next_delete(client, workspace, app):
    from datetime import timedelta

    from obligraph.app.models import Workspace, utcnow

    assert client.post("/api/v1/workspaces", json={"id": "other", "name": "Other"}).status_code == 201
    assert client.delete(WS).status_code == 204
    with app.state.service.db.write() as session:
        row = session.get(Workspace, "hr")
        row.deleted_at = utcnow() - timedelta(days=31)
        session.add(row)
        session.commit()
    assert client.delete("/api/v1/workspaces/other").status_code == 204
    assert client.post(f"{WS}/restore").status_code == 404  # past 30 days: purged
    assert client.post("/api/v1/workspaces/other/restore").status_code == 200
