"""Snapshots: content-addressed, immutable, checked on every read; list, get, diff, restore, delete."""

import hashlib
import json

from sqlalchemy import update

from obligraph.app.models import SnapshotRow
from tests.api.support import HR_CHAIN, error_of

WS = "/api/v1/workspaces/hr"


def take(client, label=None, status=201):
    response = client.post(f"{WS}/snapshots", json={"label": label} if label else None)
    assert response.status_code == status, response.text
    return response.json()


def canonical_sha(chain, analysis):
    text = json.dumps({"chain": chain, "analysis": analysis}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_create_is_content_addressed(client, workspace):
    snap = take(client, "first")
    assert snap["workspace"] == "hr" and snap["label"] == "first" and snap["revision"] == 1
    assert snap["summary"]["nodes"] == 5 and snap["summary"]["edges"] == 5
    detail = client.get(f"{WS}/snapshots/{snap['id']}").json()
    assert detail["id"] == snap["id"] == canonical_sha(detail["chain"], detail["analysis"])
    assert detail["chain"]["name"] == HR_CHAIN["name"] and len(detail["chain"]["nodes"]) == 5
    assert detail["analysis"]["format"] == "obligraph/analysis@1"
    # The same content again is the same snapshot (200, not a second one).
    again = take(client, status=200)
    assert again["id"] == snap["id"]
    listed = client.get(f"{WS}/snapshots").json()["items"]
    assert listed == [snap]  # the list reads only the summary back, and it is the same


def test_get_by_prefix_and_not_found(client, workspace):
    snap = take(client)
    assert client.get(f"{WS}/snapshots/{snap['id'][:8]}").json()["id"] == snap["id"]
    assert error_of(client.get(f"{WS}/snapshots/{'0' * 64}"), 404)["code"] == "not_found"
    assert error_of(client.get(f"{WS}/snapshots/abc"), 404)["code"] == "not_found"  # too short a prefix
    assert error_of(client.get("/api/v1/workspaces/nope/snapshots"), 404)["code"] == "not_found"
    assert error_of(client.post("/api/v1/workspaces/nope/snapshots"), 404)["code"] == "not_found"
    assert error_of(client.post(f"{WS}/snapshots", json={"lable": "x"}), 422)["code"] == "invalid_request"


def test_list_pages_and_delete(client, workspace):
    first = take(client, "a")
    client.delete(f"{WS}/edges/hr-saas/customer")
    second = take(client, "b")
    page = client.get(f"{WS}/snapshots", params={"limit": 1}).json()
    assert [s["id"] for s in page["items"]] == [first["id"]] and page["next"]
    rest = client.get(f"{WS}/snapshots", params={"limit": 1, "cursor": page["next"]}).json()
    assert [s["id"] for s in rest["items"]] == [second["id"]] and rest["next"] is None
    assert client.delete(f"{WS}/snapshots/{first['id']}").status_code == 204
    assert [s["id"] for s in client.get(f"{WS}/snapshots").json()["items"]] == [second["id"]]
    assert error_of(client.delete(f"{WS}/snapshots/{first['id']}"), 404)["code"] == "not_found"


def test_diff(client, workspace):
    before = take(client)
    client.delete(f"{WS}/edges/hr-saas/customer")
    client.post(f"{WS}/nodes", json={"id": "backup-co", "layer": "saas"})
    client.put(f"{WS}/nodes/acme-paas/declarations/12.6.1", json={"status": "verified"})
    after = take(client)
    diff = client.get(f"{WS}/snapshots/{before['id']}/diff/{after['id'][:10]}").json()
    assert diff["from"] == before["id"] and diff["to"] == after["id"]
    assert [n["id"] for n in diff["nodes"]["added"]] == ["backup-co"]
    assert diff["nodes"]["removed"] == []
    assert [(e["provider"], e["consumer"]) for e in diff["edges"]["removed"]] == [("hr-saas", "customer")]
    changed = [(d["node"], d["control"]) for d in diff["declarations"]["changed"]]
    assert ("acme-paas", "12.6.1") in changed or diff["declarations"]["added"]
    summary = diff["summary"]
    assert summary["nodes_added"] == 1 and summary["edges_removed"] == 1
    assert summary["gaps_before"] == before["summary"]["gaps"]
    assert summary["gaps_after"] == after["summary"]["gaps"]
    assert summary["gaps_before"] - summary["gaps_closed"] + summary["gaps_opened"] == summary["gaps_after"]
    same = client.get(f"{WS}/snapshots/{before['id']}/diff/{before['id']}").json()
    assert all(v == 0 for k, v in same["summary"].items() if k not in ("gaps_before", "gaps_after"))
    assert error_of(client.get(f"{WS}/snapshots/{before['id']}/diff/{'f' * 64}"), 404)["code"] == "not_found"


def test_restore_is_a_new_revision_and_keeps_snapshots(client, workspace):
    snap = take(client)
    client.delete(f"{WS}/nodes/mon-saas")
    revision = client.get(WS).json()["revision"]
    result = client.post(f"{WS}/snapshots/{snap['id']}/restore").json()
    assert result == {"workspace": "hr", "snapshot": snap["id"], "revision": revision + 1}
    assert client.get(WS).json()["nodes"] == 5
    assert take(client, status=200)["id"] == snap["id"]  # the restored state is the snapshot's content
    assert len(client.get(f"{WS}/snapshots").json()["items"]) == 1
    assert error_of(client.post(f"{WS}/snapshots/{'a' * 64}/restore"), 404)["code"] == "not_found"


def test_tampered_snapshot_is_refused(client, app, workspace):
    snap = take(client)
    service = app.state.service
    with service.db.write() as session:
        row = session.get(SnapshotRow, ("hr", snap["id"]))
        chain = dict(row.chain, name="tampered")
        session.execute(
            update(SnapshotRow.__table__).where(SnapshotRow.__table__.c.digest == snap["id"]).values(chain=chain)
        )
        session.commit()
    for response in (
        client.get(f"{WS}/snapshots/{snap['id']}"),
        client.get(f"{WS}/snapshots/{snap['id']}/diff/{snap['id']}"),
        client.post(f"{WS}/snapshots/{snap['id']}/restore"),
        client.get(f"{WS}/export", params={"format": "json", "snapshot": snap["id"]}),
    ):
        error = error_of(response, 409)
        assert error["code"] == "snapshot_corrupt"
        assert "sha256" in error["message"]
    assert client.get(WS).json()["revision"] == 1  # the restore changed nothing
    # A damaged snapshot still shows in the list and can be deleted by its full id.
    assert [s["id"] for s in client.get(f"{WS}/snapshots").json()["items"]] == [snap["id"]]
    assert client.delete(f"{WS}/snapshots/{snap['id']}").status_code == 204
