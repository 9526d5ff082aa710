"""Small builders for hand-written chains in tests."""

from __future__ import annotations

from obligraph.graph.chain import Chain


def node(node_id: str, layer: str, **declared: str | dict) -> dict:
    """``node("app", "saas", **{"10.5.1": "declared"})``; a dict value is a whole declaration."""
    declarations = []
    for control, value in declared.items():
        declaration = {"control": control, "status": value} if isinstance(value, str) else {"control": control, **value}
        declarations.append(declaration)
    data = {"id": node_id, "layer": layer}
    if declarations:
        data["declarations"] = declarations
    return data


def edge(provider: str, consumer: str, **responsibility: str) -> dict:
    data = {"provider": provider, "consumer": consumer}
    if responsibility:
        data["responsibility"] = {k.replace("_", "."): v for k, v in responsibility.items()}
    return data


def chain(nodes: list[dict], edges: list[dict], controls: list[str], **extra) -> Chain:
    return Chain.from_dict(
        {"format": "obligraph/chain@1", "name": "test", "controls": controls, "nodes": nodes, "edges": edges, **extra}
    )
