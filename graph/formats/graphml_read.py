"""Read GraphML (obligraph's own export, or a drawing made in yEd or another tool) into a chain document.

Order matters for safety: defusedxml parses the bytes with DTDs, entities and external references
forbidden, so billion-laughs and XXE payloads fail before anything expands; then the tree is
checked (known ``attr.type`` values, one graph, unique node ids, every edge between declared nodes,
a layer on every node) and only then does networkx decode it: its ``GraphMLReader`` turns each
element's ``<data>`` into typed attributes (and yEd's graphics into a ``label``), working on the
already parsed, defused tree, so networkx never sees raw bytes. Elements are decoded one by one and
cleared as soon as they are read, and no networkx graph is built, which keeps a 100k-node import
to one tree and one document in memory.

Reading rules: ``source`` is the provider and ``target`` the consumer, whatever ``edgedefault``
says. yEd's node label stands in for ``name``; a yEd group node without a layer is a container,
not a node, and its label becomes the ``org`` of the nodes inside it that have none. Attributes
obligraph does not know (positions, colours, gap counts) are ignored.

Files other tools wrote back: an empty value (igraph writes ``""`` for an attribute a node lacks)
and an empty ``<default/>`` (yEd declares ``<default xml:space="preserve"/>`` on custom properties)
mean "not given". When the nodes carry an ``id`` attribute (igraph renames nodes ``n0``, ``n1``,
... and keeps their ids there), that attribute is the node's id and edges are mapped through it.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable, Protocol, TypedDict
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
import networkx as nx
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from networkx.readwrite.graphml import GraphMLReader

from obligraph.graph.errors import ChainError, Location, format_location
from obligraph.graph.formats._validate import check_document
from obligraph.graph.formats.flat import EDGE_KEYS, GRAPH_KEYS, JSON_KEYS, NODE_KEYS
from obligraph.graph.lattice import Layer
from obligraph.graph.schema import CHAIN_FORMAT

NS = "{http://graphml.graphdrawing.org/xmlns}"
Y_NS = "{http://www.yworks.com/xml/graphml}"
GRAPH, NODE, EDGE, KEY, DATA, DEFAULT = (NS + tag for tag in ("graph", "node", "edge", "key", "data", "default"))
ATTR_TYPES = ("boolean", "int", "long", "float", "double", "string")
LAYERS = ", ".join(layer.value for layer in Layer)
MAX_NESTING = 50  # yEd groups inside groups; deeper is not a drawing but an attack on the recursion limit

#: A <key> element as the checks read it (``for`` is a keyword, hence the functional form).
KeyInfo = TypedDict("KeyInfo", {"name": str | None, "for": str, "type": str, "default": bool})
#: (node id, its element) and (source id, target id, its element), in file order.
NodeElements = list[tuple[str, Element]]
EdgeElements = list[tuple[str, str, Element]]


class _GraphMLDecoding(Protocol):
    """The two methods of networkx's ``GraphMLReader`` used here, typed (networkx leaves them untyped)."""

    def find_graphml_keys(self, graph_element: Element) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]: ...

    def decode_data_elements(self, graphml_keys: dict[str, dict[str, Any]], obj_xml: Element) -> dict[str, Any]: ...


def read(data: bytes | str, *, catalog: str | None = None, name: str = "GraphML import") -> dict[str, Any]:
    """Parse GraphML into a chain@1 document; every problem names the element it is in."""
    root = _parse(data)
    keys = _check_keys(root)
    graphs = root.findall(GRAPH)
    if len(graphs) != 1:
        raise ChainError(f"the GraphML file holds {len(graphs)} <graph> elements; obligraph imports exactly one")
    graph_xml = graphs[0]
    nodes, edges, orgs = _walk(graph_xml, keys)
    decoder = _Decoder(root, keys)

    document: dict[str, Any] = {"format": CHAIN_FORMAT, "name": name}
    graph_attrs = decoder.decode(graph_xml, "graph", "<graph>", clear=False)
    for key in GRAPH_KEYS:
        if key in graph_attrs:
            document[key] = _json(graph_attrs[key], "<graph>", key) if key in JSON_KEYS else graph_attrs[key]
    if catalog is not None:
        document.setdefault("catalog", catalog)
    node_places = [f'<node id="{node_id}">' for node_id, _ in nodes]
    edge_places = [f'<edge source="{u}" target="{v}">' for u, v, _ in edges]
    nodes, edges, orgs = _ids_from_attribute(nodes, edges, orgs, keys)
    document["nodes"] = [
        _node(node_id, decoder.decode(element, "node", place), orgs.get(node_id))
        for (node_id, element), place in zip(nodes, node_places, strict=True)
    ]
    document["edges"] = [
        _edge(u, v, decoder.decode(element, "edge", place))
        for (u, v, element), place in zip(edges, edge_places, strict=True)
    ]
    del nodes, edges, root, graph_xml
    check_document(document, lambda loc: _place(loc, node_places, edge_places))
    return document


def _parse(data: bytes | str) -> Element:
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise ChainError(
            "the GraphML file has a DTD (<!DOCTYPE ...>); DTDs are not accepted because they can expand"
            " entities or fetch files: remove the DOCTYPE declaration"
        ) from None
    except EntitiesForbidden as exc:
        raise ChainError(
            f"the GraphML file declares the entity '{exc.name}'; entities are not accepted: remove it"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ChainError(
            f"the GraphML file refers to an external resource ({exc.sysid or exc.pubid}); remove the reference"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise ChainError(
            f"line {line}, column {column + 1}: the GraphML file is not well-formed XML ({reason});"
            " fix the markup there"
        ) from None
    if root.tag != NS + "graphml":
        found = root.tag.replace("{", "").replace("}", " ")
        raise ChainError(
            f"the root element is <{found}>, not <graphml> in the namespace http://graphml.graphdrawing.org/xmlns;"
            " is this a GraphML file?"
        )
    return root


def _check_keys(root: Element) -> dict[str, KeyInfo]:
    keys: dict[str, KeyInfo] = {}
    for key in root.findall(KEY):
        key_id, attr_type = key.get("id"), key.get("attr.type")
        where = f'<key id="{key_id}" attr.name="{key.get("attr.name")}">'
        if key_id is None:
            raise ChainError(f'a <key> element (attr.name="{key.get("attr.name")}") has no id; add one')
        if attr_type is not None and attr_type not in ATTR_TYPES:
            raise ChainError(
                f'{where}: attr.type "{attr_type}" is not a GraphML type; use one of {", ".join(ATTR_TYPES)}'
            )
        if key.get("attr.name") is None and key.get("yfiles.type") is None:
            raise ChainError(f"{where}: the key has no attr.name; name the attribute it stands for")
        default = key.find(DEFAULT)
        if default is not None and not default.text and len(default) == 0:
            key.remove(default)  # yEd's <default xml:space="preserve"/>: no default at all
            default = None
        keys[key_id] = {
            "name": key.get("attr.name") or key.get("yfiles.type"),
            "for": key.get("for", "all"),
            "type": attr_type or "string",
            "default": default is not None,
        }
    return keys


def _walk(graph_xml: Element, keys: dict[str, KeyInfo]) -> tuple[NodeElements, EdgeElements, dict[str, str]]:
    """Nodes and edges in file order, as networkx's reader visits them; containers (yEd groups) left out."""
    layer_keys = {k for k, info in keys.items() if info["name"] == "layer" and info["for"] in ("node", "all")}
    layer_default = any(keys[k]["default"] for k in layer_keys)
    nodes: dict[str, Element] = {}
    containers: dict[str, str] = {}
    orgs: dict[str, str] = {}
    edges: list[tuple[str, str, Element]] = []
    seen_edges: dict[tuple[str, str], int] = {}

    found_edges: list[Element] = []

    def visit(graph: Element, org: str | None, depth: int) -> None:
        if depth > MAX_NESTING:
            raise ChainError(f"groups are nested more than {MAX_NESTING} deep; flatten the drawing")
        for element in graph.findall(NODE):
            node_id = element.get("id")
            if not node_id:
                raise ChainError(f"<node> number {len(nodes) + len(containers) + 1} has no id attribute; add one")
            if node_id in nodes or node_id in containers:
                raise ChainError(f'<node id="{node_id}"> appears twice; node ids must be unique')
            has_layer = layer_default or any(
                d.get("key") in layer_keys and (d.text or "").strip() for d in element.findall(DATA)
            )
            group = element.get("yfiles.foldertype") == "group"
            if group and not has_layer:
                containers[node_id] = _yed_label(element) or node_id
            elif not has_layer:
                label = _yed_label(element)
                named = f' (labelled "{label}")' if label else ""
                raise ChainError(
                    f'<node id="{node_id}">{named} has no "layer" data; give every node a layer property'
                    f" (one of {LAYERS}); in yEd: Edit > Manage Custom Properties"
                )
            else:
                nodes[node_id] = element
                if org:
                    orgs[node_id] = org
            if group:
                inner = element.find(GRAPH)
                if inner is not None:
                    visit(inner, containers.get(node_id, org), depth + 1)
        found_edges.extend(graph.findall(EDGE))

    visit(graph_xml, None, 0)
    # Edges are checked once every node is known: an edge may name a node declared further down.
    for number, element in enumerate(found_edges, start=1):
        u, v = element.get("source"), element.get("target")
        ends: list[str] = []
        for end, node_id in (("source", u), ("target", v)):
            if node_id is None:
                raise ChainError(f"<edge> number {number} has no {end} attribute; add the {end} node's id")
            if node_id in containers:
                raise ChainError(
                    f'<edge source="{u}" target="{v}">: "{node_id}" is a group ({containers[node_id]}), not a node;'
                    " connect the nodes inside the group, or give the group a layer"
                )
            if node_id not in nodes:
                raise ChainError(
                    f'<edge source="{u}" target="{v}">: {end} "{node_id}" is not a declared <node>;'
                    " declare the node (with its layer) or fix the id"
                )
            ends.append(node_id)
        provider, consumer = ends
        if (provider, consumer) in seen_edges:
            raise ChainError(
                f'<edge source="{u}" target="{v}"> repeats edge number {seen_edges[provider, consumer]}; merge them into one edge'
            )
        seen_edges[provider, consumer] = number
        edges.append((provider, consumer, element))
    return list(nodes.items()), edges, orgs


def _ids_from_attribute(
    nodes: NodeElements, edges: EdgeElements, orgs: dict[str, str], keys: dict[str, KeyInfo]
) -> tuple[NodeElements, EdgeElements, dict[str, str]]:
    """Nodes renamed to their ``id`` attribute where they carry one (igraph's write-back), edges mapped along."""
    id_keys = {k for k, info in keys.items() if info["name"] == "id" and info["for"] in ("node", "all")}
    if not id_keys:
        return nodes, edges, orgs
    renamed: dict[str, str] = {}
    owner: dict[str, str] = {}
    for element_id, element in nodes:
        given = next(
            (
                (d.text or "").strip()
                for d in element.findall(DATA)
                if d.get("key") in id_keys and (d.text or "").strip()
            ),
            element_id,
        )
        if given in owner:
            raise ChainError(
                f'<node id="{element_id}"> has the id "{given}", as <node id="{owner[given]}"> does;'
                " the nodes' id attribute must be unique"
            )
        owner[given] = element_id
        renamed[element_id] = given
    return (
        [(renamed[element_id], element) for element_id, element in nodes],
        [(renamed[u], renamed[v], element) for u, v, element in edges],
        {renamed[element_id]: org for element_id, org in orgs.items()},
    )


def _yed_label(element: Element) -> str | None:
    label = element.find(f".//{Y_NS}NodeLabel")
    text = (label.text or "").strip() if label is not None else ""
    return text or None


def _graphml_reader() -> _GraphMLDecoding:
    return GraphMLReader(node_type=str)


class _Decoder:
    """networkx's GraphMLReader decoding one element at a time, with the keys' defaults filled in."""

    def __init__(self, root: Element, keys: dict[str, KeyInfo]):
        self.reader = _graphml_reader()
        self.keys = keys
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "no key type for id ..., using string"
                self.found, defaults = self.reader.find_graphml_keys(root)
        except (ValueError, TypeError, KeyError, AttributeError, nx.NetworkXError) as exc:
            raise ChainError(f"the GraphML <key> elements could not be read ({exc}); check their defaults") from None
        self.defaults = {
            domain: {
                self.found[k]["name"]: value
                for k, value in defaults.items()
                if self.found[k]["for"] in (domain, "all", None)
            }
            for domain in ("graph", "node", "edge")
        }

    def decode(self, element: Element, domain: str, place: str, *, clear: bool = True) -> dict[str, Any]:
        for data in element.findall(DATA):
            if len(data) == 0 and not data.text:
                element.remove(data)  # an empty value is no value (networkx would read it as "None")
        try:
            decoded = self.reader.decode_data_elements(self.found, element)
        except (ValueError, TypeError, KeyError, nx.NetworkXError) as exc:
            raise _bad_value(element, self.keys, place) or ChainError(
                f"{place}: cannot decode its data ({exc})"
            ) from None
        if clear:
            element.clear()  # the tree's biggest parts are the data texts: free them as we go
        return {**self.defaults[domain], **decoded}


def _bad_value(element: Element, keys: dict[str, KeyInfo], place: str) -> ChainError | None:
    """Name the <data> whose text does not fit its key (only run after decoding failed)."""
    casts: dict[str, Callable[[str], object]] = {
        "int": int,
        "long": int,
        "float": float,
        "double": float,
        "boolean": _boolean,
    }
    for data in element.findall(DATA):
        key_id = data.get("key")
        info = keys.get(key_id) if key_id is not None else None
        if info is None:
            return ChainError(f'{place}: <data key="{key_id}"> refers to no <key>; declare the key')
        cast = casts.get(info["type"])
        if cast and data.text is not None:
            try:
                cast(data.text)
            except ValueError:
                return ChainError(
                    f'{place}: "{info["name"]}" is "{data.text}", which is not of type {info["type"]} as its <key>'
                    " says; fix the value or the key's attr.type"
                )
    return None


def _boolean(text: str) -> bool:
    if text.strip().lower() not in ("true", "false", "0", "1"):
        raise ValueError(text)
    return True


def _node(node_id: str, attrs: dict[str, Any], org: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id}
    for key in NODE_KEYS:
        if key in attrs:
            node[key] = _json(attrs[key], f'<node id="{node_id}">', key) if key in JSON_KEYS else attrs[key]
    if "name" not in node and isinstance(attrs.get("label"), str) and attrs["label"].strip():
        node["name"] = attrs["label"].strip()
    if "org" not in node and org:
        node["org"] = org
    return node


def _edge(provider: str, consumer: str, attrs: dict[str, Any]) -> dict[str, Any]:
    edge: dict[str, Any] = {"provider": provider, "consumer": consumer}
    for key in EDGE_KEYS:
        if key in attrs:
            where = f'<edge source="{provider}" target="{consumer}">'
            edge[key] = _json(attrs[key], where, key) if key in JSON_KEYS else attrs[key]
    return edge


def _json(value: Any, where: str, key: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ChainError(
            f'{where}: the "{key}" data is not valid JSON (column {exc.colno}: {exc.msg});'
            " it holds JSON text, as obligraph's GraphML export writes it"
        ) from None
    except RecursionError:
        raise ChainError(f'{where}: the "{key}" data is nested too deeply') from None


def _place(loc: Location, node_places: list[str], edge_places: list[str]) -> str:
    if not loc:
        return "the GraphML file"
    head, rest = loc[0], loc[1:]
    if head in ("nodes", "edges") and rest and isinstance(rest[0], int):
        places = node_places if head == "nodes" else edge_places
        element = places[rest[0]]
        return f'{element} data "{format_location(rest[1:])}"' if rest[1:] else element
    return f'<graph> data "{format_location(loc)}"'
