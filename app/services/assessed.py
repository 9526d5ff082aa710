"""Declarations and nodes as the API gives them: each evidence item with its assessment on a day.

``graph.evidence.assessed_items`` says, per item, whether it assures the declaration's control on
the day and why (``assures``, ``reason``, ``in_force_until``); the declaration and node routes
answer with it, for ``as_of`` when the route takes one, else today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from obligraph.graph.evidence import assessed_items
from obligraph.graph.schema import Declaration, Node, dump_item, parse_declaration


def assessed(declaration: Declaration | dict[str, Any], as_of: date | None = None) -> dict[str, Any]:
    """The declaration as JSON, each evidence item assessed on ``as_of`` (default today)."""
    model = declaration if isinstance(declaration, Declaration) else parse_declaration(declaration)
    return {**dump_item(model, exclude_none=False), "evidence": assessed_items(model, as_of or date.today())}


def assessed_node(node: Node | dict[str, Any], as_of: date | None = None) -> dict[str, Any]:
    """The node as JSON, its declarations' evidence assessed on ``as_of`` (default today)."""
    data = node.model_dump(mode="json") if isinstance(node, Node) else dict(node)
    data["declarations"] = [assessed(d, as_of) for d in data.get("declarations", [])]
    return data
