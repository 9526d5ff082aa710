"""Cross-cutting behaviour: health, errors everywhere in one shape, body cap, OpenAPI examples."""

import pytest
from fastapi.testclient import TestClient

from obligraph.app.main import create_app
from tests.api.support import error_of


def test_health(client):
    assert client.get("/healthz").json()["status"] == "ok"
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


def test_readyz_reports_a_dead_database(settings, tmp_path):
    app = create_app(settings)
    with TestClient(app) as client:
        app.state.service.db.engine.dispose()

        def broken():
            raise ConnectionError("gone")

        app.state.service.db.ping = broken
        error = error_of(client.get("/readyz"), 503)
        assert "not reachable" in error["message"]
    app.state.service.close()


def test_unknown_routes_and_methods(client):
    error = error_of(client.get("/api/v1/nothing"), 404)
    assert "/docs" in error["message"]
    error = error_of(client.put("/api/v1/workspaces"), 405)
    assert "PUT" in error["message"]


def test_chunked_body_over_the_cap(settings):
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}))
    with TestClient(app) as client:
        client.post("/api/v1/workspaces", json={"id": "cap", "name": "cap"})
        chunks = iter([b'{"format": "obligraph/chain@1", "name": "', b"x" * 3000, b'"}'])
        error = error_of(
            client.post("/api/v1/workspaces/cap/import", content=chunks, headers={"content-type": "application/json"}),
            413,
        )
        assert "OBLIGRAPH_MAX_BODY_BYTES" in error["message"]
        # A JSON body route, too: FastAPI's body parsing must not turn the cap into a 400.
        big = {"id": "cap2", "name": "y" * 400, "description": "z" * 3000}
        error_of(
            client.post(
                "/api/v1/workspaces", content=iter([str(big).encode()]), headers={"content-type": "application/json"}
            ),
            413,
        )
        client.delete("/api/v1/workspaces/cap")
    app.state.service.close()


def test_every_route_is_documented_with_an_example(client):
    schema = client.get("/openapi.json").json()
    assert client.get("/docs").status_code == 200
    components = schema["components"]["schemas"]
    assert "ChainDocument" in components
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not _has_example(operation, components):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing


def _has_example(operation: dict, components: dict) -> bool:
    """An example in the request body, in a response, or (for body-less routes) on every parameter."""

    def content_has(content: dict) -> bool:
        for media in content.values():
            if "example" in media or "examples" in media:
                return True
            ref = media.get("schema", {}).get("$ref", "")
            if ref and "examples" in components.get(ref.rsplit("/", 1)[-1], {}):
                return True
        return False

    body = operation.get("requestBody", {}).get("content", {})
    responses = [r.get("content", {}) for code, r in operation["responses"].items() if code.startswith("2")]
    if content_has(body) or any(content_has(c) for c in responses):
        return True
    if any(responses):
        return False  # a route that answers with a body shows an example of it
    path_parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    return bool(path_parameters) and all("examples" in p.get("schema", {}) or "examples" in p for p in path_parameters)


@pytest.mark.parametrize("path", ["/api/v1/workspaces/%00", "/api/v1/workspaces/" + "x" * 100])
def test_odd_paths_are_4xx(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"error"}


def test_nul_characters_are_stored_by_sqlite_and_refused_by_postgres(client, workspace, backend):
    response = client.post("/api/v1/workspaces/hr/nodes", json={"id": "nul", "layer": "iaas", "name": "a\u0000b"})
    if backend == "sqlite":
        assert response.status_code == 201
        assert client.get("/api/v1/workspaces/hr/nodes/nul").json()["name"] == "a\u0000b"
    else:  # PostgreSQL text cannot hold NUL: a 422 that says so, and nothing half-written
        assert "NUL" in error_of(response, 422)["message"]
        assert client.get("/api/v1/workspaces/hr/nodes/nul").status_code == 404
    assert client.get("/api/v1/workspaces/hr/gaps").status_code == 200  # the cache is intact either way


def test_the_revision_check_survives_a_dropped_connection(app, backend, workspace):
    if backend != "postgres":
        pytest.skip("PostgreSQL only: SQLite has no connection to drop")
    from sqlalchemy import text

    database = app.state.service.db
    with database._probe_engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    with database.engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert database.revision_of("hr")[1] == 1
