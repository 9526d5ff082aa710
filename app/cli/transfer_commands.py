"""``obligraph export`` and ``obligraph import``: chain files to and from workspaces and other formats.

``register(app)`` adds them to the Typer app of ``main.py``. A chain file given to ``export``
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
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn

from obligraph.app.cli.common import DbOption, err, reported, service_for
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError

#: Files at least this big get a progress bar even when stderr is not a terminal.
BIG_FILE = 32 * 1024 * 1024


class Mode(str, Enum):
    replace = "replace"
    merge = "merge"


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
    from obligraph.app.services.transfer import import_format
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
    from obligraph.app.services import snapshotting as snapshots
    from obligraph.app.services.transfer import export_format, write_export
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
    from obligraph.app.schemas.transfer import ImportMode
    from obligraph.app.services.transfer import import_format, import_into
    from obligraph.graph.formats import format_for_path, import_document

    with reported():
        if not file.is_file():
            raise ChainError(f"{file}: no such file")
        spec = import_format(fmt, None, "--format") if fmt else format_for_path(file)
        document = import_document(read_file(file), spec)
        with service_for(db) as service:
            result = import_into(service, workspace, document, ImportMode(mode.value), create=True)
    sys.stdout.write(json.dumps(result) + "\n")


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)
