"""What one write costs the in-memory chain, at the size the load test's workspace grows to.

    .venv/bin/python benchmarks/edit_bench.py                  # 3,000 nodes, 9,000 edges, seed 7
    .venv/bin/python benchmarks/edit_bench.py --nodes 100000 --edges 500000

Each worker of the service replays every write of a workspace and, at its next read, brings the
compiled arrays, the analysis and the gap page up to date. This times those steps in one process,
each the median of ``--repeat`` runs:

- *compile from scratch*: ``Chain.compiled()`` with no arrays kept (what every structural write
  cost before the arrays were extended);
- *compile after a node and an edge*: one node added with a declaration and one edge into it, then
  ``Chain.compiled()`` (the arrays kept are extended by the new rows);
- *analysis after a node and an edge*: the chain analysed again (``AnalysisCache.analyze``) after
  one node and one edge into it were added and compiled: the rows the addition can change are
  recomputed, the rest taken from the analysis before (``analysis/appended.py``);
- *warnings*: ``chain_warnings`` on the compiled chain (an import computes them under the lock);
- *gap page*: the first page of 50 gaps, root causes included, of a fresh analysis (what a gap
  query renders once per revision).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_chain  # noqa: E402
from obligraph.app.services.gap_query import GapFilters, gap_page  # noqa: E402
from obligraph.graph.analysis import AnalysisCache, analyze  # noqa: E402
from obligraph.graph.chain import Chain  # noqa: E402
from obligraph.graph.checks import chain_warnings  # noqa: E402

AS_OF = date(2026, 11, 26)


def median_ms(step, repeat: int, prepare=lambda: None) -> float:
    """The median wall time of ``step()`` in milliseconds; ``prepare()`` runs untimed before each."""
    times = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3000)
    parser.add_argument("--edges", type=int, default=None, help="default: three per node")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    edges = args.edges if args.edges is not None else 3 * args.nodes
    chain = Chain.from_dict(generate_chain(args.nodes, edges, seed=args.seed), consume=True)
    provider = chain.node_ids()[0]
    print(f"{args.nodes:,} nodes, {edges:,} edges, seed {args.seed}; medians of {args.repeat} runs")

    def drop_arrays() -> None:
        chain.touch()

    print(f"compile from scratch                {median_ms(chain.compiled, args.repeat, drop_arrays):9.2f} ms")

    added = itertools.count()

    def add_node_and_edge() -> None:
        chain.compiled()
        node = f"bench-{next(added)}"
        chain.add_node({"id": node, "layer": "saas", "declarations": [{"control": "9.1.1", "status": "declared"}]})
        chain.add_edge({"provider": provider, "consumer": node})

    extended = median_ms(chain.compiled, args.repeat, add_node_and_edge)
    print(f"compile after a node and an edge    {extended:9.2f} ms")
    cache = AnalysisCache()
    cache.analyze(chain, as_of=AS_OF)

    def add_and_compile() -> None:
        add_node_and_edge()
        chain.compiled()

    again = median_ms(lambda: cache.analyze(chain, as_of=AS_OF), args.repeat, add_and_compile)
    print(f"analysis after a node and an edge   {again:9.2f} ms")
    chain.compiled()
    print(f"warnings (chain_warnings)           {median_ms(lambda: chain_warnings(chain), args.repeat):9.2f} ms")
    fresh: list = []

    def new_analysis() -> None:
        fresh[:] = [analyze(chain, as_of=AS_OF)]

    page = median_ms(
        lambda: gap_page("bench", 1, fresh[0], GapFilters(), limit=50, cursor=None), args.repeat, new_analysis
    )
    print(f"gap page (50 gaps, fresh analysis)  {page:9.2f} ms")


if __name__ == "__main__":
    main()
