"""The chain model: a cloud supply chain as a ``networkx.DiGraph``, loaded from ``obligraph/chain@1``.

An edge ``u -> v`` means the consumer ``v`` uses the provider ``u``'s service. Node attributes are
``name``, ``layer``, ``org``, ``description`` and ``declarations`` (control id -> ``Declaration``);
edge attributes are ``responsibility`` (control id -> ``Responsibility``), ``criticality`` and ``notes``.

>>> chain = Chain.from_dict({
...     "format": "obligraph/chain@1", "name": "demo",
...     "nodes": [{"id": "acme", "layer": "iaas"}, {"id": "hr", "layer": "saas"}],
...     "edges": [{"provider": "acme", "consumer": "hr"}]})
>>> list(chain.graph.edges)
[('acme', 'hr')]
>>> Chain.from_dict(chain.to_dict()).to_dict() == chain.to_dict()
True
"""

from __future__ import annotations

import difflib
import itertools
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Iterable, Iterator, Mapping, TypeVar

import networkx as nx
from pydantic import BaseModel, ValidationError

from obligraph.graph.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from obligraph.graph.collector import collector_paused
from obligraph.graph.control_ids import expand_control_ids, expand_edge, expand_node
from obligraph.graph.crosswalk import ControlIdError, is_typed, resolve_control_id, unknown_control_message
from obligraph.graph.document import read_document, write_document
from obligraph.graph.errors import ChainError, Issue, Location, format_location
from obligraph.graph.lattice import Layer, Responsibility, Status
from obligraph.graph.schema import CHAIN_FORMAT, ChainDocument, Declaration, Edge, Node

if TYPE_CHECKING:
    from obligraph.graph.compiled import CompiledChain

#: Edits remembered by ``changes_since``; an analysis older than this many edits is recomputed whole.
JOURNAL_LENGTH = 64
# Revisions are numbered across all chains, so a revision names one state even after ``fork``:
# two forks of one chain that are edited differently never reach the same number.
_revisions = itertools.count(1)


_Model = TypeVar("_Model", bound=BaseModel)


class Chain:
    """A supply chain: nodes (providers and customers), edges (who uses whom) and declarations."""

    def __init__(
        self,
        name: str,
        *,
        catalog: str | Catalog = DEFAULT_CATALOG,
        requirement: Status | str | None = None,
        controls: Iterable[str] | None = None,
        description: str | None = None,
    ):
        self.name = name
        self.catalog = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
        self.requirement = Status(requirement) if requirement is not None else None
        self.controls = list(controls) if controls is not None else None
        self.description = description
        # Plain attribute dicts, not TypedDicts: networkx's stubs take only ``Graph[node]`` in their
        # algorithms and the attribute type is invariant. ``declarations()`` and ``layer()`` read them typed.
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self._edge_order: dict[tuple[str, str], None] = {}
        self.revision = next(_revisions)
        #: Shared by a chain and its forks: an analysis of one may lend results to another (see ``changes_since``).
        self.lineage = object()
        self._compiled: CompiledChain | None = None
        # (revision before an edit, revision after it, the controls whose declarations it changed, or
        # None for any other edit)
        self._journal: deque[tuple[int, int, frozenset[str] | None]] = deque(maxlen=JOURNAL_LENGTH)

    # -- loading and saving -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], *, source: str | None = None) -> "Chain":
        """Validate a chain@1 document and build the chain; raise ``ChainError`` naming every problem."""
        with collector_paused():
            return cls._from_dict(document, source=source)

    @classmethod
    def _from_dict(cls, document: Mapping[str, Any], *, source: str | None) -> "Chain":
        parsed = validate_document(document, source=source)
        try:
            catalog = load_catalog(parsed.catalog)
        except ChainError as exc:
            exc.source = source
            raise
        parsed, issues = expand_control_ids(parsed, catalog)  # typed ids (27002:2013/A.12.3.1) -> catalog ids
        issues += _cross_check(parsed, catalog)
        if issues:
            raise ChainError(issues, source=source)
        chain = cls(
            parsed.name,
            catalog=catalog,
            requirement=parsed.requirement,
            controls=parsed.controls,
            description=parsed.description,
        )
        chain.graph.add_nodes_from((node.id, _node_attributes(node)) for node in parsed.nodes)
        chain.graph.add_edges_from((edge.provider, edge.consumer, _edge_attributes(edge)) for edge in parsed.edges)
        chain._edge_order = dict.fromkeys((edge.provider, edge.consumer) for edge in parsed.edges)
        return chain

    @classmethod
    def load(cls, path: str | Path) -> "Chain":
        """Load a chain from a ``.json``, ``.yaml`` or ``.yml`` file."""
        path = Path(path)
        return cls.from_dict(read_document(path), source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """The chain as an ``obligraph/chain@1`` document; ``Chain.from_dict`` reads it back unchanged."""
        document = self.head_document()
        document["nodes"] = list(self.node_documents())
        document["edges"] = list(self.edge_documents())
        return document

    def head_document(self) -> dict[str, Any]:
        """The chain document without nodes and edges, key for key as ``to_dict`` writes it."""
        document: dict[str, Any] = {"format": CHAIN_FORMAT, "name": self.name}
        if self.description is not None:
            document["description"] = self.description
        document["catalog"] = self.catalog.id
        if self.requirement is not None:
            document["requirement"] = self.requirement.value
        if self.controls is not None:
            document["controls"] = list(self.controls)
        return document

    def node_documents(self) -> Iterator[dict[str, Any]]:
        """Nodes as ``to_dict`` lists them, produced one at a time (so writers can stream)."""
        for node_id in self.graph.nodes:
            yield _dump(self.node(node_id))

    def edge_documents(self) -> Iterator[dict[str, Any]]:
        """Edges in document order, as ``to_dict`` lists them.

        Built from the graph attributes directly, in ``_dump``'s key order, rather than through a
        pydantic ``Edge`` per edge: edges outnumber nodes five to one and that round trip dominated
        export time. The lossless tests hold this to the ``Edge`` model's dump.
        """
        edges = self.graph.edges
        for u, v in self._edge_order:
            attrs = edges[u, v]
            document: dict[str, Any] = {"provider": u, "consumer": v}
            if attrs["responsibility"]:
                document["responsibility"] = {control: r.value for control, r in attrs["responsibility"].items()}
            if attrs["criticality"] is not None:
                document["criticality"] = attrs["criticality"].value
            if attrs["notes"] is not None:
                document["notes"] = attrs["notes"]
            yield document

    def dump(self, path: str | Path) -> None:
        """Write the chain document; JSON or YAML by the file's extension."""
        write_document(self.to_dict(), Path(path))

    # -- reading --------------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        attrs = self.graph.nodes[node_id]
        return Node.model_construct(
            id=node_id,
            name=attrs["name"],
            layer=attrs["layer"],
            org=attrs["org"],
            description=attrs["description"],
            declarations=list(attrs["declarations"].values()),
        )

    def edge(self, provider: str, consumer: str) -> Edge:
        attrs = self.graph.edges[provider, consumer]
        return Edge.model_construct(
            provider=provider,
            consumer=consumer,
            responsibility=dict(attrs["responsibility"]),
            criticality=attrs["criticality"],
            notes=attrs["notes"],
        )

    def declarations(self, node_id: str) -> dict[str, Declaration]:
        declarations: dict[str, Declaration] = self.graph.nodes[node_id]["declarations"]
        return declarations

    def layer(self, node_id: str) -> Layer:
        layer: Layer = self.graph.nodes[node_id]["layer"]
        return layer

    def edges(self) -> list[tuple[str, str]]:
        """Edges in document order."""
        return list(self._edge_order)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.graph

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def responsibility(self, provider: str, consumer: str, control: str) -> Responsibility:
        """r(u, v, c): the edge override, else the provider's ``assigns``, else the catalog default."""
        override: Responsibility | None = self.graph.edges[provider, consumer]["responsibility"].get(control)
        if override is not None:
            return override
        declaration: Declaration | None = self.graph.nodes[provider]["declarations"].get(control)
        if declaration is not None and declaration.assigns is not None:
            return declaration.assigns
        return self.catalog.default_responsibility(self.layer(provider), control)

    def analysed_controls(
        self, controls: Iterable[str] | None = None, *, cloud_guidance_only: bool = False
    ) -> list[str]:
        """The controls an analysis covers: the argument, else the document's list, else every control
        of the catalog; with ``cloud_guidance_only``, only those of them the catalog gives cloud guidance for."""
        if controls is None:
            controls = self.controls if self.controls is not None else self.catalog.ids
        chosen: dict[str, None] = {}
        for control in controls:
            try:
                chosen.update(dict.fromkeys(resolve_control_id(control, self.catalog)))
            except ControlIdError as exc:
                raise ChainError.at(("controls",), str(exc)) from None
        if cloud_guidance_only:
            return [c for c in chosen if self.catalog[c].cloud_guidance]
        return list(chosen)

    # -- editing --------------------------------------------------------------------------------

    def add_node(self, node: Node | Mapping[str, Any]) -> None:
        node, issues = expand_node(_validated(Node, node, ("node",)), self.catalog, ("node",))
        if node.id in self.graph:
            raise ChainError.at(("node", "id"), f"'{node.id}' already exists; node ids must be unique")
        issues += _declaration_issues(node, ("node",), self.catalog)
        if issues:
            raise ChainError(issues)
        self._put_node(node)
        self.touch()

    def update_node(self, node: Node | Mapping[str, Any]) -> None:
        """Replace a node's attributes and declarations, keeping its edges."""
        node, issues = expand_node(_validated(Node, node, ("node",)), self.catalog, ("node",))
        self._require_node(node.id)
        issues += _declaration_issues(node, ("node",), self.catalog)
        if issues:
            raise ChainError(issues)
        before = self.graph.nodes[node.id]
        same_layer, declarations = before["layer"] is node.layer, dict(before["declarations"])
        self._put_node(node)
        if same_layer:
            self._declarations_changed(node.id, declarations)
        else:
            self.touch()

    def remove_node(self, node_id: str) -> None:
        self._require_node(node_id)
        for pair in list(self.graph.in_edges(node_id)) + list(self.graph.out_edges(node_id)):
            self._edge_order.pop(pair, None)
        self.graph.remove_node(node_id)
        self.touch()

    def add_edge(self, edge: Edge | Mapping[str, Any]) -> None:
        edge, issues = expand_edge(_validated(Edge, edge, ("edge",)), self.catalog, ("edge",))
        issues += _edge_issues(edge, ("edge",), set(self.graph.nodes), self.catalog)
        if (edge.provider, edge.consumer) in self._edge_order:
            issues.append(
                Issue("edge", f"{edge.provider} -> {edge.consumer} already exists; update it instead of adding it")
            )
        if issues:
            raise ChainError(issues)
        self._put_edge(edge)
        self.touch()

    def update_edge(self, edge: Edge | Mapping[str, Any]) -> None:
        edge, issues = expand_edge(_validated(Edge, edge, ("edge",)), self.catalog, ("edge",))
        if (edge.provider, edge.consumer) not in self._edge_order:
            raise ChainError.at(("edge",), f"there is no edge {edge.provider} -> {edge.consumer}")
        issues += _edge_issues(edge, ("edge",), set(self.graph.nodes), self.catalog)
        if issues:
            raise ChainError(issues)
        self._put_edge(edge)
        self.touch()

    def remove_edge(self, provider: str, consumer: str) -> None:
        if (provider, consumer) not in self._edge_order:
            raise ChainError.at(("edge",), f"there is no edge {provider} -> {consumer}")
        del self._edge_order[provider, consumer]
        self.graph.remove_edge(provider, consumer)
        self.touch()

    def declare(self, node_id: str, declaration: Declaration | Mapping[str, Any]) -> None:
        """Add or replace the node's declaration for one control (a typed id: for each control it maps to)."""
        self._require_node(node_id)
        declaration = _validated(Declaration, declaration, ("declaration",))
        try:
            controls = resolve_control_id(declaration.control, self.catalog)
        except ControlIdError as exc:
            raise ChainError.at(("declaration", "control"), str(exc)) from None
        issues = list(_scope_issues(declaration, ("declaration",), self.catalog))
        if issues:
            raise ChainError(issues)
        before = self.graph.nodes[node_id]["declarations"]
        declarations = dict(before)
        for control in controls:
            same = control == declaration.control
            declarations[control] = declaration if same else declaration.model_copy(update={"control": control})
        self._set_declarations(node_id, declarations)
        self._declarations_changed(node_id, before)

    def undeclare(self, node_id: str, control: str) -> None:
        """Remove the node's declaration for one control (a typed id: for each control it maps to)."""
        self._require_node(node_id)
        before = self.graph.nodes[node_id]["declarations"]
        declarations = dict(before)
        controls = [control]
        if is_typed(control):
            try:
                controls = list(resolve_control_id(control, self.catalog))
            except ControlIdError as exc:
                raise ChainError.at(("declaration", "control"), str(exc)) from None
        missing = [c for c in controls if c not in declarations]
        if missing:
            raise ChainError.at(("declaration",), f"'{node_id}' has no declaration for control '{missing[0]}'")
        for c in controls:
            del declarations[c]
        self._set_declarations(node_id, declarations)
        self._declarations_changed(node_id, before)

    def touch(self) -> None:
        """Mark the chain changed (call after editing ``graph`` directly) so cached arrays are rebuilt."""
        self._step(None)
        self._compiled = None

    def _step(self, controls: frozenset[str] | None) -> None:
        before, self.revision = self.revision, next(_revisions)
        self._journal.append((before, self.revision, controls))

    def changes_since(self, revision: int) -> frozenset[str] | None:
        """The controls whose declarations changed after ``revision``, when that is all that changed.

        None when some other edit happened (nodes, edges, layers, a direct ``touch``) or when the
        journal no longer reaches back that far: then everything must be recomputed.

        ``revision`` may be one this chain had or one of the chain it was forked from (an analysis
        of that chain then lends its results to this one); None too for any other revision.

        >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
        ...     "nodes": [{"id": "hr", "layer": "saas"}]})
        >>> start = chain.revision
        >>> chain.declare("hr", {"control": "10.5.1", "status": "declared"})
        >>> sorted(chain.changes_since(start))
        ['10.5.1']
        >>> chain.add_node({"id": "crm", "layer": "saas"})
        >>> chain.changes_since(start) is None
        True
        """
        changed: set[str] = set()
        reached = self.revision
        for before, after, controls in reversed(self._journal):
            if reached == revision:
                break
            if after != reached or controls is None:
                return None
            changed |= controls
            reached = before
        return frozenset(changed) if reached == revision else None

    def _declarations_changed(self, node_id: str, before: Mapping[str, Declaration]) -> None:
        """Record an edit of one node's declarations and patch the compiled arrays instead of dropping them."""
        after = self.graph.nodes[node_id]["declarations"]
        changed = frozenset(c for c in before.keys() | after.keys() if before.get(c) != after.get(c))
        self._step(changed)
        if self._compiled is not None and changed:
            index = self._compiled.node_index[node_id]
            self._compiled = self._compiled.with_declarations(index, after, self.catalog.index)

    def copy(self) -> "Chain":
        other = Chain(
            self.name,
            catalog=self.catalog,
            requirement=self.requirement,
            controls=self.controls,
            description=self.description,
        )
        for node_id, attrs in self.graph.nodes(data=True):
            other.graph.add_node(node_id, **{**attrs, "declarations": dict(attrs["declarations"])})
        for u, v in self._edge_order:
            attrs = self.graph.edges[u, v]
            other.graph.add_edge(u, v, **{**attrs, "responsibility": dict(attrs["responsibility"])})
            other._edge_order[u, v] = None
        return other

    def fork(self) -> "Chain":
        """A copy to edit while others keep reading this chain; cheap, for the service's copy on write.

        Unlike ``copy``, it shares what edits never change in place: node and edge attribute
        dicts and declaration dicts (the edit methods replace them), the compiled arrays (patched
        copy on write) and the catalog; it copies only the adjacency dicts, one per node. It keeps
        the revision, the edit journal and the lineage, so an analysis of this chain lends its
        results to the fork's next analysis after declaration edits.
        """
        other = Chain.__new__(Chain)
        other.__dict__.update(self.__dict__)
        other._edge_order = dict(self._edge_order)
        other._journal = deque(self._journal, maxlen=JOURNAL_LENGTH)
        other.controls = list(self.controls) if self.controls is not None else None
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.graph.update(self.graph.graph)
        source, target = _internals(self.graph), _internals(graph)
        target._node = dict(source._node)
        target._adj = {node: dict(successors) for node, successors in source._succ.items()}
        target._pred = {node: dict(predecessors) for node, predecessors in source._pred.items()}
        other.graph = graph
        return other

    def compiled(self) -> CompiledChain:
        """The chain as arrays for the vectorised engine (cached until the chain changes)."""
        if self._compiled is None:
            from obligraph.graph.compiled import compile_chain

            with collector_paused():  # compiling walks every node and edge: same reason as in from_dict
                self._compiled = compile_chain(self)
        return self._compiled

    # -- internals ------------------------------------------------------------------------------

    def _require_node(self, node_id: str) -> None:
        if node_id not in self.graph:
            raise ChainError.at(("node",), f"there is no node '{node_id}'")

    # Attribute dicts may be shared with forks (see ``fork``): an edit replaces them, never updates them.

    def _put_node(self, node: Node) -> None:
        if node.id in self.graph:
            _internals(self.graph)._node[node.id] = _node_attributes(node)
            _clear_networkx_cache(self.graph)
        else:
            self.graph.add_node(node.id, **_node_attributes(node))

    def _set_declarations(self, node_id: str, declarations: dict[str, Declaration]) -> None:
        nodes = _internals(self.graph)._node
        nodes[node_id] = {**nodes[node_id], "declarations": declarations}
        _clear_networkx_cache(self.graph)

    def _put_edge(self, edge: Edge) -> None:
        u, v = edge.provider, edge.consumer
        if self.graph.has_edge(u, v):
            inner = _internals(self.graph)
            inner._succ[u][v] = inner._pred[v][u] = _edge_attributes(edge)
            _clear_networkx_cache(self.graph)
        else:
            self.graph.add_edge(u, v, **_edge_attributes(edge))
        self._edge_order[u, v] = None


def _internals(graph: nx.DiGraph[str]) -> Any:
    """The graph with networkx's own dicts in reach (``_node``, ``_succ``/``_adj``, ``_pred``; the
    stubs leave them out). Assigning ``_adj`` or ``_pred`` goes through networkx's descriptors,
    which reset its cached views."""
    return graph


def _clear_networkx_cache(graph: nx.DiGraph[str]) -> None:
    """What networkx's own edit methods do: forget graphs converted for other backends."""
    cache = getattr(graph, "__networkx_cache__", None)
    if cache:
        cache.clear()


def _node_attributes(node: Node) -> dict[str, Any]:
    return {
        "name": node.name,
        "layer": node.layer,
        "org": node.org,
        "description": node.description,
        "declarations": {d.control: d for d in node.declarations},
    }


def _edge_attributes(edge: Edge) -> dict[str, Any]:
    return {"responsibility": dict(edge.responsibility), "criticality": edge.criticality, "notes": edge.notes}


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


def _dump(model: Node | Edge) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_none=True)
    if isinstance(model, Node):
        for declaration in data.get("declarations", []):
            if not declaration.get("evidence"):
                declaration.pop("evidence", None)
        if not data.get("declarations"):
            data.pop("declarations", None)
    elif not data.get("responsibility"):
        data.pop("responsibility", None)
    return data


def _validated(model: type[_Model], value: _Model | Mapping[str, Any], prefix: Location) -> _Model:
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise ChainError.from_validation(exc, prefix=prefix, model=model) from None


def _declaration_issues(node: Node, prefix: Location, catalog: Catalog) -> Iterable[Issue]:
    seen: dict[str, int] = {}
    for j, declaration in enumerate(node.declarations):
        place = (*prefix, "declarations", j)
        if declaration.control not in catalog:
            yield Issue(format_location((*place, "control")), unknown_control_message(declaration.control, catalog))
        yield from _scope_issues(declaration, place, catalog)
        if declaration.control in seen:
            yield Issue(
                format_location((*place, "control")),
                f"'{declaration.control}' is already declared at declarations[{seen[declaration.control]}];"
                " keep one declaration per control",
            )
        seen.setdefault(declaration.control, j)


def _scope_issues(declaration: Declaration, place: Location, catalog: Catalog) -> Iterable[Issue]:
    for e, item in enumerate(declaration.evidence):
        for k, entry in enumerate(item.scope or ()):
            if not catalog.covers_any(entry):
                yield Issue(
                    format_location((*place, "evidence", e, "scope", k)),
                    f"'{entry}' is neither a control id nor a clause or objective prefix of catalog"
                    f" '{catalog.id}' (write ids like '{catalog.ids[0]}' or prefixes like"
                    f" '{catalog.controls[0].clause}')",
                )


def _edge_issues(edge: Edge, prefix: Location, node_ids: Collection[str], catalog: Catalog) -> Iterable[Issue]:
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


def _cross_check(document: ChainDocument, catalog: Catalog) -> list[Issue]:
    """Problems between the document's parts: whole columns are checked with set operations first,
    and only a document that fails them is walked item by item to name each place."""
    known = set(catalog.ids)
    node_ids = [node.id for node in document.nodes]
    id_set = set(node_ids)
    nodes_clean = len(id_set) == len(node_ids) and all(
        _declarations_clean([d.control for d in node.declarations], known) for node in document.nodes
    )
    pairs = [(edge.provider, edge.consumer) for edge in document.edges]
    endpoints = {end for pair in pairs for end in pair}
    overridden = {control for edge in document.edges if edge.responsibility for control in edge.responsibility}
    edges_clean = (
        endpoints.issubset(id_set)
        and len(set(pairs)) == len(pairs)
        and all(u != v for u, v in pairs)
        and overridden.issubset(known)
    )
    scopes = {
        entry
        for node in document.nodes
        for declaration in node.declarations
        for item in declaration.evidence
        for entry in item.scope or ()
    }
    scopes_clean = all(catalog.covers_any(entry) for entry in scopes)
    if nodes_clean and edges_clean and scopes_clean and known.issuperset(document.controls or ()):
        return []
    return _cross_check_each(document, catalog)


def _declarations_clean(controls: list[str], known: set[str]) -> bool:
    return not controls or (len(set(controls)) == len(controls) and known.issuperset(controls))


def _cross_check_each(document: ChainDocument, catalog: Catalog) -> list[Issue]:
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
        issues.extend(_declaration_issues(node, ("nodes", i), catalog))
    seen_edges: dict[tuple[str, str], int] = {}
    node_ids = set(first_index)
    for i, edge in enumerate(document.edges):
        issues.extend(_edge_issues(edge, ("edges", i), node_ids, catalog))
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
