"""``lapsing_evidence``: which items are listed, in what order, and the gaps each lapse opens."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from obligraph.graph.analysis import analyze, lapsing_evidence
from tests.helpers import chain, edge, node

BACKUP = "10.5.1"  # defaults: infra customer, iaas/paas/saas shared
LOGGING = "10.10.1"
AS_OF = date(2026, 1, 1)


def cert(ref: str, expires: str, **fields) -> dict:
    return {"kind": "certification", "ref": ref, "expires": expires, **fields}


def verified(*items: dict) -> dict:
    return {"status": "verified", "evidence": list(items)}


def listed(analysis, days=90):
    return [(item["node"], item["control"], item["ref"]) for item in lapsing_evidence(analysis, days)]


def test_the_window_counts_the_last_day_in_force_and_includes_day_n():
    day_n = (AS_OF + timedelta(days=30)).isoformat()
    day_after_n = (AS_OF + timedelta(days=31)).isoformat()
    c = chain(
        [
            node("a", "iaas", **{BACKUP: verified(cert("today", AS_OF.isoformat()), cert("n", day_n))}),
            node("b", "iaas", **{BACKUP: verified(cert("n+1", day_after_n))}),
        ],
        [],
        [BACKUP],
    )
    result = analyze(c, as_of=AS_OF)
    assert listed(result, 30) == [("a", BACKUP, "today"), ("a", BACKUP, "n")]
    assert listed(result, 0) == [("a", BACKUP, "today")]
    assert listed(result, 31)[-1] == ("b", BACKUP, "n+1")


def test_not_assuring_items_are_listed_only_for_verified_declarations_and_come_first():
    c = chain(
        [
            node(
                "a",
                "iaas",
                **{
                    BACKUP: verified(
                        cert("soon", "2026-02-01"),
                        cert("expired", "2025-06-30"),
                        cert("internal", "2027-01-01", independence="internal"),
                        cert("later", "2030-01-01", issued="2026-06-01"),
                    ),
                    LOGGING: {"status": "declared", "evidence": [cert("old", "2020-01-01"), cert("due", "2026-01-15")]},
                },
            )
        ],
        [],
        [BACKUP, LOGGING],
    )
    items = lapsing_evidence(analyze(c, as_of=AS_OF), 90)
    assert [(i["ref"], i["assures"], i["in_force_until"], i["reason"]) for i in items] == [
        ("internal", False, None, "internal audit"),
        ("expired", False, "2025-06-30", "expired 2025-06-30"),
        ("later", False, "2030-01-01", "issued after the analysis date"),
        ("due", True, "2026-01-15", "in force until 2026-01-15"),  # a declared one's evidence still lapses
        ("soon", True, "2026-02-01", "in force until 2026-02-01"),
    ]
    internal = items[0]
    assert internal["independence"] == "internal" and internal["declared"] == "verified" and internal["position"] == 2
    assert internal["title"] == c.catalog[BACKUP].title
    assert all(i["gaps_opened"] == [] for i in items)  # the default requirement (declared) opens nothing


def test_gaps_opened_are_those_whose_blockers_include_the_item_node():
    # iaas -> paas -> saas, all verified, against the requirement verified: no gap on as_of. iaas's
    # certificate lapses in February and opens the gaps of all three. paas's lapses in March: the
    # paas and saas gaps are open then too (compared with as_of), and paas is one of their blockers.
    c = chain(
        [
            node("iaas", "iaas", **{BACKUP: verified(cert("iaas-cert", "2026-02-10"))}),
            node("paas", "paas", **{BACKUP: verified(cert("paas-cert", "2026-03-10"))}),
            node("saas", "saas", **{BACKUP: verified(cert("saas-cert", "2030-01-01"))}),
            node("other", "iaas", **{BACKUP: verified(cert("other-cert", "2026-02-10"))}),
        ],
        [edge("iaas", "paas"), edge("paas", "saas")],
        [BACKUP],
        requirement="verified",
    )
    result = analyze(c, as_of=AS_OF)
    assert result.gap_count == 0
    items = {i["ref"]: i for i in lapsing_evidence(result, 90)}
    assert set(items) == {"iaas-cert", "paas-cert", "other-cert"}
    opened = [(g["node"], g["kind"]) for g in items["iaas-cert"]["gaps_opened"]]
    assert opened == [("iaas", "origin"), ("paas", "inherited"), ("saas", "inherited")]
    # paas lapses later, but it blocks the paas and saas gaps on that day: relative to as_of they open.
    assert [g["node"] for g in items["paas-cert"]["gaps_opened"]] == ["paas", "saas"]
    # "other" lapses the same day as iaas, but it has neither provider nor consumer: no gap to open.
    assert items["other-cert"]["gaps_opened"] == []
    # What the lists say agrees with the analysis the day after each lapse.
    feb = analyze(c, as_of=date(2026, 2, 11))
    assert {g.node for g in feb.gaps()} == {"iaas", "paas", "saas"}


def test_a_second_assuring_item_keeps_the_declaration_verified_so_nothing_opens():
    c = chain(
        [node("iaas", "iaas", **{BACKUP: verified(cert("short", "2026-02-01"), cert("long", "2029-01-01"))})],
        [],
        [BACKUP],
        requirement="verified",
    )
    [short] = lapsing_evidence(analyze(c, as_of=AS_OF), 90)
    assert short["ref"] == "short" and short["gaps_opened"] == []


def test_only_the_analysed_controls_are_listed():
    c = chain(
        [node("a", "iaas", **{BACKUP: verified(cert("b", "2026-01-10")), LOGGING: verified(cert("l", "2026-01-10"))})],
        [],
        [BACKUP, LOGGING],
    )
    assert listed(analyze(c, as_of=AS_OF, controls=[LOGGING])) == [("a", LOGGING, "l")]


def test_a_negative_window_is_refused():
    c = chain([node("a", "iaas")], [], [BACKUP])
    with pytest.raises(ValueError, match="0 or more"):
        lapsing_evidence(analyze(c, as_of=AS_OF), -1)
