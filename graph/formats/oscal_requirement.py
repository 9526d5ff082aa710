"""One implemented requirement of a node's SSP: its own part, what it takes from each provider, evidence.

``Plan`` holds what every part of one node's SSP shares: the chain, the analysis, the node, and
the parties and back-matter resources collected while the parts are built. The mapping itself
is described in ``oscal.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from obligraph.graph.analysis.result import Analysis
from obligraph.graph.catalog import Control
from obligraph.graph.chain import Chain
from obligraph.graph.formats.oscal_common import control_token, prop
from obligraph.graph.formats.oscal_common import uid as _uid
from obligraph.graph.lattice import Responsibility, Status
from obligraph.graph.schema import Declaration, Evidence, dump_item

IMPLEMENTATION_STATE = {
    Status.VERIFIED: "implemented",
    Status.DECLARED: "implemented",
    Status.PARTIAL: "partial",
    Status.NOT_IMPLEMENTED: "planned",
    Status.NOT_APPLICABLE: "not-applicable",
}


class Plan:
    """Builds one node's SSP; ``uid`` and ``party`` give the shared, deterministic identifiers."""

    def __init__(self, chain: Chain, analysis: Analysis, node: str):
        self.chain, self.analysis, self.node = chain, analysis, node
        self.providers = list(chain.graph.predecessors(node))
        self.consumers = list(chain.graph.successors(node))
        self.declarations = chain.declarations(node)
        self.parties: dict[str, dict[str, str]] = {}
        self.resources: list[dict[str, Any]] = []

    def uid(self, *parts: str) -> str:
        return _uid(self.chain.name, *parts)

    def name(self, node: str) -> str:
        return str(self.chain.graph.nodes[node]["name"] or node)

    def layer(self, node: str) -> str:
        return str(self.chain.graph.nodes[node]["layer"].value)

    def party(self, node: str) -> str:
        org = self.chain.graph.nodes[node]["org"]
        key = f"org:{org}" if org else f"node:{node}"
        party_uuid = self.uid("party", key)
        self.parties.setdefault(
            party_uuid, {"uuid": party_uuid, "type": "organization", "name": org or self.name(node)}
        )
        return party_uuid

    def description(self, node: str) -> str:
        return self.chain.graph.nodes[node]["description"] or f"The {self.layer(node)} service {self.name(node)}."


def requirement(plan: Plan, control: str) -> dict[str, Any]:
    chain, analysis, node = plan.chain, plan.analysis, plan.node
    entry = chain.catalog[control]
    own = analysis.own_status(node, control)
    effective = analysis.effective_status(node, control)
    declaration = plan.declarations.get(control)
    declared = declaration.status if declaration is not None else Status.UNKNOWN
    own_part: dict[str, Any] = {
        "component-uuid": plan.uid(node, "this-system"),
        "uuid": plan.uid(node, "own-part", control),
        "description": f"{plan.name(node)}'s own part of {control} ({entry.title}): declared {declared.value},"
        f" counts as {own.value}; effective status over its providers: {effective.value}.",
        "props": [prop("own-status", own.value), prop("effective-status", effective.value)],
    }
    if declaration is not None:
        own_part["props"].insert(0, prop("declared-status", declared.value))
    if declaration is not None and declaration.assigns is not None:
        own_part["props"].append(prop("assigns", declaration.assigns.value))
    if own in IMPLEMENTATION_STATE:
        own_part["implementation-status"] = {"state": IMPLEMENTATION_STATE[own]}
    if declaration is not None and declaration.notes:
        own_part["remarks"] = declaration.notes
    links = _evidence_links(plan, control, declaration)
    if links:
        own_part["links"] = links
    export = _export(plan, control, entry)
    if export:
        own_part["export"] = export
    by_components = [own_part]
    for u in plan.providers:
        provider_part = _provider_part(plan, control, u)
        if provider_part is not None:
            by_components.append(provider_part)
    requirement: dict[str, Any] = {
        "uuid": plan.uid(node, "requirement", control),
        "control-id": control_token(control),
        "props": [prop("control", control), prop("effective-status", effective.value)],
        "by-components": by_components,
    }
    gap = analysis.gap(node, control)
    if gap is not None:
        causes = "; ".join(
            f"{cause.node} ({cause.status}) via {' -> '.join(cause.path)}"
            for cause in analysis.root_causes(node, control)
        )
        requirement["props"].append(prop("gap", gap.kind))
        requirement["remarks"] = (
            f"Gap ({gap.kind}{', orphaned' if gap.orphaned else ''}): effective {effective.value}"
            f" is below the required {analysis.requirement.value}." + (f" Root causes: {causes}." if causes else "")
        )
    return requirement


def _provider_part(plan: Plan, control: str, u: str) -> dict[str, Any] | None:
    """What ``plan.node`` takes from provider ``u`` for the control, and the part ``u`` leaves to it."""
    node, analysis = plan.node, plan.analysis
    r = plan.chain.responsibility(u, node, control)
    part: dict[str, Any] = {
        "component-uuid": plan.uid(node, "provider-component", u),
        "uuid": plan.uid(node, "inherits", control, u),
        "description": f"{control} between {plan.name(u)} (provider) and {plan.name(node)}: {r.value}.",
        "props": [prop("responsibility", r.value)],
    }
    if r.delegates:
        part["inherited"] = [
            {
                "uuid": plan.uid(node, "inherited", control, u),
                "provided-uuid": plan.uid(u, "provided", control),
                "description": f"Inherited from {plan.name(u)}, whose own status is"
                f" {analysis.own_status(u, control).value} and effective status"
                f" {analysis.effective_status(u, control).value}.",
            }
        ]
    if r is not Responsibility.PROVIDER:
        part["satisfied"] = [
            {
                "uuid": plan.uid(node, "satisfied", control, u),
                "responsibility-uuid": plan.uid(u, "responsibility", control),
                "description": f"{plan.name(node)} does its own part of {control}, which {plan.name(u)} leaves to it"
                f" ({r.value}); own status: {analysis.own_status(node, control).value}.",
            }
        ]
    return part


def _evidence_links(plan: Plan, control: str, declaration: Declaration | None) -> list[dict[str, str]]:
    """One back-matter resource per evidence item, linked from the own part (``rel: evidence``)."""
    if declaration is None:
        return []
    links = []
    for index, item in enumerate(declaration.evidence):
        resource_uuid = plan.uid(plan.node, "evidence", control, str(index))
        fields = dump_item(item)
        props = [prop("evidence-kind", fields.pop("kind"))]
        props.append(prop("assures", str(_assures(item, plan.analysis.as_of, control)).lower()))
        ref, url, notes = fields.pop("ref"), fields.pop("url", None), fields.pop("notes", None)
        for name, value in fields.items():
            if value not in (None, "", []):
                props.append(prop(f"evidence-{name}", ",".join(value) if isinstance(value, list) else value))
        resource: dict[str, Any] = {"uuid": resource_uuid, "title": ref, "props": props}
        if notes:
            resource["description"] = notes
        if url:
            resource["rlinks"] = [{"href": url}]
        plan.resources.append(resource)
        links.append({"href": f"#{resource_uuid}", "rel": "evidence", "text": ref})
    return links


def _assures(item: Evidence, as_of: date, control: str) -> bool:
    """Whether the evidence item assures the control on the analysis date, by the analysis' own rule
    (kind, independence, scope, issue date, in force: ``graph/evidence.py``)."""
    return item.assures(control, as_of)


def _export(plan: Plan, control: str, entry: Control) -> dict[str, Any]:
    """What the node offers its consumers for the control, and what it leaves to them."""
    chain, node = plan.chain, plan.node
    splits = {chain.responsibility(node, w, control) for w in plan.consumers}
    export: dict[str, Any] = {}
    if any(r.delegates for r in splits):
        expectation = f" Consumers may expect: {entry.provider_expectation}" if entry.provider_expectation else ""
        export["provided"] = [
            {
                "uuid": plan.uid(node, "provided", control),
                "description": f"{plan.name(node)} provides {control} ({entry.title}) to the consumers that rely on it;"
                f" own status {plan.analysis.own_status(node, control).value}.{expectation}",
            }
        ]
    if splits & {Responsibility.SHARED, Responsibility.CUSTOMER}:
        responsibility: dict[str, Any] = {
            "uuid": plan.uid(node, "responsibility", control),
            "description": entry.user_guidance
            or f"Consumers of {plan.name(node)} must do their own part of {control} ({entry.title}).",
        }
        if "provided" in export:
            responsibility["provided-uuid"] = export["provided"][0]["uuid"]
        export["responsibilities"] = [responsibility]
    return export
