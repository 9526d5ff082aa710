"""The audit report for one node: its checklist, control by control (Markdown or HTML, via Jinja2).

For each analysed control in scope for the node: its own and effective status, the declaration's
evidence and expiry, the gap (kind, orphaned, root causes with their delegating paths), what the
catalog tells the cloud user to do, and what to demand from which provider: the catalog's provider
expectation, naming the providers this node relies on for the control (edges whose responsibility
is ``provider`` or ``shared``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from obligraph.graph.analysis.checklist import ChecklistItem, node_checklist
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.evidence import assessments
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.formats._templates import environment

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis


def write_markdown(
    chain: Chain, analysis: Analysis | None = None, *, node: str | None = None, only_gaps: bool = False
) -> str:
    return _render("audit.md.j2", chain, analysis, node, only_gaps)


def write_html(
    chain: Chain, analysis: Analysis | None = None, *, node: str | None = None, only_gaps: bool = False
) -> str:
    return _render("audit.html.j2", chain, analysis, node, only_gaps)


def _render(template: str, chain: Chain, analysis: Analysis | None, node: str | None, only_gaps: bool) -> str:
    if node is None:
        raise ChainError.at(("node",), "the audit report is for one node; name it (node=<id>)")
    if node not in chain:
        raise ChainError.at(("node",), f"there is no node '{node}'")
    analysis = ensure_analysis(chain, analysis)
    context = audit_context(chain, analysis, node, only_gaps=only_gaps)
    return environment().get_template(template).render(**context)


def audit_context(chain: Chain, analysis: Analysis, node: str, *, only_gaps: bool = False) -> dict[str, Any]:
    """Everything the templates show, as plain data: the node's checklist (in-scope controls only)."""
    attrs = chain.graph.nodes[node]
    items = [
        _item(chain, analysis, node, item)
        for item in node_checklist(analysis, node)
        if item.in_scope and (item.gap is not None or not only_gaps)
    ]
    return {
        "chain": chain.name,
        "node": {
            "id": node,
            "name": attrs["name"] or node,
            "layer": attrs["layer"].value,
            "org": attrs["org"],
            "description": attrs["description"],
        },
        "as_of": analysis.as_of.isoformat(),
        "requirement": analysis.requirement.value,
        "catalog": chain.catalog.title,
        "providers": [_name(chain, u) for u in chain.graph.predecessors(node)],
        "consumers": [_name(chain, w) for w in chain.graph.successors(node)],
        "items": items,
        "gap_count": sum(1 for item in items if item["gap"]),
        "only_gaps": only_gaps,
    }


def _item(chain: Chain, analysis: Analysis, node: str, item: ChecklistItem) -> dict[str, Any]:
    declaration, gap, control = item.declaration, item.gap, item.control.id
    evidence: list[dict[str, Any]] = []
    if declaration is not None:
        for proof, check in zip(declaration.evidence, assessments(declaration, analysis.as_of)):
            evidence.append(
                {
                    "kind": proof.kind.value,
                    "ref": proof.ref,
                    "issued": proof.issued.isoformat() if proof.issued else None,
                    "expires": proof.expires.isoformat() if proof.expires else None,
                    "expired": bool(check.lapses and check.lapses < analysis.as_of),
                    "assures": check.assures,
                    "reason": check.reason,
                    "url": proof.url,
                }
            )
    return {
        "control": control,
        "title": item.control.title,
        "own": item.own.value,
        "effective": item.effective.value,
        "declared": declaration.status.value if declaration else None,
        "notes": declaration.notes if declaration else None,
        "status_note": analysis.status_note(node, control),
        "evidence": evidence,
        "gap": None
        if gap is None
        else {
            "kind": gap.kind,
            "orphaned": gap.orphaned,
            "root_causes": [
                {
                    "node": _name(chain, cause.node),
                    "status": cause.status,
                    "path": [_name(chain, hop) for hop in cause.path],
                }
                for cause in analysis.root_causes(node, control)
            ],
            "blockers": [
                {
                    "node": _name(chain, blocker.node),
                    "status": blocker.status,
                    "path": [_name(chain, hop) for hop in blocker.path],
                }
                for blocker in analysis.blockers(node, control)
            ],
        },
        "user_guidance": item.control.user_guidance,
        "provider_expectation": item.control.provider_expectation,
        "relied_on": [
            {"name": _name(chain, reliance.provider), "responsibility": reliance.responsibility.value}
            for reliance in item.providers
            if reliance.delegates
        ],
    }


def _name(chain: Chain, node_id: str) -> str:
    name: str | None = chain.graph.nodes[node_id]["name"]
    return f"{name} ({node_id})" if name else node_id
