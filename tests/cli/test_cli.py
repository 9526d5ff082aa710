"""The ``obligraph`` command: analyze and catalog, exit codes, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obligraph.app.cli.commands import app
from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain

EXAMPLES = Path(__file__).resolve().parents[2] / "seed_data" / "examples"
runner = CliRunner(env={"COLUMNS": "200"})

CHAIN = {
    "format": "obligraph/chain@1",
    "name": "cli",
    "controls": ["9.1.1", "10.5.1"],
    "nodes": [
        {
            "id": "iaas",
            "layer": "iaas",
            "declarations": [
                {
                    "control": "9.1.1",
                    "status": "verified",
                    "evidence": [{"kind": "certification", "ref": "c1", "expires": "2030-01-01"}],
                }
            ],
        },
        {"id": "app", "layer": "saas"},
    ],
    "edges": [{"provider": "iaas", "consumer": "app"}],
}


@pytest.fixture
def chain_file(tmp_path) -> Path:
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(CHAIN))
    return path


def test_analyze_json_is_the_analysis_document(chain_file):
    result = runner.invoke(app, ["analyze", str(chain_file), "--as-of", "2026-11-26"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = analyze(Chain.load(chain_file), as_of="2026-11-26").to_dict()
    assert document == expected
    assert document["format"] == "obligraph/analysis@1"
    assert {(g["node"], g["control"], g["kind"]) for g in document["gaps"]} == {
        ("iaas", "10.5.1", "origin"),
        ("app", "10.5.1", "mixed"),
    }


def test_analyze_options(chain_file):
    result = runner.invoke(
        app, ["analyze", str(chain_file), "--as-of", "2031-01-01", "--require", "verified", "--controls", "9.1.1"]
    )
    gaps = json.loads(result.stdout)["gaps"]
    assert [(g["node"], g["effective"]) for g in gaps] == [("iaas", "declared"), ("app", "declared")]


def test_fail_on_gaps_and_max_gaps(chain_file):
    assert runner.invoke(app, ["analyze", str(chain_file), "--fail-on-gaps"]).exit_code == 1
    assert runner.invoke(app, ["analyze", str(chain_file), "--max-gaps", "2"]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(chain_file), "--max-gaps", "1"]).exit_code == 1


def test_table_and_csv(chain_file, tmp_path):
    table = runner.invoke(app, ["analyze", str(chain_file), "--format", "table"])
    assert (
        table.exit_code == 0 and "iaas (unknown): iaas -> app" in table.stdout and "Information back-up" in table.stdout
    )
    out = tmp_path / "gaps.csv"
    assert runner.invoke(app, ["analyze", str(chain_file), "-f", "csv", "-o", str(out)]).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("node,control,effective") and len(lines) == 3


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--require", "excellent"], "requirement: 'excellent' is not a status"),
        (["--as-of", "26/11/2026"], "as_of: '26/11/2026' is not a valid date"),
        (["--controls", "10.5.9"], "controls: '10.5.9' is not a control"),
    ],
)
def test_bad_parameters_exit_2(chain_file, args, fragment):
    result = runner.invoke(app, ["analyze", str(chain_file), *args])
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_bad_file_exits_2_with_the_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: obligraph/chain@1\nname: x\nnodes:\n  - {id: a, layer: sass}\n")
    result = runner.invoke(app, ["analyze", str(bad)])
    assert result.exit_code == 2
    assert "nodes[0].layer: 'sass' is not a layer" in result.stderr
    assert runner.invoke(app, ["analyze", str(tmp_path / "missing.yaml")]).exit_code == 2


def test_catalog_show_json_lists_133_controls_with_fields():
    result = runner.invoke(app, ["catalog", "show", "meti-2011", "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["id"] == "meti-2011" and len(document["controls"]) == 133
    first = document["controls"][0]
    for field in (
        "id",
        "clause",
        "objective_id",
        "title",
        "title_ja",
        "user_guidance",
        "provider_expectation",
        "notes",
        "responsibility",
        "cloud_guidance",
    ):
        assert field in first
    assert set(first["responsibility"]) == {"infra", "iaas", "paas", "saas"}


def test_catalog_list_and_one_control():
    listed = runner.invoke(app, ["catalog", "list", "--format", "json"])
    assert [c["id"] for c in json.loads(listed.stdout)] == ["iso27017-cld", "meti-2011"]
    one = runner.invoke(app, ["catalog", "show", "meti-2011", "--control", "10.5.1"])
    assert one.exit_code == 0 and "Information back-up" in one.stdout
    assert runner.invoke(app, ["catalog", "show", "nope"]).exit_code == 2


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_examples_load_and_analyse(example):
    result = runner.invoke(app, ["analyze", str(EXAMPLES / example), "--as-of", "2026-11-26", "-f", "table"])
    assert result.exit_code == 0, result.output


def test_analyze_covers_every_catalog_control_and_cloud_guidance_only_narrows(tmp_path):
    document = {
        "format": "obligraph/chain@1",
        "name": "defaults",
        "nodes": [
            {"id": "iaas", "layer": "iaas", "declarations": [{"control": "9.1.1", "status": "not_applicable"}]},
            {"id": "app", "layer": "saas"},
        ],
        "edges": [{"provider": "iaas", "consumer": "app"}],
    }
    path = tmp_path / "defaults.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    everything = runner.invoke(app, ["analyze", str(path), "--as-of", "2026-11-26"])
    assert everything.exit_code == 0
    assert json.loads(everything.stdout)["summary"]["controls"] == 133
    # The not_applicable declaration for a control app relies on iaas for is warned about, not refused.
    assert "warning:" in everything.stderr and "nodes[0].declarations[0].status" in everything.stderr
    gap = next(g for g in json.loads(everything.stdout)["gaps"] if (g["node"], g["control"]) == ("app", "9.1.1"))
    assert gap["blockers"][0]["node"] == "iaas" and "not_applicable" in gap["blockers"][0]["note"]
    narrowed = runner.invoke(app, ["analyze", str(path), "--as-of", "2026-11-26", "--cloud-guidance-only"])
    assert json.loads(narrowed.stdout)["summary"]["controls"] == 106
