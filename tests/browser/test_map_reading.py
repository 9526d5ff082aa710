"""Reading the map: labels at the first fit, the control lens, the keyboard node list, empty results."""

from __future__ import annotations

import json
import urllib.request

from tests.browser.support import open_map

#: Smallest on-screen label size (CSS px) that counts as readable at the first fit.
READABLE_PX = 9


def label_boxes(page) -> dict:
    """Each label's box in page coordinates, computed from the network's positions of the nodes."""
    return page.evaluate(
        """() => { const m = window.obligraphMap, net = m.network;
             const box = document.getElementById('map').getBoundingClientRect();
             const drawn = m.canvas.labelBoxes();
             const boxes = drawn.boxes.map(b => { const n = m.nodes.get(b.id), p = net.getPosition(b.id);
               const a = net.canvasToDOM({x: p.x - n.label_width / 2, y: p.y + n.size + 5});
               const z = net.canvasToDOM({x: p.x + n.label_width / 2, y: p.y + n.size + 5 + b.lines.length * 16.8});
               return {id: b.id, left: box.left + a.x, top: box.top + a.y, right: box.left + z.x, bottom: box.top + z.y}; });
             return {hidden: drawn.hidden, fontPx: drawn.fontPx, boxes: boxes, shown: m.nodes.get({filter: m.shown}).length,
                     map: {left: box.left, top: box.top, right: box.right, bottom: box.bottom}}; }"""
    )


def test_every_label_is_drawn_readable_and_apart_at_the_first_fit(page, server):
    open_map(page, server, "demo")
    page.wait_for_timeout(200)  # one frame after the fit
    labels = label_boxes(page)
    assert labels["hidden"] == 0 and len(labels["boxes"]) == labels["shown"] == 61
    assert labels["fontPx"] >= READABLE_PX
    boxes = labels["boxes"]
    for i, a in enumerate(boxes):
        assert labels["map"]["left"] <= a["left"] and a["right"] <= labels["map"]["right"], a
        assert labels["map"]["top"] <= a["top"] and a["bottom"] <= labels["map"]["bottom"], a
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            )
            assert apart, (a, b)


def test_labels_too_small_to_read_wait_for_the_zoom(page, server):
    open_map(page, server, "demo")
    page.evaluate("window.obligraphMap.network.moveTo({scale: 0.3, animation: false})")
    page.wait_for_timeout(200)
    drawn = page.evaluate("window.obligraphMap.canvas.labelBoxes()")
    assert drawn["boxes"] == [] and drawn["hidden"] > 0
    page.evaluate("window.obligraphMap.openNode('musashi-dc', null)")  # a selected node keeps its label
    page.evaluate("window.obligraphMap.network.redraw()")
    page.wait_for_timeout(200)
    assert [b["id"] for b in page.evaluate("window.obligraphMap.canvas.labelBoxes()")["boxes"]] == ["musashi-dc"]
    page.evaluate("window.obligraphMap.network.moveTo({scale: 1.2, animation: false})")
    page.wait_for_timeout(200)
    drawn = page.evaluate("window.obligraphMap.canvas.labelBoxes()")
    assert len(drawn["boxes"]) > 1
    boxes = drawn["boxes"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert (
                a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            )


def test_the_control_lens_recolours_by_effective_status_and_dims_out_of_scope(page, server):
    open_map(page, server, "demo")
    page.select_option("#f-control", "control:10.5.1")
    page.wait_for_selector("#map[data-lens='control:10.5.1']")
    with urllib.request.urlopen(f"{server}/w/demo/lens.json?control=10.5.1") as response:
        status = json.loads(response.read())["status"]
    looks = page.evaluate(
        "window.obligraphMap.nodes.get().map(n => ({id: n.id, fill: n.color.background, shape: n.shape, "
        "kinds: n.gaps.filter(g => window.obligraphMap.data.controls[g[0]].id === '10.5.1')"
        ".map(g => window.obligraphMap.data.kinds[g[1]])}))"
    )
    palette = page.evaluate("window.obligraphMap.data.palette")
    assert 0 < len(status) < len(looks)  # some nodes are out of this control's scope
    for node in looks:
        if node["id"] in status:
            assert node["fill"] == palette["statuses"][status[node["id"]]], node
            expected = node["kinds"][0] if node["kinds"] else "none"
            assert node["shape"] == palette["states"][expected]["shape"], node
        else:
            assert node["fill"] == palette["dimmed"], node
    assert "Effective status" in page.inner_text("aside.filters")  # the legend follows the lens
    page.select_option("#f-control", "")
    page.wait_for_selector("#map[data-lens='']")
    fills = page.evaluate("window.obligraphMap.nodes.get().map(n => [n.gap_state, n.color.background])")
    assert all(fill == palette["states"][state]["colour"] for state, fill in fills)


def test_keyboard_opens_a_node_from_the_list_and_escape_closes_it(page, server):
    open_map(page, server, "demo")
    page.focus("#f-gaps")
    for _ in range(60):  # Tab along until the node list
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#node-list') !== null"):
            break
    node = page.evaluate("document.activeElement.dataset.node")
    assert node
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#panel[data-loaded='{node}']", timeout=10_000)
    assert page.evaluate("document.activeElement.id") == "panel-title"  # focus moved into the panel
    assert page.evaluate("window.obligraphMap.network.getSelectedNodes()") == [node]
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()
    assert page.evaluate("document.activeElement.dataset.node") == node  # back where the reader was


def test_a_filter_with_no_match_says_so_and_a_filter_refits(page, server):
    open_map(page, server, "demo")
    scale = page.evaluate("window.obligraphMap.network.getScale()")
    page.select_option("#f-layer", "infra")
    assert page.evaluate("window.obligraphMap.network.getScale()") > scale  # fitted to the two infra nodes
    assert page.locator("#node-list li").count() == 2
    page.fill("#f-search", "no such vendor anywhere")
    assert page.locator("#map-empty").is_visible()
    assert page.inner_text("#map-empty") == "No node matches these filters."
    assert page.locator("#node-list li").count() == 0


def test_panel_groups_gaps_by_clause_in_numeric_order_with_titles(page, server):
    open_map(page, server, "demo")
    page.click("#node-list button[data-node='hoshino-hr']")
    page.wait_for_selector("#panel[data-loaded='hoshino-hr']", timeout=10_000)
    heads = page.locator("#panel-gaps h4").all_inner_texts()
    clauses = [int(h.split()[1]) for h in heads]
    assert clauses == sorted(clauses) and len(clauses) > 2
    assert "gap" in heads[0] and "Information security policy" in page.inner_text("#panel-gaps")
    only_gaps = page.locator("#panel-gaps .gap-list li").count()
    page.uncheck("#panel-only-gaps")  # every in-scope control, not only the gaps
    assert page.locator("#panel-gaps .gap-list li").count() > only_gaps


def test_the_panel_and_the_lens_use_the_analysis_the_header_chose(page, server):
    from tests.browser.support import api

    gaps = {}
    for requirement in ("unknown", "verified"):
        query = f"require={requirement}&as_of=2026-06-01"
        status, report = api(server, "GET", f"/api/v1/workspaces/demo/nodes/hoshino-hr/report?{query}")
        gaps[requirement] = sum(1 for item in report["controls"] if item.get("gap"))
        page.goto(f"{server}/w/demo?{query}")
        page.wait_for_selector("#map[data-ready='true'][data-styled='true']", timeout=20_000)
        page.click("#node-list button[data-node='hoshino-hr']")
        page.wait_for_selector("#panel[data-loaded='hoshino-hr']", timeout=10_000)
        assert page.inner_text("#panel-gaps .panel-summary").startswith(f"{gaps[requirement]} gaps")
        assert query in page.get_attribute("#panel-link", "href")
        assert query in page.locator("#panel-providers a").first.get_attribute("href")
        with page.expect_response(lambda r: "/lens.json" in r.url) as lens:
            page.select_option("#f-control", "control:10.5.1")
        assert query in lens.value.url and lens.value.ok
    assert gaps["verified"] > gaps["unknown"]  # the choice changes what the panel shows


def test_panel_titles_follow_the_page_language(page, server):
    open_map(page, server, "demo")
    page.evaluate("document.documentElement.lang = 'ja'")
    page.click("#node-list button[data-node='hoshino-hr']")
    page.wait_for_selector("#panel[data-loaded='hoshino-hr']", timeout=10_000)
    text = page.inner_text("#panel-gaps")
    assert any("\u3040" <= ch <= "\u9fff" for ch in text)  # Japanese control and clause titles


def test_a_150_node_map_is_readable_at_the_first_fit(page, server):
    from benchmarks.generate import generate_chain
    from tests.browser.support import api

    document = generate_chain(150, 450, seed=7)
    for i, node in enumerate(document["nodes"]):  # real-looking names, some long
        node["name"] = f"Vendor {i} Cloud Services" if i % 3 else f"V{i}"
    assert api(server, "POST", "/api/v1/workspaces", {"id": "w150", "name": "150 nodes"})[0] == 201
    assert api(server, "POST", "/api/v1/workspaces/w150/import", document)[0] == 200
    open_map(page, server, "w150")
    page.wait_for_timeout(200)
    labels = label_boxes(page)
    assert labels["hidden"] == 0 and len(labels["boxes"]) == 150
    assert labels["fontPx"] >= READABLE_PX
    boxes = labels["boxes"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert (
                a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            )
