"""``obligraph analyze --controls`` and ``catalog show --control`` with typed ids."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from obligraph.app.cli.commands import app

runner = CliRunner(env={"COLUMNS": "200"})

CHAIN = {
    "format": "obligraph/chain@1",
    "name": "cli",
    "nodes": [{"id": "iaas", "layer": "iaas"}, {"id": "app", "layer": "saas"}],
    "edges": [{"provider": "iaas", "consumer": "app"}],
}


def analyse(tmp_path, *args):
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(CHAIN))
    return runner.invoke(app, ["analyze", str(path), "--as-of", "2026-11-26", *args])


def test_controls_option_takes_a_2022_id(tmp_path):
    typed = analyse(tmp_path, "--controls", "27002:2022/8.13")
    plain = analyse(tmp_path, "--controls", "10.5.1")
    assert typed.exit_code == 0, typed.output
    document = json.loads(typed.stdout)
    assert document["summary"]["controls"] == 1
    assert {gap["control"] for gap in document["gaps"]} == {"10.5.1"}
    assert document == json.loads(plain.stdout)


def test_controls_option_expands_a_2022_id_of_several_controls(tmp_path):
    result = analyse(tmp_path, "--controls", "27002:2022/5.15,11.1.1")
    assert json.loads(result.stdout)["summary"]["controls"] == 2


def test_an_unmappable_id_exits_2_with_the_reason(tmp_path):
    result = analyse(tmp_path, "--controls", "27002:2022/8.11")
    assert result.exit_code == 2
    assert "'27002:2022/8.11' (Data masking) has no counterpart in ISO/IEC 27002:2005" in result.stderr


def test_annex_a_shorthand_exits_2_without_a_wrong_guess(tmp_path):
    result = analyse(tmp_path, "--controls", "A.5.1")
    assert result.exit_code == 2
    assert "12.5.1" not in result.stderr and "27002:2022/5.1" in result.stderr


def test_catalog_show_a_typed_control():
    result = runner.invoke(app, ["catalog", "show", "meti-2011", "--control", "27002:2022/5.15", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [c["id"] for c in json.loads(result.stdout)["controls"]] == ["11.1.1", "11.4.1"]


def test_catalog_show_gives_2022_ids():
    document = json.loads(runner.invoke(app, ["catalog", "show", "meti-2011", "-f", "json"]).stdout)
    assert {c["id"]: c["iso27002_2022"] for c in document["controls"]}["10.5.1"] == ["8.13"]
    one = runner.invoke(app, ["catalog", "show", "meti-2011", "--control", "10.5.1"])
    assert "ISO/IEC 27002:2022: 8.13" in one.stdout
    table = runner.invoke(app, ["catalog", "show", "meti-2011"])
    assert any("10.5.1" in line and "8.13" in line for line in table.stdout.splitlines())
