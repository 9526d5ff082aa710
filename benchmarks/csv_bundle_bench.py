"""CSV bundle export benchmark: the zip of chain tables and gaps.csv at 100k nodes / 500k edges.

Usage: ``.venv/bin/python benchmarks/csv_bundle_bench.py [--nodes 100000 --edges 500000 --seed 7]``.

One child process generates and loads the chain, analyses it (timed on its own), then writes the
bundle with ``export_to(chain, "csv", file, analysis)`` and the default options, as the CLI and the
HTTP export do. The peak-RSS counter is reset right before the export, so *peak RSS* is the
high-water mark during the export alone; the loaded chain and its analysis are resident before it
starts, so the export's own memory is *peak RSS* minus *RSS before*. At this size the default
leaves root_causes.csv and blockers.csv out (over ``CAUSES_DEFAULT_LIMIT`` gaps; see csv_gaps.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.formats_bench import MB, measure  # noqa: E402
from benchmarks.generate import generate_chain  # noqa: E402
from obligraph.graph.analysis import analyze  # noqa: E402
from obligraph.graph.chain import Chain  # noqa: E402
from obligraph.graph.formats import export_to  # noqa: E402


def child(path: Path, nodes: int, edges: int, seed: int) -> dict:
    chain = Chain.from_dict(generate_chain(nodes, edges, seed=seed))
    started = time.perf_counter()
    analysis = analyze(chain)
    analysed = time.perf_counter() - started

    def step() -> None:
        with open(path, "wb") as out:
            export_to(chain, "csv", out, analysis)

    figures, _ = measure(step)
    with zipfile.ZipFile(path) as bundle:
        members = {info.filename: info.file_size for info in bundle.infolist()}
    return {
        "export": figures,
        "analysis_seconds": analysed,
        "gaps": analysis.gap_count,
        "controls": len(analysis.controls),
        "bytes": path.stat().st_size,
        "members": members,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child), args.nodes, args.edges, args.seed)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        size = ["--nodes", str(args.nodes), "--edges", str(args.edges), "--seed", str(args.seed)]
        command = [sys.executable, __file__, *size, "--child", str(Path(tmp) / "bundle.zip")]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    f = result["export"]
    print(
        f"\n{args.nodes:,} nodes, {args.edges:,} edges (generate_chain seed {args.seed}), {result['controls']} controls"
    )
    print(f"analysis: {result['analysis_seconds']:.2f} s, {result['gaps']:,} gaps\n")
    print("| step | zip | time | RSS before | peak RSS during step | export's own memory |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| CSV bundle export (`export_to`, default options) | {result['bytes'] / MB:,.0f} MB | {f['seconds']:.1f} s |"
        f" {f['rss_before'] / MB:,.0f} MB | {f['rss_peak'] / MB:,.0f} MB | {(f['rss_peak'] - f['rss_before']) / MB:,.0f} MB |"
    )
    print("\nmembers (uncompressed): " + ", ".join(f"{n} {s / MB:,.0f} MB" for n, s in result["members"].items()))


if __name__ == "__main__":
    main()
