"""Spreadsheet cells: formula neutralising and the two small encodings the CSV bundle uses.

Formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR is run as a formula
by Excel and LibreOffice, so the writer prefixes it with ``'``. The reader undoes the prefix only
where the writer added it, by one rule both sides share: **a cell gets one extra leading ``'``
exactly when, after its leading ``'`` characters, it starts with one of those six characters.**
So ``=1+1`` is written ``'=1+1``; ``'=1+1`` (a value that really starts with ``'``) is written
``''=1+1``; ``'hello`` is left alone both ways. Reading strips one ``'`` under the same condition.

>>> neutralise("=HYPERLINK(x)"), restore("'=HYPERLINK(x)")
("'=HYPERLINK(x)", '=HYPERLINK(x)')
>>> [restore(neutralise(v)) for v in ["'=x", "'x", "'", "-1", "a-b"]]
["'=x", "'x", "'", '-1', 'a-b']
"""

from __future__ import annotations

import json

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _risky(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_STARTS)


def neutralise(value: str) -> str:
    return "'" + value if _risky(value) else value


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _risky(cell) else cell


def encode_mapping(mapping: dict[str, str]) -> str:
    """``{"10.5.1": "shared"}`` -> ``10.5.1=shared; 9.1.1=customer``; JSON when a key could be misread."""
    if any(set(key) & set(";={}") or key != key.strip() for key in mapping):
        return json.dumps(mapping, ensure_ascii=False)
    return "; ".join(f"{key}={value}" for key, value in mapping.items())


def decode_mapping(cell: str) -> dict[str, str]:
    """The inverse of ``encode_mapping``; raises ``ValueError`` with what is wrong."""
    cell = cell.strip()
    if cell.startswith("{"):
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError("a JSON cell here must be an object of control id -> responsibility")
        return value
    result: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in cell.split(";"))):
        key, equals, value = part.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ValueError(f"'{part}' is not control=responsibility (e.g. 10.5.1=shared; 9.1.1=customer)")
        if key.strip() in result:
            raise ValueError(f"control '{key.strip()}' appears twice")
        result[key.strip()] = value.strip()
    return result
