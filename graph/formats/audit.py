"""The audit report for one node: its checklist, control by control (Markdown or HTML, via Jinja2).

For each analysed control in scope for the node: its own and effective status, the declaration's
evidence and expiry, the gap (kind, orphaned, root causes with their delegating paths), what the
catalog tells the cloud user to do, and what to demand from which provider: the catalog's provider
expectation, naming the providers this node relies on for the control (edges whose responsibility
is ``provider`` or ``shared``).
"""

from __future__ import annotations

from typing import Any

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.formats._templates import environment


def write_markdown(chain: Chain, analysis=None, *, node: str | None = None, only_gaps: bool = False) -> str:
    return _render("audit.md.j2", chain, analysis, node, only_gaps)


def write_html(chain: Chain, analysis=None, *, node: str | None = None, only_gaps: bool = False) -> str:
    return _render("audit.html.j2", chain, analysis, node, only_gaps)


def _render(template: str, chain: Chain, analysis, node: str | None, only_gaps: bool) -> str:
    if node is None:
        raise ChainError.at(("node",), "the audit report is for one node; name it (node=<id>)")
    if node not in chain:
        raise ChainError.at(("node",), f"there is no node '{node}'")
    analysis = ensure_analysis(chain, analysis)
    context = audit_context(chain, analysis, node, only_gaps=only_gaps)
    return environment().get_template(template).render(**context)


def audit_context(chain: Chain, analysis, node: str, *, only_gaps: bool = False) -> dict[str, Any]:
    """Everything the templates show, as plain data (also usable by the app's node page)."""
    attrs = chain.graph.nodes[node]
    v = analysis.compiled.node_index[node]
    providers = list(chain.graph.predecessors(node))
    items = []
    for k, control in enumerate(analysis.controls):
        if not analysis.in_scope[v, k]:
            continue
        gap = analysis.gap(node, control)
        if only_gaps and gap is None:
            continue
        items.append(_item(chain, analysis, node, control, gap, providers))
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
        "providers": [_name(chain, u) for u in providers],
        "consumers": [_name(chain, w) for w in chain.graph.successors(node)],
        "items": items,
        "gap_count": sum(1 for item in items if item["gap"]),
        "only_gaps": only_gaps,
    }


def _item(chain: Chain, analysis, node: str, control: str, gap, providers: list[str]) -> dict[str, Any]:
    entry = chain.catalog[control]
    declaration = chain.declarations(node).get(control)
    relied_on = []
    for u in providers:
        r = chain.responsibility(u, node, control)
        if r.delegates:
            relied_on.append({"name": _name(chain, u), "responsibility": r.value})
    evidence = []
    if declaration is not None:
        for item in declaration.evidence:
            evidence.append(
                {
                    "kind": item.kind.value,
                    "ref": item.ref,
                    "issued": item.issued.isoformat() if item.issued else None,
                    "expires": item.expires.isoformat() if item.expires else None,
                    "expired": bool(item.expires and item.expires < analysis.as_of),
                    "url": item.url,
                }
            )
    return {
        "control": control,
        "title": entry.title,
        "own": analysis.own_status(node, control).value,
        "effective": analysis.effective_status(node, control).value,
        "declared": declaration.status.value if declaration else None,
        "notes": declaration.notes if declaration else None,
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
        },
        "user_guidance": entry.user_guidance,
        "provider_expectation": entry.provider_expectation,
        "relied_on": relied_on,
    }


def _name(chain: Chain, node_id: str) -> str:
    name = chain.graph.nodes[node_id]["name"]
    return f"{name} ({node_id})" if name else node_id
