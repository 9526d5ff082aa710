"""Filters, the other editing forms, the aggregated view of a big chain, and the table pages, in Chromium."""

from __future__ import annotations

import json
import urllib.request

from tests.browser.support import api, open_map


def visible(page) -> int:
    return int(page.get_attribute("#map", "data-visible"))


def test_the_gaps_filter_keeps_only_nodes_with_gaps(page, server):
    # The demo analyses all 133 controls and every node in it has some gap, so a chain of one control
    # where two of five nodes fall short shows the filter narrowing.
    def declared(status: str) -> list[dict]:
        return [{"control": "10.5.1", "status": status}]

    document = {
        "format": "obligraph/chain@1",
        "name": "Filters",
        "controls": ["10.5.1"],
        "nodes": [
            {"id": "dc", "layer": "infra", "declarations": declared("declared")},
            {"id": "compute", "layer": "iaas", "declarations": declared("declared")},
            {"id": "good-app", "layer": "saas", "declarations": declared("declared")},
            {"id": "weak-compute", "layer": "iaas", "declarations": declared("partial")},
            {"id": "bad-app", "layer": "saas", "declarations": declared("declared")},
        ],
        "edges": [
            {"provider": "dc", "consumer": "compute", "responsibility": {"10.5.1": "provider"}},
            {"provider": "compute", "consumer": "good-app", "responsibility": {"10.5.1": "provider"}},
            {"provider": "weak-compute", "consumer": "bad-app", "responsibility": {"10.5.1": "provider"}},
        ],
    }
    assert api(server, "POST", "/api/v1/workspaces", {"id": "filters", "name": "Filters"})[0] == 201
    status, body = api(server, "POST", "/api/v1/workspaces/filters/import", document)
    assert status == 200, body
    open_map(page, server, "filters")
    assert visible(page) == 5
    page.check("#f-gaps")
    assert visible(page) == 2
    shown = page.evaluate("window.obligraphMap.nodes.get().filter(window.obligraphMap.shown).map(n => n.id).sort()")
    assert shown == ["bad-app", "weak-compute"]
    page.uncheck("#f-gaps")
    assert visible(page) == 5


def test_filters_narrow_the_map(page, server):
    open_map(page, server, "demo")
    total = visible(page)
    page.select_option("#f-layer", "infra")
    infra = page.evaluate("window.obligraphMap.nodes.get().filter(n => n.layer === 'infra').length")
    assert visible(page) == infra
    page.select_option("#f-layer", "")
    page.fill("#f-search", "musashi")
    assert 1 <= visible(page) < total
    page.fill("#f-search", "")
    page.select_option("#f-kind", "origin")
    origin = page.evaluate(
        "window.obligraphMap.nodes.get()"
        ".filter(n => n.gaps.some(g => window.obligraphMap.data.kinds[g[1]] === 'origin')).length"
    )
    assert visible(page) == origin
    clause = page.evaluate("document.querySelector('#f-control option[value^=\"clause:\"]').value")
    page.select_option("#f-kind", "")
    page.select_option("#f-control", clause)
    assert visible(page) <= total


def test_declaration_form_saves_evidence(page, server):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "decl", "name": "Declarations"})[0] == 201
    assert api(server, "POST", "/api/v1/workspaces/decl/nodes", {"id": "vendor", "layer": "saas"})[0] == 201
    open_map(page, server, "decl")
    page.click("text=Add a declaration")
    form = page.locator("#form-declaration")
    form.locator("input[name=node]").fill("vendor")
    form.locator("input[name=control]").fill("10.5.1")
    form.locator("select[name=status]").select_option("verified")
    form.locator("select[name=evidence_kind]").select_option("certification")
    form.locator("input[name=evidence_ref]").fill("ISO 27001 #42")
    form.locator("input[name=evidence_expires]").fill("2030-01-01")
    form.locator("button[type=submit]").click()
    form.locator(".form-status:has-text('10.5.1')").wait_for()  # saved without a reload
    assert form.locator("input[name=control]").input_value() == ""  # ready for the next one
    status, body = api(server, "GET", "/api/v1/workspaces/decl/nodes/vendor/declarations/10.5.1")
    assert status == 200
    assert body["status"] == "verified" and body["evidence"][0]["ref"] == "ISO 27001 #42"


def test_import_upload_and_its_error(page, server, tmp_path):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "upload", "name": "Upload"})[0] == 201
    good = tmp_path / "chain.yaml"
    good.write_text(
        "format: obligraph/chain@1\nname: Uploaded\nnodes:\n  - {id: cloud, layer: iaas}\n  - {id: app, layer: saas}\n"
        "edges:\n  - {provider: cloud, consumer: app}\n"
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "obligraph/chain@1", "name": "x", "nodes": [{"id": "a", "layer": "nope"}]}))
    open_map(page, server, "upload")
    page.click("text=Import a chain file")
    form = page.locator("#form-import")
    form.locator("input[name=file]").set_input_files(str(bad))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-import .form-error:not(:empty)")
    form.locator("input[name=file]").set_input_files(str(good))
    form.locator("select[name=mode]").select_option("replace")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_selector("#map[data-ready='true']")
    assert page.evaluate("window.obligraphMap.nodes.length") == 2


def test_big_chain_opens_aggregated(page, server):
    layers = ["infra", "iaas", "paas", "saas", "customer"]
    nodes = [{"id": f"n{i}", "layer": layers[i % 5], "org": f"org{i % 3}"} for i in range(1600)]
    edges = [{"provider": f"n{i}", "consumer": f"n{i + 1}"} for i in range(1599) if i % 5 != 4]
    assert api(server, "POST", "/api/v1/workspaces", {"id": "big", "name": "Big"})[0] == 201
    document = {"format": "obligraph/chain@1", "name": "Big", "controls": ["10.5.1"], "nodes": nodes, "edges": edges}
    status, body = api(server, "POST", "/api/v1/workspaces/big/import", document)
    assert status == 200, body
    open_map(page, server, "big")
    assert page.evaluate("window.obligraphMap.data.mode") == "aggregated"
    assert page.evaluate("Object.keys(window.obligraphMap.network.getPositions()).length") == 15
    # From the aggregated view, focus on one node's neighbourhood.
    page.fill("#focus-form input[name=focus]", "n11")
    with page.expect_navigation():
        page.click("#focus-form button[type=submit]")
    page.wait_for_selector("#map[data-ready='true']")
    assert page.evaluate("window.obligraphMap.data.mode") == "focus"
    assert sorted(page.evaluate("Object.keys(window.obligraphMap.network.getPositions())")) == ["n10", "n11", "n12"]


def test_gap_table_sorts(page, server):
    """The server sorts (every gap, not the rows on screen): kinds from least to most severe."""
    severity = ["inherited", "mixed", "origin", "circular"]
    page.goto(f"{server}/w/demo/gaps")
    page.click("#gap-table thead th a:text-is('Kind')")
    page.wait_for_selector("#gap-table th[aria-sort='ascending']")
    kinds = page.eval_on_selector_all("#gap-table tbody tr td:nth-child(5)", "cells => cells.map(c => c.textContent)")
    assert [severity.index(k) for k in kinds] == sorted(severity.index(k) for k in kinds)
    page.click("#gap-table thead th a:text-is('Kind')")
    page.wait_for_selector("#gap-table th[aria-sort='descending']")
    kinds = page.eval_on_selector_all("#gap-table tbody tr td:nth-child(5)", "cells => cells.map(c => c.textContent)")
    assert [severity.index(k) for k in kinds] == sorted((severity.index(k) for k in kinds), reverse=True)
    with urllib.request.urlopen(f"{server}/w/demo/gaps.csv") as response:
        assert response.headers["content-type"].startswith("text/csv")


def test_node_page_edit_form_saves(page, server):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "nodeedit", "name": "Node edit"})[0] == 201
    assert api(server, "POST", "/api/v1/workspaces/nodeedit/nodes", {"id": "v1", "layer": "saas"})[0] == 201
    page.goto(f"{server}/w/nodeedit/nodes/v1")
    form = page.locator("#form-node-edit")
    form.locator("input[name=name]").fill("Renamed vendor")
    form.locator("input[name=org]").fill("Vendor Inc")
    form.locator("button[type=submit]").click()
    form.locator(".form-status:not(:empty)").wait_for()
    page.reload()
    assert page.locator("h1").inner_text().startswith("Renamed vendor")
    assert api(server, "GET", "/api/v1/workspaces/nodeedit/nodes/v1")[1]["org"] == "Vendor Inc"
