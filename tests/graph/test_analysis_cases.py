"""Hand-worked cases of the analysis (docs/analysis.md), one situation each."""

from __future__ import annotations

from datetime import date

from obligraph.graph.analysis import analyze, fix_ranking, impact, obligations, single_points_of_failure, what_if
from obligraph.graph.lattice import Status
from tests.helpers import chain, edge, node

AS_OF = date(2026, 11, 26)
BACKUP = "10.5.1"  # defaults: infra customer, iaas/paas/saas shared
PHYSICAL = "9.1.1"  # defaults: provider at every layer


def kinds(result):
    return {(g.node, g.control): g.kind for g in result.gaps()}


def test_plain_chain_inherits_gap_from_the_top():
    c = chain(
        [
            node("iaas", "iaas"),
            node("paas", "paas", **{PHYSICAL: "declared"}),
            node("saas", "saas", **{PHYSICAL: "declared"}),
            node("org", "customer", **{PHYSICAL: "declared"}),
        ],
        [edge("iaas", "paas"), edge("paas", "saas"), edge("saas", "org")],
        [PHYSICAL],
    )
    result = analyze(c, as_of=AS_OF)
    # Everyone below declared, but each relies on its provider for physical security (the catalog
    # default at every layer), so the IaaS's unknown status flows all the way down.
    assert kinds(result) == {
        ("iaas", PHYSICAL): "origin",
        ("paas", PHYSICAL): "inherited",
        ("saas", PHYSICAL): "inherited",
        ("org", PHYSICAL): "inherited",
    }
    [cause] = result.root_causes("org", PHYSICAL)
    assert (cause.node, cause.status) == ("iaas", "unknown")
    assert cause.path == ["iaas", "paas", "saas", "org"]


def test_shared_control_with_customer_part_missing_is_an_origin_gap():
    c = chain(
        [node("iaas", "iaas", **{BACKUP: "declared"}), node("org", "customer")],
        [edge("iaas", "org")],
        [BACKUP],
    )
    result = analyze(c, as_of=AS_OF)
    gap = result.gap("org", BACKUP)
    assert gap is not None and gap.kind == "origin" and not gap.orphaned
    assert [r.node for r in result.root_causes("org", BACKUP)] == ["org"]
    assert result.gap("iaas", BACKUP) is None


def test_both_parts_missing_is_mixed():
    c = chain([node("iaas", "iaas"), node("org", "customer")], [edge("iaas", "org")], [BACKUP])
    gap = analyze(c, as_of=AS_OF).gap("org", BACKUP)
    assert gap.kind == "mixed"


def test_provider_disclaiming_a_control_orphans_it():
    c = chain(
        [node("paas", "paas", **{BACKUP: {"status": "declared", "assigns": "customer"}}), node("app", "saas")],
        [edge("paas", "app")],
        [BACKUP],
    )
    gap = analyze(c, as_of=AS_OF).gap("app", BACKUP)
    assert gap.kind == "origin" and gap.orphaned


def test_edge_override_to_customer_also_orphans_but_a_declaration_picks_it_up():
    nodes = [node("paas", "paas", **{BACKUP: "declared"}), node("app", "saas")]
    c = chain(nodes, [edge("paas", "app", **{"10_5_1": "customer"})], [BACKUP])
    assert analyze(c, as_of=AS_OF).gap("app", BACKUP).orphaned
    nodes[1] = node("app", "saas", **{BACKUP: "partial"})
    c = chain(nodes, [edge("paas", "app", **{"10_5_1": "customer"})], [BACKUP])
    gap = analyze(c, as_of=AS_OF).gap("app", BACKUP)
    assert gap.kind == "origin" and not gap.orphaned


def test_two_node_delegation_loop_is_circular():
    c = chain(
        [node("root", "iaas", **{PHYSICAL: "verified"}), node("a", "paas"), node("b", "saas")],
        [edge("a", "b"), edge("b", "a")],
        [PHYSICAL],
    )
    result = analyze(c, as_of=AS_OF)
    assert kinds(result) == {("a", PHYSICAL): "circular", ("b", PHYSICAL): "circular"}
    assert result.root_causes("a", PHYSICAL) == []
    assert result.effective_status("a", PHYSICAL) is Status.UNKNOWN


def test_expired_certificate_counts_as_declared():
    evidence = [{"kind": "certification", "ref": "ISO 27001 #1", "issued": "2023-01-01", "expires": "2026-01-31"}]
    c = chain(
        [node("iaas", "iaas", **{PHYSICAL: {"status": "verified", "evidence": evidence}}), node("app", "saas")],
        [edge("iaas", "app")],
        [PHYSICAL],
    )
    assert analyze(c, as_of=date(2026, 1, 31)).effective_status("app", PHYSICAL) is Status.VERIFIED
    after = analyze(c, as_of=date(2026, 2, 1), requirement="verified")
    assert after.effective_status("app", PHYSICAL) is Status.DECLARED
    assert after.gap("app", PHYSICAL).kind == "inherited"


def test_verified_without_assuring_evidence_counts_as_declared():
    evidence = [{"kind": "self_assessment", "ref": "questionnaire"}]
    c = chain([node("iaas", "iaas", **{PHYSICAL: {"status": "verified", "evidence": evidence}})], [], [PHYSICAL])
    assert analyze(c, as_of=AS_OF).own_status("iaas", PHYSICAL) is Status.DECLARED


def test_isolated_node_is_out_of_scope():
    c = chain([node("lonely", "saas")], [], [PHYSICAL])
    assert analyze(c, as_of=AS_OF).gap_count == 0


def test_requirement_and_controls_come_from_document_unless_given():
    c = chain(
        [node("iaas", "iaas", **{PHYSICAL: "partial", BACKUP: "partial"}), node("app", "saas")],
        [edge("iaas", "app")],
        [PHYSICAL, BACKUP],
        requirement="partial",
    )
    assert analyze(c, as_of=AS_OF).requirement is Status.PARTIAL
    assert analyze(c, as_of=AS_OF).controls == [PHYSICAL, BACKUP]
    assert analyze(c, as_of=AS_OF, controls=[BACKUP]).controls == [BACKUP]
    assert analyze(c, as_of=AS_OF, requirement="declared").gap("app", PHYSICAL).kind == "inherited"


def test_obligations_fixes_and_impact():
    c = chain(
        [node("dc", "infra"), node("iaas", "iaas", **{PHYSICAL: "declared"}), node("a", "saas"), node("b", "saas")],
        [edge("dc", "iaas"), edge("iaas", "a"), edge("iaas", "b")],
        [PHYSICAL],
    )
    result = analyze(c, as_of=AS_OF)
    [owed] = obligations(result, "dc")
    assert owed["direct_consumers"] == ["iaas"] and owed["transitive_consumers"] == 3
    top = fix_ranking(result)[0]
    # dc is the only blocker of all four gaps: fixing it alone closes them.
    assert (top["node"], top["control"], top["gaps_closed"], top["gaps_blocked"]) == ("dc", PHYSICAL, 4, 4)

    closed = what_if(c, [{"op": "set_status", "node": "dc", "status": "verified"}], as_of=AS_OF)
    # dc verified, but iaas needs its own part (it declared) and is only declared: 3 gaps close.
    assert closed["summary"]["closed"] == 4
    removed = impact(c, provider="iaas", as_of=AS_OF)
    assert removed["removed_nodes"] == ["iaas"]
    outage = impact(c, provider="iaas", incident="paas-outage", as_of=AS_OF, controls=["9.1.4"])
    assert set(outage["affected_nodes"]) >= {"a", "b"}


def test_spof_through_a_cycle():
    c = chain(
        [node("p", "paas"), node("mon", "saas"), node("app", "saas")],
        [edge("p", "mon"), edge("mon", "p"), edge("p", "app")],
        [PHYSICAL],
    )
    dominators = single_points_of_failure(c)["dominators"]
    assert dominators["app"] == ["p"]


def test_an_empty_control_list_gives_an_empty_analysis():
    doc = chain([node("p", "iaas"), node("c", "saas")], [edge("p", "c")], ["9.1.1"])
    analysis = analyze(doc, controls=[])
    assert analysis.controls == [] and analysis.summary()["gaps"] == 0
    assert what_if(doc, [{"op": "remove_node", "node": "p"}], controls=[])["summary"]["opened"] == 0
