"""The ``obligraph`` command.

Bad input exits with code 2 and one message on stderr that names the place and the fix;
``analyze --fail-on-gaps`` (or ``--max-gaps N``) exits with 1 when there are too many gaps, so it
can gate a CI job.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from obligraph import __version__
from obligraph.graph.analysis import Analysis, analyze
from obligraph.graph.catalog import available_catalogs, load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.crosswalk import ControlIdError, resolve_control_id
from obligraph.graph.errors import ChainError

app = typer.Typer(
    name="obligraph",
    help="Who in a cloud supply chain actually assures each security control, and where the chain breaks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="List the control catalogs and show their controls.", no_args_is_help=False)
app.add_typer(catalog_app, name="catalog")

from obligraph.app import cli_io  # noqa: E402  (export, import, snapshot: issue 6)

cli_io.register(app)

from obligraph.app import cli_caiq

cli_caiq.register(app)

from obligraph.app.security.cli import token_app  # noqa: E402  (imports nothing heavy at load time)

app.add_typer(token_app, name="token")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_GAPS = 1
EXIT_BAD_INPUT = 2


class OutputFormat(str, Enum):
    json = "json"
    table = "table"
    csv = "csv"


class CatalogFormat(str, Enum):
    json = "json"
    table = "table"


def fail(message: str) -> "typer.Exit":
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"obligraph {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version.")
    ] = None,
) -> None:
    """obligraph: map a cloud supply chain and find where control assurance breaks."""


@app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="A chain document (.json, .yaml or .yml).")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Analysis date, YYYY-MM-DD (default: today).")] = None,
    require: Annotated[
        Optional[str], typer.Option("--require", help="Lowest effective status that counts as assured.")
    ] = None,
    controls: Annotated[
        Optional[str],
        typer.Option(
            "--controls",
            help="Comma-separated control ids to analyse (default: all analysed); newer numbers map to the"
            " catalog's: 27002:2022/8.13, 27002:2013/A.12.3.1, ccm:BCR-08.",
        ),
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.json,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    fail_on_gaps: Annotated[bool, typer.Option("--fail-on-gaps", help="Exit with 1 when there is any gap.")] = False,
    max_gaps: Annotated[
        Optional[int], typer.Option("--max-gaps", min=0, help="Exit with 1 when there are more gaps than this.")
    ] = None,
) -> None:
    """Analyse a chain file: every gap, its kind and its root causes. Needs no database."""
    chosen = [c.strip() for c in controls.split(",") if c.strip()] if controls else None
    try:
        chain = Chain.load(file)
        result = analyze(chain, requirement=require, as_of=as_of, controls=chosen)
    except ChainError as exc:
        raise fail(str(exc)) from None
    text = render_analysis(result, output_format)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    elif output_format is OutputFormat.table:
        print_table(result)
    else:
        sys.stdout.write(text)
    limit = 0 if fail_on_gaps else max_gaps
    if limit is not None and result.gap_count > limit:
        err.print(f"{result.gap_count} gaps (allowed: {limit})")
        raise typer.Exit(EXIT_GAPS)


def render_analysis(result: Analysis, output_format: OutputFormat) -> str:
    if output_format is OutputFormat.json:
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format is OutputFormat.csv:
        return analysis_csv(result)
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(analysis_table(result))
    return console.export_text()


def analysis_csv(result: Analysis) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["node", "control", "effective", "required", "kind", "orphaned", "root_causes", "paths"])
    for gap in result.gaps():
        causes = result.root_causes(gap.node, gap.control)
        writer.writerow(
            [
                gap.node,
                gap.control,
                gap.effective.value,
                gap.required.value,
                gap.kind,
                str(gap.orphaned).lower(),
                ";".join(c.node for c in causes),
                ";".join(">".join(c.path) for c in causes),
            ]
        )
    return buffer.getvalue()


def analysis_table(result: Analysis) -> Table:
    catalog = result.chain.catalog
    summary = result.summary()
    table = Table(
        title=f"{escape(result.chain.name)}: {summary['gaps']} gaps "
        f"({summary['nodes']} nodes, {summary['edges']} edges, {summary['controls']} controls; "
        f"requirement {result.requirement.value}, as of {result.as_of})",
        title_justify="left",
    )
    for column in ("node", "control", "title", "effective", "kind", "root cause and path"):
        table.add_column(column, overflow="fold", no_wrap=column in ("node", "control", "effective"))
    for gap in result.gaps():
        causes = result.root_causes(gap.node, gap.control)
        kind = gap.kind + (" (orphaned)" if gap.orphaned else "")
        paths = "\n".join(f"{c.node} ({c.status}): {' -> '.join(c.path)}" for c in causes) or "no contributor (loop)"
        cells = (gap.node, gap.control, catalog[gap.control].title, gap.effective.value, kind, paths)
        table.add_row(*(escape(cell) for cell in cells))
    return table


def print_table(result: Analysis) -> None:
    # A console made now, not at import, so the terminal width in force is the one used.
    Console(soft_wrap=True).print(analysis_table(result))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port; 0 picks a free one.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    db: Annotated[
        Optional[str],
        typer.Option("--db", help="Database URL or SQLite file (default: OBLIGRAPH_DATABASE_URL, else the data dir)."),
    ] = None,
    insecure_no_auth: Annotated[
        bool, typer.Option("--insecure-no-auth", help="Serve a non-loopback address with no token configured.")
    ] = False,
) -> None:
    """Run the web service: JSON API under /api/v1, its docs at /docs. A new database gets a demo workspace."""
    from obligraph.app.server import ServeError, serve

    try:
        serve(host=host, port=port, workers=workers, database_url=db, insecure_no_auth=insecure_no_auth)
    except ServeError as exc:
        raise fail(str(exc)) from None


@catalog_app.callback(invoke_without_command=True)
def catalog_default(ctx: typer.Context) -> None:
    """With no subcommand: list the catalogs."""
    if ctx.invoked_subcommand is None:
        catalog_list()


@catalog_app.command("list")
def catalog_list(
    output_format: Annotated[CatalogFormat, typer.Option("--format", "-f")] = CatalogFormat.table,
) -> None:
    """List the shipped catalogs."""
    rows = []
    for catalog_id in available_catalogs():
        catalog = load_catalog(catalog_id)
        rows.append(
            {
                "id": catalog.id,
                "title": catalog.title,
                "version": catalog.document.version,
                "controls": len(catalog),
                "cloud_guidance": len(catalog.cloud_guidance_ids),
            }
        )
    if output_format is CatalogFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("id", "controls", "analysed", "title")
    for row in rows:
        table.add_row(escape(row["id"]), str(row["controls"]), str(row["cloud_guidance"]), escape(row["title"]))
    out.print(table)


@catalog_app.command("show")
def catalog_show(
    catalog_id: Annotated[str, typer.Argument(help="Catalog id (see `obligraph catalog list`) or a catalog file.")],
    output_format: Annotated[CatalogFormat, typer.Option("--format", "-f")] = CatalogFormat.table,
    control: Annotated[
        Optional[str],
        typer.Option(
            "--control", help="Show one control in full (a typed id such as 27002:2022/8.13: each it maps to)."
        ),
    ] = None,
) -> None:
    """Show a catalog's controls, or one control's guidance in full."""
    try:
        catalog = load_catalog(catalog_id)
    except ChainError as exc:
        raise fail(str(exc)) from None
    document = catalog.to_dict()
    if control is not None:
        try:
            shown = resolve_control_id(control, catalog)
        except ControlIdError as exc:
            raise fail(str(exc)) from None
        document["controls"] = [c for c in document["controls"] if c["id"] in shown]
    if output_format is CatalogFormat.json:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    if control is not None:
        for item in document["controls"]:
            show_control(item)
        return
    table = Table("id", "title", "analysed", "infra", "iaas", "paas", "saas", title=f"{catalog.id}: {catalog.title}")
    for item in document["controls"]:
        split = item["responsibility"]
        table.add_row(
            item["id"],
            item["title"],
            "yes" if item["cloud_guidance"] else "no",
            split["infra"],
            split["iaas"],
            split["paas"],
            split["saas"],
        )
    out.print(table)


def show_control(item: dict) -> None:
    out.print(f"[bold]{item['id']} {item['title']}[/]  {item.get('title_ja') or ''}")
    out.print(f"objective {item['objective_id']}: {item['objective_title']}")
    for label, key in (("What you do", "user_guidance"), ("What to demand of the provider", "provider_expectation")):
        out.print(f"\n[bold]{label}[/]\n{item[key] or '(the guideline gives nothing here)'}")
        if item.get(f"{key}_ja"):
            out.print(escape(item[f"{key}_ja"]))
    for model, text in item["notes"].items():
        out.print(f"\n[bold]Note ({model})[/]\n{text}")
    split = ", ".join(f"{layer}: {value}" for layer, value in item["responsibility"].items())
    out.print(f"\n[bold]Default split[/] {split}\n{item['rationale']}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
