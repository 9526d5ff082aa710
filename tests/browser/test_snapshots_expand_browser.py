"""Snapshot pages, expanding an aggregated group, and the edge and declaration edit forms, in Chromium."""

from __future__ import annotations

from tests.browser.support import api, click_node, open_map
from tests.web.conftest import XSS

LAYERS = ["infra", "iaas", "paas", "saas", "customer"]


def test_take_a_snapshot_then_see_the_change_in_the_diff(page, server, dialogs):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "snapb", "name": "Snapshots"})[0] == 201
    cloud = {"id": "cloud", "layer": "iaas", "name": XSS[0]}
    assert api(server, "POST", "/api/v1/workspaces/snapb/nodes", cloud)[0] == 201
    page.goto(f"{server}/w/snapb")
    page.wait_for_selector("#map[data-ready='true']")
    page.click("header nav a:text('Snapshots')")
    page.wait_for_selector("#no-snapshots")
    page.fill("#form-snapshot input[name=label]", XSS[1])
    with page.expect_navigation():
        page.click("#form-snapshot button[type=submit]")
    rows = page.locator("#snapshot-table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").nth(1).inner_text() == XSS[1]  # the label, as text
    status, body = api(server, "GET", "/api/v1/workspaces/snapb/snapshots")
    assert status == 200 and rows.first.get_attribute("data-snapshot") == body["items"][0]["id"]
    # Change the workspace, then compare the snapshot with it.
    app = {"id": "app", "layer": "saas", "name": XSS[2]}
    assert api(server, "POST", "/api/v1/workspaces/snapb/nodes", app)[0] == 201
    page.reload()
    page.click("#snapshot-table a.diff-live")
    page.wait_for_selector("#diff-summary")
    assert "Nodes: 1 added, 0 removed, 0 changed" in " ".join(page.locator("#diff-summary").inner_text().split())
    added = page.locator("table[data-section='nodes-added'] td.diff-key").all_inner_texts()
    assert added == ["app"]
    assert XSS[2] in page.locator("table[data-section='nodes-added']").inner_text()  # shown, not run
    assert page.evaluate("window.__cspViolations") == [] and dialogs == []
    # A download link serves that snapshot's export.
    page.goto(f"{server}/w/snapb/snapshots")
    with page.expect_download() as download:
        page.click("#snapshot-table td.downloads a:text-is('json')")
    assert download.value.suggested_filename.endswith(".json")


def test_expanding_a_group_draws_its_members(page, server):
    n = 1600
    nodes = [{"id": f"n{i}", "layer": LAYERS[i % 5], "org": f"org{i % 3}"} for i in range(n)]
    edges = [{"provider": f"n{i}", "consumer": f"n{i + 1}"} for i in range(n - 1) if i % 5 != 4]
    assert api(server, "POST", "/api/v1/workspaces", {"id": "expand", "name": "Expand"})[0] == 201
    document = {"format": "obligraph/chain@1", "name": "Expand", "controls": ["10.5.1"], "nodes": nodes, "edges": edges}
    assert api(server, "POST", "/api/v1/workspaces/expand/import", document)[0] == 200
    open_map(page, server, "expand")
    groups = page.evaluate("Object.keys(window.obligraphMap.network.getPositions()).length")
    group = "org|saas|org1"
    click_node(page, group)
    page.wait_for_selector("#panel-expand:visible")
    page.click("#panel-expand")
    page.wait_for_selector(f"#map[data-expanded='{group}']", timeout=20_000)
    drawn = page.evaluate("Object.keys(window.obligraphMap.network.getPositions())")
    members = [f"n{i}" for i in range(n) if i % 5 == 3 and i % 3 == 1]
    assert set(members) <= set(drawn) and group not in drawn
    assert len(drawn) == groups - 1 + len(members)
    assert "expand=org%7Csaas%7Corg1" in page.url  # a reload keeps the group open
    # A member is a real node now: clicking it opens its panel with its gaps.
    click_node(page, members[0])
    page.wait_for_selector(f"#panel[data-loaded='{members[0]}']", timeout=10_000)
    assert page.evaluate("window.__cspViolations") == []
    page.reload()
    page.wait_for_selector("#map[data-ready='true']")
    assert page.evaluate("window.obligraphMap.data.expanded") == [group]


def test_the_edge_form_takes_several_overrides(page, server):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "overrides", "name": "Overrides"})[0] == 201
    for node in ({"id": "cloud", "layer": "iaas"}, {"id": "app", "layer": "saas"}):
        assert api(server, "POST", "/api/v1/workspaces/overrides/nodes", node)[0] == 201
    open_map(page, server, "overrides")
    page.click("text=Add a dependency")
    form = page.locator("#form-edge")
    form.locator("input[name=provider]").fill("cloud")
    form.locator("input[name=consumer]").fill("app")
    rows = form.locator(".repeat-row")
    rows.nth(0).locator("[data-key=control]").fill("10.5.1")
    rows.nth(0).locator("[data-key=responsibility]").select_option("customer")
    form.locator(".add-row").click()
    rows.nth(1).locator("[data-key=control]").fill("10.5.1")
    rows.nth(1).locator("[data-key=responsibility]").select_option("shared")
    form.locator("button[type=submit]").click()
    # The same control twice is refused next to the field, and nothing is saved.
    slot = form.locator(".field-error[data-for='responsibility']")
    slot.wait_for(state="visible")
    assert "given twice" in slot.inner_text()
    assert api(server, "GET", "/api/v1/workspaces/overrides/edges/cloud/app")[0] == 404
    # A control the catalog does not have: the server's message, next to the field.
    rows.nth(1).locator("[data-key=control]").fill("99.99.99")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-edge .field-error[data-for='responsibility']:has-text('not a control')")
    assert api(server, "GET", "/api/v1/workspaces/overrides/edges/cloud/app")[0] == 404
    rows.nth(1).locator("[data-key=control]").fill("9.1.1")
    form.locator("button[type=submit]").click()
    form.locator(".form-status:has-text('cloud → app')").wait_for()  # saved, and the form stays open
    status, edge = api(server, "GET", "/api/v1/workspaces/overrides/edges/cloud/app")
    assert status == 200 and edge["responsibility"] == {"10.5.1": "customer", "9.1.1": "shared"}


def test_edit_and_delete_an_edge_and_a_declaration(page, server):
    base = "/api/v1/workspaces/edits"
    assert api(server, "POST", "/api/v1/workspaces", {"id": "edits", "name": "Edits"})[0] == 201
    for node in ({"id": "cloud", "layer": "iaas"}, {"id": "app", "layer": "saas"}):
        assert api(server, "POST", f"{base}/nodes", node)[0] == 201
    edge = {"provider": "cloud", "consumer": "app", "criticality": "high", "responsibility": {"10.5.1": "customer"}}
    assert api(server, "POST", f"{base}/edges", edge)[0] == 201
    declaration = {"control": "10.5.1", "status": "declared", "notes": "old"}
    assert api(server, "POST", f"{base}/nodes/cloud/declarations", declaration)[0] == 201

    page.goto(f"{server}/w/edits/nodes/app")
    details = page.locator("details.edge-edit[data-edge='cloud>app']")
    details.locator("summary").click()
    form = details.locator("form[data-method=PATCH]")
    form.locator("select[name=criticality]").select_option("")
    form.locator(".add-row").click()
    form.locator(".repeat-row").nth(1).locator("[data-key=control]").fill("9.1.1")
    form.locator(".repeat-row").nth(1).locator("[data-key=responsibility]").select_option("provider")
    form.locator("input[name=notes]").fill("reviewed")
    form.locator("button[type=submit]").click()
    form.locator(".form-status:not(:empty)").wait_for()
    saved = api(server, "GET", f"{base}/edges/cloud/app")[1]
    assert saved["criticality"] is None and saved["notes"] == "reviewed"
    assert saved["responsibility"] == {"10.5.1": "customer", "9.1.1": "provider"}

    page.goto(f"{server}/w/edits/nodes/cloud")
    decl = page.locator("details.declaration-edit[data-control='10.5.1']")
    decl.locator("summary").click()
    form = decl.locator("form[data-method=PUT]")
    form.locator("select[name=status]").select_option("verified")
    rows = form.locator(".repeat-row")
    rows.nth(0).locator("[data-key=kind]").select_option("certification")
    rows.nth(0).locator("[data-key=ref]").fill("ISO 27001")
    form.locator(".add-row").click()
    rows.nth(1).locator("[data-key=kind]").select_option("audit_report")
    # No reference on the second item: the server refuses, and nothing changes.
    form.locator("button[type=submit]").click()
    form.locator(".field-error[data-for='evidence']").wait_for(state="visible")
    assert api(server, "GET", f"{base}/nodes/cloud/declarations/10.5.1")[1]["status"] == "declared"
    rows.nth(1).locator("[data-key=ref]").fill("SOC 2")
    form.locator("input[name=notes]").fill("")
    form.locator("button[type=submit]").click()
    form.locator(".form-status:not(:empty)").wait_for()
    saved = api(server, "GET", f"{base}/nodes/cloud/declarations/10.5.1")[1]
    assert saved["status"] == "verified" and saved.get("notes") is None
    assert [e["ref"] for e in saved["evidence"]] == ["ISO 27001", "SOC 2"]

    decl.locator("form[data-method=DELETE] button[type=submit]").click()
    assert "10.5.1" in page.locator("#confirm-text").inner_text()
    with page.expect_navigation():
        page.click("#confirm-ok")
    assert api(server, "GET", f"{base}/nodes/cloud/declarations/10.5.1")[0] == 404
    page.goto(f"{server}/w/edits/nodes/app")
    details = page.locator("details.edge-edit[data-edge='cloud>app']")
    details.locator("summary").click()
    details.locator("form[data-method=DELETE] button[type=submit]").click()
    assert "cloud → app" in page.locator("#confirm-text").inner_text()
    with page.expect_navigation():
        page.click("#confirm-ok")
    assert api(server, "GET", f"{base}/edges/cloud/app")[0] == 404


def test_xss_corpus_on_the_snapshot_pages_opens_no_dialog(page, server, dialogs):
    base = "/api/v1/workspaces/xss"
    status, first = api(server, "POST", f"{base}/snapshots", {"label": XSS[0]})
    assert status in (200, 201), first
    node = {"id": "snapshot-added", "name": XSS[3], "layer": "saas", "org": XSS[6], "description": XSS[7]}
    assert api(server, "POST", f"{base}/nodes", node)[0] == 201
    status, second = api(server, "POST", f"{base}/snapshots", {"label": XSS[1]})
    assert status == 201, second
    for path in (
        "/w/xss/snapshots",
        f"/w/xss/snapshots/diff?from={first['id']}&to={second['id']}",
        f"/w/xss/snapshots/diff?from={first['id']}&to=live",
        "/w/xss/snapshots/diff",
    ):
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == [], path
    page.goto(f"{server}/w/xss/snapshots/diff?from={first['id']}&to={second['id']}")
    assert XSS[3] in page.locator("table[data-section='nodes-added']").inner_text()  # text, intact
    assert dialogs == []
