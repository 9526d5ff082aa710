"""The sweep order: the radix argsort it sorts with, component levels, and the whole structure
against the one numpy's own stable sort gives."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obligraph.graph import sweep


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=300), st.sampled_from([3, 300, 70_000, 2**40]))
def test_stable_argsort_is_numpy_stable_argsort(values, bound):
    keys = np.array([v % bound for v in values], dtype=np.int64)
    assert sweep.stable_argsort(keys).tolist() == np.argsort(keys, kind="stable").tolist()


def test_stable_argsort_refuses_negative_keys():
    with pytest.raises(ValueError, match="non-negative"):
        sweep.stable_argsort(np.array([1, -1]))


graphs = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4 * n, unique=True).map(
            lambda pairs: [(u, v) for u, v in pairs if u != v]
        ),
    )
)


def _arrays(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([u for u, _ in pairs], dtype=np.int64), np.array([v for _, v in pairs], dtype=np.int64)


def _assert_same_structure(got: sweep.Structure, want: sweep.Structure) -> None:
    for name in ("indegree", "in_cycle", "component", "level", "order", "order_src", "order_dst", "position"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    for name in ("out_ptr", "out_pos", "in_ptr", "in_edges", "cycle_positions"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    assert len(got.levels) == len(want.levels)
    for mine, theirs in zip(got.levels, want.levels):
        assert (mine.start, mine.end) == (theirs.start, theirs.end)
        for plan, other in ((mine.plan, theirs.plan), (mine.cycle_plan, theirs.cycle_plan)):
            assert (plan is None) == (other is None)
            if plan is not None and other is not None:
                for field in ("targets", "slots"):
                    assert getattr(plan, field).tolist() == getattr(other, field).tolist(), field
                assert (plan.positions is None) == (other.positions is None)
                if plan.positions is not None and other.positions is not None:
                    assert plan.positions.tolist() == other.positions.tolist()
                assert plan.rank_bounds == other.rank_bounds
        assert mine.plan.positions is None  # a level's own edges are its run of positions, in plan order


@settings(max_examples=150)
@given(graphs)
def test_component_levels_are_longest_paths_in_the_condensation(graph):
    n, pairs = graph
    src, dst = _arrays(pairs)
    structure = sweep.build_structure(n, src, dst)
    comp = structure.component
    levels = sweep._component_levels(int(comp.max()) + 1, comp[src], comp[dst])

    condensed = nx.DiGraph()
    condensed.add_nodes_from(range(int(comp.max()) + 1))
    condensed.add_edges_from((int(comp[u]), int(comp[v])) for u, v in pairs if comp[u] != comp[v])
    depth = {c: 0 for c in condensed}
    for c in nx.topological_sort(condensed):
        for d in condensed.successors(c):
            depth[d] = max(depth[d], depth[c] + 1)
    assert levels.tolist() == [depth[c] for c in range(len(levels))]


# Edges of a random graph turned to run from the lower to the higher of a random order of the nodes.
acyclic_graphs = graphs.flatmap(
    lambda graph: st.permutations(range(graph[0])).map(
        lambda rank: (
            graph[0],
            list(dict.fromkeys((u, v) if rank[u] < rank[v] else (v, u) for u, v in graph[1])),
        )
    )
)


@settings(max_examples=150)
@given(st.one_of(graphs, acyclic_graphs))
def test_peeling_tells_whether_the_graph_is_acyclic(graph):
    n, pairs = graph
    _, acyclic = sweep._peeled_levels(n, *_arrays(pairs))
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(n))
    digraph.add_edges_from(pairs)
    assert acyclic == nx.is_directed_acyclic_graph(digraph)


@settings(max_examples=150)
@given(acyclic_graphs)
def test_an_acyclic_structure_is_the_one_strong_components_give(graph):
    n, pairs = graph
    src, dst = _arrays(pairs)
    peeled = sweep.build_structure(n, src, dst)
    assert not peeled.in_cycle.any()
    calls = []

    def cyclic_at_first(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, bool]:
        level, acyclic = peel(n, src, dst)
        calls.append(acyclic)
        return level, acyclic and len(calls) > 1  # the first call (the whole graph's) takes scipy's way

    peel = sweep._peeled_levels
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "_peeled_levels", cyclic_at_first)
        through_components = sweep.build_structure(n, src, dst)
    assert len(calls) == 2
    _assert_same_structure(peeled, through_components)


@settings(max_examples=150)
@given(graphs)
def test_structure_is_the_one_numpys_stable_sort_gives(graph):
    n, pairs = graph
    src, dst = _arrays(pairs)
    fast = sweep.build_structure(n, src, dst)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "stable_argsort", lambda keys: np.argsort(keys, kind="stable"))
        reference = sweep.build_structure(n, src, dst)
    _assert_same_structure(fast, reference)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=200))
def test_plan_entries_are_ordered_by_rank_then_consumer(consumer_list):
    consumers = np.array(consumer_list, dtype=np.int64)
    plan = sweep.make_plan(np.arange(consumers.size), consumers)
    # The rank of an entry: how many earlier entries (in position order) share its consumer.
    rank = np.array([consumer_list[:i].count(c) for i, c in enumerate(consumer_list)])
    expected = np.lexsort((consumers, rank))
    assert plan.positions.tolist() == expected.tolist()
    assert plan.targets[plan.slots].tolist() == consumers[expected].tolist()


@settings(max_examples=200)
@given(graphs, st.data())
def test_a_structure_extended_by_edges_into_leaves_is_the_one_built_whole(graph, data):
    n, pairs = graph
    structure = sweep.build_structure(n, *_arrays(pairs))
    for _ in range(data.draw(st.integers(1, 4))):
        added = data.draw(st.integers(0, 3))
        n += added
        providers = {u for u, _ in pairs}
        leaves = [v for v in range(n) if v not in providers]
        new = data.draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(leaves) if leaves else st.nothing()), max_size=4)
            if leaves
            else st.just([])
        )
        # Leaves stay leaves: no new edge starts at a consumer of another new edge.
        consumers = {v for _, v in new}
        new = [(u, v) for u, v in dict.fromkeys(new) if u != v and u not in consumers and (u, v) not in pairs]
        pairs = pairs + new
        src, dst = _arrays(pairs)
        extended = sweep.extend_structure(structure, n, src, dst)
        assert extended is not None
        _assert_same_structure(extended, sweep.build_structure(n, src, dst))
        structure = extended


def test_an_edge_out_of_a_new_edges_consumer_is_left_to_a_whole_build():
    before = sweep.build_structure(3, np.array([0, 1]), np.array([1, 2]))
    # 0 -> 2 is into a leaf, but 2 -> 3 then gives 2 an edge out: its level would move 3's too.
    src, dst = np.array([0, 1, 0, 2]), np.array([1, 2, 2, 3])
    assert sweep.extend_structure(before, 4, src, dst) is None
