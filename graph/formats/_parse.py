"""Parse JSON or YAML text into a chain document safely: bad syntax, deep nesting and alias bombs are errors.

``parse_document`` already turns syntax errors into ``ChainError``; this adds the two ways a small
hostile file can still hurt: nesting deep enough to exhaust the recursion limit, and YAML aliases
that fan out (a "billion laughs" of anchors costs nothing to load but everything to walk).
"""

from __future__ import annotations

from typing import Any

from obligraph.graph.document import parse_document
from obligraph.graph.errors import ChainError

#: Values a document may expand to per byte of input before we call it an alias bomb.
EXPANSION_PER_BYTE = 4
MIN_BUDGET = 1_000_000


def parse_mapping(text: str | bytes, syntax: str, what: str) -> dict[str, Any]:
    try:
        document = parse_document(text, syntax)
    except RecursionError:
        raise ChainError(f"{what} is nested too deeply to be a chain document") from None
    if not isinstance(document, dict):
        raise ChainError(
            f"{what} holds a {type(document).__name__}, not a chain document;"
            " the top level must be a mapping with format, name, nodes and edges"
        )
    if syntax == "yaml":
        _check_expansion(document, max(MIN_BUDGET, EXPANSION_PER_BYTE * len(text)), what)
    return document


def _check_expansion(document: Any, budget: int, what: str) -> None:
    """Walk the loaded value without recursion, counting; stop as soon as the budget is spent."""
    stack = [document]
    seen = 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > budget:
            raise ChainError(
                f"{what} expands to more than {budget:,} values; YAML anchors and aliases that repeat"
                " each other are not accepted: write the values out"
            )
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
