"""`obligraph serve`: first start creates the database and the demo workspace; binding; the command."""

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from obligraph.app.cli.commands import app as cli
from obligraph.app.core import server
from obligraph.app.core.db import Database
from obligraph.app.core.settings import Settings
from obligraph.app.models import Workspace


def workspaces(settings):
    database = Database(settings)
    try:
        with database.read() as session:
            return {w.id: w for w in session.exec(select(Workspace))}
    finally:
        database.dispose()


def test_first_start_loads_the_demo_once(fresh_database_url, tmp_path):
    settings = Settings(database_url=fresh_database_url, data_dir=tmp_path)
    assert server.demo_file().name == "enterprise.yaml"
    assert server.prepare(settings) == "demo"
    demo = workspaces(settings)["demo"]
    assert demo.revision == 1
    assert server.prepare(settings) is None  # not a first start any more


def test_demo_falls_back_then_starts_empty(fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(server, "DEMO_FILES", ("missing.yaml", "guideline-chain.yaml"))
    assert server.demo_file().name == "guideline-chain.yaml"
    monkeypatch.setattr(server, "DEMO_FILES", ("missing.yaml",))
    settings = Settings(database_url=fresh_database_url, data_dir=tmp_path)
    assert server.prepare(settings) is None
    assert workspaces(settings) == {}


def test_no_demo_when_switched_off(fresh_database_url, tmp_path):
    settings = Settings(database_url=fresh_database_url, data_dir=tmp_path, demo=False)
    assert server.prepare(settings) is None


def test_bind():
    sock = server.bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert port > 0
        with pytest.raises(server.ServeError, match="pick another --port"):
            server.bind("127.0.0.1", port)
    finally:
        sock.close()
    assert server.url_of("::1", 8000) == "http://[::1]:8000"


def test_command_line():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--workers" in result.output and "--db" in result.output
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert result.exit_code == 2


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("OBLIGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OBLIGRAPH_MAX_BODY_BYTES", "2048")
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'obligraph.db'}" and settings.max_body_bytes == 2048
    monkeypatch.setenv("OBLIGRAPH_DATABASE_URL", "postgres://u@db/og")
    assert Settings().database_url == "postgresql+psycopg://u@db/og"
    monkeypatch.setenv("OBLIGRAPH_DATABASE_URL", str(tmp_path / "x.db"))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'x.db'}"


def test_serve_end_to_end(tmp_path):
    """The real command on a free port: prints its URL, answers, shows the demo."""
    env = {**os.environ, "OBLIGRAPH_DATA_DIR": str(tmp_path)}
    env.pop("OBLIGRAPH_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "obligraph.app.cli", "serve", "--port", "0", "--db", str(tmp_path / "e2e.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line + process.stderr.read()
        url = match.group(0)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        listed = httpx.get(f"{url}/api/v1/workspaces").json()["items"]
        assert [w["id"] for w in listed] == ["demo"] and listed[0]["nodes"] > 0
        assert (tmp_path / "e2e.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
