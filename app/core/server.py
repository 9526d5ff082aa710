"""``obligraph serve``: migrate, load the demo into a new database, run uvicorn.

The parent process binds the socket itself, so ``--port 0`` can report the port the system
picked, and with ``--workers N`` every worker accepts on that one socket. The schema is
migrated here once; the workers are told not to (``OBLIGRAPH_AUTO_MIGRATE=false``).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from importlib import resources
from pathlib import Path

from obligraph.app.core.db import Database
from obligraph.app.core.settings import Settings, normalise_database_url
from obligraph.app.models import Workspace
from obligraph.app.repository import workspace_rows
from obligraph.app.repository.rows import insert_chain
from obligraph.app.services.trash import purge_expired
from obligraph.graph.chain import Chain

log = logging.getLogger("obligraph.app")

DEMO_WORKSPACE = "demo"
#: The first of these that exists becomes the demo workspace of a new database.
DEMO_FILES = ("enterprise.yaml", "guideline-chain.yaml")
APP_FACTORY = "obligraph.app.main:app_factory"


class ServeError(Exception):
    """Start-up failed for a reason the user can fix (the message says how)."""


def demo_file() -> Path | None:
    examples = Path(str(resources.files("obligraph") / "seed_data" / "examples"))
    for name in DEMO_FILES:
        if (examples / name).is_file():
            return examples / name
    return None


def prepare(settings: Settings) -> str | None:
    """Migrate; on a database that was empty, load the demo. Returns the demo workspace id if loaded."""
    database = Database(settings)
    try:
        fresh = database.migrate()
        with database.write() as session:  # deleted workspaces past their undo limit go for good
            purge_expired(settings, session)
            session.commit()
        if fresh and settings.demo:
            return load_demo(database)
        return None
    finally:
        database.dispose()


def load_demo(database: Database) -> str | None:
    path = demo_file()
    if path is None:
        log.info("no demo chain shipped; starting with no workspace")
        return None
    chain = Chain.load(path)
    with database.write() as session:
        if workspace_rows.workspace_exists(session, DEMO_WORKSPACE):
            return None
        session.add(
            Workspace(
                id=DEMO_WORKSPACE,
                uid=uuid.uuid4().hex,
                name=chain.name,
                description=chain.description,
                catalog=chain.catalog.id,
                requirement=chain.requirement.value if chain.requirement else None,
                controls=list(chain.controls) if chain.controls is not None else None,
                revision=1,
            )
        )
        session.flush()
        insert_chain(session, DEMO_WORKSPACE, chain)
        session.commit()
    return DEMO_WORKSPACE


def check_exposure(settings: Settings, host: str, insecure_no_auth: bool) -> None:
    """Off loopback, refuse to serve with auth off: the data would be open to the network."""
    from obligraph.app.security.exposure import auth_configured, is_loopback

    if is_loopback(host) or auth_configured(settings):
        return
    if not insecure_no_auth:
        raise ServeError(
            f"refusing to serve {host} with no API token: create one with `obligraph token create --admin`, "
            "set OBLIGRAPH_AUTH=required, or pass --insecure-no-auth to serve it open to the network"
        )
    print(
        f"WARNING: serving {host} with no authentication (--insecure-no-auth): anyone who can reach it "
        "can read and change every workspace",
        file=sys.stderr,
    )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port, or --port 0") from None
    # Listen now: connections wait in the backlog while the workers start, instead of being refused.
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    database_url: str | None = None,
    insecure_no_auth: bool = False,
) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if database_url:
        # Through the environment, so that worker processes see the same database.
        os.environ["OBLIGRAPH_DATABASE_URL"] = normalise_database_url(database_url)
    settings = Settings()
    try:
        demo = prepare(settings)
    except Exception as exc:
        raise ServeError(f"cannot open the database {_redacted(settings.database_url)}: {exc}") from exc
    check_exposure(settings, host, insecure_no_auth)  # before binding: nothing is reachable unprotected
    sock = bind(host, port)
    url = url_of(host, sock.getsockname()[1])
    os.environ["OBLIGRAPH_AUTO_MIGRATE"] = "false"
    config = uvicorn.Config(APP_FACTORY, factory=True, workers=workers)
    print(f"obligraph {_redacted(settings.database_url)}", file=sys.stderr)
    if demo:
        print(f"loaded the demo workspace '{demo}'", file=sys.stderr)
    print(f"serving on {url}  (API docs: {url}/docs)", flush=True)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable database URL)"
