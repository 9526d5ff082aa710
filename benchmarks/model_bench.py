"""The model layer around the engine: parse, ``Chain.from_dict``, ``Chain.from_json``, compile, analysis, chain
JSON export, file to gaps.

    .venv/bin/python benchmarks/generate.py --nodes 100000 --edges 500000 --seed 7 > big.json
    .venv/bin/python benchmarks/model_bench.py big.json

Each measure runs once (``--repeat N``: N times, the median reported with the spread), in this
order, in one process (the peak RSS is that process's, with the document and the chain both held);
"file to gaps" runs in a fresh child process what
``obligraph analyze FILE`` does before it writes anything (``chain_from_file``: read the file,
``Chain.from_json_parts``, which decodes and checks it a batch at a time; then compile and analyse)
and reports that child's wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec
import orjson

from obligraph.app.cli.transfer_commands import chain_from_file
from obligraph.graph.analysis import analyze
from obligraph.graph.catalog import load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.formats import export_to


def timed(label: str, step, figures: dict, repeat: int = 1):
    """Run ``step`` ``repeat`` times; print and keep the median (and the spread when repeated)."""
    times, result = [], None
    for _ in range(repeat):
        result = None  # the previous result is dropped before the next run, as a fresh run would have it
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    figures[label] = statistics.median(times)
    spread = f"  (min {min(times):.2f}, max {max(times):.2f}, {repeat} runs)" if repeat > 1 else ""
    print(f"{label:<28} {figures[label]:8.2f} s{spread}", flush=True)
    return result


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a chain@1 JSON file (benchmarks/generate.py writes one)")
    parser.add_argument("--skip-file-to-gaps", action="store_true", help="do not time file to gaps")
    parser.add_argument("--file-to-gaps-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of from_dict, compile, analysis and export (median reported)"
    )
    args = parser.parse_args(argv)
    if args.file_to_gaps_only:
        # What ``obligraph analyze FILE`` runs before it writes anything.
        analyze(chain_from_file(args.path))
        print(f"{peak_rss_mb():.0f}")  # the parent's own peak would be counted for a child it forked
        return
    figures: dict[str, float] = {}
    load_catalog("meti-2011")  # once per process; not part of any measure
    data = args.path.read_bytes()
    timed("json.loads", lambda: json.loads(data), figures)
    timed("orjson.loads", lambda: orjson.loads(data), figures)
    document = timed("msgspec.json.decode (used)", lambda: msgspec.json.decode(data), figures)
    repeat = args.repeat
    chain = timed("Chain.from_dict", lambda: Chain.from_dict(document), figures, repeat)
    print(f"{'peak RSS after load':<28} {peak_rss_mb():8.0f} MB", flush=True)
    # What a replace import and ``obligraph analyze`` run on chain JSON: decode and load in batches.
    timed("Chain.from_json (with decode)", lambda: Chain.from_json(data), figures, repeat)

    def compile_again():
        chain.touch()  # drops the compiled arrays, as any edit but a declaration's does
        return chain.compiled()

    timed("compile", compile_again, figures, repeat)
    timed("analysis", lambda: analyze(chain), figures, repeat)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "chain.json"

        def export():
            with open(target, "wb") as out:
                export_to(chain, "json", out)

        timed("chain JSON export", export, figures, repeat)
    print(f"{'peak RSS (process)':<28} {peak_rss_mb():8.0f} MB", flush=True)
    if not args.skip_file_to_gaps:
        del chain, document
        command = [sys.executable, __file__, str(args.path), "--file-to-gaps-only"]
        peaks: list[float] = []

        def file_to_gaps() -> None:
            run = subprocess.run(command, check=True, capture_output=True, text=True)
            peaks.append(float(run.stdout.split()[-1]))

        timed("file to gaps", file_to_gaps, figures, repeat)
        print(f"{'peak RSS (file to gaps)':<28} {max(peaks):8.0f} MB (the most of {len(peaks)} runs)", flush=True)


if __name__ == "__main__":
    main()
