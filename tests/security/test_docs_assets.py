"""/docs and /redoc: served from this process (no CDN), with no inline script or style, under the app's CSP."""

from __future__ import annotations

from html.parser import HTMLParser

from obligraph.app.security.csp import POLICY


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if "style" in attributes or any(name.startswith("on") for name in attributes):
            self.inline.append(f"<{tag}> with an inline style or handler")
        if tag == "style":
            self.inline.append("<style> element")
        self._tag = tag

    def handle_data(self, data):
        if self._tag == "script" and data.strip():
            self.inline.append(f"inline script: {data.strip()[:80]}")

    def handle_endtag(self, tag):
        self._tag = None


def test_docs_use_only_local_assets_within_the_csp(world):
    # No token: the page and its assets are public (their data, /openapi.json, is not).
    page = "/docs"
    response = world.client.get(page)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == POLICY
    parsed = _Page()
    parsed.feed(response.text)
    assert not parsed.inline, parsed.inline
    assert parsed.urls, "the page loads nothing?"
    for url in parsed.urls:
        # Same origin: a path on this server, never another host ("//cdn..." or "https://...").
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url} from elsewhere"
        asset = world.client.get(url)
        assert asset.status_code == 200, f"{page}: {url} -> {asset.status_code}"
        assert int(asset.headers["content-length"]) > 0
        assert asset.headers["content-type"].split(";")[0] in (
            "text/javascript",
            "application/javascript",
            "text/css",
            "image/png",
        ), (url, asset.headers["content-type"])
    scripts = [url for url in parsed.urls if url.endswith(".js")]
    assert scripts, f"{page} runs no script of its own"


def test_there_is_no_redoc(world):
    # ReDoc would need inline styles, a blob: worker and its CDN (app/api/docs_assets).
    assert world.client.get("/redoc").status_code == 404


def test_swagger_ui_is_started_by_a_file_with_the_openapi_url(world):
    page = world.client.get("/docs").text
    assert 'data-openapi-url="/openapi.json"' in page
    init = world.client.get("/static/docs/swagger-init.js").text
    assert "SwaggerUIBundle(" in init and "data-openapi-url" in init
    bundle = world.client.get("/static/docs/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text[:2_000_000]


def test_the_openapi_document_stays_behind_auth(world):
    assert world.client.get("/openapi.json").status_code == 401
    schema = world.client.get("/openapi.json", headers=world.headers("viewer")).json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    nodes = schema["paths"]["/api/v1/workspaces/{ws}/nodes"]["get"]
    assert nodes["security"] == [{"bearerAuth": []}]
    assert schema["paths"]["/healthz"]["get"]["security"] == []
    # Every error response an API route can give is declared, in the one error shape.
    for status in ("400", "401", "403", "404", "409", "413", "415", "422", "503"):
        assert nodes["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }, status
