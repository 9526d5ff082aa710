"""Where ``obligraph export`` and ``analyze`` write: standard output, or a regular file replaced atomically.

Devices, FIFOs, directories and links to them are refused (exit 2) and left as they were; an
interrupted export (SIGTERM, SIGINT to a real process) leaves neither the target nor a temporary file.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from benchmarks.generate import generate_chain
from obligraph.app.cli import app
from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from tests.api.support import HR_CHAIN

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def chain_file(tmp_path):
    path = tmp_path / "hr.json"
    path.write_text(json.dumps(HR_CHAIN))
    return path


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_dash_and_no_output_write_to_standard_output(chain_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["-o", "-", "--format", "graphml"], ["--format", "graphml"]):
        result = run("export", chain_file, *args)
        assert result.exit_code == 0, result.output
        graph = nx.read_graphml(io.BytesIO(result.stdout_bytes))
        assert set(graph.nodes) == {n["id"] for n in HR_CHAIN["nodes"]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hr.json"]  # no file named "-"
    result = run("export", chain_file)
    assert result.exit_code == 2 and "--format" in result.stderr


def test_a_regular_file_is_replaced_whole_with_its_permissions(chain_file, tmp_path):
    target = tmp_path / "out.graphml"
    target.write_text("old")
    target.chmod(0o640)
    result = run("export", chain_file, "-o", target)
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(target).number_of_nodes() == len(HR_CHAIN["nodes"])
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hr.json", "out.graphml"]


def test_a_link_to_a_regular_file_replaces_the_file_and_keeps_the_link(chain_file, tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text("old")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    result = run("export", chain_file, "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "obligraph/chain@1" in real.read_text()


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda tmp: Path("/dev/null"), "is a device"),
        (_fifo, "is a FIFO"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: tmp / "missing" / "x.graphml", "does not exist"),
    ],
)
def test_devices_fifos_and_directories_are_refused_and_left_alone(chain_file, tmp_path, make, needle):
    target = make(tmp_path)
    kind = target.stat().st_mode if target.exists() else None
    for command in (["export", chain_file, "--format", "graphml"], ["analyze", chain_file]):
        result = run(*command, "-o", target)
        assert result.exit_code == 2, result.output
        assert needle in result.stderr and result.stderr.count("error:") == 1
        assert (target.stat().st_mode if target.exists() else None) == kind
    assert not list(tmp_path.glob("**/*.part"))


def test_a_link_to_a_fifo_is_refused(chain_file, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(_fifo(tmp_path))
    result = run("export", chain_file, "--format", "dot", "-o", link)
    assert result.exit_code == 2 and "is a link to a FIFO" in result.stderr and "-o -" in result.stderr
    assert link.is_symlink()


def test_a_file_export_carries_the_gaps_of_the_file(chain_file, tmp_path):
    expected = analyze(Chain.from_dict(HR_CHAIN))
    assert run("export", chain_file, "-o", tmp_path / "hr.graphml").exit_code == 0
    graph = nx.read_graphml(tmp_path / "hr.graphml")
    assert sum(attrs["gaps"] for _, attrs in graph.nodes(data=True)) == expected.gap_count > 0
    assert run("export", chain_file, "-o", tmp_path / "hr.zip").exit_code == 0
    with zipfile.ZipFile(tmp_path / "hr.zip") as bundle:
        assert bundle.read("gaps.csv").decode("utf-8-sig").count("\n") == expected.gap_count + 1
    result = run("export", chain_file, "-o", tmp_path / "small.zip", "--no-gaps")
    assert result.exit_code == 0 and "gaps.csv" not in zipfile.ZipFile(tmp_path / "small.zip").namelist()
    result = run("export", chain_file, "-o", tmp_path / "x.graphml", "--links")
    assert result.exit_code == 2 and "links applies to the node-link export" in result.stderr


def test_analyze_reads_every_format_import_reads(chain_file, tmp_path):
    expected = json.loads(run("analyze", chain_file, "--as-of", "2026-11-26").stdout)
    for name in ("hr.graphml", "hr.zip", "hr.yaml"):
        assert run("export", chain_file, "-o", tmp_path / name).exit_code == 0
        result = run("analyze", tmp_path / name, "--as-of", "2026-11-26", "-o", tmp_path / f"{name}.json")
        assert result.exit_code == 0, result.output
        assert json.loads((tmp_path / f"{name}.json").read_text())["gaps"] == expected["gaps"]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # renamed into place (or removed) since it was listed
        return 0


@pytest.fixture(scope="module")
def big_chain(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.json"
    # Big enough that writing it takes a good part of a second, even as exports get faster.
    path.write_text(json.dumps(generate_chain(30_000, 150_000, seed=3)))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_write_leaves_no_partial_file(big_chain, tmp_path, signum):
    target = tmp_path / "out.json"
    command = [sys.executable, "-m", "obligraph.app.cli", "export", str(big_chain), "-o", str(target)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    partial = []
    # Signal as soon as some of the output is in the temporary file, while the rest is being written.
    while not partial and time.monotonic() < deadline and process.poll() is None:
        partial = [part for part in tmp_path.glob(".out.json.*.part") if _size(part) > 0]
        time.sleep(0.002)
    assert partial, "the export never started writing"
    process.send_signal(signum)
    stderr = process.communicate(timeout=60)[1].decode()
    assert process.returncode == 128 + signum, stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())
