"""The evidence page in a browser: pick the days (kept in the URL), follow an item to its node page,
where the same item carries its mark in words."""

from __future__ import annotations

from tests.browser.support import api
from tests.web.test_evidence_pages import AS_OF, CHAIN

WS = "evidence-browser"


def test_choose_days_and_follow_an_item_to_its_node(page, server):
    assert api(server, "POST", "/api/v1/workspaces", {"id": WS, "name": "Evidence"})[0] == 201
    assert api(server, "POST", f"/api/v1/workspaces/{WS}/import", CHAIN)[0] == 200
    page.goto(f"{server}/w/{WS}/evidence?as_of={AS_OF}")
    rows = page.locator("#evidence-table tbody tr")
    assert [rows.nth(i).get_attribute("data-node") for i in range(rows.count())] == ["saas", "iaas"]
    assert page.locator("tr[data-node='saas'] .ev-badge").inner_text() == "not assuring"
    page.fill("#evidence-days-input", "30")
    page.click("#evidence-days button[type='submit']")
    page.wait_for_url("**days=30**")
    assert "as_of=2026-06-01" in page.url
    assert page.locator("#evidence-table tbody tr").count() == 1  # the certificate lapses in 44 days
    # The header's analysis form keeps the days too.
    page.select_option("#choice-require", "declared")
    page.click("#analysis-form button[type='submit']")
    page.wait_for_url("**require=declared**")
    assert "days=30" in page.url and page.input_value("#evidence-days-input") == "30"
    page.goto(f"{server}/w/{WS}/evidence?as_of={AS_OF}")
    page.click("tr[data-node='iaas'] td:nth-child(3) a")
    page.wait_for_url(f"**/w/{WS}/nodes/iaas**")
    item = page.locator("#checklist .evidence-item").first
    assert "last day in 44 days" in item.locator(".ev-badge").inner_text()
    assert "in force until 2026-07-15" in item.inner_text()
