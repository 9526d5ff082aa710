"""Each export opened in the tool people use it with, and its content checked there.

networkx (GraphML, node-link with either key), igraph (GraphML), Graphviz ``dot`` (DOT laid out),
``xmllint`` against the GEXF 1.2 XML Schema, pandas (the CSV bundle). Cytoscape.js runs in Chromium:
tests/browser/test_cytoscape_export.py. ``dot`` and ``xmllint`` come from the Debian packages
graphviz and libxml2-utils, which .ci/run installs; without them those tests skip and say why.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from obligraph.graph.formats import export_chain
from obligraph.graph.formats._common import gap_counts

GEXF_SCHEMA = Path(__file__).parent / "schemas" / "gexf-1.2" / "gexf.xsd"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is missing (Debian package {package}; .ci/run installs it)")
    return path


def _node_documents(chain) -> dict[str, dict]:
    return {doc["id"]: doc for doc in chain.node_documents()}


def test_networkx_reads_graphml_with_every_attribute_and_the_gap_counts(example, example_analysis, tmp_path):
    path = tmp_path / "chain.graphml"
    path.write_bytes(export_chain(example, "graphml", example_analysis))
    graph = nx.read_graphml(path)
    documents = _node_documents(example)
    assert graph.is_directed() and set(graph.edges) == set(example.edges())
    counts = gap_counts(example_analysis)
    for node_id, attrs in graph.nodes(data=True):
        assert attrs["layer"] == documents[node_id]["layer"] and attrs.get("name") == documents[node_id].get("name")
        assert json.loads(attrs.get("declarations", "[]")) == documents[node_id].get("declarations", [])
        assert attrs["gaps"] == counts[node_id]["gaps"]
    assert graph.graph["catalog"] == "meti-2011" and json.loads(graph.graph["controls"]) == example.controls


@pytest.mark.parametrize("links", [False, True])
def test_networkx_reads_node_link_with_either_key(example, example_analysis, links):
    data = json.loads(export_chain(example, "node-link", example_analysis, links=links))
    graph = nx.node_link_graph(data, edges="links" if links else "edges")
    assert set(graph.edges) == set(example.edges()) and set(graph.nodes) == set(example.graph.nodes)
    assert sum(graph.nodes[n]["gaps"] for n in graph) == example_analysis.gap_count
    critical = [doc for doc in example.edge_documents() if "criticality" in doc]
    assert critical and all(
        graph.edges[doc["provider"], doc["consumer"]]["criticality"] == doc["criticality"] for doc in critical
    )


def test_igraph_reads_graphml_with_ids_layers_and_gap_counts(example, example_analysis, tmp_path):
    igraph = pytest.importorskip("igraph", reason="python-igraph is in the [test] extra")
    path = tmp_path / "chain.graphml"
    path.write_bytes(export_chain(example, "graphml", example_analysis))
    graph = igraph.Graph.Read_GraphML(str(path))
    assert graph.is_directed() and graph.vcount() == len(example) and graph.ecount() == len(example.edges())
    ids = graph.vs["id"]  # igraph keeps the GraphML node ids in the vertex attribute "id"
    documents = _node_documents(example)
    assert [graph.vs[i]["layer"] for i in range(len(ids))] == [documents[i]["layer"] for i in ids]
    assert {(ids[e.source], ids[e.target]) for e in graph.es} == set(example.edges())
    counts = gap_counts(example_analysis)
    assert [int(g) for g in graph.vs["gaps"]] == [counts[i]["gaps"] for i in ids]


def test_graphviz_lays_out_the_dot_export_in_layer_rows(example, example_analysis, tmp_path):
    dot = _tool("dot", "graphviz")
    path = tmp_path / "chain.dot"
    path.write_bytes(export_chain(example, "dot", example_analysis))
    done = subprocess.run([dot, "-Tjson", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr
    layout = json.loads(done.stdout)
    nodes = [o for o in layout["objects"] if "pos" in o]
    assert {o["name"] for o in nodes} == set(example.graph.nodes)
    assert len(layout.get("edges", [])) == len(example.edges())
    rows: dict[str, set[float]] = {}
    documents = _node_documents(example)
    for o in nodes:
        rows.setdefault(documents[o["name"]]["layer"], set()).add(float(o["pos"].split(",")[1]))
    assert all(len(ys) == 1 for ys in rows.values()), rows  # rank=same: one row per layer
    y = {layer: ys.pop() for layer, ys in rows.items()}
    # rankdir=BT: infra at the bottom (Graphviz's y grows upwards), customers on top.
    assert y["infra"] < y["iaas"] < y["paas"] < y["saas"] < y["customer"]
    assert all(o["gaps"] == str(gap_counts(example_analysis)[o["name"]]["gaps"]) for o in nodes)


def test_xmllint_validates_the_gexf_export_against_the_gexf_schema(example, enterprise, example_analysis, tmp_path):
    xmllint = _tool("xmllint", "libxml2-utils")
    for name, chain, analysis in (("example", example, example_analysis), ("enterprise", enterprise, None)):
        path = tmp_path / f"{name}.gexf"
        path.write_bytes(export_chain(chain, "gexf", analysis))
        done = subprocess.run(
            [xmllint, "--noout", "--nonet", "--schema", str(GEXF_SCHEMA), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "validates" in done.stderr, done.stderr


def test_xmllint_refuses_a_gexf_the_schema_does_not_allow(example, tmp_path):
    # The check has teeth: the attribute the old export wrote is refused.
    xmllint = _tool("xmllint", "libxml2-utils")
    path = tmp_path / "named.gexf"
    path.write_bytes(export_chain(example, "gexf").replace(b"<graph ", b'<graph name="x" ', 1))
    done = subprocess.run(
        [xmllint, "--noout", "--nonet", "--schema", str(GEXF_SCHEMA), str(path)], capture_output=True, text=True
    )
    assert done.returncode != 0 and "'name' is not allowed" in done.stderr


def test_pandas_reads_the_csv_bundle_and_the_tables_join(example, example_analysis):
    pandas = pytest.importorskip("pandas", reason="pandas is in the [test] extra")
    with zipfile.ZipFile(io.BytesIO(export_chain(example, "csv", example_analysis))) as bundle:
        tables = {
            name.removesuffix(".csv"): pandas.read_csv(bundle.open(name), encoding="utf-8-sig", dtype=str)
            for name in bundle.namelist()
        }
    assert len(tables["nodes"]) == len(example) and len(tables["edges"]) == len(example.edges())
    gaps = tables["gaps"]
    assert len(gaps) == example_analysis.gap_count
    per_node = gaps.groupby("node").size().to_dict()
    assert per_node == {n: c["gaps"] for n, c in gap_counts(example_analysis).items() if c["gaps"]}
    causes = tables["root_causes"].merge(gaps, on=["node", "control"], how="left", indicator=True)
    assert (causes["_merge"] == "both").all() and set(causes["cause"]) <= set(tables["nodes"]["id"])
    expected = {
        (g.node, g.control): {c.node for c in example_analysis.root_causes(g.node, g.control)}
        for g in example_analysis.gaps()
    }
    found = tables["root_causes"].groupby(["node", "control"])["cause"].apply(set).to_dict()
    assert found == {key: value for key, value in expected.items() if value}
    declared = tables["declarations"].drop_duplicates(["node", "control"])
    assert len(declared) == sum(len(doc.get("declarations", [])) for doc in example.node_documents())
