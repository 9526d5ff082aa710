"""GEXF, node-link JSON, Cytoscape JSON and DOT keep every node, edge and the attributes they can hold."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings

from obligraph.graph.chain import Chain
from obligraph.graph.formats import export_chain
from obligraph.graph.formats._common import LAYER_COLOURS
from obligraph.graph.formats.flat import flat_graph
from tests.graph.formats.strategies import rich_chains
from tests.helpers import chain as make_chain
from tests.helpers import edge, node

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


GEXF = "{http://www.gexf.net/1.2}"


def read_gexf(data: bytes) -> nx.DiGraph:
    """GEXF 1.2 as Gephi reads it: attribute values by their declared title and type, and the visual elements.

    networkx 3.6 reads only the 1.2draft and 1.3 namespaces of GEXF, so the tests read the file themselves.
    """
    root = ElementTree.fromstring(data)
    graph_xml = root.find(GEXF + "graph")
    declared = {}
    for attributes in graph_xml.findall(GEXF + "attributes"):
        for attribute in attributes.findall(GEXF + "attribute"):
            cast = int if attribute.get("type") == "integer" else str
            declared[attributes.get("class"), attribute.get("id")] = (attribute.get("title"), cast)

    def values(element, domain: str) -> dict:
        found = {}
        for value in element.iter(GEXF + "attvalue"):
            title, cast = declared[domain, value.get("for")]
            found[title] = cast(value.get("value"))
        return found

    graph = nx.DiGraph()
    for element in graph_xml.find(GEXF + "nodes").findall(GEXF + "node"):
        colour, position = element.find(GEXF + "color"), element.find(GEXF + "position")
        viz = {
            "color": {channel: int(colour.get(channel)) for channel in "rgb"},
            "position": {axis: float(position.get(axis)) for axis in "xyz"},
        }
        graph.add_node(element.get("id"), label=element.get("label"), viz=viz, **values(element, "node"))
    for element in graph_xml.find(GEXF + "edges").findall(GEXF + "edge"):
        graph.add_edge(element.get("source"), element.get("target"), id=element.get("id"), **values(element, "edge"))
    return graph


def _read(fmt: str, data: bytes) -> nx.DiGraph:
    if fmt == "gexf":
        return read_gexf(data)
    if fmt == "node-link":
        return nx.node_link_graph(json.loads(data), edges="edges")
    return nx.cytoscape_graph(json.loads(data))


@pytest.mark.parametrize("fmt", ["gexf", "node-link", "cyjs"])
@SETTINGS
@given(document=rich_chains())
def test_every_node_edge_and_attribute_survives(fmt, document):
    chain = Chain.from_dict(document)
    graph = _read(fmt, export_chain(chain, fmt))
    assert set(graph.nodes) == set(chain.graph.nodes)
    assert set(graph.edges) == set(chain.edges())
    flat = flat_graph(chain)
    for node_id, attrs in flat.nodes(data=True):
        for key, value in attrs.items():
            assert graph.nodes[node_id][key] == value, (node_id, key)
    for u, v, attrs in flat.edges(data=True):
        for key, value in attrs.items():
            assert graph.edges[u, v][key] == value, (u, v, key)


@pytest.mark.parametrize("fmt", ["gexf", "node-link", "cyjs"])
def test_gap_counts_travel_as_ints(fmt, example, example_analysis):
    graph = _read(fmt, export_chain(example, fmt, example_analysis))
    counts = {n: graph.nodes[n]["gaps"] for n in graph}
    assert all(isinstance(c, int) for c in counts.values()) and sum(counts.values()) == example_analysis.gap_count


def test_gexf_has_layer_colours_and_infra_below_customers(example):
    graph = read_gexf(export_chain(example, "gexf"))
    heights = {}
    for _, attrs in graph.nodes(data=True):
        colour = attrs["viz"]["color"]
        assert (colour["r"], colour["g"], colour["b"]) == LAYER_COLOURS[attrs["layer"]]
        heights.setdefault(attrs["layer"], set()).add(attrs["viz"]["position"]["y"])
    assert max(heights["infra"]) < min(heights["iaas"]) < min(heights["saas"]) < min(heights["customer"])


def test_gexf_keeps_the_chain_fields_in_meta_and_has_no_graph_name(example):
    root = ElementTree.fromstring(export_chain(example, "gexf"))
    assert root.get("version") == "1.2" and root.find(GEXF + "graph").get("name") is None
    keywords = root.find(f"{GEXF}meta/{GEXF}keywords").text.split("; ")
    assert f"name={example.name}" in keywords and "catalog=meti-2011" in keywords
    assert root.find(f"{GEXF}meta/{GEXF}description").text == example.description


def test_node_link_uses_the_edges_key_or_links_on_request(example):
    data = json.loads(export_chain(example, "node-link"))
    assert "edges" in data and "links" not in data and data["graph"]["name"] == example.name
    linked = json.loads(export_chain(example, "node-link", links=True))
    assert "links" in linked and "edges" not in linked and linked["links"] == data["edges"]
    assert set(nx.node_link_graph(linked, edges="links").edges) == set(example.edges())


def test_cytoscape_edges_have_ids_and_the_chain_fields_are_an_object(example):
    data = json.loads(export_chain(example, "cyjs"))
    ids = [edge["data"]["id"] for edge in data["elements"]["edges"]]
    assert sorted(ids) == sorted(f"{u}->{v}" for u, v in example.edges())
    assert not set(ids) & {node["data"]["id"] for node in data["elements"]["nodes"]}
    assert data["data"]["name"] == example.name and data["data"]["catalog"] == "meti-2011"


def test_cytoscape_positions_put_customers_on_top_of_the_screen(example):
    data = json.loads(export_chain(example, "cyjs"))
    y = {n["data"]["layer"]: n["position"]["y"] for n in data["elements"]["nodes"]}
    assert y["customer"] < y["saas"] < y["infra"]  # screen y grows downwards


def _dot_strings(text: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', text)]


def test_dot_quotes_ids_and_escapes_quotes_and_backslashes():
    chain = make_chain(
        [{**node("aws:us-east-1", "iaas"), "name": 'Say "hi" \\ there'}, node("app", "saas")],
        [edge("aws:us-east-1", "app", **{"10_5_1": "shared"})],
        ["10.5.1"],
    )
    text = export_chain(chain, "dot").decode("utf-8")
    assert '"aws:us-east-1" -> "app"' in text
    assert 'label="Say \\"hi\\" \\\\ there\\niaas"' in text
    strings = _dot_strings(text)
    assert "aws:us-east-1" in strings and "10.5.1=shared" in strings


def test_dot_layers_are_named_subgraphs(example):
    text = export_chain(example, "dot").decode("utf-8")
    assert not re.search(r"^\s*\{", text, re.M)  # no anonymous block
    ranks = re.findall(r'^  subgraph "layer_(\w+)" \{ rank=same; (.*) \}$', text, re.M)
    layers = {layer: set(re.findall(r'"([^"]+)"', members)) for layer, members in ranks}
    assert layers == {
        layer: {doc["id"] for doc in example.node_documents() if doc["layer"] == layer}
        for layer in {doc["layer"] for doc in example.node_documents()}
    }


@SETTINGS
@given(document=rich_chains())
def test_dot_keeps_every_node_and_edge(document):
    chain = Chain.from_dict(document)
    text = export_chain(chain, "dot").decode("utf-8")
    edges = set(re.findall(r'^  "([^"]+)" -> "([^"]+)"', text, re.M))
    nodes = set(re.findall(r'^  "([^"]+)" \[label=', text, re.M))
    assert edges == set(chain.edges()) and nodes == set(chain.graph.nodes)
