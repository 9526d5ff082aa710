"""Spreadsheet downloads: CSV that Excel opens correctly in every locale, and XLSX (openpyxl).

CSV carries a UTF-8 byte-order mark: without it, Excel on a Japanese (or any non-UTF-8) Windows
reads the file in the system code page and shows mojibake. Both kinds neutralise cells that a
spreadsheet would run as a formula.

An XLSX sheet has a bold header row, filters on, the header frozen and columns sized to their
content; a cell can carry a fill colour (the heat map's statuses).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
#: Column widths are measured on the first rows only: enough to size them, cheap on a large sheet.
WIDTH_SAMPLE_ROWS = 500
MAX_WIDTH = 60
#: Status colours, as on the pages (app.css: .s-*), for the heat map's cells.
STATUS_FILLS = {
    "not_implemented": "EF9A9A",
    "unknown": "FFCC80",
    "partial": "FFF59D",
    "declared": "C5E1A5",
    "verified": "81C784",
    "not_applicable": "E0E0E0",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula; a leading quote keeps it text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    #: (row index, column index) -> a hex colour (RRGGBB) for that data cell's fill.
    fills: dict[tuple[int, int], str] = field(default_factory=dict)


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": _disposition(filename)},
    )


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    for default in list(book.worksheets):  # the empty sheet a new workbook starts with
        book.remove(default)
    bold = Font(bold=True)
    fills: dict[str, PatternFill] = {}
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title))
        ws.append(sheet.headers)
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append([safe_cell(value) for value in row])
        for (r, c), colour in sheet.fills.items():
            fill = fills.setdefault(colour, PatternFill(start_color=colour, end_color=colour, fill_type="solid"))
            ws.cell(row=r + 2, column=c + 1).fill = fill
        ws.freeze_panes = "A2"
        last = get_column_letter(max(len(sheet.headers), 1))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        for c, header in enumerate(sheet.headers):
            sample = [header] + [row[c] for row in sheet.rows[:WIDTH_SAMPLE_ROWS] if c < len(row)]
            ws.column_dimensions[get_column_letter(c + 1)].width = min(MAX_WIDTH, max(_width(v) for v in sample) + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> Response:
    return Response(xlsx_bytes(sheets), media_type=XLSX_TYPE, headers={"content-disposition": _disposition(filename)})


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_title(title: str) -> str:
    """Excel's limits: 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Sheet"


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
