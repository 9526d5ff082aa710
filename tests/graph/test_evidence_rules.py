"""Hand-worked cases of the evidence rule, not_applicable on a relied-on control, blockers and fix ranking."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter

from obligraph.graph.analysis import analyze, fix_ranking
from obligraph.graph.checks import chain_warnings
from obligraph.graph.errors import ChainError
from obligraph.graph.evidence import assess, lapse_day
from obligraph.graph.schema import Evidence
from tests.helpers import chain, edge, node

BACKUP = "10.5.1"  # defaults: infra customer, iaas/paas/saas shared
PHYSICAL = "9.1.1"  # defaults: provider at every layer


def item(**fields) -> Evidence:
    return TypeAdapter(Evidence).validate_python({"kind": "certification", "ref": "ISO/IEC 27001", **fields})


@pytest.mark.parametrize(
    ("fields", "as_of", "reason"),
    [
        ({"issued": "2025-04-01", "expires": "2028-03-31"}, "2028-03-31", "in force until 2028-03-31"),
        ({"issued": "2025-04-01", "expires": "2028-03-31"}, "2028-04-01", "expired 2028-03-31"),
        ({"issued": "2025-04-01", "expires": "2028-03-31"}, "2025-03-31", "issued after the analysis date"),
        ({"issued": "2025-04-01"}, "2028-04-01", "in force until 2028-04-01"),  # 36 months for a certification
        ({"issued": "2025-04-01"}, "2028-04-02", "expired 2028-04-01"),
        ({"kind": "audit_report", "issued": "2024-02-29"}, "2025-02-28", "in force until 2025-02-28"),  # clamped
        ({"kind": "audit_report", "issued": "2024-02-29"}, "2025-03-01", "expired 2025-02-28"),
        ({}, "2026-01-01", "no issue or expiry date"),
        ({"expires": "2026-12-31", "independence": "internal"}, "2026-01-01", "internal audit"),
        ({"expires": "2026-12-31", "scope": ["9", "10.7"]}, "2026-01-01", "outside the evidence's scope"),
        ({"expires": "2026-12-31", "scope": ["10.5"]}, "2026-01-01", "in force until 2026-12-31"),
        (
            {"kind": "contract", "expires": "2026-12-31"},
            "2026-01-01",
            "contract is not an audit report or certification",
        ),
    ],
)
def test_each_reason(fields, as_of, reason):
    check = assess(item(**fields), BACKUP, date.fromisoformat(as_of))
    assert check.reason == reason
    assert check.assures is reason.startswith("in force")


def test_lapse_day_without_any_date_is_none():
    assert lapse_day(item()) is None
    assert lapse_day(item(kind="audit_report", issued="2025-01-31")) == date(2026, 1, 31)


def test_verified_counts_as_declared_without_assuring_evidence_and_the_blocker_says_why():
    scoped = {
        "status": "verified",
        "evidence": [{"kind": "certification", "ref": "PrivacyMark", "expires": "2030-01-01", "scope": ["15"]}],
    }
    c = chain(
        [node("saas", "saas", **{BACKUP: scoped}), node("org", "customer", **{BACKUP: "verified"})],
        [edge("saas", "org")],
        [BACKUP],
        requirement="verified",
    )
    result = analyze(c, as_of="2026-01-01")
    assert result.own_status("saas", BACKUP).value == "declared"
    by_node = {b.node: b for b in result.blockers("org", BACKUP)}
    assert set(by_node) == {"saas", "org"}
    assert "outside the evidence's scope" in by_node["saas"].note
    assert by_node["org"].note == "verified without evidence: counts as declared"


def test_not_applicable_on_a_relied_on_control_counts_as_unknown_and_warns():
    c = chain(
        [
            node("iaas", "iaas", **{PHYSICAL: "not_applicable"}),
            node("app", "saas", **{PHYSICAL: "declared"}),
            node("lone", "iaas", **{PHYSICAL: "not_applicable"}),
        ],
        [edge("iaas", "app")],
        [PHYSICAL],
    )
    result = analyze(c, as_of="2026-01-01")
    assert result.own_status("iaas", PHYSICAL).value == "unknown"
    assert result.own_status("lone", PHYSICAL).value == "not_applicable"  # nobody relies on it
    [cause] = result.root_causes("app", PHYSICAL)
    assert cause.node == "iaas" and "not_applicable" in cause.note
    [warning] = chain_warnings(c)
    assert warning.location == "nodes[0].declarations[0].status" and "'app' relies on it" in warning.message
    # Overriding the edge to customer: nobody relies on iaas for it any more.
    free = chain(
        [node("iaas", "iaas", **{PHYSICAL: "not_applicable"}), node("app", "saas", **{PHYSICAL: "declared"})],
        [edge("iaas", "app", **{"9_1_1": "customer"})],
        [PHYSICAL],
    )
    assert analyze(free, as_of="2026-01-01").own_status("iaas", PHYSICAL).value == "not_applicable"
    assert chain_warnings(free) == []


def test_blockers_list_every_contributor_below_the_requirement():
    # The department does its own part only partially, behind a provider that declared nothing:
    # the root cause is the provider alone, but fixing it leaves the gap open at 'partial'.
    c = chain(
        [
            node("iaas", "iaas"),
            node("saas", "saas", **{BACKUP: "declared"}),
            node("dept", "customer", **{BACKUP: "partial"}),
        ],
        [edge("iaas", "saas"), edge("saas", "dept")],
        [BACKUP],
    )
    result = analyze(c, as_of="2026-01-01")
    gap = result.to_dict()["gaps"]
    dept = next(g for g in gap if g["node"] == "dept")
    assert [r["node"] for r in dept["root_causes"]] == ["iaas"]
    assert dept["blockers"] == [
        {"node": "dept", "status": "partial", "path": ["dept"]},
        {"node": "iaas", "status": "unknown", "path": ["iaas", "saas", "dept"]},
    ]
    ranking = {(f["node"], f["control"]): (f["gaps_closed"], f["gaps_blocked"]) for f in fix_ranking(result)}
    # iaas blocks all three gaps and alone closes its own and saas's; dept closes none alone.
    assert ranking == {("iaas", BACKUP): (2, 3), ("dept", BACKUP): (0, 1)}
    assert [f["node"] for f in fix_ranking(result)] == ["iaas", "dept"]


def test_circular_gap_has_no_blockers():
    c = chain([node("a", "saas"), node("b", "saas")], [edge("a", "b"), edge("b", "a")], [PHYSICAL])
    result = analyze(c, as_of="2026-01-01")
    assert result.gap("a", PHYSICAL).kind == "circular"
    assert result.blockers("a", PHYSICAL) == []


def test_default_controls_are_the_whole_catalog_and_cloud_guidance_only_narrows():
    c = chain([node("iaas", "iaas"), node("app", "saas")], [edge("iaas", "app")], [PHYSICAL])
    c.controls = None
    assert len(analyze(c, as_of="2026-01-01").controls) == 133
    narrowed = analyze(c, as_of="2026-01-01", cloud_guidance_only=True).controls
    assert narrowed == list(c.catalog.cloud_guidance_ids) and len(narrowed) == 106
    assert analyze(c, as_of="2026-01-01", controls=["5.1.1", "6.1.1"], cloud_guidance_only=True).controls == [
        x for x in ["5.1.1", "6.1.1"] if c.catalog[x].cloud_guidance
    ]


def test_unknown_scope_entry_is_refused_with_its_place():
    bad = {
        "status": "verified",
        "evidence": [{"kind": "certification", "ref": "x", "expires": "2030-01-01", "scope": ["10.5", "A.5.1"]}],
    }
    with pytest.raises(ChainError) as error:
        chain([node("app", "saas", **{BACKUP: bad})], [], [BACKUP])
    [issue] = error.value.issues
    assert issue.location == "nodes[0].declarations[0].evidence[0].scope[1]" and "'A.5.1'" in issue.message
