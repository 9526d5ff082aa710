"""Snapshots: immutable, content-addressed copies of a workspace's chain and its analysis.

A snapshot's id is the sha256 of the canonical serialisation of ``{"chain", "analysis"}``
(``json.dumps`` with sorted keys, compact separators, ``ensure_ascii=False``, UTF-8). The digest
is checked again whenever a snapshot is read back: a stored row whose content no longer matches
its id is reported as ``snapshot_corrupt``, never served. The API and the CLI both call this module.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from obligraph.app.core.exceptions import Conflict, NotFound
from obligraph.app.core.json_encoding import dump_json
from obligraph.app.models import SnapshotRow
from obligraph.app.repository import snapshot_rows
from obligraph.app.services.workspace import Service
from obligraph.graph.chain import Chain

MIN_PREFIX = 6


@dataclass(frozen=True)
class SnapshotEntry:
    """A snapshot as listed: its row without the stored chain and analysis, which can be large."""

    workspace_id: str
    digest: str
    revision: int
    label: str | None
    created_at: datetime
    summary: dict[str, int] = field(default_factory=dict)


def canonical(value: Any) -> bytes:
    return dump_json(value, sort_keys=True)


def plain(value: Any) -> Any:
    """``value`` as JSON data (dates as ISO text): exactly what is hashed and stored."""
    return json.loads(canonical(value))


def digest_of(chain: dict[str, Any], analysis: dict[str, Any] | None) -> str:
    return hashlib.sha256(canonical({"chain": chain, "analysis": analysis})).hexdigest()


def corrupt(row: SnapshotRow) -> Conflict:
    return Conflict(
        f"snapshot '{row.digest}' of workspace '{row.workspace_id}' does not match its sha256: its stored content "
        "was changed or damaged; delete it and take a new one",
        code="snapshot_corrupt",
        details=[{"location": "snapshot", "message": f"expected sha256 {row.digest}"}],
    )


def verify(row: SnapshotRow) -> SnapshotRow:
    if digest_of(row.chain, row.analysis) != row.digest:
        raise corrupt(row)
    return row


def summary_of(row: SnapshotRow | SnapshotEntry) -> dict[str, int]:
    if isinstance(row, SnapshotEntry):
        return dict(row.summary)
    summary = (row.analysis or {}).get("summary") if isinstance(row.analysis, dict) else None
    return dict(summary) if isinstance(summary, dict) else {}


# -- create, find, list, delete ------------------------------------------------------------------


def current(service: Service, ws: str, label: str | None = None) -> SnapshotRow:
    """The workspace's live state as an unsaved snapshot row (what ``create`` would store, and what
    ``diff`` compares against when one side is the live workspace)."""
    with service.view(ws) as view:
        chain = plain(view.chain.to_dict())
        analysis = plain(view.analysis().to_dict(root_causes=False))
        revision = view.revision
    digest = digest_of(chain, analysis)
    return SnapshotRow(workspace_id=ws, digest=digest, revision=revision, label=label, chain=chain, analysis=analysis)


def create(service: Service, ws: str, label: str | None = None) -> tuple[SnapshotRow, bool]:
    """Snapshot the workspace at its current revision; ``(row, created)``: an identical one is reused."""
    row = current(service, ws, label)
    with service.db.write() as session:
        service.workspace(session, ws)
        existing = snapshot_rows.get_snapshot(session, ws, row.digest)
        if existing is not None:
            return verify(existing), False
        snapshot_rows.add_snapshot(session, row)
        return row, True


def find(session: Session, service: Service, ws: str, ref: str) -> SnapshotRow:
    """The snapshot ``ref`` names (its id, or a unique prefix of at least 6 characters), checked."""
    service.workspace(session, ws)
    ref = (ref or "").strip().lower()
    row = snapshot_rows.get_snapshot(session, ws, ref) if len(ref) == 64 else None
    if row is None and len(ref) >= MIN_PREFIX and all(c in "0123456789abcdef" for c in ref):
        rows = snapshot_rows.snapshots_with_prefix(session, ws, ref, limit=2)
        if len(rows) > 1:
            raise Conflict(
                f"'{ref}' is the start of several snapshot ids of workspace '{ws}'; give more of the id",
                code="ambiguous_snapshot",
            )
        row = rows[0] if rows else None
    if row is None:
        raise NotFound(
            f"workspace '{ws}' has no snapshot '{ref}' (give its id or the first {MIN_PREFIX}+ characters of it)"
        )
    return verify(row)


def get(service: Service, ws: str, ref: str) -> SnapshotRow:
    with service.db.read() as session:
        return find(session, service, ws, ref)


def list_rows(service: Service, ws: str, offset: int = 0, limit: int | None = None) -> list[SnapshotEntry]:
    """Oldest first. Only the summary is read from the stored analysis (not the chain, not the gaps),
    and the content is not checked, so the list shows damaged snapshots too."""
    with service.db.read() as session:
        service.workspace(session, ws)
        return [SnapshotEntry(*fields) for fields in snapshot_rows.snapshot_summaries(session, ws, offset, limit)]


def delete(service: Service, ws: str, ref: str) -> None:
    with service.db.write() as session:
        service.workspace(session, ws)
        try:
            row = find(session, service, ws, ref)
        except Conflict as exc:
            if exc.code != "snapshot_corrupt":
                raise
            damaged = snapshot_rows.get_snapshot(session, ws, ref.strip().lower())  # a damaged one: by full id
            if damaged is None:
                raise
            row = damaged
        snapshot_rows.delete_snapshot(session, row)


# -- restore ----------------------------------------------------------------------------------


def restore(service: Service, ws: str, ref: str) -> tuple[SnapshotRow, int]:
    """The snapshot becomes the workspace's state as a new revision; ``(snapshot, new revision)``."""
    row = get(service, ws, ref)
    chain = Chain.from_dict(row.chain, source=f"snapshot {row.digest[:12]}")
    with service.edit(ws, replacing=True) as edit:
        edit.store_whole_chain(chain)
        workspace = edit.workspace
    return row, workspace.revision


# -- diff -------------------------------------------------------------------------------------


def _by(items: list[dict[str, Any]], key) -> dict[Any, dict[str, Any]]:
    return {key(item): item for item in items}


def _compare(old: dict, new: dict, describe) -> dict[str, list]:
    return {
        "added": [describe(key, new[key]) for key in new if key not in old],
        "removed": [describe(key, old[key]) for key in old if key not in new],
        "changed": [
            {**describe(key, new[key]), "before": old[key]} for key in new if key in old and old[key] != new[key]
        ],
    }


def diff(before: SnapshotRow, after: SnapshotRow) -> dict[str, Any]:
    """What changed from ``before`` to ``after``: nodes, edges, declarations; gaps opened and closed."""
    old_nodes = _by(before.chain.get("nodes", []), lambda n: n["id"])
    new_nodes = _by(after.chain.get("nodes", []), lambda n: n["id"])

    def strip(nodes: dict) -> dict:
        return {k: {f: v for f, v in n.items() if f != "declarations"} for k, n in nodes.items()}

    nodes = _compare(strip(old_nodes), strip(new_nodes), lambda key, value: {**value})
    edges = _compare(
        _by(before.chain.get("edges", []), lambda e: (e["provider"], e["consumer"])),
        _by(after.chain.get("edges", []), lambda e: (e["provider"], e["consumer"])),
        lambda key, value: {**value},
    )

    def declarations(nodes_by_id: dict) -> dict:
        return {
            (node_id, d["control"]): d for node_id, node in nodes_by_id.items() for d in node.get("declarations") or []
        }

    decls = _compare(declarations(old_nodes), declarations(new_nodes), lambda key, value: {"node": key[0], **value})
    old_gaps = _by((before.analysis or {}).get("gaps", []), lambda g: (g["node"], g["control"]))
    new_gaps = _by((after.analysis or {}).get("gaps", []), lambda g: (g["node"], g["control"]))
    gaps = {
        "opened": [new_gaps[key] for key in new_gaps if key not in old_gaps],
        "closed": [old_gaps[key] for key in old_gaps if key not in new_gaps],
        "changed": [
            {**new_gaps[key], "before": old_gaps[key]}
            for key in new_gaps
            if key in old_gaps and new_gaps[key] != old_gaps[key]
        ],
    }
    summary = {f"{what}_{how}": len(part[how]) for what, part in (("nodes", nodes), ("edges", edges),
               ("declarations", decls)) for how in ("added", "removed", "changed")}  # fmt: skip
    summary.update({f"gaps_{how}": len(gaps[how]) for how in ("opened", "closed", "changed")})
    summary["gaps_before"] = len(old_gaps)
    summary["gaps_after"] = len(new_gaps)
    return {
        "from": before.digest,
        "to": after.digest,
        "summary": summary,
        "nodes": nodes,
        "edges": edges,
        "declarations": decls,
        "gaps": gaps,
    }
