"""One large chain file through load, compile and analysis, each timed once, with the peak RSS.

    .venv/bin/python benchmarks/generate.py --nodes 1000000 --edges 5000000 --seed 7 > huge.json
    .venv/bin/python benchmarks/scale_bench.py huge.json

What ``obligraph analyze FILE`` does before it writes anything, split into its steps: ``Chain.load``
(read, parse, validate, build), ``Chain.compiled`` and ``analyze``. The peak RSS is the process's,
read after the load (the document and the chain are both held then) and at the end.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from obligraph.graph.analysis import analyze
from obligraph.graph.catalog import load_catalog
from obligraph.graph.chain import Chain


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a chain@1 JSON file (benchmarks/generate.py writes one)")
    args = parser.parse_args(argv)
    load_catalog("meti-2011")  # once per process; not part of any step

    started = time.perf_counter()
    chain = Chain.load(args.path)
    loaded = time.perf_counter()
    rss_after_load = peak_rss_mb()
    chain.compiled()
    compiled = time.perf_counter()
    analysis = analyze(chain)
    done = time.perf_counter()

    gaps = int(analysis.summary()["gaps"])
    print(f"{len(chain):,} nodes, {chain.number_of_edges():,} edges, {len(analysis.controls)} controls, {gaps:,} gaps")
    print(f"| load | {loaded - started:.1f} s | peak RSS so far {rss_after_load:,.0f} MB |")
    print(f"| compile | {compiled - loaded:.1f} s | |")
    print(f"| analysis | {done - compiled:.1f} s | |")
    print(f"| load + compile + analysis | {done - started:.1f} s | peak RSS {peak_rss_mb():,.0f} MB |")


if __name__ == "__main__":
    main()
