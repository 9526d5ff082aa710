"""``graph/viz``: the map data built through pyvis, as plain JSON-able dicts."""

from __future__ import annotations

import json

import pytest

from obligraph.graph import palette
from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.viz import (
    AGGREGATE_ABOVE,
    GAP_BORDERS,
    UnknownGroup,
    groups_of,
    map_data,
    org_group,
    rest_group,
)

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
    # The fill and shape say the gap state; the layer is the band, never the fill.
    assert {n["gap_state"] for n in data["nodes"]} <= set(GAP_BORDERS)
    assert all(n["color"]["background"] == palette.GAP_STATE_COLOURS[n["gap_state"]] for n in data["nodes"])
    assert all(n["shape"] == palette.GAP_STATE_SHAPES[n["gap_state"]] for n in data["nodes"])
    assert [band["layer"] for band in data["bands"]] == ["customer", "saas", "paas", "iaas", "infra"]
    for band in data["bands"]:
        inside = [n for n in data["nodes"] if n["layer"] == band["layer"]]
        assert all(band["top"] < n["y"] < band["bottom"] for n in inside)
    json.dumps(data)  # plain data, no numpy scalars


def test_gap_states():
    chain = Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "t",
            "controls": ["10.5.1"],
            "nodes": [
                {"id": "iaas", "layer": "iaas"},
                {"id": "app", "layer": "saas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
                {"id": "ok", "layer": "infra", "declarations": [{"control": "10.5.1", "status": "declared"}]},
            ],
            "edges": [{"provider": "iaas", "consumer": "app"}],
        }
    )
    states = {n["id"]: n["gap_state"] for n in map_data(chain, analyze(chain, as_of="2026-01-01"))["nodes"]}
    assert states == {"iaas": "origin", "app": "inherited", "ok": "none"}


def test_tooltips_are_plain_text_and_no_pyvis_html():
    chain = Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "t",
            "nodes": [{"id": "a", "layer": "iaas", "name": "<b>x</b>", "org": "<i>o</i>"}],
            "edges": [],
        }
    )
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    (node,) = data["nodes"]
    assert node["name"] == "<b>x</b>" and "label" not in node  # kept as data; the page draws it as text
    assert node["title"].startswith("<b>x</b> (a)\n")
    assert "heading" not in data and set(data) >= {"nodes", "edges", "options"}


def test_positions_are_final():
    """No physics: the layout's slots are what keeps labels apart, so nothing may move the nodes."""
    chain = chain_of(30)
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    assert data["options"]["physics"]["enabled"] is False
    assert all(n["fixed"] is True for n in data["nodes"])


def label_boxes(data):
    return [(n["x"] - n["label_width"] / 2, n["x"] + n["label_width"] / 2, n["y"]) for n in data["nodes"]]


@pytest.mark.parametrize("size", [5, 61, 150, 1500])
def test_slots_never_overlap_and_wide_bands_wrap(size):
    nodes = [
        {
            "id": f"n{i}",
            "layer": LAYERS[i % 5] if i % 3 else "saas",
            "org": f"org{i % 7}",
            "name": f"Service number {i} with a rather long name" if i % 4 == 0 else f"S{i}",
        }
        for i in range(size)
    ]
    chain = Chain.from_dict(
        {"format": "obligraph/chain@1", "name": "t", "controls": ["10.5.1"], "nodes": nodes, "edges": []}
    )
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    rows: dict[float, list] = {}
    for x0, x1, y in label_boxes(data):
        rows.setdefault(y, []).append((x0, x1))
    for boxes in rows.values():  # labels sit below their markers: one row's slots must not overlap
        boxes.sort()
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:]))
    xs = [n["x"] for n in data["nodes"]]
    ys = [n["y"] for n in data["nodes"]]
    if size >= 150:  # a wide band wraps: the picture stays near a screen's shape, not one long line
        assert (max(xs) - min(xs)) / (max(ys) - min(ys)) < 3
        assert max(band["rows"] for band in data["bands"]) > 1


def test_organisations_sit_together():
    nodes = [{"id": f"n{i}", "layer": "saas", "org": ["a", "b", "c"][i % 3]} for i in range(12)]
    chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "t", "nodes": nodes, "edges": []})
    data = map_data(chain, analyze(chain, as_of="2026-01-01"))
    order = [n["org"] for n in sorted(data["nodes"], key=lambda n: (n["y"], n["x"]))]
    assert order == sorted(order, key=order.index)  # each organisation's nodes form one run


def test_edges_inside_a_band_curve():
    chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "t",
        "nodes": [{"id": "a", "layer": "saas"}, {"id": "b", "layer": "saas"}, {"id": "c", "layer": "iaas"}],
        "edges": [{"provider": "a", "consumer": "b"}, {"provider": "c", "consumer": "a"}]})  # fmt: skip
    edges = {e["id"]: e for e in map_data(chain, analyze(chain, as_of="2026-01-01"))["edges"]}
    assert edges["a>b"]["smooth"]["enabled"] and "smooth" not in edges["c>a"]
    assert edges["c>a"]["from"] == "c" and edges["c>a"]["to"] == "a"  # arrows point provider -> consumer


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


def test_many_organisations_fold_into_one_group_per_layer():
    chain = chain_of(60, orgs=30)  # 30 organisations x their layers: more groups than the limit
    groups = groups_of(chain, limit=12)
    assert len(groups.members) <= 12
    assert sorted(sum(groups.members.values(), [])) == sorted(chain.graph.nodes)  # every node in one group
    folded = [g for g in groups.members if g.startswith("rest|")]
    assert folded and all(groups.org[g] is None and groups.orgs[g] > 1 for g in folded)
    kept = [g for g in groups.members if g.startswith("org|")]
    assert len(kept) == 12 - 5  # one place per layer stays for its folded group
    assert all(groups.of[n] == g for g, members in groups.members.items() for n in members)


def test_the_biggest_organisations_keep_their_own_group():
    nodes = [{"id": f"big{i}", "layer": "saas", "org": "big"} for i in range(10)]
    nodes += [{"id": f"s{i}", "layer": "saas", "org": f"small{i}"} for i in range(20)]
    chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "t", "nodes": nodes, "edges": []})
    groups = groups_of(chain, limit=8)
    assert org_group("saas", "big") in groups.members and len(groups.members[org_group("saas", "big")]) == 10
    assert len(groups.members[rest_group("saas")]) == 20 - (8 - 5 - 1)


def expanded(chain, expand, limit=20):
    return map_data(chain, analyze(chain, as_of="2026-01-01"), aggregate_above=limit, expand=expand)


def test_expanding_a_group_draws_its_members_and_their_edges():
    chain = chain_of(40, orgs=2)  # n0 -> n1 -> ... in runs of five; org alternates
    before = expanded(chain, [])
    group = org_group("iaas", "org1")  # n1, n11, n21, n31
    data = expanded(chain, [group])
    ids = {n["id"] for n in data["nodes"]}
    assert {"n1", "n11", "n21", "n31"} <= ids and group not in ids
    assert len(data["nodes"]) == len(before["nodes"]) - 1 + 4
    assert data["expanded"] == [group] and data["cut"] == []
    assert all(n["group"] == group and not n.get("group_node") for n in data["nodes"] if n["id"].startswith("n"))
    # n0 (infra, org0) -> n1: the provider end is still a group, the consumer end is a member.
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert edges[(org_group("infra", "org0"), "n1")]["title"] == "1 dependency"  # n0 -> n1
    assert (org_group("infra", "org0"), "n11") in edges  # n10 -> n11
    assert (org_group("iaas", "org1"), org_group("paas", "org0")) not in edges  # its group is gone
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])  # ids stay unique
    # Every chain edge is drawn once: as itself or folded into a count on a group edge.
    drawn = sum(int(e["title"].split()[0]) if e["title"][0].isdigit() else 1 for e in data["edges"])
    inside = sum(1 for u, v in chain.edges() if _shown(data, u) == _shown(data, v))
    assert drawn + inside == len(chain.edges())


def _shown(data, node):
    """What ``node`` of ``chain_of(n, orgs=2)`` is drawn as: itself, or its group."""
    layer = ["infra", "iaas", "paas", "saas", "customer"][int(node[1:]) % 5]
    org = f"org{int(node[1:]) % 2}"
    member_ids = {n["id"] for n in data["nodes"]}
    return node if node in member_ids else org_group(layer, org)


def test_expanding_stays_within_the_limit_and_says_what_was_cut():
    chain = chain_of(200, orgs=1)  # 5 groups of 40
    group = org_group("customer", "org0")
    data = expanded(chain, [group], limit=25)
    assert len(data["nodes"]) <= 25
    (cut,) = data["cut"]
    assert cut["group"] == group and cut["members"] == 40 and cut["shown"] == 25 - 5
    rest = next(n for n in data["nodes"] if n["id"] == group)
    assert rest["members"] == 20 and rest["drawn_members"] == 20  # the group node stands for the others


def test_expanded_members_come_most_gaps_first():
    chain = chain_of(200, orgs=1)
    analysis = analyze(chain, as_of="2026-01-01")
    group = org_group("saas", "org0")
    data = map_data(chain, analysis, aggregate_above=10, expand=[group])
    shown = [n for n in data["nodes"] if not n.get("group_node")]
    left_out = set(groups_of(chain).members[group]) - {n["id"] for n in shown}
    counts = dict(zip(analysis.compiled.node_ids, analysis.gap_mask.sum(axis=1)))
    assert shown and left_out
    assert min(n["gap_count"] for n in shown) >= max(int(counts[n]) for n in left_out)


def test_an_unknown_group_is_refused():
    chain = chain_of(40, orgs=2)
    with pytest.raises(UnknownGroup, match="no group 'org|nope|x'"):
        expanded(chain, ["org|nope|x"])


def test_group_edge_ids_survive_organisations_named_with_the_separator():
    nodes = [{"id": f"a{i}", "layer": "iaas", "org": "x>y"} for i in range(3)]
    nodes += [{"id": f"b{i}", "layer": "saas", "org": "x"} for i in range(3)]
    nodes += [{"id": f"c{i}", "layer": "saas", "org": "y>z"} for i in range(3)]
    edges = [{"provider": f"a{i}", "consumer": f"b{i}"} for i in range(3)] + [
        {"provider": f"a{i}", "consumer": f"c{i}"} for i in range(3)
    ]
    chain = Chain.from_dict({"format": "obligraph/chain@1", "name": "t", "nodes": nodes, "edges": edges})
    data = map_data(chain, analyze(chain, as_of="2026-01-01"), aggregate_above=5)
    ids = [e["id"] for e in data["edges"]]
    assert len(ids) == len(set(ids)) == 2
    assert all(json.loads(i) == [e["from"], e["to"]] for i, e in zip(ids, data["edges"]))


def test_aggregated_groups_sit_in_bands_and_an_expanded_group_wraps_into_rows():
    nodes = [{"id": f"s{i}", "layer": "saas", "org": "big"} for i in range(120)]
    nodes += [{"id": f"i{i}", "layer": "iaas", "org": f"host{i % 3}"} for i in range(9)]
    edges = [{"provider": f"i{i % 9}", "consumer": f"s{i}"} for i in range(120)]
    chain = Chain.from_dict(
        {"format": "obligraph/chain@1", "name": "t", "controls": ["10.5.1"], "nodes": nodes, "edges": edges}
    )
    data = expanded(chain, [], limit=100)
    assert [band["layer"] for band in data["bands"]] == ["saas", "iaas"]
    for node in data["nodes"]:
        band = next(b for b in data["bands"] if b["layer"] == node["layer"])
        assert band["top"] < node["y"] < band["bottom"]
    group = next(n for n in data["nodes"] if n["id"] == org_group("saas", "big"))
    assert group["members"] == 120 and "120 nodes" in group["counts_line"]
    opened = expanded(chain, [org_group("saas", "big")], limit=200)
    rows = {n["y"] for n in opened["nodes"] if n["layer"] == "saas"}
    assert len(rows) > 3  # 120 members in rows, not one line
