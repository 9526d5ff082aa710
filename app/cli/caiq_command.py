"""``obligraph import-caiq FILE --workspace WS --node ID``: a provider's CAIQ v4 answers into a workspace."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from obligraph.app.cli.common import DbOption, err, reported, service_for
from obligraph.app.cli.transfer_commands import read_file
from obligraph.graph.errors import ChainError


def import_caiq_command(
    file: Annotated[Path, typer.Argument(help="CSA's CAIQ v4 workbook (.xlsx) or a CSV of it.")],
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="The workspace the provider is in.")],
    node: Annotated[str, typer.Option("--node", "-n", help="The provider node the answers are for.")],
    db: DbOption = None,
) -> None:
    """Set a provider's declarations from its CAIQ answers (CCM ids map to catalog controls).

    Prints a JSON summary; CCM controls with no catalog counterpart and unanswered questions are
    listed in it and on stderr. Bad rows exit 2, naming each row and column; nothing changes then.
    """
    from obligraph.app.services.caiq import apply_caiq

    with reported():
        if not file.is_file():
            raise ChainError(f"{file}: no such file")
        data = read_file(file)
        with service_for(db) as service:
            if service.db.revision_of(workspace) is None:
                raise ChainError(f"there is no workspace '{workspace}'; import a chain into it first")
            result = apply_caiq(service, workspace, node, data)
    for entry in result["unmapped"]:
        err.print(f"not imported: {entry['reason']} (questions {', '.join(entry['questions'])})", highlight=False)
    if result["unanswered"]:
        questions = ", ".join(item["question"] for item in result["unanswered"])
        err.print(f"unanswered, so not imported: {questions}", highlight=False)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def register(app: typer.Typer) -> None:
    app.command("import-caiq")(import_caiq_command)
