"""The rows of a CAIQ file: CSA's XLSX workbook or a CSV, and the header row among its title rows.

CSA distributes the CAIQ v4 as a workbook whose questionnaire sheet opens with a few title rows,
then the header: ``Question ID``, ``Question``, ``CSP CAIQ Answer``, ``SSRM Control Ownership``,
``CSP Implementation Description (Optional/Recommended)``, ``CSC Responsibilities
(Optional/Recommended)``, ... ``CCM Control ID``. Headers are matched without case, repeated
spaces or a parenthesised remark, so ``CSC Responsibilities  (Optional/Recommended)`` (with the
double space of some releases) is found as ``csc responsibilities``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import as_text

COLUMNS = {
    "question": ("question id",),
    "control": ("ccm control id", "control id", "control", "control_id"),
    "ownership": ("ssrm control ownership", "control ownership", "ownership"),
    "answer": ("csp caiq answer", "caiq answer", "answer"),
    "description": ("csp implementation description", "implementation description", "description", "notes"),
    "csc": ("csc responsibilities", "customer responsibilities"),
}
HEADER_SEARCH_ROWS = 20
FILE = "the CAIQ file"
EXPECTED = "Question ID (or CCM Control ID), CSP CAIQ Answer, SSRM Control Ownership"


@dataclass(frozen=True)
class Table:
    """The cells below the header, each row with its number in the file (1-based, as a spreadsheet shows)."""

    where: str  # "row" for a CSV, "sheet 'X', row" for a workbook
    header_row: int
    columns: dict[str, int]
    labels: dict[str, str]
    rows: list[tuple[int, list[str]]]

    def cell(self, cells: list[str], field: str) -> str:
        index = self.columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def read_table(data: bytes | str) -> Table:
    if isinstance(data, bytes) and data[:4] == b"PK\x03\x04":
        return _workbook(data)
    return _find_header(list(_csv_records(as_text(data, FILE))), "row")


def normal(text: str) -> str:
    """``'CSC Responsibilities  (Optional/Recommended)'`` -> ``'csc responsibilities'``."""
    text = re.sub(r"\([^)]*\)", " ", str(text)).replace("_", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def _workbook(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ChainError(f"{FILE} is not a readable XLSX workbook ({exc}); save it again as .xlsx or CSV") from None
    names = ", ".join(f"'{sheet.title}'" for sheet in book.worksheets)
    try:
        # The questionnaire sheet is the one with the header; CSA's workbooks put an introduction first.
        for sheet in reversed(book.worksheets):
            records = [
                (number, ["" if value is None else str(value) for value in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            try:
                return _find_header(records, f"sheet '{sheet.title}', row")
            except ChainError:
                continue
    finally:
        book.close()
    raise ChainError(
        f"{FILE}: no sheet ({names}) has a header row in its first {HEADER_SEARCH_ROWS} rows with the columns"
        f" {EXPECTED}; is this CSA's CAIQ v4 workbook?"
    )


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ChainError(f"{FILE} row {reader.line_num}: broken CSV ({exc}); check the quotes in that row") from None


def _find_header(records: list[tuple[int, list[str]]], where: str) -> Table:
    for number, cells in records[:HEADER_SEARCH_ROWS]:
        names = [normal(cell) for cell in cells]
        columns: dict[str, int] = {}
        for field, aliases in COLUMNS.items():
            index = next((names.index(alias) for alias in aliases if alias in names), None)
            if index is not None:
                columns[field] = index
        if ("control" in columns or "question" in columns) and "ownership" in columns:
            if "answer" not in columns:
                raise ChainError(
                    f"{FILE} {where} {number}: the header has no answer column; add 'CSP CAIQ Answer' (Yes, No or NA)"
                )
            labels = {field: cells[index].strip() for field, index in columns.items()}
            rows = [(n, c) for n, c in records if n > number and any(str(cell).strip() for cell in c)]
            return Table(where, number, columns, labels, rows)
    raise ChainError(
        f"{FILE}: no header row with the columns {EXPECTED} in the first {HEADER_SEARCH_ROWS} rows"
        f" (CCM or catalog control ids work too: Control ID, SSRM Control Ownership, Answer)"
    )
