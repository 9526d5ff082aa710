"""r for many controls at once (``responsibility_by_column``, ``Analysis.prefetch_responsibility``) is
r control by control, as ``Chain.responsibility`` states it edge by edge."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from tests.strategies import AS_OF, CONTROLS, chains


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_columns_at_once_equal_the_rule_edge_by_edge(document):
    chain = Chain.from_dict(document)
    compiled = chain.compiled()
    cols = np.array([chain.catalog.index[c] for c in CONTROLS])
    block = compiled.responsibility_by_column(cols)
    edges = list(chain.edge_attributes())
    for i, control in enumerate(CONTROLS):
        want = [chain.responsibility(u, v, control).code for u, v in edges]
        assert block[i].tolist() == want, control
        assert compiled.responsibility_column(int(cols[i])).tolist() == want, control


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=chains())
def test_prefetched_columns_are_the_ones_computed_on_demand(document):
    chain = Chain.from_dict({**document, "controls": CONTROLS})
    prefetched, on_demand = analyze(chain, as_of=AS_OF), analyze(chain, as_of=AS_OF)
    prefetched.prefetch_responsibility(range(len(CONTROLS)))
    for k, control in enumerate(CONTROLS):
        assert np.array_equal(prefetched.responsibility_column(control), on_demand.responsibility_column(control))
