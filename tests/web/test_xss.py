"""The XSS corpus, stored as names, orgs, descriptions, notes and evidence references, never
reaches a page as markup: no raw payload, no event-handler attribute, no javascript: link, no
script that is not ours."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from tests.web.conftest import XSS

PAGES = (
    [
        "/",
        "/w/xss",
        "/w/xss/gaps",
        "/w/xss/heatmap",
        "/w/xss/impact",
        "/w/xss/impact?provider=p0",
    ]
    + [f"/w/xss/nodes/p{i}" for i in range(len(XSS))]
    + ["/w/xss/nodes/app", "/w/xss/nodes/added"]
    + [
        "/w/xss/snapshots",
        "/w/xss/snapshots/diff",
        "/w/xss/snapshots/diff?from={first}&to={second}",
        "/w/xss/snapshots/diff?from={first}&to=live",
        "/w/xss/snapshots/diff?from={second}&to={first}",
    ]
)


def snapshot_ids(client) -> dict[str, str]:
    items = client.get("/api/v1/workspaces/xss/snapshots").json()["items"]
    return {"first": items[0]["id"], "second": items[1]["id"]}


class Audit(HTMLParser):
    """Collects what would run: attributes named on*, javascript: URLs, and scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[dict] = []
        self._in_json = False
        self.json_blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            url = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and url.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            attributes = dict(attrs)
            self.scripts.append(attributes)
            self._in_json = attributes.get("type") == "application/json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_reaches_the_page_as_markup(client, path):
    response = client.get(path.format(**snapshot_ids(client)))
    assert response.status_code == 200, response.text[:500]
    text = response.text
    for payload in XSS:
        if any(ch in payload for ch in "<>\"'"):
            assert payload not in text, payload
    audit = Audit()
    audit.feed(text)
    assert audit.problems == []
    for script in audit.scripts:
        src = script.get("src")
        assert (src and src.startswith("/static/")) or script.get("type") == "application/json", script
    for block in audit.json_blocks:
        json.loads(block)  # the block is whole: no payload closed it early
    assert len(re.findall(r"</script", text, re.I)) == len(audit.scripts)


def test_payloads_survive_as_text_in_the_map_data(client):
    """Escaping must not lose data: the map shows the names exactly as stored."""
    page = client.get("/w/xss").text
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S).group(1)
    labels = {node["name"] for node in json.loads(block)["nodes"]}
    assert set(XSS) <= labels


def test_the_diff_shows_the_payloads_as_text(client):
    """The diff page is not vacuously safe: the changed names, notes and labels are on it, escaped."""
    ids = snapshot_ids(client)
    text = client.get(f"/w/xss/snapshots/diff?from={ids['first']}&to={ids['second']}").text
    for payload in (XSS[3], XSS[4], XSS[5], XSS[6], XSS[7], XSS[1], XSS[2]):
        assert escape(payload) in text, payload
    listing = client.get("/w/xss/snapshots").text
    assert escape(XSS[0]) in listing and escape(XSS[1]) in listing


def test_the_map_json_is_json_only(client):
    """The expand endpoint's payloads are data: served as JSON that browsers will not sniff into HTML."""
    response = client.get("/w/xss/map.json")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert set(XSS) <= {node["name"] for node in response.json()["nodes"]}
