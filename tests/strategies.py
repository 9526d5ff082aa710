"""Hypothesis strategies: small random chains with cycles, overrides, assigns and evidence of every case."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from obligraph.graph.lattice import Layer, Responsibility, Status

AS_OF = date(2026, 6, 1)
#: A leap day: 12 and 36 months after it are clamped to 28 February.
LEAP_DAY = date(2024, 2, 29)
#: Analysis dates: an ordinary day, and both sides of the days on which LEAP_DAY's evidence lapses.
AS_OF_DAYS = [AS_OF, date(2025, 2, 28), date(2025, 3, 1), date(2027, 2, 28), date(2027, 3, 1)]
#: Controls whose catalog defaults differ by layer, so every kind of edge shows up.
CONTROLS = ["5.1.1", "9.1.1", "10.5.1", "11.4.5", "11.5.1", "10.10.3", "12.2.1"]
#: Scope entries: whole controls, objectives and clauses that cover some of CONTROLS, and some that cover none.
SCOPE_ENTRIES = ["10", "10.5", "10.5.1", "9.1", "11", "11.4.5", "5.1.1", "12.2", "6", "15.1.1"]

statuses = st.sampled_from(list(Status))
responsibilities = st.sampled_from(list(Responsibility))
#: Days around every boundary: the analysis dates, 12 and 36 months before them, the leap day, and any day near.
days = st.one_of(
    st.sampled_from(
        [LEAP_DAY, AS_OF, date(2025, 6, 1), date(2023, 6, 1), date(2025, 6, 2), date(2023, 6, 2), date(2027, 6, 1)]
        + AS_OF_DAYS
    ),
    st.integers(-1300, 400).map(lambda offset: AS_OF + timedelta(days=offset)),
)


@st.composite
def evidence_items(draw):
    """Evidence of every kind of case: expired, issued later, internal, scoped in and out, undated."""
    kind = draw(st.sampled_from(["audit_report", "certification", "certification", "audit_report", "contract"]))
    item = {"kind": kind, "ref": f"ref-{draw(st.integers(0, 99))}"}
    issued = draw(st.none() | days)
    expires = draw(st.none() | days)
    if issued is not None and expires is not None and expires < issued:
        issued, expires = expires, issued
    if issued is not None:
        item["issued"] = issued.isoformat()
    if expires is not None:
        item["expires"] = expires.isoformat()
    independence = draw(st.sampled_from([None, None, "third_party", "internal"]))
    if independence is not None:
        item["independence"] = independence
    if draw(st.integers(0, 2)) == 0:
        item["scope"] = draw(st.lists(st.sampled_from(SCOPE_ENTRIES), min_size=1, max_size=3, unique=True))
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
