"""/docs (Swagger UI) renders offline, from local assets, with no CSP violation."""

from __future__ import annotations


def test_docs_render_offline_within_the_csp(server, page, blocked):
    page.goto(server + "/docs")
    # Swagger UI started (swagger-init.js), read /openapi.json and drew the API's title and operations.
    title = page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "obligraph" in title.inner_text()
    assert page.locator(".opblock").count() > 40
    page.wait_for_timeout(300)  # let late violations (lazily added styles) arrive
    assert page.evaluate("window.__cspViolations") == []
    assert blocked == []  # nothing was fetched from another host (guard_network aborts and records it)
