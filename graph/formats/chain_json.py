"""chain@1 as JSON: the lossless native format, written in a stream so a 100k-node chain never sits in memory twice.

The stream is byte for byte ``json.dumps(chain.to_dict(), indent=2, ensure_ascii=False) + "\\n"``
(the output of ``Chain.dump``), built one node or edge at a time. ``indent=None`` writes one node
or edge per line instead, which is several times faster on very large chains.
"""

from __future__ import annotations

import io
import json
from typing import IO, Any, Iterable

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats._parse import parse_mapping

FLUSH_AT = 1 << 20  # characters buffered before a write to the file


def write(chain: Chain, analysis=None, *, indent: int | None = 2) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, indent=indent)
    return buffer.getvalue()


def write_to(chain: Chain, fileobj: IO[bytes], analysis=None, *, indent: int | None = 2) -> None:
    """Stream the document to a binary file object."""
    out = _Buffered(fileobj)
    pad = " " * (indent or 0)
    newline = "\n" if indent else ""
    out.write("{" + newline)
    for key, value in chain.head_document().items():
        out.write(f"{pad}{json.dumps(key)}: {_dumps(value, indent, 1)},{newline or ' '}")
    _write_list(out, "nodes", chain.node_documents(), indent, pad, newline)
    out.write("," + (newline or " "))
    _write_list(out, "edges", chain.edge_documents(), indent, pad, newline)
    out.write(newline + "}\n")
    out.flush()


def read(data: bytes | str, *, catalog: str | None = None) -> dict[str, Any]:
    """Parse chain@1 JSON into a document; ``catalog`` names the catalog when the document does not."""
    document = parse_mapping(as_text(data, "the JSON file"), "json", "the JSON file")
    if catalog is not None:
        document.setdefault("catalog", catalog)
    return document


def _write_list(out, key: str, items: Iterable[dict], indent, pad: str, newline: str) -> None:
    out.write(f"{pad}{json.dumps(key)}: [")
    first = True
    for item in items:
        out.write(("" if first else ",") + (newline or "\n") + pad * 2 + _dumps(item, indent, 2))
        first = False
    if not first:
        out.write((newline or "\n") + pad)
    out.write("]")


def _dumps(value: Any, indent: int | None, depth: int) -> str:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if indent:
        text = text.replace("\n", "\n" + " " * (indent * depth))
    return text


class _Buffered:
    """Collect small strings and hand the file large UTF-8 blocks."""

    def __init__(self, fileobj: IO[bytes]):
        self.fileobj = fileobj
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.fileobj.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.size = 0
