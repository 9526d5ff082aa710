"""``obligraph snapshot create|list|diff|restore``: snapshots of a workspace in the database ``serve`` uses."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from obligraph.app.cli.common import DbOption, err, out, reported, service_for

snapshot_app = typer.Typer(help="Take, list, compare and restore snapshots of a workspace.", no_args_is_help=True)
WorkspaceArg = Annotated[str, typer.Argument(help="Workspace id.")]


@snapshot_app.command("create")
def snapshot_create(
    workspace: WorkspaceArg,
    label: Annotated[Optional[str], typer.Option("--label", help="A note on the snapshot.")] = None,
    db: DbOption = None,
) -> None:
    """Snapshot the workspace's chain and analysis; prints the snapshot id (its sha256)."""
    from obligraph.app.services import snapshotting as snapshots

    with reported(), service_for(db) as service:
        row, created = snapshots.create(service, workspace, label)
    out.print(row.digest, highlight=False)
    if not created:
        err.print("(the same content was snapshotted before; that snapshot is reused)")


@snapshot_app.command("list")
def snapshot_list(
    workspace: WorkspaceArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """The workspace's snapshots, oldest first."""
    from obligraph.app.services import snapshotting as snapshots

    with reported(), service_for(db) as service:
        rows = snapshots.list_rows(service, workspace)
    items = [
        {"id": r.digest, "revision": r.revision, "label": r.label, "created_at": r.created_at.isoformat(),
         "summary": snapshots.summary_of(r)}
        for r in rows
    ]  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(items, ensure_ascii=False) + "\n")
        return
    table = Table("id", "revision", "created", "gaps", "label")
    for row in rows:
        gaps = snapshots.summary_of(row).get("gaps")
        label = escape(row.label or "")
        table.add_row(row.digest[:12], str(row.revision), row.created_at.isoformat()[:19], str(gaps), label)
    out.print(table)


@snapshot_app.command("diff")
def snapshot_diff(
    workspace: WorkspaceArg,
    before: Annotated[str, typer.Argument(help="The earlier snapshot (id or 6+ character prefix).")],
    after: Annotated[str, typer.Argument(help="The later snapshot.")],
    db: DbOption = None,
) -> None:
    """Nodes, edges, declarations added/removed/changed and gaps opened/closed, as JSON."""
    from obligraph.app.services import snapshotting as snapshots

    with reported(), service_for(db) as service:
        result = snapshots.diff(snapshots.get(service, workspace, before), snapshots.get(service, workspace, after))
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


@snapshot_app.command("restore")
def snapshot_restore(
    workspace: WorkspaceArg,
    snapshot: Annotated[str, typer.Argument(help="The snapshot (id or 6+ character prefix).")],
    db: DbOption = None,
) -> None:
    """Make the snapshot the workspace's state (a new revision; snapshots are kept)."""
    from obligraph.app.services import snapshotting as snapshots

    with reported(), service_for(db) as service:
        row, revision = snapshots.restore(service, workspace, snapshot)
    out.print(f"restored {row.digest[:12]} as revision {revision} of '{escape(workspace)}'", highlight=False)
