"""DOT for Graphviz: layered bottom-up (infra at the bottom), every id quoted so ``aws:us-east-1`` survives.

Each layer is a named subgraph ``layer_<layer>`` with ``rank=same``, which keeps a layer on one row.

Inside a DOT string only ``"`` and ``\\`` need escaping; line breaks become ``\\n`` (Graphviz's own
line break in labels). Ids are always quoted: an unquoted ``a:b`` would be read as node ``a``, port ``b``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obligraph.graph.chain import Chain
from obligraph.graph.formats._cells import encode_mapping
from obligraph.graph.formats._common import gap_counts, hex_colour
from obligraph.graph.palette import LAYER_ORDER

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

PEN = {"high": 3, "medium": 2, "low": 1}


def quote(text: str) -> str:
    r"""A DOT double-quoted string.

    >>> print(quote('aws:us-east-1'), quote('say "hi" \\ bye'))
    "aws:us-east-1" "say \"hi\" \\ bye"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def write(chain: Chain, analysis: Analysis | None = None) -> str:
    counts = gap_counts(analysis) if analysis is not None else {}
    lines = [
        f"digraph {quote(chain.name)} {{",
        "  graph [rankdir=BT, newrank=true];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    layers: dict[str, list[str]] = {}
    for doc in chain.node_documents():
        node_id = doc["id"]
        layers.setdefault(doc["layer"], []).append(node_id)
        label = f"{doc.get('name', node_id)}\n{doc['layer']}" + (f" · {doc['org']}" if "org" in doc else "")
        attrs = {"label": label, "layer": doc["layer"], "fillcolor": hex_colour(doc["layer"])}
        if "org" in doc:
            attrs["org"] = doc["org"]
        if node_id in counts:
            attrs["gaps"] = str(counts[node_id]["gaps"])
        lines.append(f"  {quote(node_id)} [{_attrs(attrs)}];")
    for layer in LAYER_ORDER:
        if layer in layers:
            # A named subgraph, not an anonymous { }: some readers (graph-tool's) refuse the latter.
            members = " ".join(quote(node_id) for node_id in layers[layer])
            lines.append(f"  subgraph {quote('layer_' + layer)} {{ rank=same; {members} }}")
    for doc in chain.edge_documents():
        attrs = {}
        if "criticality" in doc:
            attrs["criticality"] = doc["criticality"]
            attrs["penwidth"] = str(PEN[doc["criticality"]])
        if "responsibility" in doc:
            attrs["responsibility"] = encode_mapping(doc["responsibility"])
        if "notes" in doc:
            attrs["tooltip"] = doc["notes"]
        suffix = f" [{_attrs(attrs)}]" if attrs else ""
        lines.append(f"  {quote(doc['provider'])} -> {quote(doc['consumer'])}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in attrs.items())
