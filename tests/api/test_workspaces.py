"""Workspaces: create, list (paged), get, rename and settings, delete; bad input gets a 4xx that says what to fix."""

from tests.api.support import error_of, messages

BASE = "/api/v1/workspaces"


def create(client, ws_id: str, **fields):
    return client.post(BASE, json={"id": ws_id, "name": ws_id.title(), **fields})


def test_create_get_list_rename_delete(client):
    response = create(client, "alpha", description="first", requirement="verified", controls=["10.5.1"])
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == "alpha" and body["revision"] == 0 and body["nodes"] == 0
    assert body["requirement"] == "verified" and body["controls"] == ["10.5.1"]
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")

    assert client.get(f"{BASE}/alpha").json()["description"] == "first"
    renamed = client.patch(f"{BASE}/alpha", json={"name": "Alpha prime", "description": None})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Alpha prime" and renamed.json()["description"] is None
    assert renamed.json()["revision"] == 1

    assert client.delete(f"{BASE}/alpha").status_code == 204
    error_of(client.get(f"{BASE}/alpha"), 404)
    error_of(client.delete(f"{BASE}/alpha"), 404)


def test_list_is_paged_by_id(client):
    for ws_id in ("c", "a", "b", "d"):
        assert create(client, ws_id).status_code == 201
    first = client.get(BASE, params={"limit": 3}).json()
    assert [w["id"] for w in first["items"]] == ["a", "b", "c"]
    second = client.get(BASE, params={"limit": 3, "cursor": first["next"]}).json()
    assert [w["id"] for w in second["items"]] == ["d"] and second["next"] is None


def test_counts_follow_the_chain(client, workspace):
    body = client.get(f"{BASE}/{workspace}").json()
    assert (body["nodes"], body["edges"]) == (5, 5)
    assert body["name"] == "HR platform"  # a replace import with rename=true takes the document's name


def test_duplicate_id_is_a_conflict(client):
    assert create(client, "dup").status_code == 201
    error = error_of(create(client, "dup"), 409)
    assert "already exists" in error["message"]


def test_bad_input_says_what_to_fix(client):
    error = error_of(create(client, "Not A Slug"), 422)
    assert error["details"][0]["location"] == "body.id"
    error = error_of(client.post(BASE, json={"id": "x", "name": "x", "colour": "red"}), 422)
    assert "unknown field 'colour'" in messages(error) and "allowed here" in messages(error)
    error = error_of(client.post(BASE, json={"id": "x"}), 422)
    assert "'name' is required" in messages(error)
    error = error_of(create(client, "x", catalog="nist"), 422)
    assert "unknown catalog 'nist'" in messages(error) and "meti-2011" in messages(error)
    error = error_of(create(client, "x", controls=["10.5.9"]), 422)
    assert "did you mean" in messages(error)
    error = error_of(create(client, "x", requirement="good"), 422)
    assert "verified" in messages(error)
    error_of(client.post(BASE, content=b"{not json", headers={"content-type": "application/json"}), 422)


def test_a_catalog_is_an_id_never_a_server_path(client, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("format: obligraph/catalog@1\n")
    error = error_of(create(client, "x", catalog=str(path)), 422)
    assert "unknown catalog" in error["message"]


def test_patch_settings(client, workspace):
    body = client.patch(f"{BASE}/{workspace}", json={"requirement": "verified", "controls": ["10.5.1"]}).json()
    assert body["requirement"] == "verified" and body["controls"] == ["10.5.1"]
    gaps = client.get(f"{BASE}/{workspace}/gaps").json()
    assert gaps["requirement"] == "verified" and gaps["summary"]["controls"] == 1
    cleared = client.patch(f"{BASE}/{workspace}", json={"controls": None, "requirement": None}).json()
    assert cleared["controls"] is None
    assert client.get(f"{BASE}/{workspace}/gaps").json()["summary"]["controls"] == 133  # every catalog control


def test_patch_rejects_bad_settings_and_keeps_the_old(client, workspace):
    before = client.get(f"{BASE}/{workspace}").json()
    error_of(client.patch(f"{BASE}/{workspace}", json={"name": None}), 422)
    error = error_of(client.patch(f"{BASE}/{workspace}", json={"controls": ["99.9"]}), 422)
    assert "not a control" in messages(error)
    # The chain declares meti-2011 controls, which the CLD catalog does not have.
    error = error_of(client.patch(f"{BASE}/{workspace}", json={"catalog": "iso27017-cld"}), 422)
    assert "iso27017-cld" in messages(error)
    after = client.get(f"{BASE}/{workspace}").json()
    assert after == before
    assert client.get(f"{BASE}/{workspace}/gaps").json()["summary"]["controls"] == 5


def test_catalog_change_on_an_empty_workspace(client):
    assert create(client, "cld").status_code == 201
    body = client.patch(f"{BASE}/cld", json={"catalog": "iso27017-cld"}).json()
    assert body["catalog"] == "iso27017-cld"
    node = {"id": "p", "layer": "paas", "declarations": [{"control": "CLD.6.3.1", "status": "declared"}]}
    assert client.post(f"{BASE}/cld/nodes", json=node).status_code == 201


def _rows_left(app) -> list[int]:
    from sqlalchemy import func, select

    from obligraph.app.models import EdgeRow, JournalRow, NodeRow, SnapshotRow

    with app.state.service.db.read() as session:
        return [
            session.execute(select(func.count()).select_from(table)).scalar()
            for table in (NodeRow, EdgeRow, SnapshotRow, JournalRow)
        ]


def test_delete_removes_everything_once_the_id_is_created_again(client, workspace, app):
    assert client.post(f"{BASE}/{workspace}/snapshots", json={"label": "mine"}).status_code == 201
    assert client.delete(f"{BASE}/{workspace}").status_code == 204
    assert all(_rows_left(app))  # kept, hidden, for undo
    # The id can be used again: the deleted namesake goes for good, and nothing cached for it
    # leaks into the new one.
    assert create(client, workspace).status_code == 201
    assert _rows_left(app) == [0, 0, 0, 0]
    assert client.get(f"{BASE}/{workspace}/gaps").json()["summary"]["nodes"] == 0
    error_of(client.post(f"{BASE}/{workspace}/restore"), 409)


def test_delete_without_undo_removes_everything_at_once(client, workspace, app):
    app.state.service.settings.deleted_workspaces_keep_days = 0
    response = client.delete(f"{BASE}/{workspace}")
    assert response.status_code == 204 and "x-undo-restore" not in response.headers
    assert _rows_left(app) == [0, 0, 0, 0]
    assert "kept 0 days" in error_of(client.post(f"{BASE}/{workspace}/restore"), 404)["message"]


def test_bad_cursor_and_limits(client):
    error = error_of(client.get(BASE, params={"cursor": "nonsense!"}), 400)
    assert error["code"] == "invalid_cursor"
    error = error_of(client.get(BASE, params={"limit": 0}), 422)
    assert "at least 1" in messages(error)
    error = error_of(client.get(BASE, params={"limit": "many"}), 422)
    assert error["details"][0]["location"] == "query.limit"
