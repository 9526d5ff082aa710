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
from typing import Any

from obligraph.graph.analysis.result import Analysis
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
from obligraph.graph.formats.oscal_requirement import Plan, requirement

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


def system_security_plan(chain: Chain, analysis: Analysis, node: str) -> dict[str, Any]:
    plan = Plan(chain, analysis, node)
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
    requirements = [requirement(plan, control) for control in analysis.controls]
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


def _information_type(plan: Plan) -> dict[str, Any]:
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
