"""The API suite runs once against SQLite and once against PostgreSQL (when
``OBLIGRAPH_TEST_POSTGRES_URL`` is set): every test that uses ``client`` gets both.

PostgreSQL tests run in a schema of their own per test session (``search_path``), so parallel
runs never see each other's tables; rows are deleted after every test.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, make_url
from sqlmodel import SQLModel

from obligraph.app.core.settings import Settings, normalise_database_url
from obligraph.app.main import create_app
from tests.api.support import HR_CHAIN

POSTGRES_URL = os.environ.get("OBLIGRAPH_TEST_POSTGRES_URL")
# Without the variable the PostgreSQL pass is one visible skip (test_postgres_pass), not one per test.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)] if POSTGRES_URL else ["sqlite"]


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a database with no tables: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"obligraph_test_{uuid.uuid4().hex[:12]}"
    conninfo = make_url(normalise_database_url(POSTGRES_URL)).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(normalise_database_url(POSTGRES_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory) -> Iterator[str]:
    with empty_database(backend, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def fresh_database_url(backend, tmp_path) -> Iterator[str]:
    """A database of its own for this test, with no tables yet."""
    with empty_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    service = application.state.service
    with service.db.write() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    service.close()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def workspace(client) -> str:
    """A workspace 'hr' holding ``HR_CHAIN``."""
    assert client.post("/api/v1/workspaces", json={"id": "hr", "name": "HR"}).status_code == 201
    response = client.post("/api/v1/workspaces/hr/import", params={"rename": "true"}, json=HR_CHAIN)
    assert response.status_code == 200, response.text
    return "hr"
