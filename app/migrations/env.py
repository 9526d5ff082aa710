"""Alembic environment. ``Database.migrate()`` hands over an open connection in ``config.attributes``;
run by hand, it reads the URL the service would use (``OBLIGRAPH_DATABASE_URL`` or the default)::

    alembic -c app/migrations/alembic.ini upgrade head
    alembic -c app/migrations/alembic.ini revision --autogenerate -m "add something"
"""

from alembic import context

from obligraph.app import models


def run(config) -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    from obligraph.app.core.db import Database
    from obligraph.app.core.settings import Settings

    database = Database(Settings())
    try:
        with database.engine.begin() as connection:
            _run_on(connection)
    finally:
        database.dispose()


def _run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=models.SQLModel.metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Importing this module outside Alembic (doctest collection, tooling) must do nothing.
_config = getattr(context, "config", None)
if _config is not None:
    run(_config)
