"""``obligraph import`` of OSCAL: a plan file (.ssp.json, or plain .json) and an exported set (.oscal.zip)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from obligraph.app.cli import app
from tests.graph.formats.test_oscal_import import leveraging_saas

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_plans_import_by_extension_or_content(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    for name, workspace in (("saas.ssp.json", "by-extension"), ("saas.json", "by-content")):
        path = tmp_path / name
        path.write_text(json.dumps(leveraging_saas()))
        result = run("import", path, "--workspace", workspace, "--db", db)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["nodes"] == 2
    zipped = tmp_path / "set.oscal.zip"
    assert run("export", "by-content", "-o", zipped, "--db", db).exit_code == 0
    result = run("import", zipped, "--workspace", "again", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"] == 1


def test_an_unmappable_control_exits_2_naming_it(tmp_path):
    plan = leveraging_saas()
    plan["system-security-plan"]["control-implementation"]["implemented-requirements"][1]["control-id"] = "cp-9"
    path = tmp_path / "bad.ssp.json"
    path.write_text(json.dumps(plan))
    result = run("import", path, "--workspace", "w", "--db", f"sqlite:///{tmp_path / 'cli.db'}")
    assert result.exit_code == 2 and "implemented-requirements[1]" in result.stderr and "'cp-9'" in result.stderr
