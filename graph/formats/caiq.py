"""Import a CAIQ-style CSV: one provider's answers become that provider's declarations (and ``assigns``).

Columns (matched case-insensitively; the header may follow a few title rows, as in CAIQ exports):
control id, ``SSRM Control Ownership``, answer, and optionally a description (kept as the notes).

Mapping (CSA CAIQ v4 SSRM -> obligraph, DESIGN.md section 7):

==========================  ===========================================
SSRM Control Ownership      declaration
==========================  ===========================================
CSP-owned                   no ``assigns`` (the provider does it)
CSC-owned                   ``assigns: customer``
Shared CSP and CSC          ``assigns: shared``
3rd-party outsourced        no ``assigns`` (the provider answers for it;
                            model the third party as an upstream edge)
(empty)                     no ``assigns`` (the catalog default stands)
==========================  ===========================================

Answers: ``Yes`` -> declared, ``No`` -> not_implemented, ``NA`` (or ``N/A``) -> not_applicable.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from pydantic import ValidationError

from obligraph.graph.catalog import DEFAULT_CATALOG, load_catalog
from obligraph.graph.crosswalk import unknown_control_message
from obligraph.graph.errors import ChainError, Issue
from obligraph.graph.formats._common import as_text
from obligraph.graph.schema import Declaration

COLUMNS = {
    "control": ("control id", "control", "ccm control id", "control_id"),
    "ownership": ("ssrm control ownership", "control ownership", "ownership"),
    "answer": ("csp caiq answer", "caiq answer", "answer"),
    "description": ("csp implementation description", "implementation description", "description", "notes"),
}
OWNERSHIP = {
    "csp-owned": None,
    "csc-owned": "customer",
    "shared csp and csc": "shared",
    "shared": "shared",
    "3rd-party outsourced": None,
    "third-party outsourced": None,
    "": None,
}
ANSWERS = {
    "yes": "declared",
    "no": "not_implemented",
    "na": "not_applicable",
    "n/a": "not_applicable",
    "not applicable": "not_applicable",
}
HEADER_SEARCH_ROWS = 20
NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")  # as schema.NodeId
FILE = "the CAIQ file"


def read_caiq(data: bytes | str, *, node_id: str, catalog: str = DEFAULT_CATALOG) -> list[dict[str, Any]]:
    """The declarations for provider ``node_id``, one per row; every problem names its row and column."""
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        raise ChainError.at(("node_id",), f"{node_id!r} is not a valid node id; name the provider the answers are for")
    text = as_text(data, FILE)
    known = load_catalog(catalog)
    rows = list(_records(text))
    header_row, columns, labels = _find_header(rows)
    declarations: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    issues: list[Issue] = []
    for number, cells in rows:
        if number <= header_row or not any(cell.strip() for cell in cells):
            continue
        values = {name: cells[index].strip() if index < len(cells) else "" for name, index in columns.items()}
        where = f"row {number}"
        control, ownership, answer = values["control"], values["ownership"], values["answer"]
        problems = []
        if not control:
            problems.append(Issue(f"{where}, column {labels['control']}", "the control id is empty; fill it in"))
        elif control not in known:
            problems.append(Issue(f"{where}, column {labels['control']}", unknown_control_message(control, known)))
        elif control in seen:
            problems.append(
                Issue(
                    f"{where}, column {labels['control']}",
                    f"'{control}' was already answered in row {seen[control]}; keep one row per control",
                )
            )
        key = _normal(ownership)
        if key not in OWNERSHIP:
            problems.append(
                Issue(
                    f"{where}, column {labels['ownership']}",
                    f"'{ownership}' is not an SSRM ownership (expected CSP-owned, CSC-owned,"
                    " Shared CSP and CSC or 3rd-party outsourced)",
                )
            )
        status = ANSWERS.get(_normal(answer))
        if status is None:
            problems.append(
                Issue(f"{where}, column {labels['answer']}", f"'{answer}' is not an answer (expected Yes, No or NA)")
            )
        if problems:
            issues.extend(problems)
            continue
        seen[control] = number
        declaration: dict[str, Any] = {"control": control, "status": status}
        if OWNERSHIP[key]:
            declaration["assigns"] = OWNERSHIP[key]
        notes = values.get("description", "")
        if key.endswith("outsourced"):
            notes = f"3rd-party outsourced. {notes}".strip()
        if notes:
            declaration["notes"] = notes
        try:
            Declaration.model_validate(declaration)
        except ValidationError as exc:
            issues.extend(Issue(where, error.message) for error in ChainError.from_validation(exc).issues)
            continue
        declarations.append(declaration)
    if issues:
        raise ChainError(issues, source=f"{FILE} for '{node_id}'")
    if not declarations:
        raise ChainError(f"{FILE} has a header but no answered rows; add one row per control")
    return declarations


def _records(text: str):
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as exc:
        raise ChainError(f"{FILE} row {reader.line_num}: broken CSV ({exc}); check the quotes in that row") from None


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int], dict[str, str]]:
    """The header row's number, each field's column index, and the column names as the file spells them."""
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        names = [_normal(cell) for cell in cells]
        columns: dict[str, int] = {}
        for field, aliases in COLUMNS.items():
            index = next((names.index(alias) for alias in aliases if alias in names), None)
            if index is not None:
                columns[field] = index
        if "control" in columns and "ownership" in columns:
            if "answer" not in columns:
                raise ChainError(f"{FILE} row {number}: the header has no answer column; add 'Answer' (Yes, No or NA)")
            return number, columns, {field: cells[index].strip() for field, index in columns.items()}
    raise ChainError(
        f"{FILE}: no header row with a control id column and an 'SSRM Control Ownership' column in the first"
        f" {HEADER_SEARCH_ROWS} rows; the columns are: Control ID, SSRM Control Ownership, Answer, Description"
    )


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("_", " "))
