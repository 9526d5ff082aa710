"""Unknown query parameters are refused (422 naming them), on every /api/v1 route, by one dependency."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from obligraph.app.api.strict_query import declared_query_names

WS = "/api/v1/workspaces/hr"


def _refused(response, *names: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [d["location"] for d in error["details"]] == [f"query.{name}" for name in names]
    for name in names:
        assert f"unknown query parameter '{name}'" in response.text


@pytest.mark.parametrize(
    "method,path,json,name",
    [
        ("GET", f"{WS}/fixes", None, "node"),  # the reported case: ?node= looked like a filter and was ignored
        ("GET", f"{WS}/spof", None, "node"),
        ("GET", f"{WS}/nodes/acme-compute", None, "node"),
        ("GET", f"{WS}/edges", None, "node"),
        ("GET", "/api/v1/catalogs", None, "node"),
        ("GET", "/api/v1/incidents", None, "node"),
        ("PATCH", f"{WS}/nodes/acme-compute", {"org": "Acme"}, "node"),
        ("DELETE", f"{WS}/nodes/acme-compute", None, "node"),
        ("GET", f"{WS}/export", None, "nod"),  # export does take `node`; a misspelt one is refused
    ],
)
def test_an_unknown_parameter_is_refused_with_its_name(client, workspace, method, path, json, name):
    _refused(client.request(method, path, params={name: "acme-compute"}, json=json), name)
    # Nothing happened: the node is still there, unchanged.
    assert client.get(f"{WS}/nodes/acme-compute").json()["org"] != "Acme"


def test_every_unknown_parameter_is_named_and_known_ones_still_work(client, workspace):
    _refused(client.get(f"{WS}/nodes", params={"limit": 2, "lyer": "saas", "x": "1"}), "lyer", "x")
    assert client.get(f"{WS}/nodes", params={"limit": 2, "layer": "saas"}).status_code == 200
    # Dependencies' parameters (paging, analysis) and a model taken as the query (the gap filters) count.
    analysis = {"limit": 3, "require": "declared", "as_of": "2026-01-01"}
    assert client.get(f"{WS}/fixes", params=analysis).status_code == 200
    assert client.get(f"{WS}/gaps", params={"node": "hr-saas", "kind": "origin", "limit": 5}).status_code == 200
    _refused(client.get(f"{WS}/gaps", params={"nodes": "hr-saas"}), "nodes")
    assert client.get(f"{WS}/export", params={"format": "audit-md", "node": "hr-saas"}).status_code == 200


def test_outside_the_api_nothing_changes(client):
    # Pages and probes keep ignoring extra parameters (cache busters, tracking): only /api/v1 is strict.
    assert client.get("/healthz", params={"node": "x"}).status_code == 200


def test_every_api_route_refuses_one(client, workspace):
    # From the OpenAPI, so a route added later is covered without anyone listing it here.
    paths = client.get("/openapi.json").json()["paths"]
    tried = 0
    for path, item in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        url = re.sub(r"\{[^}]+\}", "x", path).replace("/workspaces/x", "/workspaces/hr", 1)
        for method in item:
            response = client.request(method.upper(), url, params={"zzz-unknown": "1"})
            assert response.status_code == 422, f"{method.upper()} {path}: {response.status_code} {response.text[:200]}"
            tried += 1
            if method == "head":  # a HEAD answer carries the status and headers, never a body
                continue
            details = response.json()["error"]["details"]
            assert details == [{"location": "query.zzz-unknown", "message": details[0]["message"]}], (method, path)
    assert tried > 40
    assert client.get(f"{WS}/nodes/acme-compute").status_code == 200  # none of them did anything


def test_declared_names_include_dependencies_and_query_models(app):
    routes = {getattr(r, "path_format", None): r for r in iter_route_contexts(app.router.routes)}
    gaps = routes["/api/v1/workspaces/{ws}/gaps"]
    dependant = getattr(gaps, "original_route", gaps).dependant
    assert {"node", "control", "limit", "cursor", "as_of", "root_causes"} <= declared_query_names(dependant)
    fixes = routes["/api/v1/workspaces/{ws}/fixes"]
    assert declared_query_names(getattr(fixes, "original_route", fixes).dependant) == {
        "limit",
        "require",
        "as_of",
        "controls",
        "cloud_guidance_only",
    }
