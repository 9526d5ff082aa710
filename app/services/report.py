"""The node audit checklist as JSON: per analysed control, where the node stands and what to do.

For each control: the node's own and effective status, its declaration, the gap (with root
causes) if there is one, what the node must do itself (the catalog's user guidance, when it has
its own part), and what to demand from which provider (the provider expectation, for each
provider that carries the control over the edge).
"""

from __future__ import annotations

from typing import Any

from obligraph.graph.analysis import Analysis
from obligraph.graph.lattice import Responsibility

REPORT_FORMAT = "obligraph/node-report@1"


def node_report(analysis: Analysis, node: str, revision: int) -> dict[str, Any]:
    chain = analysis.chain
    catalog = chain.catalog
    x = analysis.compiled.node_index[node]
    attrs = chain.node(node)
    declarations = chain.declarations(node)
    providers = list(chain.graph.predecessors(node))
    items = []
    for k, control_id in enumerate(analysis.controls):
        control = catalog[control_id]
        gap = analysis.gap(node, control_id)
        declaration = declarations.get(control_id)
        relied = []
        for provider in providers:
            split = chain.responsibility(provider, node, control_id)
            relied.append(
                {
                    "provider": provider,
                    "responsibility": split.value,
                    "own": analysis.own_status(provider, control_id).value,
                    "effective": analysis.effective_status(provider, control_id).value,
                }
            )
        needs_own = bool(analysis.needs_own[x, k])
        delegates = any(item["responsibility"] != Responsibility.CUSTOMER.value for item in relied)
        items.append(
            {
                "control": control_id,
                "title": control.title,
                "clause": control.clause,
                "in_scope": bool(analysis.in_scope[x, k]),
                "own": analysis.own_status(node, control_id).value,
                "effective": analysis.effective_status(node, control_id).value,
                "declaration": declaration.model_dump(mode="json", exclude_none=True) if declaration else None,
                "gap": analysis.gap_dict(gap) if gap else None,
                "needs_own_part": needs_own,
                "you_do": control.user_guidance if needs_own else None,
                "demand": control.provider_expectation if delegates else None,
                "providers": relied,
            }
        )
    gaps = sum(1 for item in items if item["gap"])
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
            "gaps": gaps,
            "providers": len(providers),
        },
        "controls": items,
    }
