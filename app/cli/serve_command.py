"""``obligraph serve``: the web service (JSON API, pages, docs)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from obligraph.app.cli.common import fail


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
    from obligraph.app.core.server import ServeError, serve

    try:
        serve(host=host, port=port, workers=workers, database_url=db, insecure_no_auth=insecure_no_auth)
    except ServeError as exc:
        raise fail(str(exc)) from None
