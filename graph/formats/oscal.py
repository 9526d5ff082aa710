"""OSCAL 1.0.4 system security plans: one per node, chained through deterministic UUIDs.

Mapping (DESIGN.md section 7), per analysed control c of node v:

* v's own part: a ``by-component`` of the ``this-system`` component, with ``implementation-status``
  from v's own status; if consumers rely on v for c, its ``export.provided`` says what v offers
  and its ``export.responsibilities`` what v's consumers must do themselves (the catalog's user
  guidance); ``satisfied`` answers each responsibility one of v's providers exports to v.
* what v takes from a provider u (responsibility ``provider`` or ``shared``): a ``by-component`` of
  the component standing for u, with ``inherited.provided-uuid`` pointing at u's own ``provided``.
* each edge u -> v: a ``leveraged-authorizations`` entry and a component for u carrying the
  ``leveraged-authorization-uuid`` property (and ``inherited-uuid``: u's this-system component).

OSCAL models one hop; the chaining is in the UUIDs. They are ``uuid5`` of (chain name, node ids,
control, role), so u's ``provided`` in u's SSP has the very UUID that v's ``inherited`` names, and
re-exporting the same chain gives the same UUIDs. ``last-modified`` is the analysis date (midnight
UTC), so an export is a pure function of the chain and the analysis parameters.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.lattice import Responsibility, Status

OSCAL_VERSION = "1.0.4"
BUNDLE_FORMAT = "obligraph/oscal-bundle@1"
NAMESPACE = uuid.UUID("6c1f3a52-5d0e-5b9a-9a37-0b1f0f6d2c41")  # fixed forever: changing it changes every UUID
PROP_NS = "urn:obligraph:oscal"
IMPLEMENTATION_STATE = {
    Status.VERIFIED: "implemented",
    Status.DECLARED: "implemented",
    Status.PARTIAL: "partial",
    Status.NOT_IMPLEMENTED: "planned",
    Status.NOT_APPLICABLE: "not-applicable",
}
UNASSESSED = "unassessed"  # obligraph holds no FIPS 199 categorisation; tools must not read one into it


def write(chain: Chain, analysis=None, *, node: str | None = None) -> str:
    """One node's SSP (``node=``), else the bundle ``{"format": ..., "ssps": [...]}`` of every node's SSP."""
    analysis = ensure_analysis(chain, analysis)
    if node is not None:
        if node not in chain:
            raise ChainError.at(("node",), f"there is no node '{node}'")
        document: Any = system_security_plan(chain, analysis, node)
    else:
        document = {
            "format": BUNDLE_FORMAT,
            "ssps": [system_security_plan(chain, analysis, n) for n in chain.graph.nodes],
        }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def control_token(control: str) -> str:
    """An OSCAL ``control-id`` (a token: starts with a letter) for a catalog id like ``10.5.1``.

    >>> control_token("10.5.1"), control_token("A&A-01")
    ('c-10.5.1', 'c-A_A-01')
    """
    return "c-" + re.sub(r"[^\w.\-]", "_", control)


class _Plan:
    """Builds one node's SSP; ``uid`` and ``party`` give the shared, deterministic identifiers."""

    def __init__(self, chain: Chain, analysis, node: str):
        self.chain, self.analysis, self.node = chain, analysis, node
        self.providers = list(chain.graph.predecessors(node))
        self.consumers = list(chain.graph.successors(node))
        self.parties: dict[str, dict] = {}

    def uid(self, *parts: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "\x1f".join((self.chain.name, *parts))))

    def name(self, node: str) -> str:
        return self.chain.graph.nodes[node]["name"] or node

    def party(self, node: str) -> str:
        org = self.chain.graph.nodes[node]["org"]
        key = f"org:{org}" if org else f"node:{node}"
        party_uuid = self.uid("party", key)
        self.parties.setdefault(
            party_uuid, {"uuid": party_uuid, "type": "organization", "name": org or self.name(node)}
        )
        return party_uuid

    def prop(self, name: str, value: str) -> dict:
        return {"name": name, "ns": PROP_NS, "value": value}


def system_security_plan(chain: Chain, analysis, node: str) -> dict[str, Any]:
    plan = _Plan(chain, analysis, node)
    attrs = chain.graph.nodes[node]
    this = plan.uid(node, "this-system")
    plan.party(node)
    components = [
        {
            "uuid": this,
            "type": "this-system",
            "title": plan.name(node),
            "description": attrs["description"] or f"The {attrs['layer'].value} service {plan.name(node)}.",
            "props": [plan.prop("node-id", node), plan.prop("layer", attrs["layer"].value)],
            "status": {"state": "operational"},
        }
    ]
    leveraged = []
    for u in plan.providers:
        authorization = plan.uid(node, "leveraged-authorization", u)
        leveraged.append(
            {
                "uuid": authorization,
                "title": f"{plan.name(u)} ({chain.graph.nodes[u]['layer'].value})",
                "party-uuid": plan.party(u),
                "date-authorized": analysis.as_of.isoformat(),
                "remarks": "The date is the analysis date; obligraph does not record authorisation dates.",
            }
        )
        components.append(
            {
                "uuid": plan.uid(node, "provider-component", u),
                "type": "system",
                "title": plan.name(u),
                "description": f"The service {plan.name(u)}, which {plan.name(node)} uses (a leveraged system).",
                "props": [
                    {"name": "leveraged-authorization-uuid", "value": authorization},
                    {"name": "inherited-uuid", "value": plan.uid(u, "this-system")},
                    plan.prop("node-id", u),
                ],
                "status": {"state": "operational"},
            }
        )
    requirements = [_requirement(plan, control) for control in analysis.controls]
    if not requirements:
        raise ChainError.at(("controls",), "the analysis covers no controls, and an OSCAL SSP needs at least one")
    system: dict[str, Any] = {
        "uuid": plan.uid(node, "ssp"),
        "metadata": {
            "title": f"{plan.name(node)}: system security plan",
            "last-modified": f"{analysis.as_of.isoformat()}T00:00:00Z",
            "version": analysis.as_of.isoformat(),
            "oscal-version": OSCAL_VERSION,
            "props": [plan.prop("chain", chain.name), plan.prop("requirement", analysis.requirement.value)],
            "parties": list(plan.parties.values()),
        },
        "import-profile": {"href": f"urn:obligraph:catalog:{chain.catalog.id}"},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": plan.uid(node, "ssp")}],
            "system-name": plan.name(node),
            "description": attrs["description"] or f"The {attrs['layer'].value} service {plan.name(node)}.",
            "security-sensitivity-level": UNASSESSED,
            "system-information": {
                "information-types": [
                    {
                        "title": "Information handled by the service",
                        "description": "obligraph does not record information types;"
                        " categorise them in your compliance tooling.",
                    }
                ]
            },
            "security-impact-level": {
                "security-objective-confidentiality": UNASSESSED,
                "security-objective-integrity": UNASSESSED,
                "security-objective-availability": UNASSESSED,
            },
            "status": {"state": "operational"},
            "authorization-boundary": {
                "description": f"{plan.name(node)} as mapped in the supply chain '{chain.name}'; the services it uses"
                " are leveraged systems outside the boundary.",
            },
        },
        "system-implementation": {
            "users": [{"uuid": plan.uid(node, "user"), "title": f"Operator of {plan.name(node)}"}],
            "components": components,
        },
        "control-implementation": {
            "description": f"Controls of catalog {chain.catalog.id} as analysed by obligraph on"
            f" {analysis.as_of.isoformat()} (required status: {analysis.requirement.value}).",
            "implemented-requirements": requirements,
        },
    }
    # The parties list grows while components are built; leveraged-authorizations must be absent, not empty.
    system["metadata"]["parties"] = list(plan.parties.values())
    if leveraged:
        system["system-implementation"]["leveraged-authorizations"] = leveraged
    return {"system-security-plan": system}


def _requirement(plan: _Plan, control: str) -> dict[str, Any]:
    chain, analysis, node = plan.chain, plan.analysis, plan.node
    entry = chain.catalog[control]
    own = analysis.own_status(node, control)
    effective = analysis.effective_status(node, control)
    own_part: dict[str, Any] = {
        "component-uuid": plan.uid(node, "this-system"),
        "uuid": plan.uid(node, "own-part", control),
        "description": f"{plan.name(node)}'s own part of {control} ({entry.title}): {own.value};"
        f" effective status over its providers: {effective.value}.",
        "props": [plan.prop("own-status", own.value), plan.prop("effective-status", effective.value)],
    }
    if own in IMPLEMENTATION_STATE:
        own_part["implementation-status"] = {"state": IMPLEMENTATION_STATE[own]}
    export = _export(plan, control, entry)
    if export:
        own_part["export"] = export
    satisfied = [
        {
            "uuid": plan.uid(node, "satisfied", control, u),
            "responsibility-uuid": plan.uid(u, "responsibility", control),
            "description": f"{plan.name(node)} does its own part of {control}, which {plan.name(u)} leaves to it"
            f" ({r.value}); own status: {own.value}.",
        }
        for u in plan.providers
        if (r := chain.responsibility(u, node, control)) is not Responsibility.PROVIDER
    ]
    if satisfied:
        own_part["satisfied"] = satisfied
    by_components = [own_part]
    for u in plan.providers:
        r = chain.responsibility(u, node, control)
        if not r.delegates:
            continue
        by_components.append(
            {
                "component-uuid": plan.uid(node, "provider-component", u),
                "uuid": plan.uid(node, "inherits", control, u),
                "description": f"{plan.name(node)} relies on {plan.name(u)} for {control} ({r.value}).",
                "inherited": [
                    {
                        "uuid": plan.uid(node, "inherited", control, u),
                        "provided-uuid": plan.uid(u, "provided", control),
                        "description": f"Inherited from {plan.name(u)}, whose own status is"
                        f" {analysis.own_status(u, control).value} and effective status"
                        f" {analysis.effective_status(u, control).value}.",
                    }
                ],
            }
        )
    requirement: dict[str, Any] = {
        "uuid": plan.uid(node, "requirement", control),
        "control-id": control_token(control),
        "props": [plan.prop("control", control), plan.prop("effective-status", effective.value)],
        "by-components": by_components,
    }
    gap = analysis.gap(node, control)
    if gap is not None:
        causes = "; ".join(
            f"{cause.node} ({cause.status}) via {' -> '.join(cause.path)}"
            for cause in analysis.root_causes(node, control)
        )
        requirement["props"].append(plan.prop("gap", gap.kind))
        requirement["remarks"] = (
            f"Gap ({gap.kind}{', orphaned' if gap.orphaned else ''}): effective {effective.value}"
            f" is below the required {analysis.requirement.value}." + (f" Root causes: {causes}." if causes else "")
        )
    return requirement


def _export(plan: _Plan, control: str, entry) -> dict[str, Any]:
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
