"""An app on a SQLite file of its own, with two workspaces (alpha, beta) and a token per role.

The workspaces are made in local mode (no token yet); creating the first token turns auth on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app
from obligraph.app.security import tokens
from tests.api.support import HR_CHAIN


@dataclass
class World:
    app: object
    client: TestClient
    secrets: dict  # principal name -> bearer secret

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.secrets[who]}"} if who in self.secrets else {}

    def token(self, **kwargs) -> tuple:
        with self.app.state.service.db.write() as session:
            return tokens.create(session, **kwargs)


def make_world(tmp_path, with_tokens: bool = True) -> World:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'sec.db'}", data_dir=tmp_path)
    app = create_app(settings)
    client = TestClient(app)
    for ws in ("alpha", "beta"):
        assert client.post("/api/v1/workspaces", json={"id": ws, "name": ws, "catalog": "meti-2011"}).status_code == 201
        assert client.post(f"/api/v1/workspaces/{ws}/import", json=HR_CHAIN).status_code == 200
    world = World(app, client, {})
    if with_tokens:
        for name, role, ws in (
            ("viewer", "viewer", "alpha"),
            ("editor", "editor", "alpha"),
            ("owner", "owner", "alpha"),
            ("other_owner", "owner", "beta"),
            ("admin", tokens.ADMIN, None),
        ):
            world.secrets[name] = world.token(role=role, workspace_id=ws, name=name)[1]
    return world


@pytest.fixture
def world(tmp_path):
    world = make_world(tmp_path)
    with world.client:
        yield world
