"""Exports and imports in every format of ``graph/formats``: shared by the API routes and the CLI.

The format modules do the work; this module picks the format (by name, file name or media type),
checks what an export needs (``node=`` for the audit forms) and turns a file into a chain
document ready for the same replace/merge path as ``POST .../import``.
"""

from __future__ import annotations

import re
import uuid
from typing import IO, Any, overload

from obligraph.app.core.exceptions import InvalidInput, NotFound
from obligraph.app.core.settings import Settings
from obligraph.app.models import Workspace
from obligraph.app.repository import workspace_rows
from obligraph.app.schemas.transfer import ImportMode
from obligraph.app.services.importing import body_syntax, check_caps, check_catalog, check_count, parse_body
from obligraph.app.services.merge import store_merge
from obligraph.app.services.workspace import Service
from obligraph.graph.chain import Chain
from obligraph.graph.document import JsonParts, split_json
from obligraph.graph.formats import FORMATS, FormatSpec, export_to, import_document, is_oscal_json

#: Media types that select a reader other than the JSON/YAML body parser of ``POST .../import``.
IMPORT_MEDIA_TYPES = {
    "application/zip": "csv",
    "application/x-zip-compressed": "csv",
    "application/graphml+xml": "graphml",
    "application/xml": "graphml",
    "text/xml": "graphml",
}
CHAIN_MEDIA_TYPES = {"json": "application/json", "yaml": "application/yaml"}


def writable_names() -> list[str]:
    return [name for name, spec in FORMATS.items() if spec.can_write]


def readable_names() -> list[str]:
    return [name for name, spec in FORMATS.items() if spec.can_read and name != "caiq"]


def export_format(name: str | None, location: str = "query.format") -> FormatSpec:
    spec = FORMATS.get((name or "").strip().lower())
    if spec is None or not spec.can_write:
        known = ", ".join(writable_names())
        raise InvalidInput(
            f"unknown export format {name!r}; use one of: {known}",
            code="unknown_format",
            details=[{"location": location, "message": f"expected one of: {known}"}],
        )
    return spec


@overload
def import_format(name: str, content_type: str | None, location: str = ...) -> FormatSpec: ...
@overload
def import_format(name: str | None, content_type: str | None, location: str = ...) -> FormatSpec | None: ...
def import_format(name: str | None, content_type: str | None, location: str = "query.format") -> FormatSpec | None:
    """The reader for an import body; None means the chain JSON/YAML parser (by ``content_type``)."""
    if name is None:
        media = (content_type or "").split(";")[0].strip().lower()
        return FORMATS[IMPORT_MEDIA_TYPES[media]] if media in IMPORT_MEDIA_TYPES else None
    spec = FORMATS.get(name.strip().lower())
    known = ", ".join(readable_names())
    if spec is not None and spec.name == "caiq":
        raise InvalidInput(
            "a CAIQ file holds one provider's answers, not a chain; POST it to .../nodes/{node}/caiq",
            details=[{"location": location, "message": f"expected one of: {known}"}],
        )
    if spec is None or not spec.can_read:
        raise InvalidInput(
            f"cannot import format {name!r}; imports read: {known}",
            code="unknown_format",
            details=[{"location": location, "message": f"expected one of: {known}"}],
        )
    return spec


def parse_import(body: bytes, spec: FormatSpec | None, content_type: str | None = None) -> Any:
    """The chain document a body holds (not yet checked against the schema)."""
    if is_oscal_json(body) and (spec is None or spec.name == "json"):
        return import_document(body, FORMATS["oscal-ssp"])  # an OSCAL plan sent as JSON
    if spec is None:
        return parse_body(body, content_type)
    if spec.name in CHAIN_MEDIA_TYPES:
        return parse_body(body, CHAIN_MEDIA_TYPES[spec.name])
    return import_document(body, spec)


def chain_json_parts(body: bytes, spec: FormatSpec | None, content_type: str | None = None) -> JsonParts | None:
    """A chain@1 JSON body split for ``Chain.from_json_parts``, which reads a large one in a fraction
    of the memory; None for a body in another format, or JSON that is no object (``parse_import``
    then reads it, and says what is wrong)."""
    if is_oscal_json(body) and (spec is None or spec.name == "json"):
        return None
    if spec is None:
        syntax = body_syntax(body, content_type)
    elif spec.name in CHAIN_MEDIA_TYPES:
        syntax = body_syntax(body, CHAIN_MEDIA_TYPES[spec.name])
    else:
        return None
    return split_json(body) if syntax == "json" else None


def replacement_chain(body: bytes, spec: FormatSpec | None, content_type: str | None, settings: Settings) -> Chain:
    """The chain a replace import's body holds, checked against this server's caps and catalogs.

    Chain JSON goes to ``Chain.from_json_parts``; anything else, and JSON that needs its messages,
    is parsed whole and goes to ``Chain.from_dict``."""
    parts = chain_json_parts(body, spec, content_type)
    if parts is not None:
        check_catalog(parts.head)  # before anything loads the catalog it names
        chain = Chain.from_json_parts(parts, on_count=lambda key, count: check_count(key, count, settings))
        if chain is not None:
            return chain
    document = parse_import(body, spec, content_type)
    check_caps(document, settings)
    check_catalog(document)
    return Chain.from_dict(document, source="request body", consume=True)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "export"


def export_filename(ws: str, spec: FormatSpec, snapshot: str | None = None, node: str | None = None) -> str:
    parts = [ws] + ([snapshot[:12]] if snapshot else []) + ([node] if node else [])
    return safe_name("-".join(parts)) + spec.extensions[0]


#: The format options the HTTP export reads from the query and the CLI from flags, with what they do.
EXPORT_OPTIONS = {
    "gaps": "csv: false leaves the analysis tables (gaps, root causes, blockers) out",
    "causes": "csv: true adds root_causes.csv and blockers.csv, false leaves them out"
    " (default: with at most 200,000 gaps)",
    "links": "node-link: true puts the edge list under 'links' (D3, networkx before 3.4) instead of 'edges'",
}


def format_options(spec: FormatSpec, given: dict[str, bool | None], prefix: str = "query.") -> dict[str, bool]:
    """The options given (not None) for ``spec``; one it does not take is refused, naming the formats that do."""
    chosen = {name: value for name, value in given.items() if value is not None}
    for name in chosen:
        if name not in spec.options:
            takers = ", ".join(n for n, s in FORMATS.items() if name in s.options)
            raise InvalidInput(
                f"{name} applies to the {takers} export, not to {spec.name}; leave it out",
                details=[{"location": prefix + name, "message": "not used by this format"}],
            )
    return chosen


def write_export(
    chain: Chain,
    spec: FormatSpec,
    fileobj: IO[bytes],
    analysis=None,
    node: str | None = None,
    options: dict[str, bool] | None = None,
) -> None:
    """Write ``chain`` as ``spec`` to ``fileobj``; ``node`` picks the node of the audit and OSCAL forms.

    ``options`` are the format's own (see ``format_options``), already checked.
    """
    arguments: dict[str, Any] = dict(options or {})
    if node is not None:
        if not spec.needs_node and spec.name != "oscal":
            raise InvalidInput(
                f"node= applies to the audit-md, audit-html, oscal and oscal-ssp exports, not to {spec.name}; leave it out",
                details=[{"location": "query.node", "message": "not used by this format"}],
            )
        if node not in chain:
            raise NotFound(f"the chain has no node '{node}'")
        arguments["node"] = node
    elif spec.needs_node:
        raise InvalidInput(
            f"the {spec.name} export is about one node; name it with node=<id>",
            details=[{"location": "query.node", "message": "required for this format"}],
        )
    export_to(chain, spec, fileobj, analysis, **arguments)


def import_into(service: Service, ws: str, document: Any, mode: ImportMode, *, create: bool = False) -> dict[str, Any]:
    """Replace or merge ``document`` into workspace ``ws`` in one transaction (as ``POST .../import``)."""
    check_caps(document, service.settings)
    check_catalog(document)
    if mode is ImportMode.REPLACE:
        chain = Chain.from_dict(document, source="import", consume=True)
        counts = {"nodes_added": len(chain), "nodes_updated": 0, "edges_added": len(chain.edges()), "edges_updated": 0}
    if create and service.db.revision_of(ws) is None:
        if mode is ImportMode.MERGE:
            chain = Chain.from_dict(document, source="import")
        with service.db.write() as session:
            if not workspace_rows.workspace_exists(session, ws):
                new = Workspace(id=ws, uid=uuid.uuid4().hex, name=chain.name, catalog=chain.catalog.id)
                workspace_rows.add_workspace(session, new)
    with service.edit(ws, replacing=mode is ImportMode.REPLACE) as edit:
        if mode is ImportMode.MERGE:
            chain, counts = store_merge(edit, document)
        else:
            edit.store_whole_chain(chain)
        workspace = edit.workspace
    return {
        "workspace": ws,
        "mode": mode.value,
        "revision": workspace.revision,
        "nodes": len(chain),
        "edges": len(chain.edges()),
        **counts,
    }
