"""``obligraph export``, ``obligraph import`` and ``obligraph snapshot ...``: the logic behind the commands.

``register(app)`` adds them to the Typer app of ``cli.py``. A chain file given to ``export``
converts file to file with no database; a workspace id reads from the database that ``serve``
uses (``--db`` or ``OBLIGRAPH_DATABASE_URL``). Bad input exits 2 with one message on stderr.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn
from rich.table import Table

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError

EXIT_BAD_INPUT = 2
#: Files at least this big get a progress bar even when stderr is not a terminal.
BIG_FILE = 32 * 1024 * 1024

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database URL or SQLite file (default: OBLIGRAPH_DATABASE_URL, else the data dir)."),
]


class Mode(str, Enum):
    replace = "replace"
    merge = "merge"


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def reported() -> Iterator[None]:
    """Turn the errors a user can fix into one message on stderr and exit code 2."""
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from obligraph.app.errors import ApiError

    try:
        yield
    except ChainError as exc:
        raise fail(str(exc)) from None
    except ApiError as exc:
        raise fail(exc.message) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'file'}: {exc.strerror or exc}") from None
    except SQLAlchemyError as exc:
        raise fail(f"database error: {getattr(exc, 'orig', None) or exc}") from None
    except ValidationError as exc:
        raise fail(f"bad settings: {exc.errors()[0].get('msg', exc)}") from None


@contextmanager
def service_for(db: str | None):
    from obligraph.app.service import Service
    from obligraph.app.settings import Settings, normalise_database_url

    settings = Settings(database_url=normalise_database_url(db)) if db else Settings()
    service = Service(settings)
    try:
        service.db.migrate()
        yield service
    finally:
        service.close()


def show_progress(size: int | None = None) -> bool:
    return err.is_terminal or (size is not None and size >= BIG_FILE)


@contextmanager
def progress(description: str, total: int | None, enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn()]
    with Progress(*columns, console=err, transient=True) as bar:
        bar.add_task(description, total=total)
        yield bar


class CountingWriter:
    """A binary file wrapper that advances a progress bar by the bytes written."""

    def __init__(self, raw: IO[bytes], bar: Progress | None):
        self.raw = raw
        self.bar = bar

    def write(self, data: bytes) -> int:
        written = self.raw.write(data)
        if self.bar is not None:
            self.bar.advance(self.bar.task_ids[0], len(data))
        return written

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def read_file(path: Path) -> bytes:
    size = path.stat().st_size
    with progress(f"reading {path.name}", size, show_progress(size)) as bar, path.open("rb") as handle:
        chunks = []
        while chunk := handle.read(1024 * 1024):
            chunks.append(chunk)
            if bar is not None:
                bar.advance(bar.task_ids[0], len(chunk))
    return b"".join(chunks)


def chain_from_file(path: Path, fmt: str | None = None) -> Chain:
    from obligraph.app.transfer import import_format
    from obligraph.graph.formats import format_for_path, import_document

    spec = import_format(fmt, None, "--format") if fmt else format_for_path(path)
    if spec is not None and spec.name == "caiq":
        raise ChainError(
            f"{path.name}: a CAIQ file holds one provider's answers, not a chain;"
            " use `obligraph import-caiq FILE --workspace WS --node ID`"
        )
    if spec is None or not spec.can_read:
        raise ChainError(f"{path.name}: {spec.name if spec else 'this'} is not a chain format that can be read")
    return Chain.from_dict(import_document(read_file(path), spec), source=str(path))


# -- export -----------------------------------------------------------------------------------


def export_command(
    source: Annotated[str, typer.Argument(help="A chain file (.json, .yaml, .graphml, .zip) or a workspace id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    fmt: Annotated[
        Optional[str], typer.Option("--format", "-f", help="Export format (default: from the output's extension).")
    ] = None,
    snapshot: Annotated[
        Optional[str], typer.Option("--snapshot", help="Export this snapshot of the workspace.")
    ] = None,
    node: Annotated[Optional[str], typer.Option("--node", help="The node of an audit or OSCAL export.")] = None,
    db: DbOption = None,
) -> None:
    """Export a chain file or a workspace (or one of its snapshots) in any format."""
    from obligraph.app import snapshots
    from obligraph.app.transfer import export_format, write_export
    from obligraph.graph.formats import format_for_path

    with reported():
        spec = export_format(fmt, "--format") if fmt else format_for_path(output)
        if not spec.can_write:
            raise ChainError(f"{output.name}: {spec.name} cannot be exported; name the format with --format")
        path = Path(source)
        if path.is_file():
            if snapshot is not None:
                raise ChainError("--snapshot needs a workspace id, not a file")
            chain, analysis = chain_from_file(path), None
            write_to(output, lambda handle: write_export(chain, spec, handle, analysis, node))
            return
        with service_for(db) as service:
            if snapshot is not None:
                row = snapshots.get(service, source, snapshot)
                chain = Chain.from_dict(row.chain, source=f"snapshot {row.digest[:12]}")
                write_to(output, lambda handle: write_export(chain, spec, handle, None, node))
            else:
                if service.db.revision_of(source) is None:
                    raise ChainError(f"'{source}' is neither a file nor a workspace of the database")
                with service.view(source) as view:
                    write_to(output, lambda handle: write_export(view.chain, spec, handle, view.analysis(), node))


def write_to(output: Path, write) -> None:
    partial = output.with_name(output.name + ".part")
    try:
        with progress(f"writing {output.name}", None, show_progress()) as bar, partial.open("wb") as handle:
            write(CountingWriter(handle, bar))
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    err.print(f"wrote {escape(str(output))}", highlight=False)


# -- import -----------------------------------------------------------------------------------


def import_command(
    file: Annotated[Path, typer.Argument(help="A chain file: .json, .yaml, .graphml or a CSV bundle .zip.")],
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="The workspace (created when missing).")],
    mode: Annotated[Mode, typer.Option("--mode", help="replace the chain, or merge into it.")] = Mode.replace,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="Format (default: from the extension).")] = None,
    db: DbOption = None,
) -> None:
    """Import a chain file into a workspace, in one transaction: on any problem nothing changes."""
    from obligraph.app.imports import ImportMode
    from obligraph.app.transfer import import_format, import_into
    from obligraph.graph.formats import format_for_path, import_document

    with reported():
        if not file.is_file():
            raise ChainError(f"{file}: no such file")
        spec = import_format(fmt, None, "--format") if fmt else format_for_path(file)
        document = import_document(read_file(file), spec)
        with service_for(db) as service:
            result = import_into(service, workspace, document, ImportMode(mode.value), create=True)
    sys.stdout.write(json.dumps(result) + "\n")


# -- snapshots --------------------------------------------------------------------------------

snapshot_app = typer.Typer(help="Take, list, compare and restore snapshots of a workspace.", no_args_is_help=True)
WorkspaceArg = Annotated[str, typer.Argument(help="Workspace id.")]


@snapshot_app.command("create")
def snapshot_create(
    workspace: WorkspaceArg,
    label: Annotated[Optional[str], typer.Option("--label", help="A note on the snapshot.")] = None,
    db: DbOption = None,
) -> None:
    """Snapshot the workspace's chain and analysis; prints the snapshot id (its sha256)."""
    from obligraph.app import snapshots

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
    from obligraph.app import snapshots

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
    for item in items:
        gaps = item["summary"].get("gaps")
        label = escape(item["label"] or "")
        table.add_row(item["id"][:12], str(item["revision"]), item["created_at"][:19], str(gaps), label)
    out.print(table)


@snapshot_app.command("diff")
def snapshot_diff(
    workspace: WorkspaceArg,
    before: Annotated[str, typer.Argument(help="The earlier snapshot (id or 6+ character prefix).")],
    after: Annotated[str, typer.Argument(help="The later snapshot.")],
    db: DbOption = None,
) -> None:
    """Nodes, edges, declarations added/removed/changed and gaps opened/closed, as JSON."""
    from obligraph.app import snapshots

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
    from obligraph.app import snapshots

    with reported(), service_for(db) as service:
        row, revision = snapshots.restore(service, workspace, snapshot)
    out.print(f"restored {row.digest[:12]} as revision {revision} of '{escape(workspace)}'", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)
    app.add_typer(snapshot_app, name="snapshot")
