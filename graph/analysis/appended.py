"""Results after nodes and edges were added: the rows that can have changed, recomputed on their own.

A node's results depend only on the nodes upstream of it (its providers, theirs, and so on), with two
exceptions on the provider side of an edge: a root's *in scope* depends on whether it delegates
some control to a consumer, and a ``not_applicable`` declaration counts as unknown once the node
delegates that control. So after nodes and edges were added (and nothing else), the rows that can
change are:

* the *affected* nodes: the new nodes, the consumers of the new edges, the providers whose
  ``not_applicable`` a new edge turns into unknown (it delegates that control and no earlier edge
  of theirs did), and everything downstream of them;
* the roots that gained an edge: only their *in scope* (and so their gap) can change.

The affected rows are recomputed with the engine on the part of the chain that holds them: the
affected nodes, every edge into them and the providers of those edges. An unaffected provider's
value is final and known from the analysis before, so there it enters as a root whose own status
is that value. Every other row is the analysis before's.

>>> from obligraph.graph.chain import Chain
>>> from obligraph.graph.analysis import analyze
>>> chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "demo",
...     "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "hr", "layer": "saas"}],
...     "edges": [{"provider": "iaas", "consumer": "hr"}]})
>>> before = analyze(chain, as_of="2026-01-01")
>>> chain.add_node({"id": "crm", "layer": "saas"})
>>> chain.add_edge({"provider": "iaas", "consumer": "crm"})
>>> part = affected_part(before.compiled, chain.compiled(), before._catalog_cols)
>>> [chain.compiled().node_ids[v] for v in part.affected.tolist()]
['crm']
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from obligraph.graph.analysis.engine import KIND_NONE, KIND_ORIGIN, BlockResult, analyse_block
from obligraph.graph.compiled import CompiledChain
from obligraph.graph.lattice import NO_CONTRIBUTOR
from obligraph.graph.sweep import Structure

#: Above this share of the nodes affected (and this many), recomputing everything is as cheap.
AFFECTED_SHARE = 0.25
AFFECTED_ALWAYS = 256


@dataclass
class AffectedPart:
    affected: np.ndarray  # sorted node indices whose rows are recomputed
    roots: np.ndarray  # roots outside ``affected`` that gained an outgoing edge
    part: CompiledChain  # the affected nodes, the edges into them and their providers
    nodes: np.ndarray  # the part's nodes (sorted indices into the whole chain)


def affected_part(before: CompiledChain, after: CompiledChain, cols: np.ndarray) -> AffectedPart | None:
    """What to recompute in ``after``, a chain made from ``before``'s by adding nodes and edges, for
    the catalog columns ``cols``; None when that is a large share of the chain (or not so made)."""
    n0, e0 = before.n, before.src.size
    if after.n < n0 or after.src.size < e0:
        return None
    if not (np.array_equal(after.src[:e0], before.src) and np.array_equal(after.dst[:e0], before.dst)):
        return None
    s = after.structure
    new_src, new_dst = after.src[e0:], after.dst[e0:]
    seeds = np.concatenate((np.arange(n0, after.n), new_dst, _newly_relied_on(after, cols, np.unique(new_src), e0)))
    affected = _downstream(s, seeds, after.n)
    if affected.size > max(AFFECTED_SHARE * after.n, AFFECTED_ALWAYS):
        return None
    providers = np.unique(new_src)
    roots = providers[(s.indegree[providers] == 0) & ~np.isin(providers, affected)]
    # Every edge into an affected node: their providers are the part's other nodes.
    counts = s.in_ptr[affected + 1] - s.in_ptr[affected]
    starts = np.repeat(s.in_ptr[affected], counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    edges = np.sort(s.in_edges[starts + offsets])
    nodes = np.union1d(affected, after.src[edges])
    part = after.restricted(nodes, edges)
    # A provider outside the affected nodes enters with its value (see analyse_appended); its own
    # not_applicable declarations have done their part in that value already.
    outside = ~np.isin(nodes, affected)
    keep = ~outside[part.not_applicable_node]
    part = replace(
        part, not_applicable_node=part.not_applicable_node[keep], not_applicable_col=part.not_applicable_col[keep]
    )
    return AffectedPart(affected, roots, part, nodes)


def analyse_appended(
    found: AffectedPart, previous: BlockResult, n: int, cols: np.ndarray, own_on_day: np.ndarray, requirement: int
) -> BlockResult:
    """The results of the whole chain (``n`` nodes): ``previous``'s rows, those of ``found.affected``
    recomputed, the gaps of ``found.roots`` updated. ``own_on_day``: the part's own statuses on
    the analysis day (``part.own_on``)."""
    part, nodes = found.part, found.nodes
    outside = np.flatnonzero(~np.isin(nodes, found.affected))
    earlier = nodes[outside]
    # The value an unaffected provider passes on: its effective status, or none where it has no contributor.
    own_on_day[outside] = np.where(previous.circular[earlier], np.uint8(NO_CONTRIBUTOR), previous.effective[earlier])
    fresh = analyse_block(part, cols, own_on_day, requirement)
    n0 = previous.own.shape[0]
    rows = np.searchsorted(nodes, found.affected)
    whole = {}
    for name in ("own", "needs_own", "effective", "kind", "orphaned", "in_scope", "circular"):
        kept = getattr(previous, name)
        grown = np.empty((n, kept.shape[1]), dtype=kept.dtype)
        grown[:n0] = kept
        grown[found.affected] = getattr(fresh, name)[rows]  # every new node is affected
        whole[name] = grown
    result = BlockResult(**whole)
    if found.roots.size:
        rows = np.searchsorted(nodes, found.roots)
        in_scope = result.in_scope[found.roots] | fresh.in_scope[rows]
        result.in_scope[found.roots] = in_scope
        gap = in_scope & (result.effective[found.roots] < requirement)
        result.kind[found.roots] = np.where(gap, np.int8(KIND_ORIGIN), np.int8(KIND_NONE))
    return result


def _newly_relied_on(compiled: CompiledChain, cols: np.ndarray, providers: np.ndarray, e0: int) -> np.ndarray:
    """Those of ``providers`` with a ``not_applicable`` declaration that counts as unknown now and
    did not before: one of its edges from ``e0`` on delegates the control, none before did."""
    nodes, k = compiled.not_applicable_cells(cols)
    chosen = np.isin(nodes, providers)
    nodes, col = nodes[chosen], cols[k[chosen]]
    if not nodes.size:
        return nodes
    cell, edge, delegates = compiled.delegations(nodes, col)
    before = np.bincount(cell[delegates & (edge < e0)], minlength=nodes.size) > 0
    now = np.bincount(cell[delegates & (edge >= e0)], minlength=nodes.size) > 0
    return np.unique(nodes[now & ~before])


def _downstream(structure: Structure, seeds: np.ndarray, n: int) -> np.ndarray:
    """``seeds`` and every node reachable from them, sorted."""
    reached = np.zeros(n, dtype=bool)
    frontier = np.unique(seeds)
    while frontier.size:
        reached[frontier] = True
        _, position = structure.outgoing(frontier)
        following = structure.order_dst[position]
        frontier = np.unique(following[~reached[following]])
    return np.flatnonzero(reached)
