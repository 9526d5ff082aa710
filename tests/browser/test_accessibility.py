"""axe-core (vendored from its npm package) on every page: no serious or critical violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.support import api, open_map

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.0-2.2 A and AA rules, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture
def axe_page(browser):
    """A page that lets the test inject axe (the app's CSP allows only its own scripts)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        TAGS,
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def snapshot(server):
    status, body = api(server, "POST", "/api/v1/workspaces/demo/snapshots", {"label": "axe"})
    assert status == 201, body
    return body["id"]


PAGES = [
    "/",
    "/login",
    "/w/demo/nodes/hoshino-hr",
    "/w/demo/gaps",
    "/w/demo/gaps?kind=origin&sort=effective&dir=desc",
    "/w/demo/heatmap",
    "/w/demo/fixes",
    "/w/demo/spof?node=hoshino-hr",
    "/w/demo/what-if?change=apply_incident%7Caltair-cloud%7Cdns-ddos",
    "/w/demo/snapshots",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_violation(axe_page, server, path):
    axe_page.goto(server + path)
    axe_page.wait_for_load_state("load")
    assert violations(axe_page) == []


def test_snapshot_diff_has_no_serious_violation(axe_page, server, snapshot):
    axe_page.goto(f"{server}/w/demo/snapshots/diff?from={snapshot}")
    assert "snapshot" in axe_page.content().lower()
    assert violations(axe_page) == []


def test_map_with_an_open_panel_has_no_serious_violation(axe_page, server):
    open_map(axe_page, server, "demo")
    assert violations(axe_page) == []
    axe_page.click("#node-list button[data-node='hoshino-hr']")
    axe_page.wait_for_selector("#panel[data-loaded='hoshino-hr']", timeout=10_000)
    axe_page.select_option("#f-control", "clause:10")
    axe_page.wait_for_selector("#map[data-lens='clause:10']")
    assert violations(axe_page) == []
