"""The parts of OSCAL documents the reader looks at: control ids, props, by-components, evidence.

>>> props_of({"props": [{"name": "layer", "ns": "urn:obligraph:oscal", "value": "iaas"},
...                     {"name": "layer", "ns": "https://example.org/other", "value": "x"}]})
{'layer': 'iaas'}
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from obligraph.graph.catalog import Catalog
from obligraph.graph.crosswalk import ControlIdError, resolve_control_id
from obligraph.graph.errors import ChainError
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats.oscal_common import PROP_NS, catalog_control_id
from obligraph.graph.schema import EVIDENCE_FIELDS

FILE = "the OSCAL file"
STATES = {
    "implemented": "declared",
    "partial": "partial",
    "planned": "not_implemented",
    "alternative": "partial",
    "not-applicable": "not_applicable",
}
#: Worst first, as the status lattice orders them (not_applicable counts as the top).
ORDER = ("not_implemented", "unknown", "partial", "declared", "verified", "not_applicable")
MAX_MEMBERS = 10_000


def catalog_ids(control_id: str, props: dict[str, str], catalog: Catalog) -> tuple[str, ...]:
    """The catalog controls an OSCAL ``control-id`` stands for: the one place ids are mapped.

    A ``control`` prop wins (a catalog id or a typed id such as ``27002:2022/5.23``: what obligraph
    writes); else ``c-10.5.1`` (obligraph's token), a catalog id, or an ISO/IEC 27002:2013 Annex A
    id (``a.12.3.1``) through the crosswalks. Raises ``ControlIdError`` naming the fix.

    >>> from obligraph.graph.catalog import load_catalog
    >>> meti = load_catalog("meti-2011")
    >>> catalog_ids("c-10.5.1", {}, meti), catalog_ids("a.12.3.1", {}, meti), catalog_ids("x", {"control": "27002:2022/8.13"}, meti)
    (('10.5.1',), ('10.5.1',), ('10.5.1',))
    """
    if props.get("control"):
        return resolve_control_id(props["control"], catalog)
    local = catalog_control_id(control_id)
    if local in catalog:
        return (local,)
    if re.match(r"^[Aa]\.\d+\.\d+\.\d+$", control_id):
        return resolve_control_id(f"27002:2013/{control_id}", catalog)
    raise ControlIdError(
        f"control-id '{control_id}' is not a control of catalog '{catalog.id}'; use its ids ('c-10.5.1' or"
        " '10.5.1'), ISO/IEC 27002:2013 Annex A ids ('a.12.3.1'), or a prop 'control' with a typed id"
        " such as '27002:2022/5.23'"
    )


def documents(data: bytes | str) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(data, bytes) and data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise ChainError(f"{FILE} is not a readable zip ({exc})") from None
        names = [n for n in archive.namelist() if n.lower().endswith(".json")][:MAX_MEMBERS]
        try:
            return [(name, _json(archive.read(name), name)) for name in names]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise ChainError(f"{FILE} is a damaged zip ({exc}); export it again") from None
    document = _json(data, FILE)
    if isinstance(document, list):
        return [(f"document {i}", d) for i, d in enumerate(document)]
    return [(FILE, document)]


def _json(data: bytes | str, where: str) -> Any:
    try:
        document = json.loads(as_text(data, where))
    except json.JSONDecodeError as exc:
        raise ChainError(f"{where} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict | list):
        raise ChainError(f"{where}: expected an OSCAL document (a JSON object)")
    return document


def props_of(item: dict[str, Any]) -> dict[str, str]:
    """Props by name; obligraph's namespace and no namespace are read, others' are not."""
    return {
        p["name"]: p.get("value", "")
        for p in item.get("props") or []
        if isinstance(p, dict) and "name" in p and p.get("ns") in (None, PROP_NS)
    }


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._:@-]+", "-", text.strip()).strip("-.")[:128] or "system"


def by_components(requirement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from requirement.get("by-components") or []
    for statement in requirement.get("statements") or []:
        yield from statement.get("by-components") or []


def evidence_item(resource: dict[str, Any]) -> dict[str, Any]:
    props = props_of(resource)
    item: dict[str, Any] = {
        "kind": props.get("evidence-kind", "other"),
        "ref": resource.get("title") or resource["uuid"],
    }
    for name, value in props.items():
        field = name.removeprefix("evidence-")
        if name.startswith("evidence-") and field in EVIDENCE_FIELDS and field not in ("kind", "ref", "notes"):
            item[field] = value.split(",") if field == "scope" else value
    rlinks = resource.get("rlinks") or []
    if rlinks and "url" in EVIDENCE_FIELDS:
        item["url"] = rlinks[0].get("href")
    if resource.get("description"):
        item["notes"] = resource["description"]
    return item
