"""Alembic migrations, run by ``Database.migrate()`` at start-up (see ``env.py``)."""
