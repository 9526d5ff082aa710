"""The ``obligraph`` command. ``commands`` builds the Typer app; one module per command group.

``main`` is the console-script entry point (``obligraph.app.cli:main``); it imports the commands
when called, so importing this package costs nothing.
"""

from __future__ import annotations


def main() -> None:
    from obligraph.app.cli.commands import app

    app()


def __getattr__(name: str) -> object:
    # ``from obligraph.app.cli import app`` (the Typer app) keeps working without an eager import.
    if name == "app":
        from obligraph.app.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
