"""CSV bundle for spreadsheets: a zip of chain.csv, nodes.csv, edges.csv and declarations.csv, plus the
analysis tables gaps.csv, root_causes.csv and blockers.csv (see ``csv_layout.py`` and ``csv_gaps.py``).

Lossless: ``read`` (in ``csv_bundle_read.py``) rebuilds the same chain document. Every text cell
goes through ``_cells.neutralise`` (formula injection; the rule is in ``_cells.py``). Files are
UTF-8 with a BOM so Excel shows non-ASCII names correctly, and zip entries carry a fixed timestamp
so the same chain always gives the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import IO, TYPE_CHECKING, Iterator

from obligraph.graph.chain import Chain
from obligraph.graph.evidence import assessments
from obligraph.graph.formats._cells import encode_mapping
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.formats.csv_bundle_read import read  # noqa: F401  (the format's reader)
from obligraph.graph.formats.csv_gaps import Row, cause_rows, causes_by_default, gap_lines, write_lines, write_rows
from obligraph.graph.formats.csv_layout import (
    BLOCKERS_FILE,
    CAUSE_COLUMNS,
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
    ROOT_CAUSES_FILE,
    SCOPE_SEPARATOR,
)
from obligraph.graph.schema import dump_item

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FAST_LEVEL = 1


def write(chain: Chain, analysis: Analysis | None = None, *, gaps: bool = True, causes: bool | None = None) -> bytes:
    buffer = io.BytesIO()
    write_to(chain, buffer, analysis, gaps=gaps, causes=causes)
    return buffer.getvalue()


def write_to(
    chain: Chain, fileobj: IO[bytes], analysis: Analysis | None = None, *, gaps: bool = True, causes: bool | None = None
) -> None:
    """Write the zip: the chain's four tables, then the analysis tables.

    ``gaps=False`` leaves every analysis table out (and runs no analysis). ``causes`` adds
    ``root_causes.csv`` and ``blockers.csv``; by default
    they come with analyses of at most ``CAUSES_DEFAULT_LIMIT`` gaps, since each gap's causes need
    a search of their own. An analysis is run with the document's parameters if none is given.
    """
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with _open(bundle, CHAIN_FILE) as raw:
            write_rows(raw, CHAIN_COLUMNS, _chain_rows(chain))
        with _open(bundle, NODES_FILE) as raw:
            write_rows(raw, NODE_COLUMNS, ([doc.get(c) for c in NODE_COLUMNS] for doc in chain.node_documents()))
        with _open(bundle, EDGES_FILE) as raw:
            write_rows(raw, EDGE_COLUMNS, _edge_rows(chain))
        with _open(bundle, DECLARATIONS_FILE) as raw:
            as_of = analysis.as_of if analysis is not None else date.today()
            write_rows(raw, DECLARATION_COLUMNS, _declaration_rows(chain, as_of))
        if not gaps:
            return
        analysis = ensure_analysis(chain, analysis)
        with _open(bundle, GAPS_FILE, large=True) as raw:
            write_lines(raw, GAP_COLUMNS, gap_lines(chain, analysis))
        if not (causes_by_default(analysis) if causes is None else causes):
            return
        with _open(bundle, ROOT_CAUSES_FILE, large=True) as raw:
            write_rows(raw, CAUSE_COLUMNS, cause_rows(analysis, analysis.root_causes))
        with _open(bundle, BLOCKERS_FILE, large=True) as raw:
            write_rows(raw, CAUSE_COLUMNS, cause_rows(analysis, analysis.blockers))


def _open(bundle: zipfile.ZipFile, name: str, *, large: bool = False) -> IO[bytes]:
    """A member to write.

    ``large`` ones (the analysis tables: about 90 bytes a gap, ten million gaps at 100k nodes) may
    pass 4 GB uncompressed, which needs zip64 headers from the start, and are deflated at level 1:
    twice as fast as the default level 6 on these repetitive rows, for a zip about 1.7x larger.
    """
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    if large:
        # ZipInfo's level is ``compress_level`` from Python 3.13 on, ``_compresslevel`` before.
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", FAST_LEVEL)
    return bundle.open(info, "w", force_zip64=large)


def _chain_rows(chain: Chain) -> Iterator[Row]:
    for field, value in chain.head_document().items():
        yield [field, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value]


def _edge_rows(chain: Chain) -> Iterator[Row]:
    for doc in chain.edge_documents():
        mapping = doc.get("responsibility")
        yield [
            doc["provider"],
            doc["consumer"],
            doc.get("criticality"),
            encode_mapping(mapping) if mapping else None,
            doc.get("notes"),
        ]


def _declaration_rows(chain: Chain, as_of: date) -> Iterator[Row]:
    for node_id in chain.graph.nodes:
        for control, declaration in chain.declarations(node_id).items():
            doc = dump_item(declaration)
            own = [node_id, control, doc["status"], doc.get("assigns"), doc.get("notes")]
            if not declaration.evidence:
                yield own + [None] * (len(EVIDENCE_FIELDS) + 1)
            for item, check in zip(doc.get("evidence", []), assessments(declaration, as_of)):
                if "scope" in item:
                    item["scope"] = SCOPE_SEPARATOR.join(item["scope"])
                verdict = f"{'assures' if check.assures else 'does not assure'} on {as_of.isoformat()}: {check.reason}"
                yield own + [item.get(field) for field in EVIDENCE_FIELDS] + [verdict]
