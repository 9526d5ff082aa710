"""The model layer around the engine: parse, ``Chain.from_dict``, compile, analysis, chain JSON export, file to gaps.

    .venv/bin/python benchmarks/generate.py --nodes 100000 --edges 500000 --seed 7 > big.json
    .venv/bin/python benchmarks/model_bench.py big.json

Each measure runs once, in this order, in one process (the peak RSS is that process's, with the
document and the chain both held); "file to gaps" runs ``obligraph analyze FILE --format csv`` in
a child process with its output sent to /dev/null and reports that child's wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from obligraph.graph.analysis import analyze
from obligraph.graph.catalog import load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.formats import export_to


def timed(label: str, step, figures: dict):
    start = time.perf_counter()
    result = step()
    figures[label] = time.perf_counter() - start
    print(f"{label:<28} {figures[label]:8.2f} s", flush=True)
    return result


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a chain@1 JSON file (benchmarks/generate.py writes one)")
    parser.add_argument("--skip-cli", action="store_true", help="do not time 'obligraph analyze'")
    args = parser.parse_args(argv)
    figures: dict[str, float] = {}
    load_catalog("meti-2011")  # once per process; not part of any measure
    data = args.path.read_bytes()
    timed("json.loads", lambda: json.loads(data), figures)
    document = timed("orjson.loads", lambda: orjson.loads(data), figures)
    chain = timed("Chain.from_dict", lambda: Chain.from_dict(document), figures)
    print(f"{'peak RSS after load':<28} {peak_rss_mb():8.0f} MB", flush=True)
    timed("compile", chain.compiled, figures)
    timed("analysis", lambda: analyze(chain), figures)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "chain.json"
        with open(target, "wb") as out:
            timed("chain JSON export", lambda: export_to(chain, "json", out), figures)
    print(f"{'peak RSS (process)':<28} {peak_rss_mb():8.0f} MB", flush=True)
    if not args.skip_cli:
        del chain, document
        command = [sys.executable, "-m", "obligraph.app.cli", "analyze", str(args.path), "--format", "csv"]
        with open(os.devnull, "wb") as sink:
            timed("file to gaps (CLI, csv)", lambda: subprocess.run(command, stdout=sink, check=False), figures)
        print(f"{'peak RSS (CLI child)':<28} {peak_rss_mb(resource.RUSAGE_CHILDREN):8.0f} MB", flush=True)


if __name__ == "__main__":
    main()
