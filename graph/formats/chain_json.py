"""chain@1 as JSON: the lossless native format, written in a stream so a 100k-node chain never sits in memory twice.

The stream is byte for byte ``json.dumps(chain.to_dict(), indent=2, ensure_ascii=False) + "\\n"``
(the output of ``Chain.dump``), built one node or edge at a time with orjson, whose two-space
indentation writes the same bytes as ``json``'s and is many times faster. ``indent=None`` writes one
node or edge per line instead, without spaces.
"""

from __future__ import annotations

import io
import itertools
import json
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable

import orjson

from obligraph.graph.chain import Chain
from obligraph.graph.collector import collector_paused
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats._parse import parse_mapping

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

FLUSH_AT = 1 << 20  # bytes buffered before a write to the file
BATCH = 2000  # nodes or edges laid out per orjson call
#: A value as JSON bytes, laid out as if nested ``depth`` levels deep.
Dumps = Callable[[Any, int], bytes]


def write(chain: Chain, analysis: Analysis | None = None, *, indent: int | None = 2) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, indent=indent)
    return buffer.getvalue()


def write_to(chain: Chain, fileobj: IO[bytes], analysis: Analysis | None = None, *, indent: int | None = 2) -> None:
    """Stream the document to a binary file object."""
    # A million short-lived dicts and no reference cycles: with the collector on, a 100k-node
    # export spent a sixth of its time in collections that find nothing.
    with collector_paused():
        _write_to(chain, fileobj, indent)


def _write_to(chain: Chain, fileobj: IO[bytes], indent: int | None) -> None:
    dumps = _indented_dumps(indent)
    out = _Buffered(fileobj)
    pad = b" " * (indent or 0)
    newline = b"\n" if indent else b""
    out.write(b"{" + newline)
    for key, value in chain.head_document().items():
        out.write(pad + orjson.dumps(key) + b": " + dumps(value, 1) + b"," + (newline or b" "))
    _write_list(out, "nodes", chain.node_documents(), dumps, pad, newline)
    out.write(b"," + (newline or b" "))
    _write_list(out, "edges", chain.edge_documents(), dumps, pad, newline)
    out.write(newline + b"}\n")
    out.flush()


def read(data: bytes | str, *, catalog: str | None = None) -> dict[str, Any]:
    """Parse chain@1 JSON into a document; ``catalog`` names the catalog when the document does not."""
    # ASCII bytes go to the parser as they are (no BOM to drop, no UTF-8 to check): a str copy of a
    # large file would only add its size again.
    text = data if isinstance(data, bytes) and data.isascii() else as_text(data, "the JSON file")
    document = parse_mapping(text, "json", "the JSON file")
    if catalog is not None:
        document.setdefault("catalog", catalog)
    return document


def _write_list(
    out: _Buffered, key: str, items: Iterable[dict[str, Any]], dumps: Dumps, pad: bytes, newline: bytes
) -> None:
    out.write(pad + orjson.dumps(key) + b": [")
    if pad == b"  ":
        _write_items_in_batches(out, items)
        out.write(b"]")
        return
    separator = (newline or b"\n") + pad * 2
    first = True
    for item in items:
        out.write((b"" if first else b",") + separator + dumps(item, 2))
        first = False
    if not first:
        out.write((newline or b"\n") + pad)
    out.write(b"]")


def _write_items_in_batches(out: _Buffered, items: Iterable[dict[str, Any]]) -> None:
    """The list's items as the two-space layout nests them, a few thousand per orjson call.

    orjson lays a list out as ``[\n  item,\n  item\n]`` with the items one level in; inside the
    document they sit two levels in, so each batch's inner text gets one more level (JSON strings
    hold no raw newline, so every b"\n" is a line break of the layout).
    """
    iterator = iter(items)
    first = True
    while batch := list(itertools.islice(iterator, BATCH)):
        body = orjson.dumps(batch, option=orjson.OPT_INDENT_2)[2:-2].replace(b"\n", b"\n  ")
        out.write((b"\n  " if first else b",\n  ") + body)
        first = False
    if not first:
        out.write(b"\n  ")


def _indented_dumps(indent: int | None) -> Dumps:
    """A function writing a value nested ``depth`` levels deep, as ``json.dumps(indent=indent)`` lays it out."""
    if not indent:
        return lambda value, depth: orjson.dumps(value)
    if indent == 2:

        def dumps(value: Any, depth: int) -> bytes:
            # JSON strings hold no raw newline, so every b"\n" is a line break of the layout.
            return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + b"  " * depth)

        return dumps

    def dumps_other(value: Any, depth: int) -> bytes:  # orjson indents by two spaces only
        text = json.dumps(value, indent=indent, ensure_ascii=False).replace("\n", "\n" + " " * (indent * depth))
        return text.encode("utf-8")

    return dumps_other


class _Buffered:
    """Collect small byte strings and hand the file large blocks."""

    def __init__(self, fileobj: IO[bytes]):
        self.fileobj = fileobj
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.fileobj.write(b"".join(self.parts))
            self.parts.clear()
            self.size = 0
