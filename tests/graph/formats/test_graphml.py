"""GraphML: networkx reads the export, hostile files are refused before anything expands, yEd drawings import."""

from __future__ import annotations

import io
import time

import networkx as nx
import pytest

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import graphml
from obligraph.graph.formats.flat import flat_graph
from tests.helpers import chain as make_chain
from tests.helpers import edge, node

NS = 'xmlns="http://graphml.graphdrawing.org/xmlns"'
LAYER_KEY = '<key id="k" for="node" attr.name="layer" attr.type="string"/>'


def _graph(body: str, keys: str = LAYER_KEY) -> str:
    return f'<?xml version="1.0"?><graphml {NS}>{keys}<graph edgedefault="directed">{body}</graph></graphml>'


def _read_error(text: str | bytes) -> str:
    with pytest.raises(ChainError) as caught:
        graphml.read(text)
    return str(caught.value)


def test_networkx_reads_the_export_as_the_flat_graph(example, example_analysis):
    """The streamed file means the same to networkx as networkx.write_graphml's own output."""
    ours = nx.parse_graphml(graphml.write(example, example_analysis).decode("utf-8"))
    buffer = io.BytesIO()
    nx.write_graphml(flat_graph(example, example_analysis), buffer)
    theirs = nx.parse_graphml(buffer.getvalue().decode("utf-8"))
    assert nx.utils.graphs_equal(ours, theirs)
    assert set(ours.edges) == set(example.edges())
    attrs = ours.nodes["sakura-hr"]
    assert attrs["layer"] == "saas" and isinstance(attrs["gaps"], int) and isinstance(attrs["declarations"], str)


def test_one_type_per_key_and_no_none(example):
    text = graphml.write(example).decode("utf-8")
    assert "None" not in text
    for line in text.splitlines():
        if line.startswith("<key "):
            assert 'attr.type="string"' in line  # all chain attributes are text (JSON for lists and dicts)


def test_ids_with_colons_survive():
    chain = make_chain(
        [node("aws:us-east-1", "iaas"), node("app@eu", "saas")], [edge("aws:us-east-1", "app@eu")], ["10.5.1"]
    )
    again = Chain.from_dict(graphml.read(graphml.write(chain)))
    assert again.edges() == [("aws:us-east-1", "app@eu")]


def test_text_xml_cannot_carry_is_refused_on_export():
    chain = make_chain([{"id": "a", "layer": "iaas", "name": "bell\x07"}], [], ["10.5.1"])
    with pytest.raises(ChainError, match="U\\+0007"):
        graphml.write(chain)


@pytest.mark.parametrize(
    "prolog, needle",
    [
        ("<!DOCTYPE graphml [<!ELEMENT graphml ANY>]>", "DTD"),
        # billion laughs: ten levels of ten-fold entity expansion
        (
            '<!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
            + "]>",
            "DTD",
        ),
        ('<!DOCTYPE g [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "DTD"),
        ('<!DOCTYPE graphml SYSTEM "http://example.invalid/graphml.dtd">', "DTD"),
    ],
)
def test_dtds_entities_and_external_references_are_refused(prolog, needle):
    body = '<node id="a"><data key="k">&lol9;</data></node>' if "lol9" in prolog else ""
    text = f'<?xml version="1.0"?>{prolog}<graphml {NS}>{LAYER_KEY}<graph>{body}</graph></graphml>'
    started = time.perf_counter()
    message = _read_error(text)
    assert needle in message and "remove" in message
    assert time.perf_counter() - started < 1.0  # refused before any expansion


def test_unknown_attr_type_is_an_error_naming_the_key():
    message = _read_error(_graph("", keys=LAYER_KEY + '<key id="b" for="node" attr.name="size" attr.type="blob"/>'))
    assert '<key id="b"' in message and '"blob"' in message and "string" in message


def test_edge_to_an_undeclared_node_is_an_error_not_a_new_node():
    message = _read_error(_graph('<node id="a"><data key="k">iaas</data></node><edge source="a" target="ghost"/>'))
    assert 'target "ghost" is not a declared <node>' in message


def test_missing_layer_names_the_element():
    message = _read_error(_graph('<node id="n7"/>'))
    assert '<node id="n7">' in message and "layer" in message


def test_bad_values_name_the_element_and_field():
    message = _read_error(_graph('<node id="a"><data key="k">iaaz</data></node>'))
    assert message.startswith('<node id="a"> data "layer"') and "infra" in message
    keys = LAYER_KEY + '<key id="n" for="node" attr.name="rank" attr.type="int"/>'
    message = _read_error(_graph('<node id="a"><data key="k">iaas</data><data key="n">high</data></node>', keys))
    assert '<node id="a">' in message and "int" in message


@pytest.mark.parametrize(
    "body, needle",
    [
        ('<node id="a"><data key="k">iaas</data></node><node id="a"><data key="k">saas</data></node>', "appears twice"),
        (
            '<node id="a"><data key="k">iaas</data></node><node id="b"><data key="k">saas</data></node>'
            '<edge source="a" target="b"/><edge source="a" target="b"/>',
            "repeats edge number 1",
        ),
        ('<node id="a"><data key="k">iaas</data></node><edge source="a" target="a"/>', "own provider"),
    ],
)
def test_structural_problems(body, needle):
    assert needle in _read_error(_graph(body))


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"<graphml", "not well-formed"),
        (b"\xff\xfe\x00<", "not well-formed"),
        (b"<svg/>", "not <graphml>"),
        (f"<graphml {NS}></graphml>".encode(), "0 <graph>"),
    ],
)
def test_broken_files(data, needle):
    assert needle in _read_error(data)


def test_declarations_that_are_not_json():
    keys = LAYER_KEY + '<key id="d" for="node" attr.name="declarations" attr.type="string"/>'
    message = _read_error(_graph('<node id="a"><data key="k">iaas</data><data key="d">[{oops</data></node>', keys))
    assert '<node id="a">' in message and "JSON" in message


YED = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:y="http://www.yworks.com/xml/graphml"
         xmlns:yed="http://www.yworks.com/xml/yed/3">
  <key for="graphml" id="d0" yfiles.type="resources"/>
  <key attr.name="layer" attr.type="string" for="node" id="d1"/>
  <key attr.name="description" attr.type="string" for="node" id="d2"/>
  <key for="node" id="d3" yfiles.type="nodegraphics"/>
  <key for="edge" id="d4" yfiles.type="edgegraphics"/>
  <graph edgedefault="directed" id="G">
    <node id="n0" yfiles.foldertype="group">
      <data key="d3"><y:ProxyAutoBoundsNode><y:Realizers active="0"><y:GroupNode>
        <y:NodeLabel>Acme Corp</y:NodeLabel></y:GroupNode></y:Realizers></y:ProxyAutoBoundsNode></data>
      <graph edgedefault="directed" id="n0:">
        <node id="n0::n0">
          <data key="d1">iaas</data>
          <data key="d3"><y:ShapeNode><y:Geometry height="30.0" width="30.0" x="10.0" y="20.0"/>
            <y:NodeLabel>Acme Compute</y:NodeLabel></y:ShapeNode></data>
        </node>
      </graph>
    </node>
    <node id="n1">
      <data key="d1">saas</data>
      <data key="d2">HR in the cloud</data>
      <data key="d3"><y:ShapeNode><y:NodeLabel>HR SaaS</y:NodeLabel></y:ShapeNode></data>
    </node>
    <edge id="e0" source="n0::n0" target="n1"><data key="d4"><y:PolyLineEdge/></data></edge>
  </graph>
  <data key="d0"><y:Resources/></data>
</graphml>
"""


def test_a_yed_drawing_imports_with_labels_as_names_and_groups_as_orgs():
    document = graphml.read(YED)
    chain = Chain.from_dict(document)
    assert [(n["id"], n.get("name"), n.get("org")) for n in document["nodes"]] == [
        ("n0::n0", "Acme Compute", "Acme Corp"),
        ("n1", "HR SaaS", None),
    ]
    assert chain.edges() == [("n0::n0", "n1")]
    assert document["nodes"][1]["description"] == "HR in the cloud"


def test_an_edge_to_a_yed_group_is_an_error():
    text = YED.replace('source="n0::n0"', 'source="n0"')
    assert "is a group (Acme Corp)" in _read_error(text)


def test_key_defaults_apply_to_nodes_without_the_data():
    keys = '<key id="k" for="node" attr.name="layer" attr.type="string"><default>saas</default></key>'
    document = graphml.read(_graph('<node id="a"/><node id="b"><data key="k">iaas</data></node>', keys))
    assert [(n["id"], n["layer"]) for n in document["nodes"]] == [("a", "saas"), ("b", "iaas")]


def test_problems_in_the_graph_data_name_the_graph():
    keys = '<key id="r" for="graph" attr.name="requirement" attr.type="string"/>'
    text = f'<?xml version="1.0"?><graphml {NS}>{keys}<graph><data key="r">high</data></graph></graphml>'
    assert _read_error(text).startswith('<graph> data "requirement"')


def test_an_edge_may_come_before_the_node_it_names():
    body = (
        '<edge source="a" target="b"/><node id="a"><data key="k">iaas</data></node>'
        '<node id="b"><data key="k">saas</data></node>'
    )
    assert graphml.read(_graph(body))["edges"] == [{"provider": "a", "consumer": "b"}]


def test_deeply_nested_groups_are_refused():
    inner = '<node id="leaf"><data key="k">iaas</data></node>'
    for i in range(200):
        inner = f'<node id="g{i}" yfiles.foldertype="group"><graph>{inner}</graph></node>'
    assert "nested more than" in _read_error(_graph(inner))


def test_yed_custom_properties_with_empty_defaults_keep_groups_as_orgs():
    # yEd declares every custom property with <default xml:space="preserve"/>; a node without the
    # property then has no value, and a group without a layer is still a container.
    keys = (
        '<key attr.name="layer" attr.type="string" for="node" id="d1"><default xml:space="preserve"/></key>'
        '<key attr.name="org" attr.type="string" for="node" id="d5"><default xml:space="preserve"/></key>'
        '<key attr.name="gaps" attr.type="int" for="node" id="d6"><default xml:space="preserve"/></key>'
    )
    text = YED.replace('<key attr.name="layer" attr.type="string" for="node" id="d1"/>', keys)
    text = text.replace(
        '<data key="d2">HR in the cloud</data>', '<data key="d2">HR in the cloud</data><data key="d5"/>'
    )
    document = graphml.read(text)
    assert [(n["id"], n["layer"], n.get("org")) for n in document["nodes"]] == [
        ("n0::n0", "iaas", "Acme Corp"),
        ("n1", "saas", None),
    ]


def test_empty_values_and_an_id_attribute_as_igraph_writes_them():
    keys = (
        LAYER_KEY + '<key id="v_id" for="node" attr.name="id" attr.type="string"/>'
        '<key id="v_org" for="node" attr.name="org" attr.type="string"/>'
        '<key id="e_c" for="edge" attr.name="criticality" attr.type="string"/>'
        '<key id="e_r" for="edge" attr.name="responsibility" attr.type="string"/>'
    )
    body = (
        '<node id="n0"><data key="k">iaas</data><data key="v_id">aws:us-east-1</data><data key="v_org"></data></node>'
        '<node id="n1"><data key="k">saas</data><data key="v_id">hr</data><data key="v_org">HR Inc</data></node>'
        '<edge source="n0" target="n1"><data key="e_c">high</data><data key="e_r"></data></edge>'
    )
    document = graphml.read(_graph(body, keys))
    assert document["nodes"] == [
        {"id": "aws:us-east-1", "layer": "iaas"},
        {"id": "hr", "layer": "saas", "org": "HR Inc"},
    ]
    assert document["edges"] == [{"provider": "aws:us-east-1", "consumer": "hr", "criticality": "high"}]
    twice = body.replace(">hr<", ">aws:us-east-1<")
    assert 'has the id "aws:us-east-1", as <node id="n0"> does' in _read_error(_graph(twice, keys))
