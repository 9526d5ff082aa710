"""``obligraph catalog list|show``: the control catalogs and their controls."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, TypedDict

import typer
from rich.markup import escape
from rich.table import Table

from obligraph.app.cli.common import check_language, fail, out
from obligraph.app.web import i18n
from obligraph.app.web.i18n import gettext as _
from obligraph.graph.catalog import available_catalogs, load_catalog
from obligraph.graph.crosswalk import ControlIdError, resolve_control_id, with_iso27002_2022
from obligraph.graph.errors import ChainError

catalog_app = typer.Typer(help="List the control catalogs and show their controls.", no_args_is_help=False)


class CatalogListing(TypedDict):
    id: str
    title: str
    version: str | None
    controls: int
    cloud_guidance: int


class CatalogFormat(str, Enum):
    json = "json"
    table = "table"


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
    rows: list[CatalogListing] = []
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
        str | None,
        typer.Option(
            "--control", help="Show one control in full (a typed id such as 27002:2022/8.13: each it maps to)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the table and texts: en or ja.")] = "en",
) -> None:
    """Show a catalog's controls, or one control's guidance in full."""
    check_language(lang)
    with i18n.language(lang):
        _catalog_show(catalog_id, output_format, control)


def _catalog_show(catalog_id: str, output_format: CatalogFormat, control: str | None) -> None:
    try:
        catalog = load_catalog(catalog_id)
    except ChainError as exc:
        raise fail(str(exc)) from None
    document = with_iso27002_2022(catalog.to_dict(), catalog)
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
    table = Table(
        "id", "2022", _("title"), _("analysed"), "infra", "iaas", "paas", "saas", title=f"{catalog.id}: {catalog.title}"
    )  # fmt: skip
    ja = i18n.current_language() == "ja"
    for item in document["controls"]:
        split = item["responsibility"]
        table.add_row(
            item["id"],
            ", ".join(item["iso27002_2022"]),
            (item.get("title_ja") if ja else None) or item["title"],
            _("yes") if item["cloud_guidance"] else _("no"),
            split["infra"],
            split["iaas"],
            split["paas"],
            split["saas"],
        )
    out.print(table)


def show_control(item: dict) -> None:
    out.print(f"[bold]{item['id']} {item['title']}[/]  {item.get('title_ja') or ''}")
    out.print(f"objective {item['objective_id']}: {item['objective_title']}")
    if item.get("iso27002_2022"):
        out.print(f"ISO/IEC 27002:2022: {', '.join(item['iso27002_2022'])}")
    ja = i18n.current_language() == "ja"
    for label, key in (
        (_("What you do"), "user_guidance"),
        (_("What to demand of the provider"), "provider_expectation"),
    ):
        first, second = (
            (item.get(f"{key}_ja"), item[key]) if ja and item.get(f"{key}_ja") else (item[key], item.get(f"{key}_ja"))
        )
        out.print(f"\n[bold]{label}[/]\n{escape(first or _('(the guideline gives nothing here)'))}")
        if second:
            out.print(escape(second))
    for model, text in item["notes"].items():
        out.print(f"\n[bold]Note ({model})[/]\n{text}")
    split = ", ".join(f"{layer}: {value}" for layer, value in item["responsibility"].items())
    out.print(f"\n[bold]Default split[/] {split}\n{item['rationale']}")
