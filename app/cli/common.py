"""What every command shares: the consoles, the exit codes, the ``--db`` option and the one way to fail.

Bad input exits with code 2 and one message on stderr that names the place and the fix.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape

from obligraph.graph.errors import ChainError

EXIT_GAPS = 1
EXIT_BAD_INPUT = 2

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database URL or SQLite file (default: OBLIGRAPH_DATABASE_URL, else the data dir)."),
]


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def check_language(code: str) -> None:
    """``--lang``: one of the languages the message catalogs have, else exit 2 saying which."""
    from obligraph.app.web.i18n import LANGUAGES

    if code not in LANGUAGES:
        raise fail(f"--lang: '{code}' is not a language obligraph speaks; use one of {', '.join(LANGUAGES)}")


@contextmanager
def reported() -> Iterator[None]:
    """Turn the errors a user can fix into one message on stderr and exit code 2."""
    from pydantic import ValidationError

    from obligraph.app.core.exceptions import DomainError

    try:
        yield
    except ChainError as exc:
        raise fail(str(exc)) from None
    except DomainError as exc:
        raise fail(exc.message) from None
    except OSError as exc:
        raise fail(f"{exc.filename or 'file'}: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise fail(f"bad settings: {exc.errors()[0].get('msg', exc)}") from None
    except Exception as exc:
        # A database error can only come from a command that imported SQLAlchemy; the others
        # (``analyze FILE``, ``export FILE``) need not load it just to be able to catch one.
        database_errors = sys.modules.get("sqlalchemy.exc")
        if database_errors is not None and isinstance(exc, database_errors.SQLAlchemyError):
            raise fail(f"database error: {getattr(exc, 'orig', None) or exc}") from None
        raise


@contextmanager
def service_for(db: str | None):
    from obligraph.app.core.settings import Settings, normalise_database_url
    from obligraph.app.services.workspace import Service

    settings = Settings(database_url=normalise_database_url(db)) if db else Settings()
    service = Service(settings)
    try:
        service.db.migrate()
        yield service
    finally:
        service.close()
