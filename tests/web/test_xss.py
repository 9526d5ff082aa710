"""The XSS corpus, stored as names, orgs, descriptions, notes and evidence references, never
reaches a page as markup: no raw payload, no event-handler attribute, no javascript: link, no
script that is not ours."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tests.web.conftest import XSS

PAGES = [
    "/",
    "/w/xss",
    "/w/xss/gaps",
    "/w/xss/heatmap",
    "/w/xss/impact",
    "/w/xss/impact?provider=p0",
] + [f"/w/xss/nodes/p{i}" for i in range(len(XSS))] + ["/w/xss/nodes/app"]


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
    response = client.get(path)
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
    labels = {node["label"] for node in json.loads(block)["nodes"]}
    assert set(XSS) <= labels
