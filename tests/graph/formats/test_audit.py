"""The node audit report: per in-scope control, statuses, evidence, gaps with root-cause paths, what to demand."""

from __future__ import annotations

import pytest

from obligraph.graph.analysis import analyze
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import export_chain
from obligraph.graph.formats.audit import audit_context
from tests.helpers import chain as make_chain
from tests.helpers import edge, node
from tests.strategies import AS_OF


def test_context_covers_exactly_the_in_scope_controls(example, example_analysis):
    context = audit_context(example, example_analysis, "sakura-hr")
    v = example_analysis.compiled.node_index["sakura-hr"]
    expected = [c for k, c in enumerate(example_analysis.controls) if example_analysis.in_scope[v, k]]
    assert [item["control"] for item in context["items"]] == expected
    gaps = {g.control for g in example_analysis.gaps(nodes=["sakura-hr"])}
    assert {item["control"] for item in context["items"] if item["gap"]} == gaps


def test_markdown_report_has_statuses_evidence_paths_guidance_and_demands():
    chain = make_chain(
        [
            node(
                "dc",
                "infra",
                **{
                    "10.5.1": {
                        "status": "verified",
                        "evidence": [{"kind": "certification", "ref": "ISO 27001 #7", "expires": "2026-01-01"}],
                    }
                },
            ),
            {**node("hr", "saas", **{"10.5.1": "declared"}), "name": "HR *Cloud*"},
        ],
        [edge("dc", "hr", **{"10_5_1": "provider"})],
        ["10.5.1"],
        requirement="verified",
    )
    analysis = analyze(chain, as_of=AS_OF)
    report = export_chain(chain, "audit-md", analysis, node="hr").decode("utf-8")
    assert "# Audit checklist: HR \\*Cloud\\*" in report
    assert "## 10.5.1 Information back-up (GAP)" in report
    assert "Own status: **declared**; effective status: **declared**" in report
    assert "Gap: mixed" in report
    assert "Root cause dc (declared), path: dc → HR \\*Cloud\\* (hr)" in report
    assert "What you must do:" in report and "Demand from dc (provider):" in report
    dc = export_chain(chain, "audit-md", analysis, node="dc").decode("utf-8")
    assert "Own status: **declared** (declared verified)" in dc  # the only certificate has expired
    assert "certification: ISO 27001 #7" in dc and "expires 2026-01-01: **does not assure** (expired 2026-01-01)" in dc
    assert "Counts as: verified, but no evidence assures it (expired 2026-01-01): counts as declared" in dc


def test_html_report_escapes_chain_text():
    chain = make_chain(
        [{**node("a", "iaas"), "name": "<script>alert(1)</script>"}, node("b", "saas")], [edge("a", "b")], ["10.5.1"]
    )
    for fmt in ("audit-html", "audit-md"):
        page = export_chain(chain, fmt, node="b").decode("utf-8")
        assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_report_needs_an_existing_node(example):
    with pytest.raises(ChainError, match="one node"):
        export_chain(example, "audit-md")
    with pytest.raises(ChainError, match="no node 'x'"):
        export_chain(example, "audit-html", node="x")


def test_only_gaps(example, example_analysis):
    full = audit_context(example, example_analysis, "sakura-hr")
    gaps = audit_context(example, example_analysis, "sakura-hr", only_gaps=True)
    assert [i["control"] for i in gaps["items"]] == [i["control"] for i in full["items"] if i["gap"]]
