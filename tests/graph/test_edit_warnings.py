"""Edit warnings: upside-down and loop-closing edges, and verified declarations the evidence rule does not back."""

from __future__ import annotations

from datetime import date

import pytest

from obligraph.graph.warnings import edit_warnings
from tests.helpers import chain, edge, node

BACKUP = "10.5.1"
AS_OF = date(2026, 1, 1)


def verified(**evidence: str | list[str]) -> dict:
    item = {"kind": "certification", "ref": "ISO/IEC 27001", **evidence}
    return {"status": "verified", "evidence": [item]}


def warnings_for(**evidence: str | list[str]) -> list[dict]:
    c = chain([node("iaas", "iaas", **{BACKUP: verified(**evidence)})], [], [BACKUP])
    return [w.to_dict() for w in edit_warnings(c, AS_OF)]


@pytest.mark.parametrize(
    ("evidence", "reason"),
    [
        ({"issued": "2022-01-01", "expires": "2025-12-31"}, "expired 2025-12-31"),
        ({"issued": "2022-01-01"}, "expired 2025-01-01"),  # a certification without expires: 36 months
        ({"expires": "2026-12-31", "independence": "internal"}, "internal audit"),
        ({"expires": "2026-12-31", "scope": ["9"]}, "outside the evidence's scope"),
        ({"issued": "2026-02-01", "expires": "2029-01-31"}, "issued after the analysis date"),
    ],
)
def test_verified_unassured_carries_the_engines_reason(evidence, reason):
    found = warnings_for(**evidence)
    assert [w["kind"] for w in found] == ["verified_unassured"]
    assert found[0]["reasons"] == [reason]
    assert [f["op"] for f in found[0]["fixes"]] == ["set_status", "edit_evidence"]
    assert found[0]["fixes"][0]["status"] == "declared"


def test_in_scope_third_party_evidence_warns_only_when_it_lapses_soon():
    assert warnings_for(expires="2026-12-31", scope=["10.5"]) == []
    (soon,) = warnings_for(expires="2026-02-15")
    assert (soon["kind"], soon["lapses"], soon["days"]) == ("expiring", "2026-02-15", 45)


def test_upside_down_and_loop_closing_edges():
    c = chain(
        [node("dc", "iaas"), node("app", "saas"), node("shop", "customer")],
        [edge("dc", "app"), edge("shop", "dc"), edge("app", "shop")],
        [BACKUP],
    )
    kinds = {(w.kind, w.facts["provider"], w.facts["consumer"]) for w in edit_warnings(c, AS_OF)}
    assert ("upside_down", "shop", "dc") in kinds
    assert {k for k in kinds if k[0] == "cycle"} == {
        ("cycle", "dc", "app"),
        ("cycle", "app", "shop"),
        ("cycle", "shop", "dc"),
    }
    assert edit_warnings(c, AS_OF, nodes=["nowhere"]) == []
