"""``obligraph import-caiq``: CSA's CAIQ workbook into a provider of a workspace; bad input exits 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from obligraph.app.cli.commands import app
from obligraph.graph.chain import Chain
from tests.api.support import HR_CHAIN
from tests.graph.formats.test_caiq import workbook

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def workspace(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    chain_file = tmp_path / "hr.json"
    chain_file.write_text(json.dumps(HR_CHAIN))
    assert run("import", chain_file, "--workspace", "hr", "--db", db).exit_code == 0
    answers = tmp_path / "acme-caiq-v4.xlsx"
    answers.write_bytes(workbook())
    return db, answers


def test_a_workbook_sets_the_providers_declarations(workspace, tmp_path):
    db, answers = workspace
    result = run("import-caiq", answers, "--workspace", "hr", "--node", "acme-compute", "--db", db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["node"] == "acme-compute" and summary["declarations"] > 0
    assert [u["control"] for u in summary["unmapped"]] == ["DSP-07"]
    assert "not imported: CCM DSP-07" in result.stderr and "unanswered, so not imported: IAM-02.1" in result.stderr
    exported = tmp_path / "after.json"
    assert run("export", "hr", "-o", exported, "--db", db).exit_code == 0
    declarations = Chain.from_dict(json.loads(exported.read_text())).declarations("acme-compute")
    assert declarations["10.10.6"].status.value == "not_implemented"
    assert declarations["10.5.1"].assigns.value == "shared"  # BCR-08 replaced the declared 'customer'
    assert declarations["9.1.1"].status.value == "verified"  # a control the file does not answer stays


@pytest.mark.parametrize(
    "args, needle",
    [
        (("--workspace", "hr", "--node", "ghost"), "no node 'ghost'"),
        (("--workspace", "nope", "--node", "acme-compute"), "no workspace 'nope'"),
    ],
)
def test_unknown_workspace_or_node_exits_2(workspace, args, needle):
    db, answers = workspace
    result = run("import-caiq", answers, *args, "--db", db)
    assert result.exit_code == 2 and needle in result.stderr


def test_a_bad_row_exits_2_naming_it_and_changes_nothing(workspace, tmp_path):
    db, _ = workspace
    bad = tmp_path / "bad.csv"
    bad.write_text("Question ID,CSP CAIQ Answer,SSRM Control Ownership\nLOG-06.1,Maybe,CSP-owned\n")
    result = run("import-caiq", bad, "--workspace", "hr", "--node", "acme-compute", "--db", db)
    assert result.exit_code == 2 and "row 2, column CSP CAIQ Answer: 'Maybe' is not an answer" in result.stderr
    missing = run("import-caiq", tmp_path / "none.xlsx", "--workspace", "hr", "--node", "acme-compute", "--db", db)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
