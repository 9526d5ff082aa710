"""OSCAL export: one system security plan per node, with the catalog and profile they import.

``write`` gives a zip laid out as a compliance-trestle workspace (see ``oscal_common``): the
catalog, the profile of the analysed controls, and one SSP per node (``node=`` keeps one). Every
file is one OSCAL document and every reference is a relative ``href`` that resolves from the root of
the set (as trestle resolves it). ``write_ssp`` gives one node's SSP alone.

Mapping, per analysed control c of node v:

* v's own part: a ``by-component`` of the ``this-system`` component. Its ``implementation-status``
  comes from v's status (``verified`` and ``declared`` are both ``implemented`` there); the
  namespaced props ``declared-status`` (what v declared) and ``own-status`` (what it counts as on
  the analysis date: ``verified`` only with live third-party evidence) keep them apart, and each
  evidence item is a back-matter resource linked with ``rel: evidence``. If consumers rely on v
  for c, ``export.provided`` says what v offers and ``export.responsibilities`` what v leaves to
  them (the catalog's user guidance).
* what v takes from a provider u: a ``by-component`` of the component standing for u, with
  ``inherited.provided-uuid`` pointing at u's own ``provided`` when u delegates c to v, and
  ``satisfied.responsibility-uuid`` answering u's responsibility when v must do a part itself.
* each edge u -> v: a ``leveraged-authorizations`` entry and a component for u carrying the
  ``leveraged-authorization-uuid`` and ``inherited-uuid`` props (u's this-system component), as in
  NIST's leveraged-authorization examples.

OSCAL models one hop; the chaining is in the UUIDs. They are ``uuid5`` of (chain name, node ids,
control, role), so u's ``provided`` in u's SSP has the very UUID that v's ``inherited`` names, and
re-exporting the same chain gives the same UUIDs. ``last-modified`` is the analysis date (midnight
UTC), so an export is a pure function of the chain and the analysis parameters.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

from obligraph.graph.analysis.result import Analysis
from obligraph.graph.catalog import Control
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import ensure_analysis
from obligraph.graph.formats.oscal_catalog import catalog_document, profile_document
from obligraph.graph.formats.oscal_common import (
    OSCAL_VERSION,
    UNASSESSED,
    catalog_path,
    control_token,
    metadata,
    model_dir,
    profile_path,
    prop,
    ssp_path,
)
from obligraph.graph.formats.oscal_common import uid as _uid
from obligraph.graph.lattice import Responsibility, Status
from obligraph.graph.schema import Declaration, Evidence

IMPLEMENTATION_STATE = {
    Status.VERIFIED: "implemented",
    Status.DECLARED: "implemented",
    Status.PARTIAL: "partial",
    Status.NOT_IMPLEMENTED: "planned",
    Status.NOT_APPLICABLE: "not-applicable",
}
#: A fixed date-time keeps the zip entries (and so the zip) identical for identical input.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)

__all__ = ["OSCAL_VERSION", "control_token", "ssp_directories", "system_security_plan", "write", "write_ssp"]


def write(chain: Chain, analysis: Analysis | None = None, *, node: str | None = None) -> bytes:
    """The zip: catalog, profile and every node's SSP (only ``node``'s when given)."""
    analysis = ensure_analysis(chain, analysis)
    nodes = [_existing(chain, node)] if node is not None else list(chain.graph.nodes)
    stamp = _timestamp(analysis)
    directories = ssp_directories(chain)
    files = {
        catalog_path(chain.catalog.id): catalog_document(chain.catalog, stamp),
        profile_path(chain.catalog.id): profile_document(chain.catalog, list(analysis.controls), stamp),
    }
    for n in nodes:
        files[ssp_path(directories[n])] = system_security_plan(chain, analysis, n)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, document in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), _json(document), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_ssp(chain: Chain, analysis: Analysis | None = None, *, node: str | None = None) -> str:
    """One node's SSP as JSON; its ``import-profile`` resolves inside the set ``write`` makes."""
    if node is None:
        raise ChainError.at(("node",), "an SSP is about one node; name it with node=<id>")
    analysis = ensure_analysis(chain, analysis)
    return _json(system_security_plan(chain, analysis, _existing(chain, node)))


def ssp_directories(chain: Chain) -> dict[str, str]:
    """Each node's directory under ``system-security-plans/``: unique, and a name trestle accepts."""
    taken: set[str] = set()
    directories = {}
    for node in chain.graph.nodes:
        base = model_dir(node)
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name.lower())
        directories[node] = name
    return directories


def _existing(chain: Chain, node: str) -> str:
    if node not in chain:
        raise ChainError.at(("node",), f"there is no node '{node}'")
    return node


def _json(document: dict[str, Any]) -> str:
    # Compact: json's C encoder does not indent, and an enterprise-sized set is megabytes of JSON.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _timestamp(analysis: Analysis) -> str:
    return f"{analysis.as_of.isoformat()}T00:00:00+00:00"


class _Plan:
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


def system_security_plan(chain: Chain, analysis: Analysis, node: str) -> dict[str, Any]:
    plan = _Plan(chain, analysis, node)
    this = plan.uid(node, "this-system")
    plan.party(node)
    components = [
        {
            "uuid": this,
            "type": "this-system",
            "title": plan.name(node),
            "description": plan.description(node),
            "props": [prop("node-id", node), prop("layer", plan.layer(node))]
            + ([prop("org", org)] if (org := chain.graph.nodes[node]["org"]) else []),
            "status": {"state": "operational"},
        }
    ]
    leveraged = []
    for u in plan.providers:
        authorization = plan.uid(node, "leveraged-authorization", u)
        leveraged.append(
            {
                "uuid": authorization,
                "title": f"{plan.name(u)} ({plan.layer(u)})",
                "props": [prop("node-id", u), prop("layer", plan.layer(u))],
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
                    {"name": "implementation-point", "value": "external"},
                    prop("node-id", u),
                ],
                "status": {"state": "operational"},
            }
        )
    requirements = [_requirement(plan, control) for control in analysis.controls]
    if not requirements:
        raise ChainError.at(("controls",), "the analysis covers no controls, and an OSCAL SSP needs at least one")
    stamp = _timestamp(analysis)
    system: dict[str, Any] = {
        "uuid": plan.uid(node, "ssp"),
        "metadata": metadata(
            f"{plan.name(node)}: system security plan",
            stamp,
            analysis.as_of.isoformat(),
            props=[prop("chain", chain.name), prop("requirement", analysis.requirement.value)],
        ),
        "import-profile": {"href": profile_path(chain.catalog.id)},
        "system-characteristics": {
            "system-ids": [{"identifier-type": "https://ietf.org/rfc/rfc4122", "id": plan.uid(node, "ssp")}],
            "system-name": plan.name(node),
            "description": plan.description(node),
            "security-sensitivity-level": UNASSESSED,
            "system-information": {"information-types": [_information_type(plan)]},
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
    # Parties and resources grow while the parts above are built; empty lists are not allowed in OSCAL.
    system["metadata"]["parties"] = list(plan.parties.values())
    if leveraged:
        system["system-implementation"]["leveraged-authorizations"] = leveraged
    if plan.resources:
        system["back-matter"] = {"resources": plan.resources}
    return {"system-security-plan": system}


def _information_type(plan: _Plan) -> dict[str, Any]:
    # OSCAL 1.2 makes the impacts optional; 1.0.x requires them. "unassessed" says what obligraph knows.
    unassessed = {"base": UNASSESSED}
    return {
        "uuid": plan.uid(plan.node, "information-type"),
        "title": "Information handled by the service",
        "description": "obligraph does not record information types; categorise them in your compliance tooling.",
        "confidentiality-impact": unassessed,
        "integrity-impact": unassessed,
        "availability-impact": unassessed,
    }


def _requirement(plan: _Plan, control: str) -> dict[str, Any]:
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


def _provider_part(plan: _Plan, control: str, u: str) -> dict[str, Any] | None:
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


def _evidence_links(plan: _Plan, control: str, declaration: Declaration | None) -> list[dict[str, str]]:
    """One back-matter resource per evidence item, linked from the own part (``rel: evidence``)."""
    if declaration is None:
        return []
    links = []
    for index, item in enumerate(declaration.evidence):
        resource_uuid = plan.uid(plan.node, "evidence", control, str(index))
        fields = item.model_dump(mode="json", exclude_none=True)
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
    """Whether the evidence item assures the control on the analysis date, by the analysis' own rule.

    The per-control rule (``Evidence.assures(control, day)``: independence, scope, issue date) is
    used where the schema has it; the date-only ``assures_on(day)`` otherwise.
    """
    per_control = getattr(item, "assures", None)
    if callable(per_control):
        return bool(per_control(control, as_of))
    return bool(item.assures_on(as_of))


def _export(plan: _Plan, control: str, entry: Control) -> dict[str, Any]:
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
