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
from typing import IO, Annotated, Any, Iterator, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn

from obligraph.app.cli.common import DbOption, err, reported, service_for
from obligraph.app.cli.output import is_stdout, opened_output, output_target
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError

#: Files at least this big get a progress bar even when stderr is not a terminal.
BIG_FILE = 32 * 1024 * 1024


class Mode(str, Enum):
    # Upper-case names: a member called ``replace`` would hide ``str.replace``.
    REPLACE = "replace"
    MERGE = "merge"


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

    def __getattr__(self, name: str) -> Any:
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
    """The chain in a file, for a command that works on it and exits (``analyze``, ``export FILE``)."""
    from obligraph.graph.document import split_json
    from obligraph.graph.formats import format_for_path, import_document, is_oscal_json

    if fmt:
        # Only here: the service stack behind it is most of what importing this command costs.
        from obligraph.app.services.transfer import import_format

        spec = import_format(fmt, None, "--format")
    else:
        spec = format_for_path(path)
    if spec is not None and spec.name == "caiq":
        raise ChainError(
            f"{path.name}: a CAIQ file holds one provider's answers, not a chain;"
            " use `obligraph import-caiq FILE --workspace WS --node ID`"
        )
    if spec is None or not spec.can_read:
        raise ChainError(f"{path.name}: {spec.name if spec else 'this'} is not a chain format that can be read")
    data = read_file(path)
    if spec.name == "json" and not is_oscal_json(data):
        parts = split_json(data)
        chain = Chain.from_json_parts(parts) if parts is not None else None
        if chain is not None:
            return chain
    # Nothing else holds the parsed document: the chain may take its parts over (consume).
    return Chain.from_dict(import_document(data, spec), source=str(path), consume=True)


# -- export -----------------------------------------------------------------------------------

#: Formats that hold the chain only: exporting them needs no analysis.
CHAIN_FORMATS = frozenset({"json", "yaml"})


def export_command(
    source: Annotated[str, typer.Argument(help="A chain file (.json, .yaml, .graphml, .zip) or a workspace id.")],
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output",
            "-o",
            help="The file to write (replaced only once the export is complete); '-' or none: standard output.",
        ),
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="Export format (default: from the output's extension)."),
    ] = None,
    snapshot: Annotated[
        Optional[str], typer.Option("--snapshot", help="Export this snapshot of the workspace.")
    ] = None,
    node: Annotated[Optional[str], typer.Option("--node", help="The node of an audit or OSCAL export.")] = None,
    gaps: Annotated[
        Optional[bool], typer.Option("--gaps/--no-gaps", help="CSV bundle: with or without the analysis tables.")
    ] = None,
    causes: Annotated[
        Optional[bool],
        typer.Option(
            "--causes/--no-causes",
            help="CSV bundle: with or without root_causes.csv and blockers.csv (default: up to 200,000 gaps).",
        ),
    ] = None,
    links: Annotated[
        Optional[bool], typer.Option("--links", help="node-link: the edge list under 'links' instead of 'edges'.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export a chain file or a workspace (or one of its snapshots) in any format, with its gaps."""
    from obligraph.app.services import snapshotting as snapshots
    from obligraph.app.services.transfer import export_format, format_options, write_export
    from obligraph.graph.analysis import analyze
    from obligraph.graph.formats import format_for_path

    with reported():
        if fmt:
            spec = export_format(fmt, "--format")
        elif is_stdout(output):
            raise ChainError("name the format with --format when writing to standard output (no file extension)")
        else:
            spec = format_for_path(str(output))
        if not spec.can_write:
            raise ChainError(f"{output}: {spec.name} cannot be exported; name the format with --format")
        options = format_options(spec, {"gaps": gaps, "causes": causes, "links": links}, prefix="--")
        if not is_stdout(output):
            output_target(str(output))  # refuse a device, FIFO or directory before any work
        path = Path(source)
        if path.is_file():
            if snapshot is not None:
                raise ChainError("--snapshot needs a workspace id, not a file")
            chain = chain_from_file(path)
            # Gap counts, gap tables and the map's colours need the analysis the API export would carry.
            analysis = None if spec.name in CHAIN_FORMATS else analyze(chain)
            write_to(output, lambda handle: write_export(chain, spec, handle, analysis, node, options))
            return
        with service_for(db) as service:
            if snapshot is not None:
                row = snapshots.get(service, source, snapshot)
                chain = Chain.from_dict(row.chain, source=f"snapshot {row.digest[:12]}")
                write_to(output, lambda handle: write_export(chain, spec, handle, None, node, options))
            else:
                if service.db.revision_of(source) is None:
                    raise ChainError(f"'{source}' is neither a file nor a workspace of the database")
                with service.view(source) as view:
                    write_to(
                        output,
                        lambda handle: write_export(view.chain, spec, handle, view.analysis(), node, options),
                    )


def write_to(output: str | None, write) -> None:
    """Run ``write(handle)`` into standard output or, atomically, the file ``output`` (see ``output.py``)."""
    name = "standard output" if is_stdout(output) else Path(str(output)).name
    with progress(f"writing {name}", None, show_progress()) as bar, opened_output(output) as handle:
        write(CountingWriter(handle, bar))
    if not is_stdout(output):
        err.print(f"wrote {escape(str(output))}", highlight=False)


# -- import -----------------------------------------------------------------------------------


def import_command(
    file: Annotated[Path, typer.Argument(help="A chain file: .json, .yaml, .graphml or a CSV bundle .zip.")],
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="The workspace (created when missing).")],
    mode: Annotated[Mode, typer.Option("--mode", help="replace the chain, or merge into it.")] = Mode.REPLACE,
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
