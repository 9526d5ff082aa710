"""The chain model: a cloud supply chain loaded from ``obligraph/chain@1``.

An edge ``u -> v`` means the consumer ``v`` uses the provider ``u``'s service. Node attributes are
``name``, ``layer``, ``org``, ``description`` and ``declarations`` (control id -> ``Declaration``);
edge attributes are ``responsibility`` (control id -> ``Responsibility``), ``criticality`` and ``notes``.

The chain keeps two plain dicts: node id -> attributes, and (provider, consumer) -> attributes in
document order. Loading, compiling for the engine and writing the document read those alone; the
``networkx.DiGraph`` in ``graph`` is built from them the first time an algorithm or a format asks for
it (it shares their attribute dicts, so it costs only the adjacency) and is kept in step by every edit.

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

import itertools
import operator
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Literal, Mapping, NamedTuple, cast

import msgspec
from pydantic import ValidationError

from obligraph.graph.catalog import DEFAULT_CATALOG, Catalog, load_catalog
from obligraph.graph.collector import collector_paused
from obligraph.graph.control_ids import distinct_control_ids, expand_control_ids, expand_edge, expand_node
from obligraph.graph.crosswalk import ControlIdError, is_typed, resolve_control_id
from obligraph.graph.document import (
    JsonParts,
    decoded_batches,
    list_items,
    parse_document,
    read_document_text,
    split_json,
    write_document,
)
from obligraph.graph.document_checks import (
    DOCUMENT_LIMITS,
    EDGE_LIST,
    NODE_LIST,
    columns_clean,
    cross_check,
    declaration_issues,
    edge_issues,
    parsed_with_catalog,
    scope_issues,
    scopes_clean,
    split_plain_edges,
    validated,
    validated_declaration,
    with_shared_declarations,
)
from obligraph.graph.errors import ChainError, Issue
from obligraph.graph.lattice import Layer, Responsibility, Status
from obligraph.graph.schema import CHAIN_FORMAT, ChainDocument, Declaration, Edge, Evidence, Node

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    from numpy.typing import NDArray

    from obligraph.graph.compiled import CompiledChain

#: Edits remembered by ``changes_since``; an analysis older than this many edits is recomputed whole.
JOURNAL_LENGTH = 64
#: What the journal records for an added node or edge.
APPENDED: Literal["appended"] = "appended"


class Edits(NamedTuple):
    """Edits since a revision that keep the chain's nodes and edges before them (``Chain.edits_since``)."""

    controls: frozenset[str]  # controls whose declarations changed
    appended: bool  # nodes or edges were added


# Revisions are numbered across all chains, so a revision names one state even after ``fork``:
# two forks of one chain that are edited differently never reach the same number.
_revisions = itertools.count(1)


#: The attributes of every edge that has no overrides, criticality or notes, shared: attribute dicts
#: are never changed in place (an edit replaces the edge's dict), and one dict per edge was a fifth
#: of a large chain's loading time.
_PLAIN_EDGE: dict[str, Any] = {"responsibility": {}, "criticality": None, "notes": None}
_ID, _CONTROL, _DECLARATIONS = (
    operator.attrgetter("id"),
    operator.attrgetter("control"),
    operator.attrgetter("declarations"),
)


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
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], dict[str, Any]] = {}
        self._graph: nx.DiGraph[str] | None = None
        self.revision = next(_revisions)
        #: Shared by a chain and its forks: an analysis of one may lend results to another (see ``changes_since``).
        self.lineage = object()
        self._compiled: CompiledChain | None = None
        # (revision, provider rows, consumer rows) of the edges as loaded by ``from_dict``: compiling
        # takes them while the revision is still that one (see ``loaded_edge_ends``).
        self._loaded_ends: tuple[int, NDArray[np.int64], NDArray[np.int64]] | None = None
        # (revision before an edit, revision after it, the controls whose declarations it changed, or
        # None for any other edit); APPENDED for an added node or edge
        self._journal: deque[tuple[int, int, frozenset[str] | Literal["appended"] | None]] = deque(
            maxlen=JOURNAL_LENGTH
        )

    # -- loading and saving -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], *, source: str | None = None, consume: bool = False) -> "Chain":
        """Validate a chain@1 document and build the chain; raise ``ChainError`` naming every problem.

        ``consume``: the caller drops the document afterwards, so it may be changed in place (its
        plain declarations are swapped for the shared models), which spares a copy of every node.
        """
        with collector_paused():
            return cls._from_dict(document, source=source, consume=consume)

    @classmethod
    def from_json(cls, data: str | bytes, *, source: str | None = None) -> "Chain":
        """Validate a chain@1 document given as JSON text and build the chain, as
        ``from_dict(parse_document(data, "json"))`` would, with the same messages, in a fraction of
        the memory (``from_json_parts``).

        >>> Chain.from_json('{"format": "obligraph/chain@1", "name": "demo", "nodes": [{"id": "a", "layer": "saas"}]}').node_ids()
        ['a']
        """
        parts = split_json(data)
        chain = cls.from_json_parts(parts) if parts is not None else None
        if chain is not None:
            return chain
        return cls.from_dict(parse_document(data, "json", source=source), source=source, consume=True)

    @classmethod
    def from_json_parts(cls, parts: JsonParts, *, on_count: Callable[[str, int], None] | None = None) -> "Chain | None":
        """The chain of a valid document split by ``split_json``; None when the document is not valid,
        or not shaped for this path: parse it whole then and give it to ``from_dict``, whose messages
        name every problem's place.

        The nodes are decoded and checked a couple of thousand at a time, then the edges, so that a
        large document's items are never all alive as Python objects at once: each batch reuses the
        memory the one before it freed (at 100k nodes the whole document's objects take 500 MB).
        ``on_count(key, n)`` hears how many items ``nodes`` and then ``edges`` hold before any of them
        is checked, for a cap on their size, say; what it raises goes to the caller.
        """

        def batches(key: str, raw: msgspec.Raw | None) -> Iterator[list[Any]]:
            items = list_items(raw) if raw is not None else []
            if on_count is not None:
                on_count(key, len(items))
            return decoded_batches(items)

        with collector_paused():
            try:
                return cls._from_columns(
                    parts.head, batches("nodes", parts.nodes), lambda: batches("edges", parts.edges), consume=True
                )
            except msgspec.DecodeError:  # a list that is none, a number out of range, text that is not UTF-8
                return None

    @classmethod
    def _from_dict(cls, document: Mapping[str, Any], *, source: str | None, consume: bool = False) -> "Chain":
        if isinstance(document, Mapping):
            nodes, edges = document.get("nodes", []), document.get("edges", [])
            chain = cls._from_columns(document, [nodes], lambda: [edges], consume=consume)
            if chain is not None:
                return chain
        # The document is malformed somewhere, or shaped unusually: validate every part as a model,
        # so that every message names its place (the quick path above would have wrong edge indices).
        parsed, catalog = parsed_with_catalog(document, source)
        parsed, issues = expand_control_ids(parsed, catalog)  # typed ids (27002:2013/A.12.3.1) -> catalog ids
        issues += cross_check(parsed, catalog)
        if issues:
            raise ChainError(issues, source=source)
        chain = cls._empty_like(parsed, catalog)
        chain._nodes = {node.id: _node_attributes(node) for node in parsed.nodes}
        chain._edges = {(edge.provider, edge.consumer): _edge_attributes(edge) for edge in parsed.edges}
        return chain

    @classmethod
    def _from_columns(
        cls,
        head: Mapping[str, Any],
        node_batches: Iterable[Any],
        edge_batches: Callable[[], Iterable[Any]],
        *,
        consume: bool,
    ) -> "Chain | None":
        """The chain, when the document is valid, with its plain edges (provider and consumer only, nine
        in ten of a large chain's) checked as two columns of node ids instead of one pydantic model each.

        ``head``: the document's other members (its own ``nodes`` and ``edges`` are not read); the
        nodes come in batches (lists), all of them checked before the edges' batches are asked for,
        and each batch is let go once checked.

        A plain edge's endpoints must be ids of the document's nodes, which the node model has
        already held to the node-id pattern, so the column checks are the whole of its validation.
        The other edges are validated as models. None when anything is wrong: the caller then
        validates the whole document again, item by item, for the messages.
        """
        try:
            parsed, catalog = parsed_with_catalog({**head, "nodes": [], "edges": []}, None)
        except ChainError:
            return None
        nodes: dict[str, dict[str, Any]] = {}
        listed = count = 0  # declarations listed, nodes listed
        shared: dict[tuple[Any, Any], Declaration | None] = {}
        try:
            for batch in node_batches:
                models = NODE_LIST.validate_python(with_shared_declarations(batch, in_place=consume, shared=shared))
                batch = None  # this batch's JSON objects go before the next one's come
                declared = list(itertools.chain.from_iterable(map(_DECLARATIONS, models)))
                if any(map(is_typed, set(map(_CONTROL, declared)))):
                    expanded = [expand_node(node, catalog, ("nodes",)) for node in models]
                    if any(issues for _, issues in expanded):
                        return None
                    models = [node for node, _ in expanded]
                    declared = list(itertools.chain.from_iterable(map(_DECLARATIONS, models)))
                # The nodes' attributes are made batch by batch, and the batch's models let go, so
                # that the next batch reuses their memory (held until the end, they left holes).
                nodes.update(zip(map(_ID, models), map(_node_attributes, models)))
                listed += len(declared)
                count += len(models)
                models = declared = []
        except ValidationError:
            return None
        node_ids = list(nodes)
        node_index = dict(zip(node_ids, range(len(node_ids))))
        if len(node_ids) != count or count > DOCUMENT_LIMITS["nodes"]:  # a node id repeated; too many
            return None
        # Each end as its node's row number checks that the end is a node, and compiling the chain
        # takes the numbers instead of looking every end up again (a third of compiling's time).
        from obligraph.graph.compiled import edge_ends

        rich_edges: list[Edge] = []
        ends: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []
        count = 0
        try:
            for batch in edge_batches():
                split = split_plain_edges(batch)
                if split is None:
                    return None
                pairs, rich = split
                for i, edge in zip(rich, EDGE_LIST.validate_python([batch[i] for i in rich]), strict=True):
                    pairs[i] = (edge.provider, edge.consumer)
                    rich_edges.append(edge)
                ends.append(edge_ends(node_index, cast("list[tuple[str, str]]", pairs)))
                count += len(pairs)
                batch = None
        except ValidationError:
            return None
        except (KeyError, TypeError):  # an end that is no node's id, or not a string
            return None
        if count > DOCUMENT_LIMITS["edges"]:
            return None
        import numpy as np

        providers = np.concatenate([p for p, _ in ends]) if ends else np.zeros(0, dtype=np.int64)
        consumers = np.concatenate([c for _, c in ends]) if ends else np.zeros(0, dtype=np.int64)
        ends = []
        parsed = parsed.model_copy(update={"edges": rich_edges})  # its nodes are in ``nodes`` already
        parsed, issues = expand_control_ids(parsed, catalog)
        if issues:
            return None
        declarations = list(
            itertools.chain.from_iterable(map(dict.values, map(operator.itemgetter("declarations"), nodes.values())))
        )
        named = distinct_control_ids(parsed) | set(map(_CONTROL, declarations))
        # Each node's declarations went into a dict by control: no control twice in a node if the
        # dicts hold as many as the lists did.
        unique = len(declarations) == listed
        # Keyed by the nodes' own id strings rather than the edges' copies of them, so that no edge
        # keeps a string of the document alive (and with it the memory around it).
        id_column = np.array(node_ids, dtype=object)
        edges = dict.fromkeys(zip(id_column[providers].tolist(), id_column[consumers].tolist()), _PLAIN_EDGE)
        del id_column
        if len(edges) != count:  # an edge repeated
            return None
        if not unique or (providers == consumers).any():  # a control declared twice in a node; a self-loop
            return None
        if not scopes_clean(declarations, catalog):
            return None
        if not columns_clean(parsed, catalog, edges_checked=True, declarations_unique=True, named=named):
            return None
        chain = cls._empty_like(parsed, catalog)
        chain._nodes = nodes
        chain._edges = edges
        for edge in parsed.edges:
            chain._edges[edge.provider, edge.consumer] = _edge_attributes(edge)
        chain._loaded_ends = (chain.revision, providers, consumers)
        return chain

    @classmethod
    def _empty_like(cls, parsed: ChainDocument, catalog: Catalog) -> "Chain":
        return cls(
            parsed.name,
            catalog=catalog,
            requirement=parsed.requirement,
            controls=parsed.controls,
            description=parsed.description,
        )

    @classmethod
    def load(cls, path: str | Path) -> "Chain":
        """Load a chain from a ``.json``, ``.yaml`` or ``.yml`` file."""
        path = Path(path)
        text, syntax = read_document_text(path)
        if syntax == "json":
            return cls.from_json(text, source=str(path))
        return cls.from_dict(parse_document(text, syntax, source=str(path)), source=str(path), consume=True)

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
        """Nodes as ``to_dict`` lists them, produced one at a time (so writers can stream).

        Built from the attributes in ``_dump``'s key order, like ``edge_documents``; a declaration
        without evidence (most of them, and shared between nodes) is written once and copied.
        tests/graph/test_chain_storage.py holds this to the ``Node`` model's dump.
        """
        # Keyed by identity: plain declarations are shared objects. ``held`` keeps each keyed object
        # alive so that its id stays its own.
        plain: dict[int, dict[str, Any]] = {}
        held: list[Declaration] = []
        for node_id, attrs in self._nodes.items():
            document: dict[str, Any] = {"id": node_id}
            if attrs["name"] is not None:
                document["name"] = attrs["name"]
            document["layer"] = attrs["layer"]._value_
            if attrs["org"] is not None:
                document["org"] = attrs["org"]
            if attrs["description"] is not None:
                document["description"] = attrs["description"]
            if attrs["declarations"]:
                items = []
                for declaration in attrs["declarations"].values():
                    dumped = plain.get(id(declaration))
                    if dumped is not None:
                        items.append(dumped.copy())
                    elif declaration.evidence:
                        items.append(declaration_document(declaration))
                    else:
                        dumped = plain[id(declaration)] = declaration_document(declaration)
                        held.append(declaration)
                        items.append(dumped.copy())
                document["declarations"] = items
            yield document

    def edge_documents(self) -> Iterator[dict[str, Any]]:
        """Edges in document order, as ``to_dict`` lists them.

        Built from the graph attributes directly, in ``_dump``'s key order, rather than through a
        pydantic ``Edge`` per edge: edges outnumber nodes five to one and that round trip dominated
        export time. The lossless tests hold this to the ``Edge`` model's dump.
        """
        for (u, v), attrs in self._edges.items():
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
        attrs = self._nodes[node_id]
        return Node.model_construct(
            id=node_id,
            name=attrs["name"],
            layer=attrs["layer"],
            org=attrs["org"],
            description=attrs["description"],
            declarations=list(attrs["declarations"].values()),
        )

    def edge(self, provider: str, consumer: str) -> Edge:
        attrs = self._edges[provider, consumer]
        return Edge.model_construct(
            provider=provider,
            consumer=consumer,
            responsibility=dict(attrs["responsibility"]),
            criticality=attrs["criticality"],
            notes=attrs["notes"],
        )

    def declarations(self, node_id: str) -> dict[str, Declaration]:
        declarations: dict[str, Declaration] = self._nodes[node_id]["declarations"]
        return declarations

    def layer(self, node_id: str) -> Layer:
        layer: Layer = self._nodes[node_id]["layer"]
        return layer

    def edges(self) -> list[tuple[str, str]]:
        """Edges in document order."""
        return list(self._edges)

    def node_ids(self) -> list[str]:
        """Node ids in document order (the graph's order too)."""
        return list(self._nodes)

    def node_attributes(self) -> Mapping[str, Mapping[str, Any]]:
        """Node id -> attribute dict, without building the graph. Read only: edits go through the methods."""
        return self._nodes

    def edge_attributes(self) -> Mapping[tuple[str, str], Mapping[str, Any]]:
        """(provider, consumer) -> attribute dict in document order, without building the graph. Read only."""
        return self._edges

    def loaded_edge_ends(self) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
        """Each edge's provider and consumer as row numbers in node order, as ``from_dict`` found them
        while checking the edges; None once a node or an edge was added or removed since (any edit, in
        fact: the revision tells)."""
        loaded = self._loaded_ends
        if loaded is None or loaded[0] != self.revision:
            return None
        return loaded[1], loaded[2]

    def edges_touching(
        self, nodes: Collection[str]
    ) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
        """Each of ``nodes``' incoming and outgoing edges, in edge order (the order the graph's
        predecessors and successors follow), read off the edge dict without building the graph."""
        incoming: dict[str, list[tuple[str, str]]] = {}
        outgoing: dict[str, list[tuple[str, str]]] = {}
        for pair in self._edges:
            if pair[1] in nodes:
                incoming.setdefault(pair[1], []).append(pair)
            if pair[0] in nodes:
                outgoing.setdefault(pair[0], []).append(pair)
        return incoming, outgoing

    def number_of_edges(self) -> int:
        return len(self._edges)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    @property
    def graph(self) -> nx.DiGraph[str]:
        """The chain as a ``networkx.DiGraph``, built on first use; edit it only through the chain's methods."""
        if self._graph is None:
            self._graph = _graph_of(self._nodes, self._edges)
        return self._graph

    def responsibility(self, provider: str, consumer: str, control: str) -> Responsibility:
        """r(u, v, c): the edge override, else the provider's ``assigns``, else the catalog default."""
        override: Responsibility | None = self._edges[provider, consumer]["responsibility"].get(control)
        if override is not None:
            return override
        declaration: Declaration | None = self._nodes[provider]["declarations"].get(control)
        if declaration is not None and declaration.assigns is not None:
            return declaration.assigns
        return self.catalog.default_responsibility(self.layer(provider), control)

    def analysed_controls(
        self, controls: Iterable[str] | None = None, *, cloud_guidance_only: bool = False
    ) -> list[str]:
        """The controls an analysis covers: the argument, else the document's list, else every control
        of the catalog; with ``cloud_guidance_only``, only those of them the catalog gives cloud guidance for."""
        requested = controls if controls is not None else self.controls
        chosen: dict[str, None] = {}
        if requested is None:  # the catalog's own ids, each once: nothing to resolve
            chosen = dict.fromkeys(self.catalog.ids)
        for control in requested or ():
            try:
                chosen.update(dict.fromkeys(resolve_control_id(control, self.catalog)))
            except ControlIdError as exc:
                raise ChainError.at(("controls",), str(exc)) from None
        if cloud_guidance_only:
            return [c for c in chosen if self.catalog[c].cloud_guidance]
        return list(chosen)

    # -- editing --------------------------------------------------------------------------------

    def add_node(self, node: Node | Mapping[str, Any]) -> None:
        node, issues = expand_node(validated(Node, node, ("node",)), self.catalog, ("node",))
        if node.id in self._nodes:
            raise ChainError.at(("node", "id"), f"'{node.id}' already exists; node ids must be unique")
        issues += declaration_issues(node, ("node",), self.catalog)
        if issues:
            raise ChainError(issues)
        self._put_node(node)
        self._step(APPENDED)  # the compiled arrays stay: ``compiled`` extends them by the new node

    def update_node(self, node: Node | Mapping[str, Any]) -> None:
        """Replace a node's attributes and declarations, keeping its edges."""
        node, issues = expand_node(validated(Node, node, ("node",)), self.catalog, ("node",))
        self._require_node(node.id)
        issues += declaration_issues(node, ("node",), self.catalog)
        if issues:
            raise ChainError(issues)
        before = self._nodes[node.id]
        same_layer, declarations = before["layer"] is node.layer, dict(before["declarations"])
        self._put_node(node)
        if same_layer:
            self._declarations_changed(node.id, declarations)
        else:
            self.touch()

    def remove_node(self, node_id: str) -> None:
        self._require_node(node_id)
        if self._graph is not None:
            touching = [*self._graph.in_edges(node_id), *self._graph.out_edges(node_id)]
            self._graph.remove_node(node_id)  # also from ``_nodes``: the graph's node dict is that dict
        else:
            touching = [pair for pair in self._edges if node_id in pair]
            del self._nodes[node_id]
        for pair in touching:
            del self._edges[pair]
        self.touch()

    def add_edge(self, edge: Edge | Mapping[str, Any]) -> None:
        edge, issues = expand_edge(validated(Edge, edge, ("edge",)), self.catalog, ("edge",))
        issues += edge_issues(edge, ("edge",), self._nodes, self.catalog)
        if (edge.provider, edge.consumer) in self._edges:
            issues.append(
                Issue("edge", f"{edge.provider} -> {edge.consumer} already exists; update it instead of adding it")
            )
        if issues:
            raise ChainError(issues)
        self._put_edge(edge)
        self._step(APPENDED)  # as in add_node: the new edge is compiled on top of the others

    def update_edge(self, edge: Edge | Mapping[str, Any]) -> None:
        edge, issues = expand_edge(validated(Edge, edge, ("edge",)), self.catalog, ("edge",))
        if (edge.provider, edge.consumer) not in self._edges:
            raise ChainError.at(("edge",), f"there is no edge {edge.provider} -> {edge.consumer}")
        issues += edge_issues(edge, ("edge",), self._nodes, self.catalog)
        if issues:
            raise ChainError(issues)
        self._put_edge(edge)
        self.touch()

    def remove_edge(self, provider: str, consumer: str) -> None:
        if (provider, consumer) not in self._edges:
            raise ChainError.at(("edge",), f"there is no edge {provider} -> {consumer}")
        del self._edges[provider, consumer]
        if self._graph is not None:
            self._graph.remove_edge(provider, consumer)
        self.touch()

    def declare(self, node_id: str, declaration: Declaration | Mapping[str, Any]) -> None:
        """Add or replace the node's declaration for one control (a typed id: for each control it maps to)."""
        self._require_node(node_id)
        declaration = validated_declaration(declaration, ("declaration",))
        try:
            controls = resolve_control_id(declaration.control, self.catalog)
        except ControlIdError as exc:
            raise ChainError.at(("declaration", "control"), str(exc)) from None
        issues = list(scope_issues(declaration, ("declaration",), self.catalog))
        if issues:
            raise ChainError(issues)
        before = self._nodes[node_id]["declarations"]
        declarations = dict(before)
        for control in controls:
            same = control == declaration.control
            declarations[control] = declaration if same else replace(declaration, control=control)
        self._set_declarations(node_id, declarations)
        self._declarations_changed(node_id, before)

    def undeclare(self, node_id: str, control: str) -> None:
        """Remove the node's declaration for one control (a typed id: for each control it maps to)."""
        self._require_node(node_id)
        before = self._nodes[node_id]["declarations"]
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
        """Mark the chain changed so cached arrays are rebuilt."""
        self._step(None)
        self._compiled = None

    def _step(self, controls: frozenset[str] | Literal["appended"] | None) -> None:
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
        edits = self.edits_since(revision)
        return None if edits is None or edits.appended else edits.controls

    def edits_since(self, revision: int) -> "Edits | None":
        """What changed after ``revision`` when it was only declarations and added nodes and edges
        (which leave the nodes and edges before them as they were); None as for ``changes_since``.

        >>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
        ...     "nodes": [{"id": "hr", "layer": "saas"}]})
        >>> start = chain.revision
        >>> chain.add_node({"id": "crm", "layer": "saas"})
        >>> chain.declare("hr", {"control": "10.5.1", "status": "declared"})
        >>> chain.edits_since(start)
        Edits(controls=frozenset({'10.5.1'}), appended=True)
        """
        changed: set[str] = set()
        appended = False
        reached = self.revision
        for before, after, controls in reversed(self._journal):
            if reached == revision:
                break
            if after != reached or controls is None:
                return None
            if controls == APPENDED:
                appended = True
            else:
                changed |= controls
            reached = before
        return Edits(frozenset(changed), appended) if reached == revision else None

    def _declarations_changed(self, node_id: str, before: Mapping[str, Declaration]) -> None:
        """Record an edit of one node's declarations and patch the compiled arrays instead of dropping them."""
        after = self._nodes[node_id]["declarations"]
        changed = frozenset(c for c in before.keys() | after.keys() if before.get(c) != after.get(c))
        self._step(changed)
        # A node added since the last compile has no row yet: ``compiled`` reads its declarations then.
        compiled = self._compiled
        index = compiled.node_index.get(node_id) if compiled is not None else None
        if compiled is not None and index is not None and changed:
            self._compiled = compiled.with_declarations(index, after, self.catalog.index)

    def copy(self) -> "Chain":
        other = Chain(
            self.name,
            catalog=self.catalog,
            requirement=self.requirement,
            controls=self.controls,
            description=self.description,
        )
        other._nodes = {
            node_id: {**attrs, "declarations": dict(attrs["declarations"])} for node_id, attrs in self._nodes.items()
        }
        other._edges = {
            pair: {**attrs, "responsibility": dict(attrs["responsibility"])} for pair, attrs in self._edges.items()
        }
        return other

    def fork(self) -> "Chain":
        """A copy to edit while others keep reading this chain; cheap, for the service's copy on write.

        Unlike ``copy``, it shares what edits never change in place: node and edge attribute
        dicts and declaration dicts (the edit methods replace them), the compiled arrays (patched
        copy on write) and the catalog; it copies only the two top-level dicts. The networkx graph
        is not carried over: the fork builds its own if something asks for it, so that a write,
        which forks, costs the same whether or not a reader built the graph. It keeps the revision,
        the edit journal and the lineage, so an analysis of this chain lends its results to the
        fork's next analysis after declaration edits.
        """
        other = Chain.__new__(Chain)
        other.__dict__.update(self.__dict__)
        other._nodes = dict(self._nodes)
        other._edges = dict(self._edges)
        other._graph = None
        other._journal = deque(self._journal, maxlen=JOURNAL_LENGTH)
        other.controls = list(self.controls) if self.controls is not None else None
        return other

    def compiled(self) -> CompiledChain:
        """The chain as arrays for the vectorised engine (cached until the chain changes).

        Edits keep the arrays current where they can: a declaration edit patches them, added nodes
        and edges are compiled on top of them here (only the new rows are read); the other edits
        drop them and the next call compiles the whole chain.
        """
        from obligraph.graph.compiled import compile_chain, extend_compiled

        compiled = self._compiled
        if compiled is not None and (compiled.n < len(self._nodes) or compiled.src.size < len(self._edges)):
            try:
                compiled = extend_compiled(compiled, self)
            except ValueError:  # not only additions after all: the whole chain, then
                compiled = None
        if compiled is None:
            with collector_paused():  # compiling walks every node and edge: same reason as in from_dict
                compiled = compile_chain(self)
        self._compiled = compiled
        self._loaded_ends = None  # taken by the compile above, or out of date: the arrays have the ends now
        return compiled

    # -- internals ------------------------------------------------------------------------------

    def _require_node(self, node_id: str) -> None:
        if node_id not in self._nodes:
            raise ChainError.at(("node",), f"there is no node '{node_id}'")

    # Attribute dicts may be shared with forks (see ``fork``): an edit replaces them, never updates them.

    # The graph's node dict is ``_nodes`` itself, so a node's attributes are set in one place.

    def _put_node(self, node: Node) -> None:
        if self._graph is not None and node.id not in self._nodes:
            self._graph.add_node(node.id)  # its adjacency; the attributes are set just below
        self._nodes[node.id] = _node_attributes(node)
        self._graph_changed()

    def _set_declarations(self, node_id: str, declarations: dict[str, Declaration]) -> None:
        self._nodes[node_id] = {**self._nodes[node_id], "declarations": declarations}
        self._graph_changed()

    def _put_edge(self, edge: Edge) -> None:
        u, v = edge.provider, edge.consumer
        attrs = self._edges[u, v] = _edge_attributes(edge)
        if self._graph is not None:
            if not self._graph.has_edge(u, v):
                self._graph.add_edge(u, v)
            inner = _internals(self._graph)
            inner._succ[u][v] = inner._pred[v][u] = attrs
        self._graph_changed()

    def _graph_changed(self) -> None:
        """What networkx's own edit methods do: forget graphs converted for other backends."""
        cache = getattr(self._graph, "__networkx_cache__", None)
        if cache:
            cache.clear()


def _internals(graph: nx.DiGraph[str]) -> Any:
    """The graph with networkx's own dicts in reach (``_node``, ``_succ``/``_adj``, ``_pred``; the
    stubs leave them out). Assigning ``_adj`` or ``_pred`` goes through networkx's descriptors,
    which reset its cached views."""
    return graph


def _graph_of(nodes: dict[str, dict[str, Any]], edges: dict[tuple[str, str], dict[str, Any]]) -> nx.DiGraph[str]:
    """A ``DiGraph`` over the chain's own dicts: its node dict is ``nodes`` and its edge attribute
    dicts are those of ``edges``; only the adjacency is new. Assembled directly rather than through
    ``add_edges_from``, which checks and copies each edge (three times slower at 500,000 edges)."""
    successors: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in nodes}
    predecessors: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in nodes}
    for (u, v), attrs in edges.items():
        successors[u][v] = attrs
        predecessors[v][u] = attrs
    import networkx as nx  # here: a command that only analyses a file never needs it (80 ms to import)

    graph: nx.DiGraph[str] = nx.DiGraph()
    inner = _internals(graph)
    inner._node = nodes
    inner._adj = successors
    inner._pred = predecessors
    return graph


def _node_attributes(node: Node) -> dict[str, Any]:
    return {
        "name": node.name,
        "layer": node.layer,
        "org": node.org,
        "description": node.description,
        "declarations": dict(zip(map(_CONTROL, node.declarations), node.declarations)),
    }


def _edge_attributes(edge: Edge) -> dict[str, Any]:
    return {"responsibility": dict(edge.responsibility), "criticality": edge.criticality, "notes": edge.notes}


# The two dumps below write what ``model_dump(mode="json", exclude_none=True)`` writes, in field
# order, several times faster: enum members are read through ``_value_`` (``.value`` is a Python
# descriptor) and nothing goes through pydantic's serializer. The chain storage tests hold them to
# the models' dumps, field list included.


def declaration_document(declaration: Declaration) -> dict[str, Any]:
    """The declaration as a chain document lists it (what a workspace stores for it, too).

    >>> declaration_document(Declaration(control="10.5.1", status=Status.DECLARED, notes="daily"))
    {'control': '10.5.1', 'status': 'declared', 'notes': 'daily'}
    """
    document: dict[str, Any] = {"control": declaration.control, "status": declaration.status._value_}
    if declaration.evidence:
        document["evidence"] = [_evidence_document(item) for item in declaration.evidence]
    if declaration.assigns is not None:
        document["assigns"] = declaration.assigns._value_
    if declaration.notes is not None:
        document["notes"] = declaration.notes
    return document


def _evidence_document(item: Evidence) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": item.kind._value_, "ref": item.ref}
    if item.issued is not None:
        document["issued"] = item.issued.isoformat()
    if item.expires is not None:
        document["expires"] = item.expires.isoformat()
    if item.independence is not None:
        document["independence"] = item.independence._value_
    if item.scope is not None:
        document["scope"] = list(item.scope)
    if item.url is not None:
        document["url"] = item.url
    if item.notes is not None:
        document["notes"] = item.notes
    return document


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
