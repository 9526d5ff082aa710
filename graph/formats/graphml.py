"""GraphML (yEd, Cytoscape, Gephi, Neo4j APOC, networkx): a lossless export, streamed element by element.

``networkx.write_graphml`` builds the whole element tree first; at 100k nodes that is gigabytes, so
this writer emits the same GraphML (keys declared up front, one ``<data>`` per flat attribute, see
``flat.py``) while walking the chain. ``networkx.read_graphml`` reads it back; ``read`` (in
``graphml_read.py``) turns it, or a drawing made in yEd, back into a chain document.
"""

from __future__ import annotations

import io
import re
from typing import IO, TYPE_CHECKING, Any, Iterator

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats.flat import (
    COUNT_KEYS,
    EDGE_KEYS,
    GRAPH_KEYS,
    NODE_KEYS,
    flat_items,
    graph_attributes,
)
from obligraph.graph.formats.graphml_read import read  # noqa: F401  (the format's reader)

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

NS = "http://graphml.graphdrawing.org/xmlns"
HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    f'<graphml xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    f' xsi:schemaLocation="{NS} {NS}/1.0/graphml.xsd">\n'
)
#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\r", "&#13;"))
FLUSH_AT = 1 << 20


def write(chain: Chain, analysis: Analysis | None = None) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, analysis)
    return buffer.getvalue()


def write_to(chain: Chain, fileobj: IO[bytes], analysis: Analysis | None = None) -> None:
    """Stream GraphML to a binary file object; gap counts per node are added when ``analysis`` is given."""
    keys: dict[tuple[str, str], str] = {}
    parts = [HEADER]
    for domain, names in (("graph", GRAPH_KEYS), ("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name in names:
            keys[domain, name] = _key(parts, len(keys), domain, name, "string")
    if analysis is not None:
        for name in COUNT_KEYS:
            keys["node", name] = _key(parts, len(keys), "node", name, "int")
    parts.append('<graph edgedefault="directed">\n')
    parts.extend(_data(keys, "graph", graph_attributes(chain), "the chain"))
    nodes, edges = flat_items(chain, analysis)
    size = 0
    for node_id, attrs in nodes:
        parts.append(f'<node id="{_text(node_id, "node id")}">')
        parts.extend(_data(keys, "node", attrs, f"node '{node_id}'"))
        parts.append("</node>\n")
        size += 1
        if size % 2000 == 0:
            _flush(fileobj, parts)
    for provider, consumer, attrs in edges:
        parts.append(f'<edge source="{_text(provider, "id")}" target="{_text(consumer, "id")}">')
        parts.extend(_data(keys, "edge", attrs, f"edge {provider} -> {consumer}"))
        parts.append("</edge>\n")
        size += 1
        if size % 2000 == 0:
            _flush(fileobj, parts)
    parts.append("</graph>\n</graphml>\n")
    _flush(fileobj, parts)


def _key(parts: list[str], index: int, domain: str, name: str, kind: str) -> str:
    key_id = f"d{index}"
    parts.append(f'<key id="{key_id}" for="{domain}" attr.name="{name}" attr.type="{kind}"/>\n')
    return key_id


def _data(keys: dict[tuple[str, str], str], domain: str, attrs: dict[str, Any], owner: str) -> Iterator[str]:
    for name, value in attrs.items():
        text = str(value) if isinstance(value, int) else _text(value, f"{owner} {name}")
        yield f'<data key="{keys[domain, name]}">{text}</data>'


def _text(value: str, what: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise ChainError(
            f"{what} contains the control character U+{ord(bad.group()):04X}, which XML cannot carry;"
            " remove it or export as chain JSON"
        )
    for char, entity in _ESCAPES:  # str.replace is several times faster than str.translate here
        if char in value:
            value = value.replace(char, entity)
    return value


def _flush(fileobj: IO[bytes], parts: list[str]) -> None:
    fileobj.write("".join(parts).encode("utf-8"))
    parts.clear()
