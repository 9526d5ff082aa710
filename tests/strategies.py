"""Hypothesis strategies: small random chains with cycles, overrides, assigns, evidence and expiry."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from obligraph.graph.lattice import Layer, Responsibility, Status

AS_OF = date(2026, 6, 1)
#: Controls whose catalog defaults differ by layer, so every kind of edge shows up.
CONTROLS = ["5.1.1", "9.1.1", "10.5.1", "11.4.5", "11.5.1", "10.10.3", "12.2.1"]

statuses = st.sampled_from(list(Status))
responsibilities = st.sampled_from(list(Responsibility))


@st.composite
def evidence_items(draw):
    kind = draw(st.sampled_from(["audit_report", "certification", "contract", "self_assessment"]))
    item = {"kind": kind, "ref": f"ref-{draw(st.integers(0, 99))}"}
    if draw(st.booleans()):
        item["expires"] = (AS_OF + timedelta(days=draw(st.integers(-400, 400)))).isoformat()
    return item


@st.composite
def declarations(draw):
    declaration = {"control": draw(st.sampled_from(CONTROLS)), "status": draw(statuses).value}
    if draw(st.integers(0, 3)) == 0:
        declaration["assigns"] = draw(responsibilities).value
    evidence = draw(st.lists(evidence_items(), max_size=2))
    if evidence:
        declaration["evidence"] = evidence
    return declaration


@st.composite
def chains(draw, max_nodes: int = 7):
    n = draw(st.integers(1, max_nodes))
    nodes = []
    for i in range(n):
        decls = draw(st.lists(declarations(), max_size=4, unique_by=lambda d: d["control"]))
        node = {"id": f"n{i}", "layer": draw(st.sampled_from(list(Layer))).value}
        if decls:
            node["declarations"] = decls
        nodes.append(node)
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            max_size=min(3 * n, n * (n - 1)),
            unique=True,
        )
    )
    edges = []
    for u, v in pairs:
        edge = {"provider": f"n{u}", "consumer": f"n{v}"}
        overrides = draw(st.dictionaries(st.sampled_from(CONTROLS), responsibilities, max_size=2))
        if overrides:
            edge["responsibility"] = {c: r.value for c, r in overrides.items()}
        edges.append(edge)
    return {"format": "obligraph/chain@1", "name": "random", "nodes": nodes, "edges": edges}
