"""Every route x {anonymous, viewer, editor, owner of another workspace, admin}, from app.routes.

The table pins what each route needs; a route missing from it (e.g. one added later) fails
``test_every_route_is_in_the_table``, so nobody adds a route without deciding who may call it.
Each route gets a fresh database: some calls (an admin deleting the workspace) are destructive.
"""

from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts

from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app
from tests.security.conftest import make_world

P, A, R, W, O, X = "public", "any token", "viewer", "editor", "owner", "admin"  # noqa: E741  (one-letter columns keep the table readable)

ROUTES = {
    ("GET", "/openapi.json"): A,
    ("GET", "/docs"): P,
    ("GET", "/static/docs/{path}"): P,
    ("GET", "/healthz"): P,
    ("GET", "/readyz"): P,
    ("GET", "/static/{path}"): P,
    ("GET", "/login"): P,
    ("GET", "/language"): P,
    ("POST", "/login"): P,
    ("POST", "/logout"): P,
    ("GET", "/"): A,
    ("GET", "/w/{ws}"): R,
    ("GET", "/w/{ws}/nodes/{node}"): R,
    ("GET", "/w/{ws}/gaps"): R,
    ("GET", "/w/{ws}/gaps.csv"): R,
    ("GET", "/w/{ws}/gaps.xlsx"): R,
    ("GET", "/w/{ws}/warnings.json"): R,
    ("GET", "/w/{ws}/heatmap.xlsx"): R,
    ("GET", "/w/{ws}/nodes/{node}/checklist.xlsx"): R,
    ("GET", "/w/{ws}/heatmap"): R,
    ("GET", "/w/{ws}/impact"): R,
    ("GET", "/w/{ws}/what-if"): R,
    ("GET", "/w/{ws}/fixes"): R,
    ("GET", "/w/{ws}/spof"): R,
    ("GET", "/w/{ws}/evidence"): R,
    ("GET", "/w/{ws}/lens.json"): R,
    ("GET", "/w/{ws}/map.json"): R,
    ("GET", "/w/{ws}/snapshots"): R,
    ("GET", "/w/{ws}/snapshots/diff"): R,
    ("GET", "/api/v1/catalogs"): A,
    ("GET", "/api/v1/catalogs/{catalog_id}"): A,
    ("GET", "/api/v1/catalogs/{catalog_id}/controls/{control}"): A,
    ("GET", "/api/v1/incidents"): A,
    ("GET", "/api/v1/workspaces"): A,
    ("POST", "/api/v1/workspaces"): X,
    ("GET", "/api/v1/workspaces/{ws}"): R,
    ("PATCH", "/api/v1/workspaces/{ws}"): W,
    ("DELETE", "/api/v1/workspaces/{ws}"): O,
    ("POST", "/api/v1/workspaces/{ws}/restore"): O,
    ("GET", "/api/v1/workspaces/{ws}/gaps"): R,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}/gaps"): R,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}/obligations"): R,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}/report"): R,
    ("POST", "/api/v1/workspaces/{ws}/what-if"): R,
    ("GET", "/api/v1/workspaces/{ws}/impact"): R,
    ("GET", "/api/v1/workspaces/{ws}/spof"): R,
    ("GET", "/api/v1/workspaces/{ws}/fixes"): R,
    ("GET", "/api/v1/workspaces/{ws}/evidence"): R,
    ("POST", "/api/v1/workspaces/{ws}/nodes"): W,
    ("GET", "/api/v1/workspaces/{ws}/nodes"): R,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}"): R,
    ("PATCH", "/api/v1/workspaces/{ws}/nodes/{node}"): W,
    ("DELETE", "/api/v1/workspaces/{ws}/nodes/{node}"): W,
    ("POST", "/api/v1/workspaces/{ws}/edges"): W,
    ("GET", "/api/v1/workspaces/{ws}/edges"): R,
    ("GET", "/api/v1/workspaces/{ws}/edges/{provider}/{consumer}"): R,
    ("PATCH", "/api/v1/workspaces/{ws}/edges/{provider}/{consumer}"): W,
    ("DELETE", "/api/v1/workspaces/{ws}/edges/{provider}/{consumer}"): W,
    ("POST", "/api/v1/workspaces/{ws}/nodes/{node}/declarations"): W,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}/declarations"): R,
    ("GET", "/api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}"): R,
    ("PUT", "/api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}"): W,
    ("PATCH", "/api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}"): W,
    ("DELETE", "/api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}"): W,
    ("POST", "/api/v1/workspaces/{ws}/import"): W,
    ("POST", "/api/v1/workspaces/{ws}/import/preview"): W,
    ("GET", "/api/v1/workspaces/{ws}/tokens"): O,
    ("POST", "/api/v1/workspaces/{ws}/tokens"): O,
    ("DELETE", "/api/v1/workspaces/{ws}/tokens/{token_id}"): O,
    ("POST", "/api/v1/workspaces/{ws}/snapshots"): W,
    ("GET", "/api/v1/workspaces/{ws}/snapshots"): R,
    ("GET", "/api/v1/workspaces/{ws}/snapshots/{snapshot}"): R,
    ("DELETE", "/api/v1/workspaces/{ws}/snapshots/{snapshot}"): W,
    ("GET", "/api/v1/workspaces/{ws}/snapshots/{a}/diff/{b}"): R,
    ("POST", "/api/v1/workspaces/{ws}/snapshots/{snapshot}/restore"): W,
    ("GET", "/api/v1/workspaces/{ws}/export"): R,
    ("HEAD", "/api/v1/workspaces/{ws}/export"): R,
    ("POST", "/api/v1/workspaces/{ws}/nodes/{node}/caiq"): W,
}

PRINCIPALS = ("anonymous", "viewer", "editor", "other_owner", "admin")
# What each principal meets at each level; "hidden" is a 404 indistinguishable from a missing workspace.
EXPECTED = {
    P: ("allowed",) * 5,
    A: ("401", "allowed", "allowed", "allowed", "allowed"),
    R: ("401", "allowed", "allowed", "hidden", "allowed"),
    W: ("401", "403", "allowed", "hidden", "allowed"),
    O: ("401", "403", "403", "hidden", "allowed"),
    X: ("401", "403", "403", "403", "allowed"),
}
PARAMS = {
    "ws": "alpha",
    "node": "acme-compute",
    "provider": "acme-compute",
    "consumer": "acme-paas",
    "control": "9.1.1",
    "catalog_id": "meti-2011",
    "token_id": "0000000000000000",
    "snapshot": "0" * 64,
    "a": "0" * 64,
    "b": "0" * 64,
}


def app_routes(app) -> set[tuple[str, str]]:
    pairs = set()
    for route in iter_route_contexts(app.routes):
        path = route.path_format or route.path
        for method in route.methods or {"GET"}:  # mounts have no methods: they serve GET
            if method != "HEAD":
                pairs.add((method, path))
    return pairs


def current_routes() -> set[tuple[str, str]]:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        app = create_app(Settings(database_url=f"sqlite:///{directory}/r.db", data_dir=directory))
        pairs = app_routes(app)
        app.state.service.close()
        return pairs


ALL_ROUTES = sorted(current_routes())


def test_every_route_is_in_the_table():
    missing = [f"{m} {p}" for m, p in ALL_ROUTES if (m, p) not in ROUTES]
    assert not missing, f"routes with no authorization expectation (add them to ROUTES): {missing}"


def url_of(path: str) -> str:
    if path == "/static/{path}":
        return "/static/app.css"
    if path == "/static/docs/{path}":
        return "/static/docs/swagger-ui.css"
    return path.format(**PARAMS)


def outcome(response) -> str:
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:300]}"
    if response.request.method == "HEAD":  # no body to read: the status says it all
        return {401: "401", 403: "403", 404: "hidden"}.get(status, "allowed")
    if status == 303 and response.headers["location"].startswith("/login?next="):
        return "401"  # a page's way of saying: sign in first
    if status == 401 and response.headers["content-type"].startswith("application/json"):
        return "401" if response.json()["error"]["code"] == "unauthorized" else "allowed"
    if status == 403:
        return "403"
    if status == 404 and "there is no workspace" in response.text:  # the page's copy is HTML-escaped
        return "hidden"
    return "allowed"


@pytest.mark.parametrize("method,path", [pytest.param(m, p, id=f"{m} {p}") for m, p in ALL_ROUTES if (m, p) in ROUTES])
def test_route_authorization(tmp_path, method, path):
    world = make_world(tmp_path)
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") and path != "/login" else {}
    got = []
    with world.client:
        # The admin goes last: its DELETE of the workspace must not change what the others see.
        for who in PRINCIPALS:
            response = world.client.request(
                method, url_of(path), headers=world.headers(who), follow_redirects=False, **kwargs
            )
            got.append(outcome(response))
    assert tuple(got) == EXPECTED[ROUTES[(method, path)]], dict(zip(PRINCIPALS, got))
