"""Which controls each node declared is kept as bits, eight controls to a byte: every way of reading
them agrees with the chain's own declarations, after a compile and after edits of one node."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from obligraph.graph.chain import Chain
from obligraph.graph.compiled import CompiledChain
from tests.strategies import CONTROLS, chains, statuses


def declared_matrix(chain: Chain) -> np.ndarray:
    """The bool matrix the bits stand for, from the chain's declarations."""
    column = chain.catalog.index
    matrix = np.zeros((len(chain), len(chain.catalog)), dtype=bool)
    for row, node in enumerate(chain.node_ids()):
        for control in chain.declarations(node):
            matrix[row, column[control]] = True
    return matrix


def assert_bits_match(compiled: CompiledChain, want: np.ndarray, cols: np.ndarray) -> None:
    assert compiled.declared.shape == (want.shape[0], (want.shape[1] + 7) // 8)
    assert np.array_equal(compiled.declared_columns(np.arange(want.shape[1])), want)
    assert np.array_equal(compiled.declared_columns(cols), want[:, cols])
    rows = np.repeat(np.arange(want.shape[0]), len(cols))
    picked = np.tile(cols, want.shape[0])
    assert np.array_equal(compiled.declared_at(rows, picked), want[rows, picked])


@given(chains(), st.lists(st.sampled_from(CONTROLS), min_size=1, unique=True))
def test_bits_say_what_the_chain_declares(document, controls):
    chain = Chain.from_dict(document)
    cols = np.array([chain.catalog.index[c] for c in controls])
    assert_bits_match(chain.compiled(), declared_matrix(chain), cols)


@given(chains(), st.data())
def test_an_edit_of_one_node_sets_and_clears_only_its_bits(document, data):
    chain = Chain.from_dict(document)
    before = chain.compiled()
    untouched = before.declared.copy()
    node = data.draw(st.sampled_from(chain.node_ids()))
    control = data.draw(st.sampled_from(CONTROLS))
    if control in chain.declarations(node):
        chain.undeclare(node, control)
    else:
        chain.declare(node, {"control": control, "status": data.draw(statuses).value})
    after = chain.compiled()
    assert_bits_match(after, declared_matrix(chain), np.array([chain.catalog.index[c] for c in CONTROLS]))
    assert np.array_equal(before.declared, untouched)  # copy on write: the old arrays stay as they were
    others = np.arange(len(chain)) != chain.node_ids().index(node)
    assert np.array_equal(after.declared[others], untouched[others])
