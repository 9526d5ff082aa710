"""The standalone HTML map: one offline file, no external URLs, chain text never parsed as HTML."""

from __future__ import annotations

import json
import re

import pytest

from obligraph.graph.errors import ChainError
from obligraph.graph.formats import export_chain
from tests.helpers import chain as make_chain
from tests.helpers import edge, node

EVIL = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def evil_map() -> str:
    chain = make_chain(
        [
            {**node("a", "iaas"), "name": EVIL, "org": "<img src=x onerror=alert(2)>"},
            {**node("b", "saas"), "name": "line\u2028sep & <b>"},
        ],
        [edge("a", "b")],
        ["10.5.1"],
        name="<title>&",
    )
    return export_chain(chain, "html").decode("utf-8")


def _data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="chain-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def test_no_external_script_link_or_image(example, example_analysis):
    page = export_chain(example, "html", example_analysis).decode("utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, re.I)
    assert tags and not any(re.search(r"\b(?:src|href)\s*=", tag, re.I) for tag in tags)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "vis.Network" in page and "default-src 'none'" in page


def test_a_script_closing_name_stays_inside_the_json_block(evil_map):
    assert EVIL not in evil_map and "<img src=x" not in evil_map
    assert evil_map.count("</script>") == 3  # the data block, vis-network and the map script
    data = _data(evil_map)
    assert data["nodes"][0]["label"] == EVIL
    assert data["nodes"][1]["label"] == "line\u2028sep & <b>"
    assert "\u2028" not in evil_map and "\\u003c/script\\u003e" in evil_map


def test_the_page_title_is_escaped(evil_map):
    assert "<title>&lt;title&gt;&amp; · obligraph map</title>" in evil_map


def test_labels_and_tooltips_are_set_as_text(evil_map):
    script = evil_map.rsplit("<script>", 1)[1]
    assert "innerHTML" not in script and "textContent" in script


def test_large_chains_need_a_focus(example):
    with pytest.raises(ChainError, match="focus"):
        export_chain(example, "html", limit=3)
    page = export_chain(example, "html", focus="sakura-hr", depth=1).decode("utf-8")
    shown = {n["id"] for n in _data(page)["nodes"]}
    assert shown == {"sakura-hr", *example.graph.predecessors("sakura-hr"), *example.graph.successors("sakura-hr")}
    with pytest.raises(ChainError, match="no node 'nope'"):
        export_chain(example, "html", focus="nope")
