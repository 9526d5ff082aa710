"""Token lifecycle (create, use, expire, revoke), the owner's token routes, and the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from obligraph.app.cli.commands import app as cli
from obligraph.app.models import ApiToken
from obligraph.app.security import tokens

WS = "/api/v1/workspaces/alpha"


def test_local_mode_needs_no_token(tmp_path):
    from tests.security.conftest import make_world

    world = make_world(tmp_path, with_tokens=False)
    with world.client:
        assert world.client.get(WS).status_code == 200
        world.token(role="viewer", workspace_id="alpha")  # the first token turns auth on at once
        assert world.client.get(WS).status_code == 401


def test_secret_is_prefixed_and_only_its_hash_stored(world):
    row, secret = world.token(role="viewer", workspace_id="alpha")
    assert secret.startswith("obg_") and len(secret) > 40
    with world.app.state.service.db.read() as session:
        stored = session.execute(select(ApiToken).where(ApiToken.id == row.id)).scalar_one()
    assert stored.token_hash == tokens.hash_token(secret) and secret not in stored.token_hash


def test_use_expire_revoke(world):
    client = world.client
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    row, secret = world.token(role="viewer", workspace_id="alpha", expires_at=soon)
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get(WS, headers=auth).status_code == 200
    # Expiry: move it into the past behind the API's back.
    with world.app.state.service.db.write() as session:
        stored = session.get(ApiToken, row.id)
        stored.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        session.add(stored)
        session.commit()
    assert client.get(WS, headers=auth).status_code == 401
    row, secret = world.token(role="viewer", workspace_id="alpha")
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get(WS, headers=auth).status_code == 200
    assert client.delete(f"{WS}/tokens/{row.id}", headers=world.headers("owner")).status_code == 204
    assert client.get(WS, headers=auth).status_code == 401


@pytest.mark.parametrize("header", ["Bearer obg_nope", "Bearer ", "Basic abc", "Bearer " + "x" * 5000])
def test_bad_credentials_are_401(world, header):
    response = world.client.get(WS, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_owner_manages_the_workspace_tokens(world):
    client, owner = world.client, world.headers("owner")
    created = client.post(f"{WS}/tokens", json={"role": "editor", "name": "ci"}, headers=owner)
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("obg_") and body["workspace"] == "alpha"
    listed = client.get(f"{WS}/tokens", headers=owner).json()
    assert body["id"] in [t["id"] for t in listed]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    editor = {"Authorization": f"Bearer {body['token']}"}
    assert client.post(f"{WS}/nodes", json={"id": "n1", "layer": "saas"}, headers=editor).status_code == 201
    # Another workspace's token id cannot be revoked through this one.
    beta = world.token(role="viewer", workspace_id="beta")[0]
    assert client.delete(f"{WS}/tokens/{beta.id}", headers=owner).status_code == 404


def test_workspace_list_shows_only_the_tokens_workspace(world):
    def ids(who):
        listed = world.client.get("/api/v1/workspaces", headers=world.headers(who)).json()
        return [w["id"] for w in listed["items"]]

    assert ids("viewer") == ["alpha"]
    assert ids("other_owner") == ["beta"]
    assert ids("admin") == ["alpha", "beta"]


def test_cli_create_list_revoke(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    result = runner.invoke(cli, ["token", "create", "--admin", "--expires", "2999-01-01", "--db", db])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("obg_")
    listed = runner.invoke(cli, ["token", "list", "--db", db])
    assert listed.exit_code == 0 and '"role": "admin"' in listed.stdout and secret not in listed.stdout
    token_id = listed.stdout.split('"id": "')[1].split('"')[0]
    assert runner.invoke(cli, ["token", "revoke", token_id, "--db", db]).exit_code == 0
    assert '"active": false' in runner.invoke(cli, ["token", "list", "--db", db]).stdout
    bad = runner.invoke(cli, ["token", "create", "--role", "viewer", "--workspace", "nope", "--db", db])
    assert bad.exit_code == 2
    assert runner.invoke(cli, ["token", "create", "--admin", "--expires", "2000-01-01", "--db", db]).exit_code == 2
