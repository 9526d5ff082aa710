"""Analysis engine benchmark: full analysis of synthetic chains, against a per-(node, control) networkx search.

Usage: ``make bench`` or ``.venv/bin/python benchmarks/run.py [--sizes 1000:5000,10000:50000] [--repeat 7]``.

For each size it reports the time to build the chain from its document (pydantic + networkx), to
compile it into arrays (once per chain revision), the median full analysis with the chain already
loaded and compiled (every catalog control: 133), the re-analysis after one declaration edit
(edit plus analysis, median of 5), the analysis's peak memory (tracemalloc) and the
process's peak RSS, and the naive search timed on a random sample of (node, control) cells and
extrapolated to every cell, with the ratio.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from benchmarks.baseline import effective_status  # noqa: E402
from benchmarks.generate import generate_chain  # noqa: E402
from obligraph.graph.analysis import analyze  # noqa: E402
from obligraph.graph.chain import Chain  # noqa: E402

AS_OF = date(2026, 11, 26)


def measure(nodes: int, edges: int, repeat: int, sample: int) -> dict:
    document = generate_chain(nodes, edges, seed=7)
    started = time.perf_counter()
    chain = Chain.from_dict(document)
    load = time.perf_counter() - started
    del document
    gc.collect()
    started = time.perf_counter()
    chain.compiled()
    compile_time = time.perf_counter() - started

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = analyze(chain, as_of=AS_OF)
        times.append(time.perf_counter() - started)
        del result
    tracemalloc.start()
    result = analyze(chain, as_of=AS_OF)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rng = random.Random(1)
    node_ids = list(chain.graph.nodes)
    # Re-analysis after one declaration edit: the compiled arrays are patched and only the edited
    # control's column is recomputed; the rest is taken from the analysis before the edit.
    edit_times = []
    for status in ("declared", "partial", "verified", "not_implemented", "declared"):
        node = rng.choice(node_ids)
        started = time.perf_counter()
        chain.declare(node, {"control": rng.choice(result.controls), "status": status})
        result = analyze(chain, as_of=AS_OF, previous=result)
        edit_times.append(time.perf_counter() - started)

    cells = [(rng.choice(node_ids), rng.choice(result.controls)) for _ in range(sample)]
    started = time.perf_counter()
    for node, control in cells:
        expected = effective_status(chain, node, control, AS_OF)
        assert expected is result.effective_status(node, control), (node, control)
    per_cell = (time.perf_counter() - started) / sample
    naive_total = per_cell * len(node_ids) * len(result.controls)
    median = statistics.median(times)
    return {
        "graph": f"{len(node_ids):,} nodes, {result.summary()['edges']:,} edges",
        "gaps": result.gap_count,
        "load_s": load,
        "compile_s": compile_time,
        "analysis_ms": median * 1000,
        "min_ms": min(times) * 1000,
        "edit_ms": statistics.median(edit_times) * 1000,
        "peak_mb": peak / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "naive_s": naive_total,
        "ratio": naive_total / median,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000:5000,10000:50000,100000:500000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sample", type=int, default=300, help="naive cells timed per size")
    args = parser.parse_args(argv)
    table = Table(title=f"obligraph analysis engine (every catalog control, median of {args.repeat})")
    for column in (
        "graph",
        "gaps",
        "load",
        "compile",
        "analysis (median)",
        "min",
        "after 1 edit",
        "analysis peak mem",
        "process peak RSS",
        "naive (extrapolated)",
        "speed-up",
    ):
        table.add_column(column, justify="right")
    console = Console(width=220)
    for size in args.sizes.split(","):
        nodes, edges = (int(x) for x in size.split(":"))
        row = measure(nodes, edges, args.repeat, args.sample)
        table.add_row(
            row["graph"],
            f"{row['gaps']:,}",
            f"{row['load_s']:.1f} s",
            f"{row['compile_s'] * 1000:.0f} ms",
            f"{row['analysis_ms']:.1f} ms",
            f"{row['min_ms']:.1f} ms",
            f"{row['edit_ms']:.1f} ms",
            f"{row['peak_mb']:.0f} MB",
            f"{row['rss_mb']:.0f} MB",
            f"{row['naive_s']:.0f} s",
            f"{row['ratio']:,.0f}x",
        )
        console.print(f"measured {row['graph']}", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
