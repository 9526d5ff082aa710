"""The Typer app of the ``obligraph`` command and its command groups, one module each.

Bad input exits with code 2 and one message on stderr that names the place and the fix
(``common.fail``); ``analyze --fail-on-gaps`` (or ``--max-gaps N``) exits with 1 when there are
too many gaps, so it can gate a CI job. Commands that need the web stack import it when they run.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from obligraph import __version__
from obligraph.app.cli import caiq_command, transfer_commands
from obligraph.app.cli.analyze_command import analyze_command
from obligraph.app.cli.catalog_commands import catalog_app
from obligraph.app.cli.common import out
from obligraph.app.cli.serve_command import serve_command
from obligraph.app.cli.snapshot_commands import snapshot_app
from obligraph.app.cli.token_commands import token_app

app = typer.Typer(
    name="obligraph",
    help="Who in a cloud supply chain actually assures each security control, and where the chain breaks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("analyze")(analyze_command)
app.command("serve")(serve_command)
transfer_commands.register(app)
caiq_command.register(app)
app.add_typer(catalog_app, name="catalog")
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(token_app, name="token")


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
