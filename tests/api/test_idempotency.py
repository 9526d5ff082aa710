"""``Idempotency-Key`` on imports: a retry is stored once, a reused key with another request is refused,
the key lives and dies with the import's transaction, expires, and goes with its workspace."""

import json
import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from obligraph.app.main import create_app
from obligraph.app.models import IdempotencyKey, utcnow
from tests.api.support import error_of, messages

URL = "/api/v1/workspaces/hr/import"
EXTRA = {"format": "obligraph/chain@1", "name": "extra", "nodes": [{"id": "extra-saas", "layer": "saas"}]}


def merge(client, document, key, **params):
    body = json.dumps(document).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    return client.post(URL, content=body, headers=headers, params={"mode": "merge", **params})


def revision(client) -> int:
    return client.get("/api/v1/workspaces/hr").json()["revision"]


def key_rows(app, ws: str | None = None) -> int:
    query = select(func.count()).select_from(IdempotencyKey)
    if ws is not None:
        query = query.where(IdempotencyKey.workspace_id == ws)
    with app.state.service.db.read() as session:
        return session.execute(query).scalar_one()


def test_a_retry_gets_the_first_answer_and_writes_nothing(client, workspace, app):
    before = revision(client)
    first = merge(client, EXTRA, "key-1")
    assert first.status_code == 200, first.text
    assert first.json()["revision"] == before + 1 and first.json()["nodes_added"] == 1
    assert "Idempotent-Replayed" not in first.headers
    # Another write in between: a replay must still answer what the import answered, not the present.
    client.put("/api/v1/workspaces/hr/nodes/extra-saas/declarations/9.1.1", json={"status": "partial"})
    again = merge(client, EXTRA, "key-1")
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert revision(client) == before + 2  # the import and the declaration, no second import
    node = client.get("/api/v1/workspaces/hr/nodes/extra-saas").json()
    assert [(d["control"], d["status"]) for d in node["declarations"]] == [("9.1.1", "partial")]
    assert key_rows(app, "hr") == 1


@pytest.mark.parametrize("nodes", [1, 100], ids=["small, checked under the lock", "large, before parsing"])
def test_a_retry_replays_at_either_size(client, workspace, monkeypatch, nodes):
    """A large retry is answered before its body is parsed again; a small one is parsed, then the
    check under the lock answers it. Either way the first answer comes back and nothing is imported."""
    import obligraph.app.api.routes.imports as route

    document = {**EXTRA, "nodes": [{"id": f"big-{i}", "layer": "saas", "name": "x" * 400} for i in range(nodes)]}
    large = len(json.dumps(document)) >= route.REPLAY_BEFORE_PARSING_BYTES
    assert large == (nodes > 1)
    first = merge(client, document, f"key-{nodes}")
    assert first.status_code == 200, first.text
    before = revision(client)
    parsed = []
    parse = route.parse_import
    monkeypatch.setattr(route, "parse_import", lambda *args: parsed.append(1) or parse(*args))
    again = merge(client, document, f"key-{nodes}")
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert revision(client) == before
    assert len(parsed) == (0 if large else 1)


def test_a_key_reused_for_another_request_is_refused(client, workspace):
    assert merge(client, EXTRA, "key-2").status_code == 200
    before = revision(client)
    other = {**EXTRA, "nodes": [{"id": "other-saas", "layer": "saas"}]}
    error = error_of(merge(client, other, "key-2"), 422)
    assert error["code"] == "idempotency_key_reused"
    assert "'key-2' was already used in workspace 'hr' for a different import" in error["message"]
    # the same body in another mode is another request too
    assert error_of(client.post(URL, json=EXTRA, headers={"Idempotency-Key": "key-2"}), 422)["code"] == (
        "idempotency_key_reused"
    )
    assert revision(client) == before
    assert client.get("/api/v1/workspaces/hr/nodes/other-saas").status_code == 404


@pytest.mark.parametrize(
    "key, problem",
    [
        ("x" * 256, "256 characters long, at most 255"),
        ("two words", "a space or a character outside printable ASCII"),
        ("tab\there", "a space or a character outside printable ASCII"),
    ],
)
def test_a_malformed_key_is_refused_with_what_to_send(client, workspace, key, problem):
    error = error_of(merge(client, EXTRA, key), 422)
    assert problem in messages(error) and "printable ASCII characters without spaces" in error["message"]
    assert error["details"][0]["location"] == "header.Idempotency-Key"
    assert client.get("/api/v1/workspaces/hr/nodes/extra-saas").status_code == 404


def test_the_longest_key_is_accepted(client, workspace):
    key = "k" * 255
    assert merge(client, EXTRA, key).status_code == 200
    assert merge(client, EXTRA, key).headers["Idempotent-Replayed"] == "true"


def test_keys_belong_to_their_workspace(client, workspace):
    assert client.post("/api/v1/workspaces", json={"id": "other", "name": "Other"}).status_code == 201
    body = json.dumps(EXTRA).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": "shared"}
    one = client.post(URL, content=body, headers=headers, params={"mode": "merge"})
    two = client.post("/api/v1/workspaces/other/import", content=body, headers=headers, params={"mode": "merge"})
    assert one.status_code == two.status_code == 200
    assert "Idempotent-Replayed" not in two.headers and two.json()["workspace"] == "other"


def test_a_failed_import_stores_no_key(client, workspace, app):
    broken = {"format": "obligraph/chain@1", "name": "broken", "nodes": [{"id": "bad", "layer": "nowhere"}]}
    assert merge(client, broken, "key-3").status_code == 422
    assert key_rows(app) == 0
    # the key is still free: the corrected document goes through under it
    assert merge(client, EXTRA, "key-3").status_code == 200
    assert key_rows(app) == 1


def test_the_key_and_the_import_commit_together(app, workspace, monkeypatch):
    """A failure after the key is recorded, before the commit, leaves neither the import nor the key."""
    import obligraph.app.api.routes.imports as route

    recorded = []

    def record_then_fail(*args, **kwargs):
        route_record(*args, **kwargs)
        recorded.append(args[1])
        raise RuntimeError("crash between the key and the commit")

    route_record = route.record_key
    monkeypatch.setattr(route, "record_key", record_then_fail)
    with TestClient(app, raise_server_exceptions=False) as client:
        before = revision(client)
        assert merge(client, EXTRA, "key-4").status_code == 500
        assert recorded == ["key-4"]
        assert revision(client) == before
        assert client.get("/api/v1/workspaces/hr/nodes/extra-saas").status_code == 404
        assert key_rows(app) == 0
        monkeypatch.setattr(route, "record_key", route_record)
        assert merge(client, EXTRA, "key-4").status_code == 200
        assert revision(client) == before + 1 and key_rows(app) == 1


def test_an_expired_key_is_forgotten(client, workspace, app):
    assert merge(client, EXTRA, "key-5").status_code == 200
    ttl = app.state.service.settings.idempotency_key_ttl_s
    with app.state.service.db.write() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(seconds=ttl + 60)))
        session.commit()
    before = revision(client)
    again = merge(client, EXTRA, "key-5")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert again.json()["revision"] == before + 1 and again.json()["nodes_updated"] == 1
    assert key_rows(app) == 1  # the expired row was replaced, not kept beside the new one


def test_expired_keys_of_other_imports_are_removed_now_and_then(client, workspace, app, monkeypatch):
    from obligraph.app.services import importing

    for key in ("key-a", "key-b"):
        assert merge(client, EXTRA, key).status_code == 200
    ttl = app.state.service.settings.idempotency_key_ttl_s
    with app.state.service.db.write() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(seconds=ttl + 60)))
        session.commit()
    monkeypatch.setattr(importing, "KEY_PURGE_INTERVAL_S", 3600.0)
    monkeypatch.setattr(importing, "_purged", {"hr": float("-inf")})  # last removed long ago: due now
    assert merge(client, EXTRA, "key-c").status_code == 200
    assert key_rows(app) == 1
    with app.state.service.db.write() as session:
        session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(seconds=ttl + 60)))
        session.commit()
    assert merge(client, EXTRA, "key-d").status_code == 200
    assert key_rows(app) == 2  # not due again within the interval: key-c stays until then, ignored


def test_a_new_workspace_of_a_deleted_ones_name_starts_with_no_keys(client, workspace, app):
    assert merge(client, EXTRA, "key-6").status_code == 200
    assert key_rows(app, "hr") == 1
    assert client.delete("/api/v1/workspaces/hr").status_code == 204
    assert key_rows(app, "hr") == 1  # kept with the deleted workspace, which can still be restored
    # creating one of the same name removes the deleted one for good: its keys go, the import happens
    assert client.post("/api/v1/workspaces", json={"id": "hr", "name": "HR again"}).status_code == 201
    assert key_rows(app, "hr") == 0
    response = merge(client, EXTRA, "key-6")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers


def test_concurrent_requests_with_one_key_import_once(client, workspace, app, settings):
    """Two workers (own engines and caches) and eight threads send the same key at once."""
    second = create_app(settings)
    try:
        workers = [TestClient(app), TestClient(second)]
        before = revision(client)
        barrier = threading.Barrier(8)
        results = [None] * 8

        def send(i):
            barrier.wait()
            results[i] = merge(workers[i % 2], EXTRA, "key-7")

        threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [r.status_code for r in results] == [200] * 8, [r.text for r in results]
        assert len({r.content for r in results}) == 1
        assert sum("Idempotent-Replayed" not in r.headers for r in results) == 1
        assert revision(client) == before + 1 and key_rows(app) == 1
    finally:
        second.state.service.close()


def test_the_header_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/workspaces/{ws}/import"]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert "first answer back" in header["description"] and header["schema"]["maxLength"] == 255
    assert "503" in operation["responses"]
