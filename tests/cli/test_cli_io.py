"""``obligraph export``, ``import`` and ``snapshot``: file to file, against a SQLite database, bad input."""

from __future__ import annotations

import io
import json
import zipfile

import networkx as nx
import pytest
import yaml
from typer.testing import CliRunner

from obligraph.app.cli.commands import app
from obligraph.graph.chain import Chain
from tests.api.support import HR_CHAIN

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def chain_file(tmp_path):
    path = tmp_path / "hr.json"
    path.write_text(json.dumps(HR_CHAIN))
    return path


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def same_chain(document) -> bool:
    return Chain.from_dict(document).to_dict() == Chain.from_dict(HR_CHAIN).to_dict()


def test_file_to_file_by_extension(chain_file, tmp_path):
    for name in ("out.yaml", "out.graphml", "out.zip", "out.dot", "out.gexf", "out.cyjs", "out.oscal.zip"):
        result = run("export", chain_file, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
    assert same_chain(yaml.safe_load((tmp_path / "out.yaml").read_text()))
    assert set(nx.read_graphml(tmp_path / "out.graphml").nodes) == {n["id"] for n in HR_CHAIN["nodes"]}
    assert "nodes.csv" in zipfile.ZipFile(tmp_path / "out.zip").namelist()
    oscal = zipfile.ZipFile(tmp_path / "out.oscal.zip").namelist()
    assert {f"system-security-plans/{n['id']}/system-security-plan.json" for n in HR_CHAIN["nodes"]} <= set(oscal)
    # A GraphML file converts back to chain JSON losslessly.
    result = run("export", tmp_path / "out.graphml", "-o", tmp_path / "back.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    assert same_chain(json.loads((tmp_path / "back.txt").read_text()))


def test_audit_needs_a_node(chain_file, tmp_path):
    result = run("export", chain_file, "-o", tmp_path / "a.md", "--format", "audit-md", "--node", "hr-saas")
    assert result.exit_code == 0, result.output
    assert "hr-saas" in (tmp_path / "a.md").read_text() or "HR SaaS" in (tmp_path / "a.md").read_text()
    result = run("export", chain_file, "-o", tmp_path / "b.audit.md")
    assert result.exit_code == 2 and "node" in result.stderr
    assert not (tmp_path / "b.audit.md").exists()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["export", "{chain}", "-o", "{tmp}/x.pdf"], "cannot tell the format"),
        (["export", "{chain}", "-o", "{tmp}/x.json", "--format", "pdf"], "unknown export format"),
        (["export", "{tmp}/missing.json", "-o", "{tmp}/x.json", "--db", "{db}"], "neither a file nor a workspace"),
        (["import", "{tmp}/missing.json", "--workspace", "w", "--db", "{db}"], "no such file"),
        (["import", "{chain}", "--workspace", "w", "--format", "gexf", "--db", "{db}"], "cannot import format"),
        (["snapshot", "list", "nope", "--db", "{db}"], "no workspace 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_message(chain_file, tmp_path, db, args, needle):
    filled = [a.format(chain=chain_file, tmp=tmp_path, db=db) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert result.stderr.count("error:") == 1


def test_broken_chain_file(tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**HR_CHAIN, "nodes": [{"id": "x", "layer": "sass"}], "edges": []}))
    result = run("import", bad, "--workspace", "w", "--db", db)
    assert result.exit_code == 2 and "sass" in result.stderr
    result = run("export", bad, "-o", tmp_path / "x.yaml")
    assert result.exit_code == 2 and "sass" in result.stderr


def test_import_export_and_snapshots_against_a_database(chain_file, tmp_path, db):
    result = run("import", chain_file, "--workspace", "hr", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"] == 5
    first = run("snapshot", "create", "hr", "--label", "start", "--db", db)
    assert first.exit_code == 0, first.output
    first_id = first.stdout.strip()
    assert len(first_id) == 64

    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(yaml.safe_dump({**HR_CHAIN, "nodes": HR_CHAIN["nodes"][:2], "edges": HR_CHAIN["edges"][:1]}))
    assert run("import", smaller, "--workspace", "hr", "--db", db).exit_code == 0
    second_id = run("snapshot", "create", "hr", "--db", db).stdout.strip()

    listed = json.loads(run("snapshot", "list", "hr", "--json", "--db", db).stdout)
    assert [s["id"] for s in listed] == [first_id, second_id] and listed[0]["label"] == "start"
    assert first_id[:12] in run("snapshot", "list", "hr", "--db", db).stdout

    diff = json.loads(run("snapshot", "diff", "hr", first_id[:8], second_id, "--db", db).stdout)
    assert diff["summary"]["nodes_removed"] == 3

    out = tmp_path / "live.json"
    assert run("export", "hr", "-o", out, "--db", db).exit_code == 0
    assert len(json.loads(out.read_text())["nodes"]) == 2
    assert run("export", "hr", "-o", out, "--snapshot", first_id, "--db", db).exit_code == 0
    assert same_chain(json.loads(out.read_text()))

    restored = run("snapshot", "restore", "hr", first_id, "--db", db)
    assert restored.exit_code == 0, restored.output
    assert run("export", "hr", "-o", out, "--db", db).exit_code == 0
    assert same_chain(json.loads(out.read_text()))

    merge = tmp_path / "extra.json"
    extra = {"format": "obligraph/chain@1", "name": "x", "nodes": [{"id": "new", "layer": "saas"}]}
    merge.write_text(json.dumps(extra))
    result = run("import", merge, "--workspace", "hr", "--mode", "merge", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes_added"] == 1


def test_progress_bar_for_big_files(chain_file, tmp_path, monkeypatch):
    from obligraph.app.cli import transfer_commands as cli_io

    monkeypatch.setattr(cli_io, "BIG_FILE", 10)
    result = run("export", chain_file, "-o", tmp_path / "big.graphml")
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(io.BytesIO((tmp_path / "big.graphml").read_bytes())).number_of_nodes() == 5
