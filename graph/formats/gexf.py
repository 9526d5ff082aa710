"""GEXF 1.2 for Gephi: the flat attributes (see ``flat.py``), a colour per layer and layered positions.

Written element by element (as the GraphML writer is) so that it is valid against the GEXF 1.2
XML Schema: GEXF has no graph-level attributes and ``<graph>`` takes no ``name``, so the chain's
own fields go into ``<meta>``: its description in ``<description>`` and the other fields, as
``field=value`` pairs separated by ``"; "``, in ``<keywords>`` (lists as JSON). The schema puts the
visual elements (``color``, ``position``, ``size``) in the GEXF namespace itself, and so does this
writer; Gephi reads them by their local name. Edges carry ids ``e0``, ``e1``, ... in document order.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

import networkx as nx

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import LAYER_COLOURS
from obligraph.graph.formats._layout import layer_positions
from obligraph.graph.formats.flat import COUNT_KEYS, EDGE_KEYS, NODE_KEYS, flat_items, graph_attributes
from obligraph.graph.formats.graphml import _text

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

NS = "http://www.gexf.net/1.2"
HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    f'<gexf xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    f' xsi:schemaLocation="{NS} {NS}/gexf.xsd" version="1.2">\n'
)
FLUSH_EVERY = 2000


def write(chain: Chain, analysis: Analysis | None = None) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, analysis)
    return buffer.getvalue()


def write_to(chain: Chain, fileobj: IO[bytes], analysis: Analysis | None = None) -> None:
    parts = [HEADER, _meta(chain), '<graph defaultedgetype="directed" mode="static">\n']
    node_ids = _declare(parts, "node", NODE_KEYS, COUNT_KEYS if analysis is not None else ())
    edge_ids = _declare(parts, "edge", EDGE_KEYS, ())
    nodes, edges = flat_items(chain, analysis)
    positions = layer_positions(_layer_graph(chain))
    parts.append(f'<nodes count="{len(chain)}">\n')
    for count, (node_id, attrs) in enumerate(nodes, start=1):
        label = attrs.get("name", node_id)
        r, g, b = LAYER_COLOURS[attrs["layer"]]
        x, y = positions[node_id]
        size = 10.0 + min(attrs.get("gaps", 0), 40)
        parts.append(f'<node id="{_text(node_id, "node id")}" label="{_attr(label, f"node {node_id!r} name")}">')
        parts.append(_values(node_ids, attrs, f"node '{node_id}'"))
        parts.append(f'<color r="{r}" g="{g}" b="{b}" a="1.0"/><position x="{x!r}" y="{y!r}" z="0.0"/>')
        parts.append(f'<size value="{size!r}"/></node>\n')
        if count % FLUSH_EVERY == 0:
            _flush(fileobj, parts)
    parts.append(f'</nodes>\n<edges count="{len(chain.edges())}">\n')
    for number, (provider, consumer, attrs) in enumerate(edges):
        parts.append(f'<edge id="e{number}" source="{_text(provider, "id")}" target="{_text(consumer, "id")}">')
        parts.append(_values(edge_ids, attrs, f"edge {provider} -> {consumer}"))
        parts.append("</edge>\n")
        if number % FLUSH_EVERY == 0:
            _flush(fileobj, parts)
    parts.append("</edges>\n</graph>\n</gexf>\n")
    _flush(fileobj, parts)


def _meta(chain: Chain) -> str:
    fields = graph_attributes(chain)
    keywords = "; ".join(f"{key}={value}" for key, value in fields.items() if key != "description")
    description = fields.get("description") or fields.get("name") or ""
    return (
        "<meta><creator>obligraph</creator>"
        f"<keywords>{_text(keywords, 'the chain fields')}</keywords>"
        f"<description>{_text(description, 'the chain description')}</description></meta>\n"
    )


def _declare(parts: list[str], domain: str, names: tuple[str, ...], counts: tuple[str, ...]) -> dict[str, str]:
    ids: dict[str, str] = {}
    parts.append(f'<attributes class="{domain}" mode="static">\n')
    for name in names + counts:
        ids[name] = str(len(ids))
        kind = "integer" if name in counts else "string"
        parts.append(f'<attribute id="{ids[name]}" title="{name}" type="{kind}"/>\n')
    parts.append("</attributes>\n")
    return ids


def _values(ids: dict[str, str], attrs: dict[str, Any], owner: str) -> str:
    values = [
        f'<attvalue for="{ids[name]}" value="{value if isinstance(value, int) else _attr(value, f"{owner} {name}")}"/>'
        for name, value in attrs.items()
        if name in ids
    ]
    return "<attvalues>" + "".join(values) + "</attvalues>" if values else ""


def _layer_graph(chain: Chain) -> nx.Graph[str]:
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from((doc["id"], {"layer": doc["layer"]}) for doc in chain.node_documents())
    return graph


def _attr(value: str, what: str) -> str:
    """An attribute value: escaped as XML text, with line breaks and tabs as references (parsers turn them to spaces)."""
    return _text(value, what).replace("\n", "&#10;").replace("\t", "&#9;")


def _flush(fileobj: IO[bytes], parts: list[str]) -> None:
    fileobj.write("".join(parts).encode("utf-8"))
    parts.clear()
