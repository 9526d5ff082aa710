"""An OSCAL catalog for an obligraph catalog, and the profile that selects the analysed controls.

The SSPs of an export name their controls ``c-<id>`` (see ``oscal_common.control_token``); this
catalog defines exactly those ids, grouped by clause and objective, so a tool that resolves an
SSP's ``import-profile`` finds every control it implements. Each control carries the catalog id
(``label``), the Japanese title, the default responsibility per provider layer (namespaced props)
and the guidance as parts: ``guidance`` (what the cloud user does), ``provider-expectation``
(what to demand of the provider) and ``cloud-note`` per service model.
"""

from __future__ import annotations

from typing import Any

from obligraph.graph.catalog import Catalog, Control
from obligraph.graph.formats.oscal_common import (
    PROP_NS,
    catalog_path,
    control_token,
    metadata,
    model_dir,
    prop,
    uid,
)

PROVIDER_LAYERS = ("infra", "iaas", "paas", "saas")


def catalog_document(catalog: Catalog, last_modified: str) -> dict[str, Any]:
    clauses: dict[str, dict[str, list[Control]]] = {}
    for control in catalog:
        clauses.setdefault(control.clause, {}).setdefault(control.objective_id, []).append(control)
    groups = []
    for clause, objectives in clauses.items():
        info = catalog.document.clauses[clause]
        groups.append(
            {
                "id": f"clause-{model_dir(clause)}",
                "class": "clause",
                "title": f"{clause} {info.title}",
                **({"props": [prop("title-ja", info.title_ja)]} if info.title_ja else {}),
                "groups": [_objective_group(controls) for controls in objectives.values()],
            }
        )
    extra: dict[str, Any] = {"props": [prop("catalog-id", catalog.id)]}
    if catalog.document.source:
        extra["remarks"] = catalog.document.source
    return {
        "catalog": {
            "uuid": uid("catalog", catalog.id),
            "metadata": metadata(catalog.title, last_modified, catalog.document.version or "1", **extra),
            "groups": groups,
        }
    }


def profile_document(catalog: Catalog, controls: list[str], last_modified: str) -> dict[str, Any]:
    """The baseline: the analysed controls of ``catalog`` (all of them: ``include-all``)."""
    source = catalog_path(catalog.id)
    if set(controls) >= set(catalog.ids):
        selection: dict[str, Any] = {"href": source, "include-all": {}}
    else:
        selection = {"href": source, "include-controls": [{"with-ids": [control_token(c) for c in controls]}]}
    return {
        "profile": {
            "uuid": uid("profile", catalog.id, *controls),
            "metadata": metadata(
                f"{catalog.title}: the controls obligraph analyses",
                last_modified,
                catalog.document.version or "1",
                props=[prop("catalog-id", catalog.id)],
            ),
            "imports": [selection],
            "merge": {"as-is": True},
        }
    }


def _objective_group(controls: list[Control]) -> dict[str, Any]:
    first = controls[0]
    return {
        "id": f"objective-{model_dir(first.objective_id)}",
        "class": "objective",
        "title": f"{first.objective_id} {first.objective_title}",
        "controls": [_control(control) for control in controls],
    }


def _control(control: Control) -> dict[str, Any]:
    token = control_token(control.id)
    props = [{"name": "label", "value": control.id}, prop("cloud-guidance", str(control.cloud_guidance).lower())]
    if control.title_ja:
        props.append(prop("title-ja", control.title_ja))
    props += [prop(f"responsibility-{layer}", control.responsibility[layer].value) for layer in PROVIDER_LAYERS]
    parts = []
    if control.user_guidance:
        parts.append({"id": f"{token}_gdn", "name": "guidance", "prose": control.user_guidance})
    if control.provider_expectation:
        parts.append(
            {"id": f"{token}_prv", "name": "provider-expectation", "ns": PROP_NS, "prose": control.provider_expectation}
        )
    for model, note in control.notes.model_dump().items():
        if note:
            parts.append(
                {"id": f"{token}_note_{model}", "name": "cloud-note", "ns": PROP_NS, "class": model, "prose": note}
            )
    document: dict[str, Any] = {"id": token, "class": "control", "title": control.title, "props": props}
    if parts:
        document["parts"] = parts
    return document
