"""Apply a provider's CAIQ answers to a workspace node: shared by the API route, the CLI and the page.

Each declaration the file yields replaces that control's declaration on the node (status,
``assigns``, notes); the node's evidence for the control is kept, its other declarations stay. All
rows are checked first and stored in one transaction. What could not land on the catalog comes
back in the result (``unmapped``, ``unanswered``), never dropped silently.
"""

from __future__ import annotations

from typing import Any

from obligraph.app.core.exceptions import NotFound
from obligraph.app.services.workspace import Service
from obligraph.graph.chain import Chain
from obligraph.graph.formats.caiq import import_caiq


def apply_caiq(service: Service, ws: str, node: str, data: bytes) -> dict[str, Any]:
    with service.view(ws) as view:
        view.require_node(node)
        catalog = view.chain.catalog.id
    result = import_caiq(data, node_id=node, catalog=catalog)
    declarations = result.declarations
    with service.edit(ws) as edit:
        if not edit.has_chain or node not in edit.chain:
            raise NotFound(f"workspace '{ws}' has no node '{node}'")
        document = edit.chain.to_dict()
        target = next(n for n in document["nodes"] if n["id"] == node)
        current = {d["control"]: d for d in target.get("declarations") or []}
        added = sum(1 for d in declarations if d["control"] not in current)
        for declaration in declarations:
            before = current.get(declaration["control"])
            evidence = before.get("evidence") if before else None
            current[declaration["control"]] = {**declaration, **({"evidence": evidence} if evidence else {})}
        target["declarations"] = list(current.values())
        edit.store_whole_chain(Chain.from_dict(document, source="the CAIQ file"))
        workspace = edit.workspace
    return {
        "workspace": ws,
        "node": node,
        "revision": workspace.revision,
        "declarations": len(declarations),
        "added": added,
        "updated": len(declarations) - added,
        "questions": result.questions,
        "unmapped": result.unmapped,
        "unanswered": result.unanswered,
    }
