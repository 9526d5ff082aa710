"""The node audit checklist as JSON (``obligraph/node-report@1``), from ``graph.analysis.checklist``.

For each control: the node's own and effective status, its declaration (each evidence item with
its assessment on the analysis date: ``assures``, ``reason``, ``in_force_until``), the gap (with
root causes and blockers) if there is one, what the node must do itself (the catalog's user
guidance, when it has its own part), and what to demand from which provider (the provider
expectation, for each provider that carries the control over the edge).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from obligraph.graph.analysis import Analysis
from obligraph.graph.analysis.checklist import node_checklist
from obligraph.graph.evidence import assessed_items
from obligraph.graph.schema import Declaration, dump_item

REPORT_FORMAT = "obligraph/node-report@1"


def _declaration(declaration: Declaration, as_of: date) -> dict[str, Any]:
    """The declaration as JSON, each evidence item with its assessment on ``as_of`` (assures, reason)."""
    return {**dump_item(declaration), "evidence": assessed_items(declaration, as_of)}


def node_report(analysis: Analysis, node: str, revision: int) -> dict[str, Any]:
    attrs = analysis.chain.node(node)
    items = [
        {
            "control": item.control.id,
            "title": item.control.title,
            "clause": item.control.clause,
            "in_scope": item.in_scope,
            "own": item.own.value,
            "effective": item.effective.value,
            "declaration": _declaration(item.declaration, analysis.as_of) if item.declaration else None,
            "gap": analysis.gap_dict(item.gap) if item.gap else None,
            "needs_own_part": item.needs_own_part,
            "you_do": item.control.user_guidance if item.needs_own_part else None,
            "demand": item.control.provider_expectation if item.delegates else None,
            "providers": [
                {
                    "provider": reliance.provider,
                    "responsibility": reliance.responsibility.value,
                    "own": reliance.own.value,
                    "effective": reliance.effective.value,
                }
                for reliance in item.providers
            ],
        }
        for item in node_checklist(analysis, node)
    ]
    return {
        "format": REPORT_FORMAT,
        "node": {"id": node, "name": attrs.name, "layer": attrs.layer.value, "org": attrs.org},
        "requirement": analysis.requirement.value,
        "as_of": analysis.as_of.isoformat(),
        "revision": revision,
        "summary": {
            "controls": len(items),
            "in_scope": sum(1 for item in items if item["in_scope"]),
            "declared": sum(1 for item in items if item["declaration"]),
            "gaps": sum(1 for item in items if item["gap"]),
            "providers": len(list(analysis.chain.graph.predecessors(node))),
        },
        "controls": items,
    }
