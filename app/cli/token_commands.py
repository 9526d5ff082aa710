"""``obligraph token create|list|revoke``: manage API tokens in the database directly.

Whoever can run this can read the database file anyway, so the CLI needs no token itself.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Annotated, Iterator, Optional

import typer

from obligraph.app.cli.common import DbOption, fail
from obligraph.app.core.json_encoding import json_default

token_app = typer.Typer(help="Create, list and revoke API tokens (creating one turns auth on).", no_args_is_help=True)


@contextmanager
def _database(db: Optional[str]) -> Iterator:
    from obligraph.app.core.db import Database
    from obligraph.app.core.settings import Settings

    settings = Settings(database_url=db) if db else Settings()
    database = Database(settings)
    try:
        database.migrate()  # a new database gets its tables; an up-to-date one is left alone
        yield database
    finally:
        database.dispose()


@token_app.command("create")
def create(
    workspace: Annotated[Optional[str], typer.Option("--workspace", help="The workspace the token is for.")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="viewer, editor or owner.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="A token for everything, every workspace.")] = False,
    expires: Annotated[
        Optional[str], typer.Option("--expires", help="YYYY-MM-DD (valid through that day, UTC).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="A label for lists.")] = "",
    db: DbOption = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    from obligraph.app.security import tokens

    if admin == (role is not None):
        raise fail("give either --role viewer|editor|owner (with --workspace) or --admin")
    granted = role if role is not None else tokens.ADMIN
    try:
        expires_at = tokens.parse_expiry(expires) if expires else None
        with _database(db) as database, database.write() as session:
            row, secret = tokens.create(session, role=granted, workspace_id=workspace, name=name, expires_at=expires_at)
    except tokens.TokenError as exc:
        raise fail(str(exc)) from None
    scope = f" on {workspace}" if workspace else ""
    typer.echo(f"created token {row.id} ({row.role}{scope}); it is shown only now:", err=True)
    typer.echo(secret)


@token_app.command("list")
def list_command(
    workspace: Annotated[Optional[str], typer.Option("--workspace", help="Only this workspace's tokens.")] = None,
    db: DbOption = None,
) -> None:
    """The tokens as JSON (never their secrets or hashes)."""
    from obligraph.app.security import tokens

    with _database(db) as database, database.read() as session:
        rows = [tokens.describe(row) for row in tokens.list_tokens(session, workspace)]
    sys.stdout.write(json.dumps(rows, indent=2, default=json_default) + "\n")


@token_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `token list`).")], db: DbOption = None
) -> None:
    """Revoke a token: it, and any browser session made with it, stop working at once."""
    from obligraph.app.security import tokens

    with _database(db) as database, database.write() as session:
        if tokens.revoke(session, token_id) is None:
            raise fail(f"there is no token '{token_id}'; see `obligraph token list`")
    typer.echo(f"revoked token {token_id}", err=True)
