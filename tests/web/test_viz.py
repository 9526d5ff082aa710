"""``graph/viz.py``: the map data built through pyvis, as plain JSON-able dicts."""

from __future__ import annotations

import json

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.viz import AGGREGATE_ABOVE, GAP_BORDERS, LAYER_COLOURS, PHYSICS_UP_TO, map_data

LAYERS = ["infra", "iaas", "paas", "saas", "customer"]


def chain_of(n: int, *, orgs: int = 3) -> Chain:
    nodes = [{"id": f"n{i}", "layer": LAYERS[i % 5], "org": f"org{i % orgs}"} for i in range(n)]
    edges = [{"provider": f"n{i}", "consumer": f"n{i + 1}"} for i in range(n - 1) if LAYERS[i % 5] != "customer"]
    document = {"format": "obligraph/chain@1", "name": "t", "controls": ["10.5.1"], "nodes": nodes, "edges": edges}
    return Chain.from_dict(document)


def test_layers_run_bottom_up_and_sizes_follow_dependents():
    chain = chain_of(5)
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    by_id = {n["id"]: n for n in data["nodes"]}
    ys = [by_id[f"n{i}"]["y"] for i in range(5)]
    assert ys == sorted(ys, reverse=True)  # infra has the largest screen y: the bottom
    assert by_id["n0"]["dependents"] == 4 and by_id["n4"]["dependents"] == 0
    assert by_id["n0"]["size"] > by_id["n4"]["size"]
    assert by_id["n0"]["color"]["background"] == LAYER_COLOURS["infra"]
    assert {n["gap_state"] for n in data["nodes"]} <= set(GAP_BORDERS)
    assert all(n["color"]["border"] == GAP_BORDERS[n["gap_state"]] for n in data["nodes"])
    json.dumps(data)  # plain data, no numpy scalars


def test_gap_states():
    chain = Chain.from_dict({
        "format": "obligraph/chain@1", "name": "t", "controls": ["10.5.1"],
        "nodes": [{"id": "iaas", "layer": "iaas"},
                  {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
                  {"id": "ok", "layer": "infra", "declarations": [{"control": "10.5.1", "status": "declared"}]}],
        "edges": [{"provider": "iaas", "consumer": "app"}],
    })
    states = {n["id"]: n["gap_state"] for n in map_data(chain, analyze(chain, as_of="2026-01-01"))["nodes"]}
    assert states == {"iaas": "origin", "app": "inherited", "ok": "none"}


def test_tooltips_are_plain_text_and_no_pyvis_html():
    chain = Chain.from_dict({
        "format": "obligraph/chain@1", "name": "t",
        "nodes": [{"id": "a", "layer": "iaas", "name": "<b>x</b>", "org": "<i>o</i>"}], "edges": [],
    })
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    (node,) = data["nodes"]
    assert node["label"] == "<b>x</b>"  # kept as data; the page shows it as text
    assert node["title"].startswith("<b>x</b> (a)\n")
    assert "heading" not in data and set(data) >= {"nodes", "edges", "options"}


def test_physics_only_for_small_graphs():
    small = chain_of(10)
    assert map_data(small, analyze(small, as_of="2026-01-01"))["options"]["physics"]["enabled"] is True
    big = chain_of(PHYSICS_UP_TO + 5)
    data = map_data(big, analyze(big, as_of="2026-01-01"))
    assert data["options"]["physics"]["enabled"] is False
    assert all(n["fixed"] is True for n in data["nodes"])


def test_large_chains_are_aggregated_by_layer_and_org():
    chain = chain_of(40, orgs=2)
    data = map_data(chain, analyze(chain, as_of="2026-01-01"), aggregate_above=20)
    assert data["mode"] == "aggregated"
    assert len(data["nodes"]) == 10  # 5 layers x 2 orgs
    assert sum(n["members"] for n in data["nodes"]) == 40
    assert all(n["group_node"] for n in data["nodes"])
    assert AGGREGATE_ABOVE == 1500


def test_above_the_limit_by_default():
    chain = chain_of(AGGREGATE_ABOVE + 1, orgs=4)
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    assert data["mode"] == "aggregated" and len(data["nodes"]) == 20


def test_focus_shows_a_bounded_neighbourhood():
    chain = chain_of(20)  # a path n0 -> n1 -> ... (customers end each run of five)
    analysis = analyze(chain, as_of="2026-01-01")
    data = map_data(chain, analysis, focus="n2", depth=1)
    assert data["mode"] == "focus" and not data["truncated"]
    assert {n["id"] for n in data["nodes"]} == {"n1", "n2", "n3"}
    assert {(e["from"], e["to"]) for e in data["edges"]} == {("n1", "n2"), ("n2", "n3")}
    cut = map_data(chain, analysis, focus="n2", depth=3, aggregate_above=4)
    assert cut["truncated"] and len(cut["nodes"]) == 4 and "n2" in {n["id"] for n in cut["nodes"]}
