"""The map in a real Chromium against a real server: drawn, clickable, highlighting, editable,
offline (no request leaves 127.0.0.1: the ``page`` fixture asserts it), and inert to the XSS corpus."""

from __future__ import annotations

import json
import urllib.request

from tests.browser.support import api, click_node, open_map
from tests.web.conftest import XSS


def demo_graph(server: str) -> dict:
    with urllib.request.urlopen(f"{server}/api/v1/workspaces/demo") as response:
        return json.loads(response.read())


def test_demo_map_draws_its_nodes(page, server, blocked):
    open_map(page, server, "demo")
    drawn = page.evaluate("Object.keys(window.obligraphMap.network.getPositions()).length")
    assert drawn == demo_graph(server)["nodes"] > 0
    assert page.locator("#map canvas").count() == 1
    assert page.evaluate("window.__cspViolations") == []
    assert blocked == []  # the fixture also checks this after every test


def test_clicking_a_node_opens_its_panel(page, server):
    open_map(page, server, "demo")
    node = page.evaluate("window.obligraphMap.nodes.get().find(n => n.gap_count > 0).id")
    click_node(page, node)
    page.wait_for_selector(f"#panel[data-loaded='{node}']", timeout=10_000)
    assert page.locator("#panel").is_visible()
    assert page.locator("#panel-gaps h4").count() > 0  # gaps grouped by clause and kind
    assert page.locator("#panel-meta").inner_text().startswith(node)


def test_clicking_a_gap_highlights_every_hop_of_every_blocker_path(page, server):
    # The gap with the longest blocker paths, several of them: every hop of every one must light up.
    status, body = api(server, "GET", "/api/v1/workspaces/demo/gaps?limit=1000")
    assert status == 200

    def causes(gap):
        return gap.get("blockers", gap["root_causes"])

    gap = max(body["gaps"], key=lambda g: (len(causes(g)) > 1, max([len(c["path"]) for c in causes(g)] or [0])))
    wanted = [c["path"] for c in causes(gap)]
    assert len(wanted) > 1 and max(len(p) for p in wanted) >= 3
    open_map(page, server, "demo")
    page.click(f"#node-list button[data-node='{gap['node']}']")
    page.wait_for_selector(f"#panel[data-loaded='{gap['node']}']", timeout=10_000)
    button = page.locator(f"li:has(strong:text-is('{gap['control']} ')) button.gap-path")
    paths = json.loads(button.get_attribute("data-paths"))
    assert paths == wanted
    button.click()
    state = page.evaluate(
        """(paths) => { const m = window.obligraphMap, P = m.data.palette;
             const onPath = new Set(paths.flat());
             const hops = paths.flatMap(p => p.slice(1).map((v, i) => p[i] + '>' + v));
             const box = document.getElementById('map').getBoundingClientRect();
             const inView = [...onPath].every(id => { const d = m.network.canvasToDOM(m.network.getPosition(id));
               return d.x >= 0 && d.y >= 0 && d.x <= box.width && d.y <= box.height; });
             return { hops: hops.map(id => m.edges.get(id).color.color === P.highlight && m.edges.get(id).width === 5),
                      others: m.edges.get().filter(e => !hops.includes(e.id)).every(e => e.color.color !== P.highlight),
                      ring: [...onPath].every(id => m.nodes.get(id).color.border === P.highlight),
                      dimmed: m.nodes.get().filter(n => !onPath.has(n.id)).every(n => n.color.background === P.dimmed),
                      inView: inView }; }""",
        paths,
    )
    assert state["hops"] and all(state["hops"]), state  # every hop of every path, not the first only
    assert state["others"] and state["ring"] and state["dimmed"] and state["inView"], state


def test_a_form_creates_a_node_that_appears(page, server):
    status, _ = api(server, "POST", "/api/v1/workspaces", {"id": "edit", "name": "Editing"})
    assert status == 201
    open_map(page, server, "edit")
    page.click("text=Add a node")
    form = page.locator("#form-node")
    form.locator("input[name=id]").fill("new-vendor")
    form.locator("input[name=name]").fill("New vendor")
    form.locator("select[name=layer]").select_option("saas")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#map[data-redrawn='1']")  # drawn again in place, no reload
    assert page.evaluate("window.obligraphMap.nodes.get('new-vendor').name") == "New vendor"
    assert "new-vendor" in form.locator(".form-status").inner_text()
    assert form.locator("input[name=id]").input_value() == ""  # ready for the next vendor


def test_a_form_shows_the_servers_message_next_to_the_field(page, server):
    open_map(page, server, "demo")
    page.click("text=Add a node")
    form = page.locator("#form-node")
    form.locator("input[name=id]").fill("not a valid id!")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-node .field-error[data-for='id']:not(:empty)", timeout=10_000)
    assert "not a valid id" in form.locator(".field-error[data-for='id']").inner_text()
    assert form.locator(".form-error").inner_text() == ""  # said once, next to the field, not again below
    assert form.locator("input[name=id]").get_attribute("aria-invalid") == "true"


def test_xss_corpus_opens_no_dialog(page, server, dialogs):
    pages = ["/", "/w/xss", "/w/xss/gaps", "/w/xss/heatmap", "/w/xss/impact?provider=p0"]
    pages += [f"/w/xss/nodes/p{i}" for i in range(len(XSS))]
    for path in pages:
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == [], path
    open_map(page, server, "xss")
    for i in range(len(XSS)):
        click_node(page, f"p{i}")
        page.wait_for_selector(f"#panel[data-loaded='p{i}']", timeout=10_000)
        page.hover("#map")
    assert page.locator("#panel-title").inner_text() == XSS[len(XSS) - 1]  # shown as text, intact
    assert page.evaluate("window.__cspViolations") == []
    assert dialogs == []


def test_the_network_guard_catches_requests_off_loopback(page, blocked):
    """The guard the other tests rely on: a request to anywhere else is aborted and recorded."""
    import pytest
    from playwright.sync_api import Error

    with pytest.raises(Error):
        page.goto("http://203.0.113.1/")  # TEST-NET-3: never a real host
    assert blocked == ["http://203.0.113.1/"]
    blocked.clear()  # expected: keep the fixture's own check green


def test_selection_leaves_the_edges_to_the_highlight(page, server):
    """Opening a node selects it alone: its edges keep their colour, so a lit path stays the only blue."""
    open_map(page, server, "demo")
    page.click("#node-list button[data-node='hoshino-hr']")
    page.wait_for_selector("#panel[data-loaded='hoshino-hr']", timeout=10_000)
    assert page.evaluate("window.obligraphMap.network.getSelectedNodes()") == ["hoshino-hr"]
    assert page.evaluate("window.obligraphMap.network.getSelectedEdges()") == []
