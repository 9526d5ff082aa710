"""``chain_warnings`` read from the compiled arrays says what a walk over the chain's edges says."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.chain import Chain
from obligraph.graph.checks import chain_warnings
from obligraph.graph.errors import format_location
from obligraph.graph.lattice import Status
from tests.graph.test_compiled_extension import edits
from tests.strategies import chains


def walked_warnings(chain: Chain) -> list[tuple[str, str]]:
    """The rule stated directly: per node in document order, per not_applicable declaration in its
    order, the first consumer (in edge order) whose edge's r delegates that control."""
    found = []
    edges = list(chain.edge_attributes())
    for i, node in enumerate(chain.node_ids()):
        for j, (control, declaration) in enumerate(chain.declarations(node).items()):
            if declaration.status is not Status.NOT_APPLICABLE:
                continue
            relying = [v for u, v in edges if u == node and chain.responsibility(u, v, control).delegates]
            if relying:
                found.append((format_location(("nodes", i, "declarations", j, "status")), relying[0]))
    return found


def _found(chain: Chain) -> list[tuple[str, str]]:
    return [(w.location, w.message.split("but '")[1].split("'")[0]) for w in chain_warnings(chain)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), document=chains())
def test_warnings_from_the_arrays_match_the_walk(data, document):
    chain = Chain.from_dict(document)
    assert _found(chain) == walked_warnings(chain)
    # After edits too: the arrays are then patched or extended rather than compiled afresh.
    for step in range(data.draw(st.integers(0, 4))):
        data.draw(edits(chain, step))(chain)
    assert _found(chain) == walked_warnings(chain)
