"""Export and import benchmark: chain JSON and GraphML at 100k nodes / 500k edges.

Usage: ``.venv/bin/python benchmarks/formats_bench.py [--nodes 100000 --edges 500000 --seed 7]``.

Each step runs in a fresh child process, so one step's memory never inflates another's figures,
and the kernel's peak-RSS counter is reset (``/proc/self/clear_refs``) right before the step, so
*peak RSS* is the process's high-water mark during that step alone (everything resident included):

* *export*: the child generates the chain (``generate_chain``) and loads it (``Chain.from_dict``),
  then streams it with ``export_to`` into a file on disk. The chain itself stays resident, so the
  writer's own cost is the difference between *RSS before* and *peak RSS*, and tracemalloc's peak
  (Python allocations made during the step).
* *import*: the child reads the exported file and runs ``import_document`` (parse, check, and for
  GraphML validate every node and edge against the schema), then ``Chain.from_dict`` on the result.

Times and RSS come from one run without tracemalloc; the tracemalloc figure comes from a later run
of the same step (tracing slows Python several-fold and leaves the heap grown, so it runs last).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import generate_chain  # noqa: E402
from obligraph.graph.chain import Chain  # noqa: E402
from obligraph.graph.formats import export_to, import_document  # noqa: E402

FORMATS = {"json": "chain JSON", "graphml": "GraphML"}
MB = 1024 * 1024


def current_rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM, and so ru_maxrss) to the current RSS."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def measure(step) -> tuple[dict, object]:
    """Time, RSS before and peak RSS of one untraced run; its result is returned."""
    gc.collect()
    reset_peak_rss()
    before = current_rss()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rss_before": before, "rss_peak": peak_rss()}, result


def traced_peak(step) -> int:
    """tracemalloc's peak over one more run (after every RSS figure is taken: tracing leaves the heap grown)."""
    gc.collect()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def child_export(fmt: str, path: Path, nodes: int, edges: int, seed: int) -> dict:
    chain = Chain.from_dict(generate_chain(nodes, edges, seed=seed))

    def step() -> None:
        with open(path, "wb") as out:
            export_to(chain, fmt, out)

    figures, _ = measure(step)
    figures["tracemalloc"] = traced_peak(step)
    return {"export": figures, "bytes": path.stat().st_size}


def child_import(fmt: str, path: Path) -> dict:
    data = path.read_bytes()
    parsed, document = measure(lambda: import_document(data, fmt))
    loaded, chain = measure(lambda: Chain.from_dict(document))
    assert len(chain) > 0
    del chain
    parsed["tracemalloc"] = traced_peak(lambda: import_document(data, fmt))
    loaded["tracemalloc"] = traced_peak(lambda: Chain.from_dict(document))
    return {"import": parsed, "from_dict": loaded}


def run_child(args: list[str]) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, fmt, path = args.child
        if kind == "export":
            print(json.dumps(child_export(fmt, Path(path), args.nodes, args.edges, args.seed)))
        else:
            print(json.dumps(child_import(fmt, Path(path))))
        return

    size = ["--nodes", str(args.nodes), "--edges", str(args.edges), "--seed", str(args.seed)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, label in FORMATS.items():
            path = str(Path(tmp) / f"chain.{fmt}")
            exported = run_child([*size, "--child", "export", fmt, path])
            imported = run_child(["--child", "import", fmt, path])
            rows.append((label, exported, imported))
            print(f"{label}: done", file=sys.stderr)

    print(f"\n{args.nodes:,} nodes, {args.edges:,} edges (generate_chain seed {args.seed})\n")
    print("| format | file | step | time | tracemalloc peak | RSS before | peak RSS during step |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for label, exported, imported in rows:
        steps = [
            ("export (`export_to` a file)", exported["export"]),
            ("import (`import_document`)", imported["import"]),
            ("then `Chain.from_dict`", imported["from_dict"]),
        ]
        for i, (name, f) in enumerate(steps):
            size = f"{exported['bytes'] / MB:,.0f} MB" if i == 0 else ""
            print(
                f"| {label if i == 0 else ''} | {size} | {name} | {f['seconds']:.1f} s |"
                f" {f['tracemalloc'] / MB:,.0f} MB | {f['rss_before'] / MB:,.0f} MB | {f['rss_peak'] / MB:,.0f} MB |"
            )


if __name__ == "__main__":
    main()
