"""Import and export formats: one module per format, and this registry the API and CLI call.

>>> format_for_path("chain.graphml").name, format_for_path("map.html").name, format_for_path("x.oscal.zip").name
('graphml', 'html', 'oscal')
>>> sorted(name for name, spec in FORMATS.items() if spec.lossless)
['csv', 'graphml', 'json', 'yaml']

Writers take ``(chain, analysis=None, **options)``; formats that report gaps (CSV bundle, audit,
OSCAL) run an analysis with the document's own parameters when none is passed. Readers take
``(data, *, catalog=None)`` and return a chain@1 document for ``Chain.from_dict``. The CAIQ reader
is the exception: it returns one provider's declarations (``read_caiq(data, node_id=...)``).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, cast

from obligraph.graph.errors import ChainError

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis
    from obligraph.graph.chain import Chain


class Writer(Protocol):
    """A format's ``write``: the export as bytes, or as text the registry encodes as UTF-8."""

    def __call__(self, chain: Chain, analysis: Analysis | None, /, **options: Any) -> bytes | str: ...


class StreamWriter(Protocol):
    """A format's ``write_to``: the export written to a binary file object as it is produced."""

    def __call__(self, chain: Chain, fileobj: IO[bytes], analysis: Analysis | None, /, **options: Any) -> None: ...


class Reader(Protocol):
    """A format's ``read``: the import as a chain@1 document."""

    def __call__(self, data: bytes | str, /, **options: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FormatSpec:
    name: str
    extensions: tuple[str, ...]
    media_type: str
    can_read: bool
    can_write: bool
    lossless: bool
    description: str
    writer: str | None = None  # "module:function" inside this package
    reader: str | None = None
    streams: bool = False  # the module has write_to(chain, fileobj, analysis, **options)
    needs_node: bool = False  # the export is about one node: pass node=<id>
    options: tuple[str, ...] = ()  # the writer's boolean keyword options (gaps=, causes=, links=)


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            "json",
            (".json",),
            "application/json",
            True,
            True,
            True,
            "chain@1 JSON: re-import, version control",
            "chain_json:write",
            "chain_json:read",
            streams=True,
        ),
        FormatSpec(
            "yaml",
            (".yaml", ".yml"),
            "application/yaml",
            True,
            True,
            True,
            "chain@1 YAML: re-import, version control",
            "chain_yaml:write",
            "chain_yaml:read",
        ),
        FormatSpec(
            "graphml",
            (".graphml",),
            "application/graphml+xml",
            True,
            True,
            True,
            "GraphML: yEd, Cytoscape, Neo4j, networkx",
            "graphml:write",
            "graphml:read",
            streams=True,
        ),
        FormatSpec(
            "csv",
            (".zip", ".csv.zip"),
            "application/zip",
            True,
            True,
            True,
            "CSV bundle (zip of chain, nodes, edges, declarations; gaps, root causes, blockers) for spreadsheets",
            "csv_bundle:write",
            "csv_bundle:read",
            streams=True,
            options=("gaps", "causes"),
        ),
        FormatSpec(
            "gexf",
            (".gexf",),
            "application/gexf+xml",
            False,
            True,
            False,
            "GEXF 1.2 for Gephi, with layer colours and positions",
            "gexf:write",
            streams=True,
        ),
        FormatSpec(
            "node-link",
            (".node-link.json", ".nodelink.json"),
            "application/json",
            False,
            True,
            False,
            "node-link JSON for D3 and networkx (links=true: the edge list under 'links')",
            "node_link:write",
            options=("links",),
        ),
        FormatSpec(
            "cyjs",
            (".cyjs",),
            "application/json",
            False,
            True,
            False,
            "Cytoscape JSON for Cytoscape desktop and Cytoscape.js",
            "cytoscape:write",
        ),
        FormatSpec("dot", (".dot", ".gv"), "text/vnd.graphviz", False, True, False, "DOT for Graphviz", "dot:write"),
        FormatSpec(
            "html", (".html", ".htm"), "text/html", False, True, False, "standalone offline HTML map", "html_map:write"
        ),
        FormatSpec(
            "audit-md",
            (".audit.md", ".md"),
            "text/markdown",
            False,
            True,
            False,
            "one node's audit checklist (Markdown)",
            "audit:write_markdown",
            needs_node=True,
        ),
        FormatSpec(
            "audit-html",
            (".audit.html",),
            "text/html",
            False,
            True,
            False,
            "one node's audit checklist (HTML)",
            "audit:write_html",
            needs_node=True,
        ),
        FormatSpec(
            "oscal",
            (".oscal.zip",),
            "application/zip",
            True,
            True,
            False,
            "OSCAL 1.2.3 set (zip): the catalog, its profile and one system security plan per node"
            " (only that node's with node=), laid out for trestle; import reads a zip of plans and"
            " component definitions",
            "oscal:write",
            "oscal_read:read",
        ),
        FormatSpec(
            "oscal-ssp",
            (".ssp.json", ".oscal.json", ".cdef.json"),
            "application/json",
            True,
            True,
            False,
            "one node's OSCAL 1.2.3 system security plan (JSON; name the node); import reads an OSCAL"
            " system security plan or component definition: nodes, declarations, leveraged systems as edges",
            "oscal:write_ssp",
            "oscal_read:read",
            needs_node=True,
        ),
        FormatSpec(
            "caiq",
            (".caiq.csv", ".csv", ".caiq.xlsx"),
            "text/csv",
            True,
            False,
            False,
            "CSA CAIQ v4 answers of one provider (XLSX or CSV): declarations for that provider",
            reader="caiq:read_caiq",
        ),
    )
}


def get_format(name: str) -> FormatSpec:
    spec = FORMATS.get(name.lower().strip()) if isinstance(name, str) else None
    if spec is None:
        raise ChainError.at(("format",), f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    return spec


def format_for_path(path: str | PurePath) -> FormatSpec:
    """The format a file name implies, by its longest matching extension (``x.oscal.json`` is OSCAL)."""
    name = PurePath(path).name.lower()
    matches = [(len(ext), spec) for spec in FORMATS.values() for ext in spec.extensions if name.endswith(ext)]
    if not matches:
        known = ", ".join(f"{ext} ({spec.name})" for spec in FORMATS.values() for ext in spec.extensions)
        raise ChainError.at(
            ("format",),
            f"cannot tell the format of '{PurePath(path).name}' from its extension; use one of: {known};"
            " or name the format explicitly",
        )
    return max(matches, key=lambda match: match[0])[1]


def export_chain(chain: Chain, fmt: str | FormatSpec, analysis: Analysis | None = None, **options: Any) -> bytes:
    """The export as bytes (UTF-8 for text formats)."""
    spec = _writable(fmt)
    result = cast(Writer, _function(spec, "writer"))(chain, analysis, **options)
    return result.encode("utf-8") if isinstance(result, str) else result


def export_to(
    chain: Chain, fmt: str | FormatSpec, fileobj: IO[bytes], analysis: Analysis | None = None, **options: Any
) -> None:
    """Write the export to a binary file object, streaming where the format can (JSON, GraphML, CSV)."""
    spec = _writable(fmt)
    if spec.streams:
        write_to = cast(StreamWriter, _function(spec, "writer", name="write_to"))
        write_to(chain, fileobj, analysis, **options)
    else:
        fileobj.write(export_chain(chain, spec, analysis, **options))


def import_document(data: bytes | str, fmt: str | FormatSpec, **options: Any) -> dict[str, Any]:
    """Parse an import into a chain@1 document (validate it with ``Chain.from_dict``)."""
    spec = fmt if isinstance(fmt, FormatSpec) else get_format(fmt)
    if spec.name == "caiq":
        raise ChainError.at(
            ("format",),
            "a CAIQ file holds one provider's answers, not a chain; import it with"
            " `obligraph import-caiq FILE --workspace WS --node ID` (in Python: read_caiq(data, node_id=...))",
        )
    if not spec.can_read:
        readable = ", ".join(name for name, s in FORMATS.items() if s.can_read and name != "caiq")
        raise ChainError.at(("format",), f"{spec.name} is an export-only format; imports read {readable}")
    if spec.name == "json" and is_oscal_json(data):
        spec = FORMATS["oscal-ssp"]  # an OSCAL plan named plain .json
    elif spec.name == "csv" and is_oscal_zip(data):
        spec = FORMATS["oscal"]  # an OSCAL set named plain .zip (or sent as application/zip)
    return cast(Reader, _function(spec, "reader"))(data, **options)


def is_oscal_zip(data: bytes | str) -> bool:
    """Whether a zip holds OSCAL JSON documents rather than a CSV bundle (it has JSON and no nodes.csv)."""
    if not isinstance(data, bytes) or data[:4] != b"PK\x03\x04":
        return False
    import io
    import zipfile

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    return "nodes.csv" not in names and any(name.lower().endswith(".json") for name in names)


def is_oscal_json(data: bytes | str) -> bool:
    """Whether a JSON text is an OSCAL system security plan or component definition (by its root key).

    >>> is_oscal_json(b'{"system-security-plan": {}}'), is_oscal_json('{"format": "obligraph/chain@1"}')
    (True, False)
    """
    head = data[:512].decode("utf-8", "replace") if isinstance(data, bytes) else data[:512]
    return re.match(r'^\ufeff?\s*\{\s*"(system-security-plan|component-definition)"', head) is not None


def read_caiq(data: bytes | str, *, node_id: str, **options: Any) -> list[dict[str, Any]]:
    from obligraph.graph.formats.caiq import read_caiq as read

    return read(data, node_id=node_id, **options)


def _writable(fmt: str | FormatSpec) -> FormatSpec:
    spec = fmt if isinstance(fmt, FormatSpec) else get_format(fmt)
    if not spec.can_write:
        raise ChainError.at(("format",), f"{spec.name} is an import-only format; it cannot be exported")
    return spec


def _function(spec: FormatSpec, role: Literal["writer", "reader"], *, name: str | None = None) -> object:
    """The function the spec's ``"module:function"`` writer or reader names (``name``: another one of that module).

    Returned as ``object``: it is looked up by name at run time, so callers cast it to the
    protocol its role promises (``Writer``, ``StreamWriter``, ``Reader``)."""
    target = spec.writer if role == "writer" else spec.reader
    if target is None:
        action = "exported" if role == "writer" else "imported"
        raise ChainError.at(("format",), f"the {spec.name} format names no {role}; it cannot be {action}")
    module, function = target.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name or function)


__all__ = [
    "FORMATS",
    "FormatSpec",
    "Reader",
    "StreamWriter",
    "Writer",
    "export_chain",
    "export_to",
    "format_for_path",
    "get_format",
    "import_document",
    "is_oscal_json",
    "is_oscal_zip",
    "read_caiq",
]
