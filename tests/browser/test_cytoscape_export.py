"""The Cytoscape JSON export loaded by Cytoscape.js (the npm build vendored in tests/browser/vendor/) in Chromium.

The page is blank (no server): the vendored ``cytoscape.min.js`` and the exported file are all it
holds. Cytoscape.js reports problems with its input through ``console.warn`` / ``console.error``,
so every console message is collected and must be empty.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.formats import export_chain
from tests.graph.formats.conftest import EXAMPLES
from tests.strategies import AS_OF

CYTOSCAPE_JS = Path(__file__).parent / "vendor" / "cytoscape.min.js"
LOAD = """(text) => {
    const data = JSON.parse(text);
    const cy = cytoscape({headless: true, styleEnabled: false});
    cy.json(data);  // what "File > Import" of a .cyjs does in Cytoscape.js apps
    const round = cy.json();
    const layers = {};
    cy.nodes().forEach((n) => { layers[n.data('layer')] = (layers[n.data('layer')] || 0) + 1; });
    return {
        nodes: cy.nodes().length,
        edges: cy.edges().length,
        edgeIds: cy.edges().map((e) => e.id()).sort(),
        sources: cy.edges().map((e) => e.source().id() + '>' + e.target().id()).sort(),
        layers,
        gaps: cy.nodes().map((n) => n.data('gaps') || 0).reduce((a, b) => a + b, 0),
        chainName: cy.data('name'),
        positioned: cy.nodes().filter((n) => n.position('y') !== 0).length,
        roundNodes: round.elements.nodes.length,
    };
}"""


@pytest.fixture(scope="module")
def example() -> Chain:
    return Chain.load(EXAMPLES / "guideline-chain.yaml")


@pytest.fixture(scope="module")
def chromium_page(browser):
    # The session's browser (tests/browser/conftest.py): a second sync_playwright in the same process
    # fails once the first is running ("Sync API inside the asyncio loop").
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.set_content("<!doctype html><title>cyjs</title>")
    page.add_script_tag(path=str(CYTOSCAPE_JS))
    yield page, messages
    page.close()


def test_cytoscape_js_loads_the_export_with_every_node_and_edge_and_no_warning(chromium_page, example):
    page, messages = chromium_page
    enterprise = Chain.load(EXAMPLES / "enterprise.yaml")
    for chain, analysis in ((example, analyze(example, as_of=AS_OF)), (enterprise, None)):
        messages.clear()
        text = export_chain(chain, "cyjs", analysis).decode("utf-8")
        result = page.evaluate(LOAD, text)
        assert messages == []
        assert result["nodes"] == result["roundNodes"] == len(chain)
        assert result["edges"] == len(chain.edges())
        assert result["sources"] == sorted(f"{u}>{v}" for u, v in chain.edges())
        assert result["edgeIds"] == sorted(f"{u}->{v}" for u, v in chain.edges())
        layers: dict[str, int] = {}
        for doc in chain.node_documents():
            layers[doc["layer"]] = layers.get(doc["layer"], 0) + 1
        assert result["layers"] == layers and result["chainName"] == chain.name
        assert result["positioned"] > 0
        assert result["gaps"] == (analysis.gap_count if analysis is not None else 0)


def test_the_check_catches_what_cytoscape_js_warns_about(chromium_page, example):
    # The export as it was (a list of pairs as the chain's data, edges without ids) makes cy.json() warn.
    page, messages = chromium_page
    messages.clear()
    data = json.loads(export_chain(example, "cyjs"))
    data["data"] = list(data["data"].items())
    for edge in data["elements"]["edges"]:
        edge["data"].pop("id")
    page.evaluate(LOAD, json.dumps(data))
    assert any(m.startswith(("warning", "error")) for m in messages), messages
