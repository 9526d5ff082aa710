"""CSV bundle for spreadsheets: a zip of chain.csv, nodes.csv, edges.csv, declarations.csv and gaps.csv.

Lossless: ``read`` (in ``csv_bundle_read.py``) rebuilds the same chain document. Every text cell
goes through ``_cells.neutralise`` (formula injection; the rule is in ``_cells.py``). Files are
UTF-8 with a BOM so Excel shows non-ASCII names correctly, and zip entries carry a fixed timestamp
so the same chain always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import IO, Iterable

from obligraph.graph.chain import Chain
from obligraph.graph.formats._cells import encode_mapping, neutralise
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.formats.csv_bundle_read import read  # noqa: F401  (the format's reader)
from obligraph.graph.formats.csv_layout import (
    CHAIN_COLUMNS,
    CHAIN_FILE,
    DECLARATION_COLUMNS,
    DECLARATIONS_FILE,
    EDGE_COLUMNS,
    EDGES_FILE,
    EVIDENCE_FIELDS,
    GAP_COLUMNS,
    GAPS_FILE,
    NODE_COLUMNS,
    NODES_FILE,
)

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def write(chain: Chain, analysis=None, *, gaps: bool = True, root_causes: bool = True) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, analysis, gaps=gaps, root_causes=root_causes)
    return buffer.getvalue()


def write_to(chain: Chain, fileobj: IO[bytes], analysis=None, *, gaps: bool = True, root_causes: bool = True) -> None:
    """Write the zip; ``gaps.csv`` needs an analysis and one is run with the document's parameters if none is given."""
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        _member(bundle, CHAIN_FILE, CHAIN_COLUMNS, _chain_rows(chain))
        _member(bundle, NODES_FILE, NODE_COLUMNS, ([doc.get(c) for c in NODE_COLUMNS] for doc in chain.node_documents()))
        _member(bundle, EDGES_FILE, EDGE_COLUMNS, _edge_rows(chain))
        _member(bundle, DECLARATIONS_FILE, DECLARATION_COLUMNS, _declaration_rows(chain))
        if gaps:
            _member(bundle, GAPS_FILE, GAP_COLUMNS, _gap_rows(chain, ensure_analysis(chain, analysis), root_causes))


def _member(bundle: zipfile.ZipFile, name: str, columns: Iterable[str], rows: Iterable[list]) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    with bundle.open(info, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(columns)
        writer.writerows([_cell(value) for value in row] for row in rows)


def _cell(value) -> str:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else str(value)


def _chain_rows(chain: Chain):
    for field, value in chain.head_document().items():
        yield [field, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value]


def _edge_rows(chain: Chain):
    for doc in chain.edge_documents():
        mapping = doc.get("responsibility")
        yield [
            doc["provider"],
            doc["consumer"],
            doc.get("criticality"),
            encode_mapping(mapping) if mapping else None,
            doc.get("notes"),
        ]


def _declaration_rows(chain: Chain):
    for doc in chain.node_documents():
        for declaration in doc.get("declarations", []):
            own = [
                doc["id"],
                declaration["control"],
                declaration["status"],
                declaration.get("assigns"),
                declaration.get("notes"),
            ]
            items = declaration.get("evidence") or [{}]
            for item in items:
                yield own + [item.get(field) for field in EVIDENCE_FIELDS]


def _gap_rows(chain: Chain, analysis, root_causes: bool):
    catalog = chain.catalog
    for gap in analysis.gaps():
        causes = ""
        if root_causes:
            causes = " | ".join(
                f"{cause.node} ({cause.status}): {' > '.join(cause.path)}"
                for cause in analysis.root_causes(gap.node, gap.control)
            )
        yield [
            gap.node,
            gap.control,
            catalog[gap.control].title,
            gap.effective.value,
            gap.required.value,
            gap.kind,
            "yes" if gap.orphaned else "no",
            causes,
        ]
