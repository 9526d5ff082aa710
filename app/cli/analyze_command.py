"""``obligraph analyze FILE``: every gap of a chain file, with no database.

``--fail-on-gaps`` (or ``--max-gaps N``) exits with 1 when there are too many gaps, so it can gate a CI job.
"""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from obligraph.app.cli.common import EXIT_GAPS, check_language, err, reported
from obligraph.app.cli.output import is_stdout, opened_output, output_target
from obligraph.app.cli.transfer_commands import chain_from_file
from obligraph.app.web import i18n
from obligraph.app.web.i18n import control_title
from obligraph.app.web.i18n import gettext as _
from obligraph.app.web.words import word
from obligraph.graph.analysis import Analysis, analyze
from obligraph.graph.checks import chain_warnings
from obligraph.graph.errors import ChainError


class OutputFormat(str, Enum):
    json = "json"
    table = "table"
    csv = "csv"


def analyze_command(
    file: Annotated[
        Path, typer.Argument(help="A chain file: .json, .yaml, .graphml or a CSV bundle .zip (as `import` reads).")
    ],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Analysis date, YYYY-MM-DD (default: today).")] = None,
    require: Annotated[
        Optional[str], typer.Option("--require", help="Lowest effective status that counts as assured.")
    ] = None,
    controls: Annotated[
        Optional[str],
        typer.Option(
            "--controls",
            help="Comma-separated control ids to analyse (default: every catalog control); newer numbers map to the"
            " catalog's: 27002:2022/8.13, 27002:2013/A.12.3.1, ccm:BCR-08.",
        ),
    ] = None,
    cloud_guidance_only: Annotated[
        bool,
        typer.Option(
            "--cloud-guidance-only", help="Only the chosen controls the catalog gives cloud guidance for (106 of 133)."
        ),
    ] = False,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.json,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the table: en or ja (titles, statuses, headings).")
    ] = "en",
    output: Annotated[
        Optional[str],
        typer.Option("--output", "-o", help="Write to this file (replaced once complete); '-' or none: stdout."),
    ] = None,
    fail_on_gaps: Annotated[bool, typer.Option("--fail-on-gaps", help="Exit with 1 when there is any gap.")] = False,
    max_gaps: Annotated[
        Optional[int], typer.Option("--max-gaps", min=0, help="Exit with 1 when there are more gaps than this.")
    ] = None,
) -> None:
    """Analyse a chain file: every gap, its kind and its root causes. Needs no database."""
    chosen = [c.strip() for c in controls.split(",") if c.strip()] if controls else None
    check_language(lang)
    with reported():
        if not file.is_file():
            raise ChainError(f"{file}: no such file")
        if not is_stdout(output):
            output_target(str(output))  # refuse a device, FIFO or directory before the analysis
        chain = chain_from_file(file)
        result = analyze(
            chain, requirement=require, as_of=as_of, controls=chosen, cloud_guidance_only=cloud_guidance_only
        )
    for warning in chain_warnings(chain):
        err.print(f"[bold yellow]warning:[/] {escape(f'{file}: {warning}')}", highlight=False)
    with i18n.language(lang):
        if is_stdout(output) and output_format is OutputFormat.table:
            print_table(result)
            text = None
        else:
            text = render_analysis(result, output_format)
    if text is not None:
        with reported(), opened_output(output) as handle:
            handle.write(text.encode("utf-8"))
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
    title = _(
        "%(name)s: %(gaps)s gaps (%(nodes)s nodes, %(edges)s edges, %(controls)s controls; "
        "requirement %(requirement)s, as of %(as_of)s)"
    ) % {**summary, "name": escape(result.chain.name), "requirement": word(result.requirement), "as_of": result.as_of}
    table = Table(title=title, title_justify="left")
    headings = (_("node"), _("control"), _("title"), _("effective"), _("kind"), _("root cause and path"))
    for n, column in enumerate(headings):
        table.add_column(column, overflow="fold", no_wrap=n in (0, 1, 3))
    for gap in result.gaps():
        causes = result.root_causes(gap.node, gap.control)
        kind = word(gap.kind, "gap_kind") + (f" ({_('orphaned')})" if gap.orphaned else "")
        paths = "\n".join(f"{c.node} ({word(c.status, 'status')}): {' -> '.join(c.path)}" for c in causes) or _(
            "no contributor (loop)"
        )
        cells = (gap.node, gap.control, control_title(catalog[gap.control]), word(gap.effective), kind, paths)
        table.add_row(*(escape(cell) for cell in cells))
    return table


def print_table(result: Analysis) -> None:
    # A console made now, not at import, so the terminal width in force is the one used.
    Console(soft_wrap=True).print(analysis_table(result))
