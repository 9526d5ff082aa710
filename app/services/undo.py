"""Automatic snapshots before destructive edits, so that every delete and replace can be undone.

A destructive write (delete a node, an edge or a declaration; a replace import) first stores a
snapshot of the workspace as it is, in the same transaction and under the same lock as the
change: undoing restores exactly the state the change started from. The route answers with the
snapshot's id in the ``X-Undo-Snapshot`` header; ``POST .../snapshots/{id}/restore`` undoes.

An empty workspace (a first import) gets none: it has nothing to lose.
Automatic snapshots carry a label that starts with ``AUTO_LABEL``; only the newest
``Settings.auto_snapshots_keep`` of a workspace are kept (0 turns them off). Snapshots people
take are never pruned.
"""

from __future__ import annotations

from datetime import date

from fastapi import Response
from sqlalchemy import delete, select
from sqlmodel import col

from obligraph.app.models import SnapshotRow
from obligraph.app.services.snapshotting import digest_of, plain, verify
from obligraph.app.services.workspace import Edit, Service

AUTO_LABEL = "automatic: before "
UNDO_HEADER = "X-Undo-Snapshot"


def snapshot_before(service: Service, edit: Edit, what: str) -> str | None:
    """Store the edited workspace's current state as an automatic snapshot; its id, or None when off.

    Call it inside ``service.edit(...)`` before changing anything.
    """
    keep = service.settings.auto_snapshots_keep
    if keep == 0 or not edit.has_chain or len(edit.chain) == 0:  # off, or nothing to lose
        return None
    workspace, current = edit.workspace, edit.chain
    day = date.today()
    key = (workspace.uid, workspace.revision, None, day, None)  # the key View.analysis() uses
    analysis = service.cache.analyses.get_or_compute(
        key, lambda: service.cache.incremental.analyze(current, requirement=None, as_of=day, controls=None)
    )
    chain = plain(current.to_dict())
    summary = plain(analysis.to_dict(root_causes=False))
    digest = digest_of(chain, summary)
    session = edit.session
    existing = session.get(SnapshotRow, (workspace.id, digest))
    if existing is not None:  # the same content was saved before (by hand, or by an earlier edit)
        verify(existing)
        return digest
    label = (AUTO_LABEL + what)[:500]
    session.add(
        SnapshotRow(
            workspace_id=workspace.id, digest=digest, revision=workspace.revision, label=label, chain=chain,
            analysis=summary,
        )
    )  # fmt: skip
    session.flush()
    _prune(edit, keep)
    return digest


def _prune(edit: Edit, keep: int) -> None:
    ws = edit.workspace.id
    automatic = (
        select(col(SnapshotRow.digest))
        .where(col(SnapshotRow.workspace_id) == ws, col(SnapshotRow.label).startswith(AUTO_LABEL, autoescape=True))
        .order_by(col(SnapshotRow.created_at).desc(), col(SnapshotRow.revision).desc())
        .offset(keep)
    )
    old = list(edit.session.execute(automatic).scalars())
    if old:
        edit.session.execute(
            delete(SnapshotRow).where(col(SnapshotRow.workspace_id) == ws, col(SnapshotRow.digest).in_(old))
        )


def undo_headers(response: Response, digest: str | None) -> Response:
    if digest is not None:
        response.headers[UNDO_HEADER] = digest
    return response
