"""``obligraph analyze FILE`` works on a file alone: it must not load the web service or the database
layer, whose imports cost more than half a second before the first byte of the file is read, nor
networkx (80 ms), which only the graph algorithms and formats the analysis does not use need; and
for a chain without a cycle, not scipy either (a third of a second), which only finds cycles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = """
import sys
from typer.testing import CliRunner
from obligraph.app.cli.commands import app

result = CliRunner().invoke(app, ["analyze", sys.argv[1], "--format", "csv", "-o", sys.argv[2]])
assert result.exit_code in (0, 1), result.output
loaded = {name.split(".")[0] for name in sys.modules} & {"fastapi", "starlette", "sqlalchemy", "sqlmodel", "alembic", "networkx", "scipy"}
if sys.argv[3] == "cycles":
    loaded.discard("scipy")
loaded |= {"obligraph.app.services" for name in sys.modules if name.startswith("obligraph.app.services")}
print(" ".join(sorted(loaded)))
"""


ACYCLIC = {
    "format": "obligraph/chain@1",
    "name": "acyclic",
    "catalog": "meti-2011",
    "nodes": [
        {"id": "iaas", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
        {"id": "saas", "layer": "saas"},
        {"id": "org", "layer": "customer"},
    ],
    "edges": [{"provider": "iaas", "consumer": "saas"}, {"provider": "saas", "consumer": "org"}],
}


def _analyze(chain: Path, output: Path, shape: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, str(chain), str(output), shape], capture_output=True, text=True, timeout=120
    )


def test_analyze_a_file_loads_neither_the_web_service_nor_the_database_layer(tmp_path):
    example = Path(__file__).resolve().parents[2] / "seed_data" / "examples" / "enterprise.yaml"
    output = tmp_path / "gaps.csv"
    run = _analyze(example, output, "cycles")  # the example has delegation cycles
    assert run.returncode == 0, run.stderr
    assert output.read_text(encoding="utf-8").startswith("node,")
    assert run.stdout.strip() == "", f"analyze loaded: {run.stdout.strip()}"


def test_analyze_a_chain_without_a_cycle_does_not_load_scipy(tmp_path):
    chain, output = tmp_path / "acyclic.json", tmp_path / "gaps.csv"
    chain.write_text(json.dumps(ACYCLIC), encoding="utf-8")
    run = _analyze(chain, output, "acyclic")
    assert run.returncode == 0, run.stderr
    assert output.read_text(encoding="utf-8").startswith("node,")
    assert run.stdout.strip() == "", f"analyze loaded: {run.stdout.strip()}"
