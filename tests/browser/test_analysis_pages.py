"""The pages for every analysis, in a browser: fixes, single points of failure, what-if (and the
impact preset), the server-side gap table; each result links to node pages and to the map."""

from __future__ import annotations

from benchmarks.generate import generate_chain
from tests.browser.support import api


def test_fixes_rank_and_show_their_gaps_on_the_map(page, server):
    page.goto(f"{server}/w/demo/fixes")
    rows = page.locator("#fixes-table tbody tr")
    assert rows.count() > 5
    closes = [int(t) for t in page.locator("#fixes-table tbody tr td:nth-child(6)").all_inner_texts()]
    assert closes == sorted(closes, reverse=True)  # chase these first
    first = rows.first
    node_href = first.locator("td:nth-child(2) a").get_attribute("href")
    assert node_href.startswith("/w/demo/nodes/")
    control = first.locator("td:nth-child(4)").inner_text().split()[0]
    assert len(first.locator("td:nth-child(4)").inner_text()) > len(control) + 3  # the control's title too
    first.locator("a.map-link").click()
    page.wait_for_selector("#map[data-styled='true']")
    assert page.get_attribute("#map", "data-lens") == f"control:{control}"
    marked = page.get_attribute("#map", "data-highlight").split()
    assert node_href.rsplit("/", 1)[1] in marked and len(marked) > 1


def test_spof_draws_a_nodes_dominators_as_a_path(page, server):
    status, spof = api(server, "GET", "/api/v1/workspaces/demo/spof")
    node = max(spof["dominators"], key=lambda n: len(spof["dominators"][n]))
    assert len(spof["dominators"][node]) >= 2
    page.goto(f"{server}/w/demo/spof")
    assert page.locator("#spof-table tbody tr").count() > 3
    assert (
        page.locator("#spof-table tbody tr td:first-child a").first.get_attribute("href").startswith("/w/demo/nodes/")
    )
    page.select_option("#spof-node", node)
    with page.expect_navigation():  # a GET form: read the page it loads, not the one it leaves
        page.click("text=Show")
    dominators = page.locator("#spof-dominators a").all_inner_texts()
    assert len(dominators) == len(spof["dominators"][node])
    page.click("#spof-map")
    page.wait_for_selector("#map[data-styled='true']")
    hops = int(page.get_attribute("#map", "data-highlight-edges"))
    path = page.get_attribute("#map", "data-highlight").split()
    assert path[-1] == node and hops == len(path) - 1  # a connected path, every hop lit
    assert set(spof["dominators"][node]) <= set(path)


def test_what_if_composes_changes_and_explains_the_incident(page, server):
    page.goto(f"{server}/w/demo/what-if")
    page.select_option("#wi-op", "apply_incident")
    page.select_option("#wi-node", "musashi-dc")
    page.select_option("#wi-incident", "dns-ddos")
    with page.expect_navigation():  # a GET form: read the page it loads, not the one it leaves
        page.click("text=Add the change")
    assert page.locator("#change-list li").count() == 1
    assert "DNS" in page.inner_text(".incident") and "20" in page.inner_text(".incident")  # title, year, story
    opened = page.inner_text("#what-if-result h2")
    page.select_option("#wi-op", "set_status")
    page.select_option("#wi-node", "altair-cloud")
    page.select_option("#wi-status", "not_implemented")
    page.fill("#wi-controls", "10.5.1")
    with page.expect_navigation():  # a GET form: read the page it loads, not the one it leaves
        page.click("text=Add the change")
    assert page.locator("#change-list li").count() == 2
    assert page.inner_text("#what-if-result h2") != opened
    assert page.locator("#opened-table a[href^='/w/demo/nodes/']").count() > 0
    page.click("#what-if-map")
    page.wait_for_selector("#map[data-styled='true']")
    assert len(page.get_attribute("#map", "data-highlight").split()) > 1


def test_impact_is_a_preset_that_warns_about_another_layer(page, server):
    page.goto(f"{server}/w/demo/impact?provider=hoshino-hr&incident=paas-outage")  # a customer, not a PaaS
    assert page.url.startswith(f"{server}/w/demo/what-if?change=")
    assert "happened to a paas provider" in page.inner_text(".warning")


def test_the_gap_table_finds_a_gap_beyond_the_first_2000_rows(page, server):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "many", "name": "Many gaps"})[0] == 201
    status, body = api(server, "POST", "/api/v1/workspaces/many/import", generate_chain(300, 900, seed=5))
    assert status == 200, body
    status, first = api(server, "GET", "/api/v1/workspaces/many/gaps?limit=1000&root_causes=false")
    total = first["summary"]["gaps"]
    assert total > 3000
    cursor, late = first["next"], None
    for _ in range(3):  # walk the API to a gap past row 2,000
        status, more = api(server, "GET", f"/api/v1/workspaces/many/gaps?limit=1000&root_causes=false&cursor={cursor}")
        late, cursor = more["gaps"][-1], more["next"]
    page.goto(f"{server}/w/many/gaps")
    assert page.inner_text("#gap-count").startswith(f"{total} gaps")
    page.fill("#gap-filters input[name=node]", late["node"])
    page.fill("#gap-filters input[name=control]", late["control"])
    with page.expect_navigation():  # a GET form: read the page it loads, not the one it leaves
        page.click("#gap-filters button[type=submit]")
    assert page.inner_text("#gap-count").startswith(f"1 of {total} gaps match")
    assert page.locator("#gap-table tbody tr").count() == 1
    assert f"node={late['node']}" in page.url  # the filters stay in the URL
    page.goto(f"{server}/w/many/gaps")
    header = page.locator("#gap-table th:has(a:text-is('Effective'))")
    header.locator("a").focus()  # sortable headers are keyboard-reachable links
    page.keyboard.press("Enter")
    page.wait_for_selector("#gap-table th[aria-sort='ascending']")
    assert "sort=effective" in page.url


def test_client_sorted_headers_are_buttons_announcing_their_order(page, server):
    page.goto(f"{server}/w/demo/spof")
    button = page.locator("#spof-table th button", has_text="Nodes depending")
    button.focus()
    page.keyboard.press("Enter")
    header = page.locator("#spof-table th:has(button:text-is('Nodes depending'))")
    assert header.get_attribute("aria-sort") == "ascending"
    values = [int(v) for v in page.locator("#spof-table tbody td:nth-child(5)").all_inner_texts()]
    assert values == sorted(values)
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
