"""``obligraph analyze FILE`` works on a file alone: it must not load the web service or the database
layer, whose imports cost more than half a second before the first byte of the file is read, nor
networkx (80 ms), which only the graph algorithms and formats the analysis does not use need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
import sys
from typer.testing import CliRunner
from obligraph.app.cli.commands import app

result = CliRunner().invoke(app, ["analyze", sys.argv[1], "--format", "csv", "-o", sys.argv[2]])
assert result.exit_code in (0, 1), result.output
loaded = {name.split(".")[0] for name in sys.modules} & {"fastapi", "starlette", "sqlalchemy", "sqlmodel", "alembic", "networkx"}
loaded |= {"obligraph.app.services" for name in sys.modules if name.startswith("obligraph.app.services")}
print(" ".join(sorted(loaded)))
"""


def test_analyze_a_file_loads_neither_the_web_service_nor_the_database_layer(tmp_path):
    example = Path(__file__).resolve().parents[2] / "seed_data" / "examples" / "enterprise.yaml"
    output = tmp_path / "gaps.csv"
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(example), str(output)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert output.read_text(encoding="utf-8").startswith("node,")
    assert run.stdout.strip() == "", f"analyze loaded: {run.stdout.strip()}"
