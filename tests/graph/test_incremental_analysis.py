"""After declaration edits, an analysis that reuses the previous one equals one made from scratch."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.analysis import AnalysisCache, analyze
from obligraph.graph.analysis.result import RESULT_ARRAYS
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Status
from tests.strategies import AS_OF, CONTROLS, chains, declarations


@st.composite
def declaration_edits(draw, node_count: int):
    """A few edits that leave the graph's shape alone: declare, undeclare, replace a node's declarations."""
    edits = []
    for _ in range(draw(st.integers(1, 4))):
        node = f"n{draw(st.integers(0, node_count - 1))}"
        action = draw(st.sampled_from(["declare", "undeclare", "update_node"]))
        if action == "declare":
            edits.append(("declare", node, draw(declarations())))
        elif action == "undeclare":
            edits.append(("undeclare", node, draw(st.sampled_from(CONTROLS))))
        else:
            edits.append(
                ("update_node", node, draw(st.lists(declarations(), max_size=3, unique_by=lambda d: d["control"])))
            )
    return edits


def apply(chain: Chain, edit) -> None:
    action, node, argument = edit
    if action == "declare":
        chain.declare(node, argument)
    elif action == "undeclare":
        if argument in chain.declarations(node):
            chain.undeclare(node, argument)
    else:
        current = chain.node(node).model_dump(exclude_none=True)
        chain.update_node({**current, "declarations": argument})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), document=chains(), requirement=st.sampled_from(list(Status)))
def test_reused_analysis_equals_a_fresh_one(data, document, requirement):
    chain = Chain.from_dict(document)
    cache = AnalysisCache()
    before = cache.analyze(chain, requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    edits = data.draw(declaration_edits(len(chain)))
    for edit in edits:
        apply(chain, edit)
    assert chain.changes_since(before.revision) is not None
    assert chain.compiled().structure is before.compiled.structure, "the arrays were patched, not rebuilt"

    reused = cache.analyze(chain, requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    fresh = analyze(Chain.from_dict(chain.to_dict()), requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(reused, name), getattr(fresh, name)), name
    for gap in fresh.gaps():
        assert reused.root_causes(gap.node, gap.control) == fresh.root_causes(gap.node, gap.control)
    # The earlier analysis still describes the chain as it was (copy on write).
    again = analyze(Chain.from_dict(document), requirement=requirement, as_of=AS_OF, controls=CONTROLS)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(before, name), getattr(again, name)), name


def test_only_the_edited_control_is_recomputed(monkeypatch):
    document = {
        "format": "obligraph/chain@1",
        "name": "two controls",
        "controls": ["10.5.1", "9.1.1"],
        "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas"}],
        "edges": [{"provider": "iaas", "consumer": "app"}],
    }
    chain = Chain.from_dict(document)
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)
    computed = []
    import obligraph.graph.analysis.result as result

    original = result.analyse_block
    monkeypatch.setattr(
        result, "analyse_block", lambda c, cols, *a: computed.append(cols.tolist()) or original(c, cols, *a)
    )
    chain.declare("iaas", {"control": "10.5.1", "status": "declared"})
    after = cache.analyze(chain, as_of=AS_OF)
    assert computed == [[chain.catalog.index["10.5.1"]]]
    assert after.gap("iaas", "10.5.1") is None and after.gap("iaas", "9.1.1") is not None

    computed.clear()
    chain.add_node({"id": "crm", "layer": "saas"})  # an addition: only the rows it can change
    chain.add_edge({"provider": "iaas", "consumer": "crm"})
    after = cache.analyze(chain, as_of=AS_OF)
    assert computed == [] and after.gap("crm", "9.1.1") is not None

    chain.remove_edge("iaas", "crm")  # any other change of shape: everything again
    cache.analyze(chain, as_of=AS_OF)
    assert sorted(computed[0]) == sorted(chain.catalog.index[c] for c in ["10.5.1", "9.1.1"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains(), requirement=st.sampled_from(list(Status)))
def test_an_analysis_split_into_column_blocks_equals_one_block(monkeypatch_budget, document, requirement):
    # Big chains are analysed a block of controls at a time (the cell budget); here every catalog
    # control, eight to a block, must give exactly what one block gives.
    chain = Chain.from_dict(document)
    whole = analyze(chain, requirement=requirement, as_of=AS_OF)
    with monkeypatch_budget(1):
        split = analyze(Chain.from_dict(document), requirement=requirement, as_of=AS_OF)
    assert len(split.controls) == len(whole.controls) > 8
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(split, name), getattr(whole, name)), name
