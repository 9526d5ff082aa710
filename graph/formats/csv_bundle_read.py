"""Read a CSV bundle (zip of chain.csv, nodes.csv, edges.csv, declarations.csv) into a chain document.

Only nodes.csv is required; gaps.csv and any file the layout does not name are ignored. The zip is
read defensively: a member may not unpack to more than ``max_size`` bytes (zip bombs), files may
sit in one folder inside the zip, and every problem is reported as ``FILE row N, column C`` with N
the row number a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import zipfile
import zlib
from typing import Any, Iterator

from obligraph.graph.errors import ChainError, Location, format_location
from obligraph.graph.formats._cells import decode_mapping, restore
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats._validate import check_document
from obligraph.graph.formats.csv_layout import (
    CHAIN_FIELDS,
    CHAIN_FILE,
    COLUMNS,
    DECLARATION_FIELDS,
    DECLARATIONS_FILE,
    EDGES_FILE,
    EVIDENCE_FIELDS,
    NODE_COLUMNS,
    NODES_FILE,
    REQUIRED,
    SCOPE_SEPARATOR,
)
from obligraph.graph.schema import CHAIN_FORMAT

MAX_SIZE = 512 * 1024 * 1024
#: What zipfile raises on a damaged archive: bad headers, bad deflate streams, unknown versions, short reads.
_BROKEN_ZIP = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError)


def read(
    data: bytes, *, catalog: str | None = None, name: str = "CSV import", max_size: int = MAX_SIZE
) -> dict[str, Any]:
    """Parse a CSV bundle into a chain@1 document."""
    files = _unzip(data, max_size)
    if NODES_FILE not in files:
        raise ChainError(f"the zip has no {NODES_FILE}; a CSV bundle needs at least {NODES_FILE} (id, layer, ...)")
    places = _Places()
    document: dict[str, Any] = {"format": CHAIN_FORMAT, "name": name}
    if CHAIN_FILE in files:
        document.update(_chain_fields(files[CHAIN_FILE], places))
    if catalog is not None:
        document.setdefault("catalog", catalog)
    nodes = _nodes(files[NODES_FILE], places)
    if DECLARATIONS_FILE in files:
        _declarations(files[DECLARATIONS_FILE], nodes, places)
    document["nodes"] = list(nodes.values())
    document["edges"] = _edges(files[EDGES_FILE], places) if EDGES_FILE in files else []
    check_document(document, places.place)
    return document


def _unzip(data: bytes, max_size: int) -> dict[str, str]:
    if isinstance(data, str):
        raise ChainError("a CSV bundle is a zip file (binary); send the .zip itself")
    try:
        bundle = zipfile.ZipFile(io.BytesIO(data))
    except (*_BROKEN_ZIP, ValueError):
        raise ChainError(
            "the file is not a zip; a CSV bundle is a .zip holding nodes.csv, edges.csv, declarations.csv"
        ) from None
    wanted: dict[str, zipfile.ZipInfo] = {}
    for info in bundle.infolist():
        base = info.filename.rsplit("/", 1)[-1]
        if base in COLUMNS and not info.is_dir():
            if base in wanted:
                raise ChainError(f"the zip holds {base} twice ({wanted[base].filename}, {info.filename}); keep one")
            wanted[base] = info
    files = {}
    for base, info in wanted.items():
        if info.flag_bits & 0x1:
            raise ChainError(f"{info.filename} is encrypted; export the bundle without a password")
        if info.file_size > max_size:
            raise ChainError(f"{info.filename} unpacks to {info.file_size:,} bytes, over the {max_size:,} byte limit")
        try:
            with bundle.open(info) as member:
                raw = member.read(max_size + 1)  # the declared size can lie; never read past the limit
        except (*_BROKEN_ZIP, ValueError) as exc:
            raise ChainError(f"{info.filename} cannot be unpacked ({exc}); re-create the zip") from None
        if len(raw) > max_size:
            raise ChainError(f"{info.filename} unpacks to more than the {max_size:,} byte limit")
        files[base] = as_text(raw, info.filename)
    return files


def _rows(text: str, file: str) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(spreadsheet row number, {column: restored cell or None}) for each non-empty row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        known = COLUMNS[file]
        for column in header:
            if column not in known:
                close = difflib.get_close_matches(column, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (columns: {', '.join(known)})"
                raise ChainError(f"{file} row 1: unknown column '{column}'{hint}")
        missing = [c for c in REQUIRED[file] if c not in header]
        if missing:
            raise ChainError(f"{file} row 1: the header lacks the column(s) {', '.join(missing)}; add them")
        if len(set(header)) != len(header):
            raise ChainError(f"{file} row 1: a column appears twice in the header; keep one")
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise ChainError(f"{file} row {number}: {len(cells)} cells but the header has {len(header)} columns")
            row: dict[str, str | None] = dict.fromkeys(known)
            for column, cell in zip(header, cells, strict=False):  # short rows: trailing cells empty
                row[column] = restore(cell) if cell != "" else None
            yield number, row
    except csv.Error as exc:
        raise ChainError(f"{file} row {reader.line_num}: broken CSV ({exc}); check the quotes in that row") from None


class _Places:
    """Where each part of the document came from, to turn document locations into rows and columns."""

    def __init__(self) -> None:
        self.chain: dict[str, int] = {}
        self.nodes: list[int] = []
        self.declarations: dict[tuple[int, int], int] = {}
        self.evidence: dict[tuple[int, int, int], int] = {}
        self.edges: list[int] = []

    def place(self, loc: Location) -> str:
        if not loc:
            return "the CSV bundle"
        head, rest = loc[0], loc[1:]
        if head == "nodes" and rest and isinstance(rest[0], int):
            return self._node_place(rest[0], rest[1:])
        if head == "edges" and rest and isinstance(rest[0], int):
            where = f"{EDGES_FILE} row {self.edges[rest[0]]}"
            return f"{where}, column {rest[1]}" if len(rest) > 1 else where
        row = self.chain.get(head) if isinstance(head, str) else None
        where = f"{CHAIN_FILE} row {row}" if row else f"{CHAIN_FILE} ({head})"
        return f"{where}, {format_location(loc)}" if rest else where

    def _node_place(self, i: int, rest: Location) -> str:
        if len(rest) >= 2 and rest[0] == "declarations" and isinstance(rest[1], int):
            j, inner = rest[1], rest[2:]
            row = self.declarations[i, j]
            if len(inner) >= 2 and inner[0] == "evidence" and isinstance(inner[1], int):
                row = self.evidence.get((i, j, inner[1]), row)
                field = f"evidence_{inner[2]}" if len(inner) > 2 else "evidence_issued/evidence_expires"
                return f"{DECLARATIONS_FILE} row {row}, column {field}"
            return f"{DECLARATIONS_FILE} row {row}" + (f", column {inner[0]}" if inner else "")
        where = f"{NODES_FILE} row {self.nodes[i]}"
        return f"{where}, column {rest[0]}" if rest else where


def _chain_fields(text: str, places: _Places) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for number, row in _rows(text, CHAIN_FILE):
        field, value = (row["field"] or "").strip(), row["value"]
        if field not in CHAIN_FIELDS:
            close = difflib.get_close_matches(field, CHAIN_FIELDS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (fields: {', '.join(CHAIN_FIELDS)})"
            raise ChainError(f"{CHAIN_FILE} row {number}, column field: unknown field '{field}'{hint}")
        if field in fields:
            raise ChainError(f"{CHAIN_FILE} row {number}: '{field}' is given twice; keep one row")
        if value is None:
            continue
        if field == "controls":
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ChainError(
                    f'{CHAIN_FILE} row {number}, column value: controls is a JSON list, e.g. ["10.5.1", "9.1.1"]'
                ) from None
        fields[field] = value
        places.chain[field] = number
    return fields


def _nodes(text: str, places: _Places) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for number, row in _rows(text, NODES_FILE):
        node = {column: row[column] for column in NODE_COLUMNS if row[column] is not None}
        key = node.get("id") or f"(row {number})"
        if key in nodes:
            raise ChainError(f"{NODES_FILE} row {number}, column id: '{key}' is already a node id; ids must be unique")
        nodes[key] = node
        places.nodes.append(number)
    return nodes


def _declarations(text: str, nodes: dict[str, dict[str, Any]], places: _Places) -> None:
    index = {node_id: i for i, node_id in enumerate(nodes)}
    previous: tuple[str | None, str | None] | None = None
    first_row: dict[str, Any] = {}
    for number, row in _rows(text, DECLARATIONS_FILE):
        node_id, control = row["node"], row["control"]
        if node_id not in nodes:
            close = difflib.get_close_matches(node_id or "", list(nodes), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; add the node to nodes.csv or fix the id"
            raise ChainError(f"{DECLARATIONS_FILE} row {number}, column node: '{node_id}' is not in {NODES_FILE}{hint}")
        node = nodes[node_id]
        i = index[node_id]
        item: dict[str, Any] = {
            field: row[f"evidence_{field}"] for field in EVIDENCE_FIELDS if row[f"evidence_{field}"] is not None
        }
        if "scope" in item:
            item["scope"] = str(item["scope"]).split(SCOPE_SEPARATOR)
        if previous == (node_id, control):
            # Another evidence item of the declaration above: its own columns must agree.
            declaration = node["declarations"][-1]
            for field in DECLARATION_FIELDS:
                if row[field] != first_row[field]:
                    raise ChainError(
                        f"{DECLARATIONS_FILE} row {number}, column {field}: repeats the declaration of row"
                        f" {first_row['number']} with a different {field}; rows of one declaration (one per evidence"
                        " item) repeat the same node, control, status, assigns and notes"
                    )
            if not item or "evidence" not in declaration:
                raise ChainError(
                    f"{DECLARATIONS_FILE} row {number}: repeats the declaration of row {first_row['number']};"
                    " keep one row per control, or one row per evidence item"
                )
        else:
            declaration = {"control": control}
            declaration.update({field: row[field] for field in DECLARATION_FIELDS if row[field] is not None})
            node.setdefault("declarations", []).append(declaration)
            places.declarations[i, len(node["declarations"]) - 1] = number
            first_row = {**row, "number": number}
            previous = (node_id, control)
        if item:
            evidence = declaration.setdefault("evidence", [])
            places.evidence[i, len(node["declarations"]) - 1, len(evidence)] = number
            evidence.append(item)


def _edges(text: str, places: _Places) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for number, row in _rows(text, EDGES_FILE):
        edge: dict[str, Any] = {
            key: row[key] for key in ("provider", "consumer", "criticality", "notes") if row[key] is not None
        }
        if row["responsibility"] is not None:
            try:
                edge["responsibility"] = decode_mapping(row["responsibility"])
            except ValueError as exc:
                raise ChainError(f"{EDGES_FILE} row {number}, column responsibility: {exc}") from None
        edges.append(edge)
        places.edges.append(number)
    return edges
