"""Typed control ids inside chain documents: replace them by the catalog ids they stand for.

A declaration, an edge's responsibility override or an entry of ``controls`` may name a control
by a newer numbering (``27002:2013/A.12.3.1``, ``27002:2022/5.15``, ``ccm:BCR-08``; see
``crosswalk.py``). Loading maps each to the catalog's ids; one that maps to several catalog
controls becomes one declaration (or override) per catalog control, with the same content.

>>> from obligraph.graph.catalog import load_catalog
>>> from obligraph.graph.schema import Node
>>> node = Node.model_validate({"id": "acme", "layer": "iaas",
...     "declarations": [{"control": "27002:2022/5.15", "status": "declared"}]})
>>> declarations, issues = expand_declarations(node.declarations, load_catalog("meti-2011"), ("node",))
>>> [d.control for d in declarations], issues
(['11.1.1', '11.4.1'], [])
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import replace

from obligraph.graph.catalog import Catalog
from obligraph.graph.crosswalk import ControlIdError, is_typed, resolve_control_id
from obligraph.graph.errors import Issue, Location, format_location
from obligraph.graph.lattice import Responsibility
from obligraph.graph.schema import ChainDocument, Declaration, Edge, Node


def expand_declarations(
    declarations: Sequence[Declaration], catalog: Catalog, prefix: Location
) -> tuple[list[Declaration], list[Issue]]:
    """The declarations with typed ids replaced by one declaration per catalog id.

    Unchanged (the same list) when no id is typed, so plain documents keep today's checks and
    messages. Otherwise a catalog id reached twice is reported at the later declaration, naming
    the earlier one; an id that does not resolve is reported and left out.
    """
    if not any(is_typed(d.control) for d in declarations):
        return list(declarations), []
    expanded: dict[str, Declaration] = {}
    first: dict[str, int] = {}
    issues: list[Issue] = []
    for j, declaration in enumerate(declarations):
        place = format_location((*prefix, "declarations", j, "control"))
        ids = _resolved(declaration.control, catalog, place, issues)
        for catalog_id in ids:
            if catalog_id in first:
                via = "" if catalog_id == declaration.control else f" maps to '{catalog_id}', which"
                issues.append(
                    Issue(
                        place,
                        f"'{declaration.control}'{via} is already declared at declarations[{first[catalog_id]}];"
                        " keep one declaration per control",
                    )
                )
                continue
            first[catalog_id] = j
            expanded[catalog_id] = replace(declaration, control=catalog_id)
    return list(expanded.values()), issues


def expand_node(node: Node, catalog: Catalog, prefix: Location) -> tuple[Node, list[Issue]]:
    if not any(is_typed(d.control) for d in node.declarations):
        return node, []  # the common case, kept cheap: loading 100k nodes passes here 100k times
    declarations, issues = expand_declarations(node.declarations, catalog, prefix)
    return node.model_copy(update={"declarations": declarations}), issues


def expand_responsibility(
    responsibility: Mapping[str, Responsibility], catalog: Catalog, prefix: Location
) -> tuple[dict[str, Responsibility], list[Issue]]:
    """Overrides keyed by catalog id; two keys reaching one control must agree on the value."""
    if not any(is_typed(control) for control in responsibility):
        return dict(responsibility), []
    expanded: dict[str, Responsibility] = {}
    source: dict[str, str] = {}
    issues: list[Issue] = []
    for control, value in responsibility.items():
        place = format_location((*prefix, "responsibility", control))
        for catalog_id in _resolved(control, catalog, place, issues):
            if catalog_id in expanded and expanded[catalog_id] != value:
                issues.append(
                    Issue(
                        place,
                        f"'{control}' sets '{catalog_id}' to {value.value}, but '{source[catalog_id]}' already sets it"
                        f" to {expanded[catalog_id].value}; give one value per control",
                    )
                )
                continue
            expanded[catalog_id], source[catalog_id] = value, control
    return expanded, issues


def expand_edge(edge: Edge, catalog: Catalog, prefix: Location) -> tuple[Edge, list[Issue]]:
    if not edge.responsibility or not any(is_typed(control) for control in edge.responsibility):
        return edge, []
    responsibility, issues = expand_responsibility(edge.responsibility, catalog, prefix)
    return edge.model_copy(update={"responsibility": responsibility}), issues


def expand_control_ids(
    document: ChainDocument, catalog: Catalog, named: set[str] | None = None
) -> tuple[ChainDocument, list[Issue]]:
    """The document with every typed control id replaced by catalog ids, and the problems found.

    Ids that are not typed are left for the usual checks (which report unknown ones). ``named``:
    ``distinct_control_ids(document)``, when the caller has it already.
    """
    if not any(is_typed(control) for control in (named if named is not None else distinct_control_ids(document))):
        return document, []
    issues: list[Issue] = []
    nodes = list(document.nodes)
    for i, node in enumerate(nodes):
        nodes[i], found = expand_node(node, catalog, ("nodes", i))
        issues.extend(found)
    edges = list(document.edges)
    for i, edge in enumerate(edges):
        edges[i], found = expand_edge(edge, catalog, ("edges", i))
        issues.extend(found)
    controls = document.controls
    if controls is not None and any(is_typed(c) for c in controls):
        flat: dict[str, None] = {}
        for i, control in enumerate(controls):
            flat.update(dict.fromkeys(_resolved(control, catalog, format_location(("controls", i)), issues)))
        controls = list(flat)
    changed = (
        controls is not document.controls
        or any(a is not b for a, b in zip(nodes, document.nodes, strict=True))
        or any(a is not b for a, b in zip(edges, document.edges, strict=True))
    )
    if not changed:
        return document, issues
    return document.model_copy(update={"nodes": nodes, "edges": edges, "controls": controls}), issues


def distinct_control_ids(document: ChainDocument) -> set[str]:
    """Every control id the document names once each: a few hundred strings to test, not millions."""
    declarations = itertools.chain.from_iterable(map(operator.attrgetter("declarations"), document.nodes))
    ids = set(map(operator.attrgetter("control"), declarations))  # C-level walk: millions at 100k+ nodes
    ids.update(control for edge in document.edges if edge.responsibility for control in edge.responsibility)
    ids.update(document.controls or ())
    return ids


def _resolved(control: str, catalog: Catalog, place: str, issues: list[Issue]) -> tuple[str, ...]:
    """``control`` as catalog ids; an unknown plain id passes through for the caller's own check."""
    if not is_typed(control):
        return (control,)
    try:
        return resolve_control_id(control, catalog)
    except ControlIdError as exc:
        issues.append(Issue(place, str(exc)))
        return ()
