"""Validate a document rebuilt from another format, reporting problems in that format's own terms.

CSV and GraphML readers reassemble a chain document from rows or elements, so ``nodes[3].layer``
would mean nothing to the person who wrote the file. ``check_document`` runs the checks of
``Chain.from_dict`` (the pydantic schema, then the cross-checks: unknown controls, repeated ids,
edges to unknown nodes) and hands every location to the reader's ``place`` function, which turns
``("nodes", 3, "layer")`` into ``nodes.csv row 5, column layer``.

It validates one node or edge at a time and keeps only ids, so checking a 100k-node import costs
no more memory than the document itself (validating the whole ``ChainDocument`` at once would
hold a second, pydantic copy of it).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Collection, Iterable, Mapping

from pydantic import ValidationError

from obligraph.graph.catalog import Catalog, load_catalog
from obligraph.graph.control_ids import expand_edge, expand_node
from obligraph.graph.crosswalk import ControlIdError, resolve_control_id
from obligraph.graph.document_checks import declaration_issues, edge_issues
from obligraph.graph.errors import DOCUMENT, ChainError, Issue, Location, format_location
from obligraph.graph.schema import ChainDocument, Edge, Node

#: Turns a document location into the reader's own terms (``nodes.csv row 5, column layer``).
Place = Callable[[Location], str]
_PART = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")
MAX_ISSUES = 200  # stop collecting after this many: the first ones are what a person fixes first


def parse_location(text: str) -> tuple[str | int, ...]:
    """``"nodes[3].declarations[0].status"`` -> ``("nodes", 3, "declarations", 0, "status")``.

    >>> parse_location("edges[2].responsibility.10.5.1")
    ('edges', 2, 'responsibility', '10.5.1')
    """
    if text == DOCUMENT:
        return ()
    # Keys of the responsibility mapping are control ids, which contain dots themselves.
    head, found, key = text.partition(".responsibility.")
    if found:
        return (*parse_location(head), "responsibility", key)
    return tuple(int(index) if index else name for index, name in _PART.findall(text))


def check_document(document: Mapping[str, Any], place: Place, *, source: str | None = None) -> None:
    """Raise ``ChainError`` with the problems ``Chain.from_dict`` would find, located by ``place``."""
    issues = list(_issues(document))
    if issues:
        raise ChainError([Issue(place(parse_location(i.location)), i.message) for i in issues], source=source)


def _issues(document: Mapping[str, Any]) -> Iterable[Issue]:
    head = {key: value for key, value in document.items() if key not in ("nodes", "edges")}
    try:
        parsed = ChainDocument.model_validate(head)
    except ValidationError as exc:
        yield from ChainError.from_validation(exc, model=ChainDocument).issues
        return
    catalog = load_catalog(parsed.catalog)
    for i, control in enumerate(parsed.controls or []):
        try:
            resolve_control_id(control, catalog)  # catalog ids and typed ids (27002:2013/A.12.3.1)
        except ControlIdError as exc:
            yield Issue(format_location(("controls", i)), str(exc))
    count = 0
    first_index: dict[str, int] = {}
    for i, raw in enumerate(document.get("nodes", [])):
        for issue in _node_issues(raw, i, catalog, first_index):
            count += 1
            yield issue
        if count >= MAX_ISSUES:
            return
    seen: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(document.get("edges", [])):
        for issue in _edge_problems(raw, i, catalog, first_index, seen):
            count += 1
            yield issue
        if count >= MAX_ISSUES:
            return


def _node_issues(raw: Any, i: int, catalog: Catalog, first_index: dict[str, int]) -> Iterable[Issue]:
    try:
        node = Node.model_validate(raw)
    except ValidationError as exc:
        yield from ChainError.from_validation(exc, prefix=("nodes", i), model=Node).issues
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            first_index.setdefault(raw["id"], i)
        return
    if node.id in first_index:
        yield Issue(
            format_location(("nodes", i, "id")),
            f"'{node.id}' is already the id of nodes[{first_index[node.id]}]; node ids must be unique",
        )
    first_index.setdefault(node.id, i)
    node, typed_issues = expand_node(node, catalog, ("nodes", i))
    yield from typed_issues
    yield from declaration_issues(node, ("nodes", i), catalog)


def _edge_problems(
    raw: Any, i: int, catalog: Catalog, node_ids: Collection[str], seen: dict[tuple[str, str], int]
) -> Iterable[Issue]:
    try:
        edge = Edge.model_validate(raw)
    except ValidationError as exc:
        yield from ChainError.from_validation(exc, prefix=("edges", i), model=Edge).issues
        return
    edge, typed_issues = expand_edge(edge, catalog, ("edges", i))
    yield from typed_issues
    yield from edge_issues(edge, ("edges", i), node_ids, catalog)
    pair = (edge.provider, edge.consumer)
    if pair in seen:
        yield Issue(
            format_location(("edges", i)),
            f"{pair[0]} -> {pair[1]} repeats edges[{seen[pair]}]; merge them into one edge",
        )
    seen.setdefault(pair, i)
