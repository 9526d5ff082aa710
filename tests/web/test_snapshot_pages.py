"""The snapshot list and diff pages: what they list, that the diff is the API's, and their 404s."""

from __future__ import annotations

import re

import pytest

from obligraph.app.security.csp import POLICY
from obligraph.graph.formats import FORMATS

BASE = "/api/v1/workspaces/snaps"


@pytest.fixture(scope="module")
def snaps(client) -> dict[str, str]:
    """A workspace with two snapshots around one change of each kind."""
    assert client.post("/api/v1/workspaces", json={"id": "snaps", "name": "Snapshots"}).status_code == 201
    for node in ({"id": "cloud", "layer": "iaas"}, {"id": "app", "layer": "saas", "name": "The app"}):
        assert client.post(f"{BASE}/nodes", json=node).status_code == 201
    assert client.post(f"{BASE}/edges", json={"provider": "cloud", "consumer": "app"}).status_code == 201
    first = client.post(f"{BASE}/snapshots", json={"label": "before"}).json()["id"]
    assert client.patch(f"{BASE}/nodes/app", json={"name": "The renamed app"}).status_code == 200
    declaration = {"control": "10.5.1", "status": "verified"}
    assert client.post(f"{BASE}/nodes/cloud/declarations", json=declaration).status_code == 201
    assert client.post(f"{BASE}/nodes", json={"id": "db", "layer": "paas"}).status_code == 201
    second = client.post(f"{BASE}/snapshots", json={"label": "after"}).json()["id"]
    assert client.delete(f"{BASE}/edges/cloud/app").status_code == 204  # only the live workspace has this
    return {"first": first, "second": second}


def no_inline_script(text: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_list_shows_each_snapshot_newest_first(client, snaps):
    response = client.get("/w/snaps/snapshots")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == POLICY
    no_inline_script(response.text)
    rows = re.findall(r'<tr data-snapshot="([0-9a-f]{64})">', response.text)
    assert rows == [snaps["second"], snaps["first"]]
    api = {item["id"]: item for item in client.get(f"{BASE}/snapshots").json()["items"]}
    for row in re.findall(r"<tr data-snapshot=.*?</tr>", response.text, re.S):
        digest = re.search(r'data-snapshot="(\w+)"', row).group(1)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        summary = api[digest]["summary"]
        assert cells[0] == digest[:12] and cells[1] == api[digest]["label"]
        assert cells[3] == str(api[digest]["revision"])
        assert cells[4:7] == [str(summary["nodes"]), str(summary["edges"]), str(summary["gaps"])]
    assert 'id="form-snapshot"' in response.text and 'data-action="/api/v1/workspaces/snaps/snapshots"' in response.text


def test_every_download_link_is_an_export_of_that_snapshot(client, snaps):
    text = client.get("/w/snaps/snapshots").text
    links = re.findall(r'href="(/api/v1/workspaces/snaps/export\?snapshot=(\w+)&amp;format=([\w-]+))"', text)
    formats = {name for name, spec in FORMATS.items() if spec.can_write and not spec.needs_node}
    assert {fmt for _, digest, fmt in links if digest == snaps["first"]} == formats
    for href, digest, fmt in links:
        if digest == snaps["first"]:
            response = client.get(href.replace("&amp;", "&"))
            assert response.status_code == 200, (fmt, response.text[:300])
            assert digest[:12] in response.headers["content-disposition"]


def test_the_diff_page_shows_the_apis_diff(client, snaps):
    response = client.get(f"/w/snaps/snapshots/diff?from={snaps['first'][:8]}&to={snaps['second']}")
    assert response.status_code == 200
    no_inline_script(response.text)
    summary = client.get(f"{BASE}/snapshots/{snaps['first']}/diff/{snaps['second']}").json()["summary"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
    nodes = f"{summary['nodes_added']} added, {summary['nodes_removed']} removed, {summary['nodes_changed']} changed"
    assert f"Nodes: {nodes}" in text
    assert f"Gaps: {summary['gaps_opened']} opened, {summary['gaps_closed']} closed" in text
    assert summary["nodes_added"] == 1 and summary["nodes_changed"] == 1 and summary["declarations_added"] == 1
    assert "Nodes added (1)" in text and "Nodes changed (1)" in text and "Declarations added (1)" in text
    assert "name The app The renamed app" in text  # the changed field: before, then after
    sections = dict(re.findall(r'<h3 id="([\w-]+)">[^(]*\((\d+)', response.text))
    assert sections.get("gaps-opened", "0") == str(summary["gaps_opened"])
    assert sections.get("gaps-closed", "0") == str(summary["gaps_closed"])


def test_the_diff_against_the_live_workspace(client, snaps):
    text = client.get(f"/w/snaps/snapshots/diff?from={snaps['second']}&to=live").text
    assert "the live workspace (revision" in text
    assert 'id="edges-removed"' in text and "cloud → app" in text
    same = client.get(f"/w/snaps/snapshots/diff?from={snaps['second']}&to={snaps['second']}").text
    assert "The two sides have the same content." in same


def test_the_chooser_lists_the_snapshots(client, snaps):
    text = client.get("/w/snaps/snapshots/diff").text
    assert 'id="diff-form"' in text and 'id="diff-summary"' not in text
    assert snaps["first"] in text and snaps["second"] in text


@pytest.mark.parametrize(
    "path",
    [
        "/w/nope/snapshots",
        "/w/nope/snapshots/diff",
        "/w/snaps/snapshots/diff?from=0000000000000000000000000000000000000000000000000000000000000000",
        "/w/snaps/snapshots/diff?from=live&to=abcdef99",
        "/w/snaps/snapshots/diff?from=xyz",
    ],
)
def test_bad_ids_are_the_404_page(client, snaps, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text


def test_the_map_links_to_the_snapshots(client):
    assert '<a href="/w/demo/snapshots">Snapshots</a>' in client.get("/w/demo").text


def test_a_damaged_snapshot_is_a_409_page_not_a_diff(client):
    from sqlalchemy import update

    from obligraph.app.models import SnapshotRow

    assert client.post("/api/v1/workspaces", json={"id": "damaged", "name": "Damaged"}).status_code == 201
    digest = client.post("/api/v1/workspaces/damaged/snapshots", json={}).json()["id"]
    with client.app.state.service.db.write() as session:
        row = session.get(SnapshotRow, ("damaged", digest))
        table = SnapshotRow.__table__
        session.execute(update(table).where(table.c.digest == digest).values(chain=dict(row.chain, name="tampered")))
        session.commit()
    response = client.get(f"/w/damaged/snapshots/diff?from={digest}&to=live")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("text/html")
    assert "does not match its sha256" in response.text and "<h1>Cannot compare</h1>" in response.text
    assert client.get("/w/damaged/snapshots").status_code == 200  # the list still shows it
