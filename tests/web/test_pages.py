"""Every page renders for the demo workspace, unknown workspaces and nodes are 404 pages, the CSP is set."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from obligraph.app.security.csp import POLICY

DEMO_PAGES = [
    "/",
    "/w/demo",
    "/w/demo/gaps",
    "/w/demo/heatmap",
    "/w/demo/impact",
    "/w/demo/impact?provider=musashi-dc",
    "/w/demo/nodes/musashi-dc",
    "/w/demo/snapshots",
    "/w/demo/snapshots/diff",
    "/w/demo/snapshots/diff?from=live&to=live",
]


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_page_renders_with_csp(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == POLICY
    assert "script-src 'self'" in POLICY
    # No inline script: every <script> either has a src or is a JSON data block.
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "http://" not in response.text and "https://" not in response.text  # nothing from a CDN


@pytest.mark.parametrize(
    "path",
    [
        "/w/nope",
        "/w/nope/gaps",
        "/w/nope/heatmap",
        "/w/nope/impact",
        "/w/nope/gaps.csv",
        "/w/demo/nodes/nope",
        "/w/nope/nodes/x",
        "/w/nope/snapshots",
        "/w/nope/snapshots/diff",
        "/w/nope/map.json",
    ],
)
def test_unknown_workspace_or_node_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "content-security-policy" in response.headers


def test_map_data_block_holds_every_node(client):
    page = client.get("/w/demo").text
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    workspace = client.get("/api/v1/workspaces/demo").json()
    assert data["mode"] == "full"
    assert len(data["nodes"]) == workspace["nodes"]
    assert len(data["edges"]) == workspace["edges"]
    assert {n["gap_state"] for n in data["nodes"]} <= {"none", "inherited", "origin", "mixed", "circular"}


def test_vis_network_is_served_locally(client):
    page = client.get("/w/demo").text
    assert '<script src="/static/vendor/vis-network.min.js">' in page
    for path in (
        "/static/vendor/vis-network.min.js",
        "/static/vendor/vis-network.min.css",
        "/static/map.js",
        "/static/panel.js",
        "/static/forms.js",
        "/static/app.css",
    ):
        assert client.get(path).status_code == 200, path


def test_gap_csv_matches_the_analysis(client):
    response = client.get("/w/demo/gaps.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = client.get("/api/v1/workspaces/demo/gaps?limit=1").json()["summary"]["gaps"]
    assert len(rows) == total
    assert {"node", "control", "kind", "effective"} <= set(rows[0])


def test_csv_cells_cannot_start_a_formula(client):
    from obligraph.app.services.gap_table import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM") == "'@SUM"
    assert _cell("plain") == "plain"


def test_heatmap_cells_are_statuses(client):
    page = client.get("/w/demo/heatmap").text
    cells = re.findall(r'<td class="cell s-([a-z_]+)"', page)
    assert cells
    assert set(cells) <= {"not_implemented", "unknown", "partial", "declared", "verified", "not_applicable", "none"}


def test_impact_is_a_what_if_preset(client):
    response = client.get("/w/demo/impact?provider=musashi-dc")
    assert response.url.path == "/w/demo/what-if" and "gaps opened" in response.text
    assert "musashi" in response.text.lower() and "disappears" in response.text
    ghost = client.get("/w/demo/impact?provider=ghost")
    assert ghost.status_code == 422 and "there is no node" in ghost.text


def test_api_docs_keep_script_src_self(client):
    """/docs is served by obligraph.app.api.docs_assets with local assets: the page policy holds there too."""
    response = client.get("/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert "src=" in tag, tag


def test_focused_map(client):
    page = client.get("/w/demo?focus=musashi-dc&depth=1").text
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["mode"] == "focus" and data["focus"] == "musashi-dc"
    assert "musashi-dc" in {n["id"] for n in data["nodes"]}
    assert len(data["nodes"]) < client.get("/api/v1/workspaces/demo").json()["nodes"]
    ghost = client.get("/w/demo?focus=ghost")  # a search that finds nothing: the whole map, and why
    assert ghost.status_code == 200 and "No node has the id or name &#39;ghost&#39;" in ghost.text


def test_focus_finds_a_node_by_name(client):
    for typed in ("Musashi Datacenter", "musashi  datacenter", "Musashi Data"):
        page = client.get("/w/demo", params={"focus": typed}).text
        data = json.loads(re.search(r'id="map-data">(.*?)</script>', page, re.S).group(1))
        assert data["mode"] == "focus" and data["focus"] == "musashi-dc", typed
    several = client.get("/w/demo", params={"focus": "Hoshino"}).text
    assert "matches" in several and "hoshino-hr" in several
    assert client.get("/w/demo?focus=musashi-dc&depth=99").status_code == 422


def _numbers(text: str, element_id: str) -> list[int]:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', text, re.S)
    assert match, element_id
    return [int(n) for n in re.findall(r"\d+", match.group(1))]


def test_fixes_spof_and_what_if_follow_the_requirement_and_date(client):
    """Each page computes with ?require= and ?as_of=, shows the choice, and keeps it in its links."""
    query = "require=verified&as_of=2026-06-01"
    loose, strict = client.get("/w/demo/fixes?require=unknown"), client.get(f"/w/demo/fixes?{query}")
    assert loose.status_code == strict.status_code == 200
    assert _numbers(strict.text, "fixes-count")[0] > _numbers(loose.text, "fixes-count")[0]
    assert "/nodes/" in strict.text and "?require=verified&amp;as_of=2026-06-01" in strict.text  # links keep it
    assert 'value="verified" selected' in strict.text  # the chooser shows what was computed

    loose, strict = client.get("/w/demo/spof?require=unknown"), client.get(f"/w/demo/spof?{query}")
    assert _numbers(strict.text, "spof-short")[0] > _numbers(loose.text, "spof-short")[0]
    assert '<input type="hidden" name="require" value="verified">' in strict.text  # the node form keeps it

    change = "change=set_status%7Cmusashi-dc%7Cpartial"
    loose = client.get(f"/w/demo/what-if?{change}&require=unknown")
    strict = client.get(f"/w/demo/what-if?{change}&{query}")
    assert "2026-06-01" in strict.text and re.search(r"<h2>(\d+) gaps opened", loose.text)
    assert re.search(r"<h2>(\d+) gaps opened", strict.text).group(1) != re.search(
        r"<h2>(\d+) gaps opened", loose.text
    ).group(1)
    # The add-a-change form and the chooser keep the other half of the URL.
    added = client.get(f"/w/demo/what-if?{change}&{query}&op=remove_node&node=hoshino-it", follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith(f"&{query}")
    assert '<input type="hidden" name="change" value="set_status|musashi-dc|partial">' in strict.text
    assert client.get("/w/demo/fixes?require=bogus").status_code == 400
