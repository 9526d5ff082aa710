"""Checks of a chain@1 document: against the schema, against its catalog, and between its parts.

``validate_document`` checks the schema (pydantic); ``cross_check`` the rest (unknown controls and
scope entries, repeated ids, edges whose ends are missing, self-loops, repeated edges). Every
problem is an ``Issue`` naming its place in the document and how to fix it. ``Chain.from_dict``
runs them; on a large document it first checks whole columns (``columns_clean``,
``split_plain_edges``, ``with_shared_declarations``) and walks the items one by one only when
something is wrong, so that the messages are the same either way.

>>> validate_document({"format": "obligraph/chain@1", "name": "demo"}).nodes
[]
"""

from __future__ import annotations

import difflib
import itertools
import operator
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeVar

import annotated_types
from pydantic import BaseModel, TypeAdapter, ValidationError

from obligraph.graph.catalog import Catalog, load_catalog
from obligraph.graph.crosswalk import unknown_control_message
from obligraph.graph.errors import ChainError, Issue, Location, format_location
from obligraph.graph.schema import ChainDocument, Declaration, Edge, Node, parse_declaration

_Model = TypeVar("_Model", bound=BaseModel)


#: The nodes and the edges of a document validated in batches instead of inside a ``ChainDocument``.
NODE_LIST: TypeAdapter[list[Node]] = TypeAdapter(list[Node])
EDGE_LIST: TypeAdapter[list[Edge]] = TypeAdapter(list[Edge])


def _max_length(metadata: list[Any]) -> int:
    return min(item.max_length for item in metadata if isinstance(item, annotated_types.MaxLen))


#: The most nodes and the most edges a document may hold: the ``ChainDocument`` model's own limits.
DOCUMENT_LIMITS: dict[str, int] = {
    key: _max_length(ChainDocument.model_fields[key].metadata) for key in ("nodes", "edges")
}


def parsed_with_catalog(document: Any, source: str | None) -> tuple[ChainDocument, Catalog]:
    parsed = validate_document(document, source=source)
    try:
        return parsed, load_catalog(parsed.catalog)
    except ChainError as exc:
        exc.source = source
        raise


def with_shared_declarations(
    nodes: Any, *, in_place: bool = False, shared: dict[tuple[Any, Any], Declaration | None] | None = None
) -> Any:
    """The nodes with each plain declaration (a mapping of exactly ``control`` and ``status``) replaced
    by one validated ``Declaration`` per distinct pair, which the node model then takes as it is.

    A large chain repeats a few hundred such pairs millions of times; validating and holding one
    model each cost a third of loading time and most of the model's memory. A pair that does not
    validate is left as it was, for the node model to report at its place. ``in_place``: swap them
    in the given lists instead of copies (the document's owner drops it afterwards). ``shared``: the
    pairs already validated, for a caller that passes the nodes in several lists.
    """
    if not isinstance(nodes, list):
        return nodes
    if shared is None:
        shared = {}
    swapped = []
    for node in nodes:
        declarations = node.get("declarations") if type(node) is dict else None
        if type(declarations) is not list:
            swapped.append(node)
            continue
        replaced = declarations if in_place else list(declarations)
        for j, item in enumerate(declarations):
            if type(item) is not dict or len(item) != 2:
                continue
            try:
                key = (item["control"], item["status"])
                declaration = shared[key]
            except KeyError:
                if "control" not in item or "status" not in item:
                    continue
                try:
                    declaration = shared[key] = parse_declaration(item)
                except ValidationError:
                    declaration = shared[key] = None
            except TypeError:  # an unhashable control or status: the node model will say what is wrong
                continue
            if declaration is not None:
                replaced[j] = declaration
        swapped.append(node if in_place else {**node, "declarations": replaced})
    return swapped


def split_plain_edges(edges: Any) -> tuple[list[tuple[str, str] | None], list[int]] | None:
    """(provider, consumer) for each plain edge (a mapping of exactly those two keys) and None for
    the others, with the positions of the others; None when ``edges`` is not a list shaped for that."""
    if not isinstance(edges, list):
        return None
    try:
        pairs = [
            (edge["provider"], edge["consumer"]) if type(edge) is dict and len(edge) == 2 else None for edge in edges
        ]
    except KeyError:
        return None
    return pairs, [i for i, pair in enumerate(pairs) if pair is None]


def validate_document(document: Any, *, source: str | None = None) -> ChainDocument:
    """The document checked against the chain@1 schema, before any check against its catalog or
    between its parts; raise ``ChainError`` naming every problem."""
    if not isinstance(document, Mapping):
        raise ChainError(
            f"a chain document is a mapping with format, name, nodes and edges (got {type(document).__name__})",
            source=source,
        )
    try:
        return ChainDocument.model_validate(document)
    except ValidationError as exc:
        error = ChainError.from_validation(exc, model=ChainDocument)
        error.source = source
        raise error from None


def validated(model: type[_Model], value: _Model | Mapping[str, Any], prefix: Location) -> _Model:
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise ChainError.from_validation(exc, prefix=prefix, model=model) from None


def validated_declaration(value: Declaration | Mapping[str, Any], prefix: Location) -> Declaration:
    """``validated`` for a declaration, which is a pydantic dataclass rather than a model."""
    if isinstance(value, Declaration):
        return value
    try:
        return parse_declaration(value)
    except ValidationError as exc:
        raise ChainError.from_validation(exc, prefix=prefix, model=Declaration) from None


def declaration_issues(node: Node, prefix: Location, catalog: Catalog) -> Iterable[Issue]:
    seen: dict[str, int] = {}
    for j, declaration in enumerate(node.declarations):
        place = (*prefix, "declarations", j)
        if declaration.control not in catalog:
            yield Issue(format_location((*place, "control")), unknown_control_message(declaration.control, catalog))
        yield from scope_issues(declaration, place, catalog)
        if declaration.control in seen:
            yield Issue(
                format_location((*place, "control")),
                f"'{declaration.control}' is already declared at declarations[{seen[declaration.control]}];"
                " keep one declaration per control",
            )
        seen.setdefault(declaration.control, j)


def scope_issues(declaration: Declaration, place: Location, catalog: Catalog) -> Iterable[Issue]:
    for e, item in enumerate(declaration.evidence):
        for k, entry in enumerate(item.scope or ()):
            if not catalog.covers_any(entry):
                yield Issue(
                    format_location((*place, "evidence", e, "scope", k)),
                    f"'{entry}' is neither a control id nor a clause or objective prefix of catalog"
                    f" '{catalog.id}' (write ids like '{catalog.ids[0]}' or prefixes like"
                    f" '{catalog.controls[0].clause}')",
                )


def edge_issues(edge: Edge, prefix: Location, node_ids: Collection[str], catalog: Catalog) -> Iterable[Issue]:
    for end in ("provider", "consumer"):
        node_id = getattr(edge, end)
        if node_id not in node_ids:
            close = difflib.get_close_matches(node_id, list(node_ids), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "; add the node first"
            yield Issue(format_location((*prefix, end)), f"'{node_id}' is not a node id in this chain{hint}")
    if edge.provider == edge.consumer:
        yield Issue(
            format_location(prefix),
            f"provider and consumer are both '{edge.provider}'; a node cannot be its own provider",
        )
    for control in edge.responsibility:
        if control not in catalog:
            yield Issue(
                format_location((*prefix, "responsibility", control)), unknown_control_message(control, catalog)
            )


def cross_check(document: ChainDocument, catalog: Catalog) -> list[Issue]:
    """Problems between the document's parts: whole columns are checked with set operations first,
    and only a document that fails them is walked item by item to name each place."""
    return [] if columns_clean(document, catalog) else cross_check_each(document, catalog)


def columns_clean(
    document: ChainDocument,
    catalog: Catalog,
    *,
    edges_checked: bool = False,
    declarations_unique: bool = False,
    named: set[str] | None = None,
) -> bool:
    """Whether the document's parts agree, checked over whole columns with set operations.

    ``edges_checked``: the caller has checked every edge (none twice, both ends nodes, no
    self-loop), so ``document.edges`` may be only those with more than the two ends, whose
    overrides are still checked here. ``declarations_unique``: the caller has checked that no node
    declares a control twice. ``named``: every control id the document names
    (``distinct_control_ids``), when the caller has it already.
    """
    known = set(catalog.ids)
    # The walks over every declaration are map chains of C functions, not generators: at a large
    # chain's millions of declarations they were most of this check's time.
    id_set = set(map(_ID, document.nodes))
    per_node = list(map(_DECLARATIONS, document.nodes))
    declarations = list(itertools.chain.from_iterable(per_node))
    if named is not None and declarations_unique:
        # A superset of the declared ids (overrides and ``controls`` too), all of which must be known anyway.
        nodes_clean = len(id_set) == len(per_node) and known.issuperset(named)
    else:
        controls = list(map(_CONTROL, declarations))
        owners = itertools.chain.from_iterable(map(itertools.repeat, range(len(per_node)), map(len, per_node)))
        nodes_clean = (
            len(id_set) == len(per_node)
            and known.issuperset(controls)
            and (declarations_unique or len(set(zip(owners, controls))) == len(controls))  # no control twice in a node
        )
    overridden = {control for edge in document.edges if edge.responsibility for control in edge.responsibility}
    edges_clean = overridden.issubset(known) and (edges_checked or _edges_clean(document.edges, id_set))
    return (
        nodes_clean
        and edges_clean
        and scopes_clean(declarations, catalog)
        and known.issuperset(document.controls or ())
    )


def scopes_clean(declarations: Iterable[Declaration], catalog: Catalog) -> bool:
    """Whether every scope entry of the declarations' evidence names something in the catalog."""
    evidence = itertools.chain.from_iterable(map(_EVIDENCE, declarations))
    scopes = set(itertools.chain.from_iterable(filter(None, map(_SCOPE, evidence))))
    return all(catalog.covers_any(entry) for entry in scopes)


def _edges_clean(edges: Collection[Edge], id_set: set[str]) -> bool:
    """No edge twice, every end a node, no self-loop."""
    unique = dict.fromkeys((edge.provider, edge.consumer) for edge in edges)
    first, second = operator.itemgetter(0), operator.itemgetter(1)
    return (
        len(unique) == len(edges)
        and id_set.issuperset(map(first, unique))
        and id_set.issuperset(map(second, unique))
        and not any(map(operator.eq, map(first, unique), map(second, unique)))
    )


def cross_check_each(document: ChainDocument, catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    first_index: dict[str, int] = {}
    for i, node in enumerate(document.nodes):
        if node.id in first_index:
            issues.append(
                Issue(
                    format_location(("nodes", i, "id")),
                    f"'{node.id}' is already the id of nodes[{first_index[node.id]}]; node ids must be unique",
                )
            )
        first_index.setdefault(node.id, i)
        issues.extend(declaration_issues(node, ("nodes", i), catalog))
    seen_edges: dict[tuple[str, str], int] = {}
    node_ids = set(first_index)
    for i, edge in enumerate(document.edges):
        issues.extend(edge_issues(edge, ("edges", i), node_ids, catalog))
        pair = (edge.provider, edge.consumer)
        if pair in seen_edges:
            issues.append(
                Issue(
                    format_location(("edges", i)),
                    f"{pair[0]} -> {pair[1]} repeats edges[{seen_edges[pair]}]; merge them into one edge",
                )
            )
        seen_edges.setdefault(pair, i)
    for i, control in enumerate(document.controls or []):
        if control not in catalog:
            issues.append(Issue(format_location(("controls", i)), unknown_control_message(control, catalog)))
    return issues


_ID, _DECLARATIONS, _CONTROL = (
    operator.attrgetter("id"),
    operator.attrgetter("declarations"),
    operator.attrgetter("control"),
)
_EVIDENCE, _SCOPE = operator.attrgetter("evidence"), operator.attrgetter("scope")
