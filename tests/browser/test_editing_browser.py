"""Safe editing in Chromium: confirmations, undo, deletes, the analysis chooser, warnings, XLSX."""

from __future__ import annotations

import io
import urllib.request
from datetime import date, timedelta

from openpyxl import load_workbook

from tests.browser.support import api

CHAIN = {
    "format": "obligraph/chain@1",
    "name": "Undo chain",
    "controls": ["10.5.1", "9.1.1", "12.6.1"],
    "nodes": [
        {"id": "cloud", "name": "Cloud", "layer": "iaas",
         "declarations": [{"control": "10.5.1", "status": "declared", "notes": "kept"},
                          {"control": "9.1.1", "status": "verified",
                           "evidence": [{"kind": "certification", "ref": "ISO 1", "expires": "2035-01-01"}]}]},
        {"id": "app", "name": "App", "layer": "saas", "declarations": [{"control": "12.6.1", "status": "partial"}]},
        {"id": "dept", "name": "Department", "layer": "customer"},
    ],
    "edges": [{"provider": "cloud", "consumer": "app", "responsibility": {"10.5.1": "shared"}},
              {"provider": "app", "consumer": "dept", "criticality": "high"}],
}  # fmt: skip


def _workspace(server: str, ws: str) -> str:
    assert api(server, "POST", "/api/v1/workspaces", {"id": ws, "name": ws.title()})[0] == 201
    status, body = api(server, "POST", f"/api/v1/workspaces/{ws}/import", CHAIN)
    assert status == 200, body
    return f"/api/v1/workspaces/{ws}"


def _export(server: str, base: str) -> dict:
    status, body = api(server, "GET", f"{base}/export?format=json")
    assert status == 200
    return body


def test_a_delete_asks_first_and_undo_restores_the_exact_state(page, server):
    base = _workspace(server, "undo")
    before = _export(server, base)
    page.goto(f"{server}/w/undo/nodes/cloud")
    decl = page.locator("details.declaration-edit[data-control='10.5.1']")
    decl.locator("summary").click()
    decl.locator("form[data-method=DELETE] button[type=submit]").click()
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    assert "10.5.1" in dialog.inner_text() and "cloud" in dialog.inner_text()
    page.click("#confirm-cancel")  # cancelled: nothing happens
    assert not dialog.is_visible()
    assert api(server, "GET", f"{base}/nodes/cloud/declarations/10.5.1")[0] == 200
    decl.locator("form[data-method=DELETE] button[type=submit]").click()
    with page.expect_navigation():
        page.click("#confirm-ok")
    assert api(server, "GET", f"{base}/nodes/cloud/declarations/10.5.1")[0] == 404
    flash = page.locator("#flash")
    assert "10.5.1" in flash.inner_text()
    with page.expect_navigation():
        page.click("#flash-undo")
    assert "Undone" in page.locator("#flash").inner_text()
    assert _export(server, base) == before  # the exact previous state


def test_delete_a_node_and_undo_it(page, server):
    base = _workspace(server, "nodedel")
    before = _export(server, base)
    page.goto(f"{server}/w/nodedel/nodes/app")
    page.click("#form-node-delete button[type=submit]")
    text = page.locator("#confirm-text").inner_text()
    assert "app" in text and "2 dependencies" in text and "1 declarations" in text
    with page.expect_navigation():
        page.click("#confirm-ok")
    assert page.url.rstrip("/").endswith("/w/nodedel")
    assert api(server, "GET", f"{base}/nodes/app")[0] == 404
    assert api(server, "GET", f"{base}/edges/cloud/app")[0] == 404
    with page.expect_navigation():
        page.click("#flash-undo")
    assert _export(server, base) == before


def test_delete_a_workspace_from_the_list_and_undo_it(page, server):
    base = _workspace(server, "doomed")
    assert api(server, "POST", f"{base}/snapshots", {"label": "by hand"})[0] == 201
    before, snapshots = _export(server, base), api(server, "GET", f"{base}/snapshots")[1]["items"]
    page.goto(f"{server}/")
    page.click("tr[data-workspace='doomed'] button[type=submit]")
    text = page.locator("#confirm-text").inner_text()
    assert "doomed" in text and "3 nodes" in text and "offers undo" in text and "30 days" in text
    with page.expect_navigation():
        page.click("#confirm-ok")
    assert api(server, "GET", "/api/v1/workspaces/doomed")[0] == 404
    assert page.locator("tr[data-workspace='doomed']").count() == 0
    assert "doomed" in page.locator("#flash").inner_text()
    with page.expect_navigation():
        page.click("#flash-undo")
    assert "Undone" in page.locator("#flash").inner_text()
    assert page.locator("tr[data-workspace='doomed']").count() == 1
    assert _export(server, base) == before  # the exact previous state, snapshots too
    assert api(server, "GET", f"{base}/snapshots")[1]["items"] == snapshots


def test_a_requirement_switch_changes_the_counts_and_stays_in_the_url(page, server):
    _workspace(server, "reqs")
    page.goto(f"{server}/w/reqs/gaps")
    before = page.locator("#gap-table tbody tr").count()
    page.select_option("#choice-require", "verified")
    page.fill("#choice-as-of", "2026-06-01")
    with page.expect_navigation():
        page.click("#analysis-form button[type=submit]")
    assert "require=verified" in page.url and "as_of=2026-06-01" in page.url
    after = page.locator("#gap-table tbody tr").count()
    assert after > before
    status, body = api(server, "GET", "/api/v1/workspaces/reqs/gaps?require=verified&as_of=2026-06-01")
    assert after == body["summary"]["gaps"]
    # The navigation carries the choice to the other analysis pages.
    with page.expect_navigation():
        page.click("header nav a:text('Heat map')")
    assert "require=verified" in page.url
    assert page.locator("#choice-require").input_value() == "verified"


def _switch(page, requirement: str) -> None:
    page.select_option("#choice-require", requirement)
    with page.expect_navigation():
        page.click("#analysis-form button[type=submit]")
    assert f"require={requirement}" in page.url


def _first_number(page, selector: str) -> int:
    return int(page.inner_text(selector).split()[0])


def test_fixes_spof_and_what_if_follow_a_requirement_switch(page, server):
    _workspace(server, "reqs2")
    page.goto(f"{server}/w/reqs2/fixes?require=unknown")
    loose = _first_number(page, "#fixes-count")
    _switch(page, "verified")
    assert _first_number(page, "#fixes-count") > loose
    fixes = page.locator("#fixes-table tbody tr").count()
    status, body = api(server, "GET", "/api/v1/workspaces/reqs2/fixes?require=verified")
    assert fixes == len(body["fixes"])
    assert "require=verified" in page.locator("#fixes-table a").first.get_attribute("href")

    page.goto(f"{server}/w/reqs2/spof?require=unknown")
    page.select_option("#spof-node", "dept")
    with page.expect_navigation():
        page.click("text=Show")
    assert "require=unknown" in page.url and "node=dept" in page.url
    loose = [int(t) for t in page.locator("#spof-table tbody td:nth-child(6)").all_inner_texts()]
    _switch(page, "verified")  # keeps the chosen node
    assert "node=dept" in page.url and page.locator("#spof-dominators li").count() == 2
    strict = [int(t) for t in page.locator("#spof-table tbody td:nth-child(6)").all_inner_texts()]
    assert sum(strict) > sum(loose)

    page.goto(f"{server}/w/reqs2/what-if?require=unknown")
    page.select_option("#wi-op", "set_status")
    page.select_option("#wi-node", "cloud")
    page.select_option("#wi-status", "partial")
    with page.expect_navigation():
        page.click("text=Add the change")
    assert "require=unknown" in page.url
    loose = page.inner_text("#what-if-result h2")
    _switch(page, "verified")  # keeps the change
    assert page.locator("#change-list li").count() == 1
    assert page.inner_text("#what-if-result h2") != loose
    assert "verified" in page.inner_text("#what-if-analysis").lower()


def test_warnings_come_with_one_click_fixes(page, server):
    base = _workspace(server, "warn")
    page.goto(f"{server}/w/warn")
    page.wait_for_selector("#map[data-ready='true']")
    page.click("text=Add a dependency")
    form = page.locator("#form-edge")
    form.locator("input[name=provider]").fill("dept")  # a customer providing to an IaaS: upside down
    form.locator("input[name=consumer]").fill("cloud")
    form.locator("button[type=submit]").click()
    warning = form.locator(".form-warnings li[data-kind='upside_down']")
    warning.wait_for()
    assert "dept" in warning.inner_text()
    assert form.locator(".form-warnings li[data-kind='cycle']").count() == 1  # it also closes a loop
    warning.locator("button[data-op='reverse_edge']").click()
    warning.locator(".fixed").wait_for()
    assert api(server, "GET", f"{base}/edges/dept/cloud")[0] == 404
    assert api(server, "GET", f"{base}/edges/cloud/dept")[0] == 200

    page.click("text=Add a declaration")
    form = page.locator("#form-declaration")
    form.locator("input[name=node]").fill("app")
    form.locator("input[name=control]").fill("9.1.1")
    form.locator("select[name=status]").select_option("verified")
    form.locator("select[name=evidence_kind]").select_option("audit_report")
    form.locator("input[name=evidence_ref]").fill("SOC 2 2020")
    form.locator("input[name=evidence_expires]").fill("2021-01-01")
    form.locator("button[type=submit]").click()
    warning = form.locator(".form-warnings li[data-kind='verified_unassured']")
    warning.wait_for()
    assert "2021-01-01" in warning.inner_text()
    warning.locator("button[data-op='set_status']").click()
    warning.locator(".fixed").wait_for()
    assert api(server, "GET", f"{base}/nodes/app/declarations/9.1.1")[1]["status"] == "declared"


def test_the_node_page_lists_its_warnings(page, server):
    base = _workspace(server, "soon")
    soon = (date.today() + timedelta(days=30)).isoformat()
    declaration = {"status": "verified", "evidence": [{"kind": "certification", "ref": "ISO soon", "expires": soon}]}
    assert api(server, "PUT", f"{base}/nodes/cloud/declarations/9.1.1", declaration)[0] == 200
    page.goto(f"{server}/w/soon/nodes/cloud")
    item = page.locator("#node-warnings li[data-kind='expiring']")
    assert "ISO soon" in item.inner_text() and soon in item.inner_text()
    assert item.locator("a.fix").get_attribute("href").endswith("#declaration-9.1.1")


def test_the_gap_xlsx_reads_back_with_the_rows_of_the_api(page, server):
    _workspace(server, "sheet")
    page.goto(f"{server}/w/sheet/gaps?require=verified")
    with page.expect_download() as download:
        page.click("#gaps-xlsx")
    assert download.value.suggested_filename == "sheet-gaps.xlsx"
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    header = list(rows[0])
    got = sorted((r[header.index("node")], r[header.index("control")], r[header.index("effective")]) for r in rows[1:])
    status, body = api(server, "GET", "/api/v1/workspaces/sheet/gaps?require=verified&limit=1000")
    assert got == sorted((g["node"], g["control"], g["effective"]) for g in body["gaps"])
    with urllib.request.urlopen(f"{server}/w/sheet/heatmap.xlsx") as response:
        heat = load_workbook(io.BytesIO(response.read())).active
    assert [c.value for c in heat[1]][:4] == ["node", "name", "layer", "gaps"]


def test_the_japanese_ui_on_a_japanese_browser(browser, server):
    from tests.web.test_i18n import compile_catalogs

    compile_catalogs()  # the server reads them on first use; make install compiles them for a real run
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        _workspace(server, "nihongo")
        status, snapshot = api(server, "POST", "/api/v1/workspaces/nihongo/snapshots", {"label": "before"})
        assert status == 201
        page.goto(f"{server}/w/nihongo/snapshots")
        assert page.get_attribute("html", "lang") == "ja"
        created = page.locator("#snapshot-table time").first
        assert created.get_attribute("data-localised") == "true"
        utc = snapshot["created_at"].replace("Z", "+00:00")
        shown = created.inner_text()
        assert shown.endswith("+09:00")  # JST, ISO order
        from datetime import datetime, timedelta, timezone

        jst = datetime.fromisoformat(utc).astimezone(timezone(timedelta(hours=9)))
        assert shown.startswith(jst.strftime("%Y-%m-%d %H:%M"))
        page.goto(f"{server}/w/nihongo/nodes/cloud")
        assert page.locator("h2", has_text="監査チェックリスト").count() == 1
        titles = page.locator("#checklist .control-title").all_inner_texts()
        assert "情報のバックアップ" in titles  # 10.5.1 in its Japanese title
        # The selector switches back, and the choice is remembered.
        page.select_option("#language-select", "en")
        with page.expect_navigation():
            page.click("#language-form button[type=submit]")
        assert page.get_attribute("html", "lang") == "en"
        assert "Information back-up" in page.locator("#checklist .control-title").all_inner_texts()
    finally:
        context.close()
