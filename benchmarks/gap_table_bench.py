"""Gap-table benchmark: filter, sort and page 300k+ gaps the way ``/w/{ws}/gaps`` does, at the server.

Builds a synthetic chain (``benchmarks.generate``), analyses it once (the service caches the
analysis per revision, so a table request starts from it), then times ``matching_cells`` plus the
page's rows for each sort column, best of three::

    PYTHONPATH=. .venv/bin/python -m benchmarks.gap_table_bench --nodes 3000 --edges 12000
"""

from __future__ import annotations

import argparse
import time

from benchmarks.generate import generate_chain
from obligraph.app.services.gap_table import PAGE_SIZE, SORT_KEYS, TableQuery, matching_cells, rows_for
from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3000)
    parser.add_argument("--edges", type=int, default=12000)
    args = parser.parse_args(argv)
    chain = Chain.from_dict(generate_chain(args.nodes, args.edges, seed=1))
    analysis = analyze(chain, as_of="2026-11-26")
    print(f"{len(chain)} nodes, {analysis.gap_count} gaps")
    for key in ("", *SORT_KEYS):
        for direction in ("asc", "desc") if key else ("asc",):
            query = TableQuery(sort=key, dir=direction, page=50)
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                cells = matching_cells("bench", analysis, query)
                rows_for(analysis, cells[49 * PAGE_SIZE : 50 * PAGE_SIZE], root_causes=True)
                best = min(best, time.perf_counter() - started)
            print(
                f"sort={key or '(document order)'} {direction}: {best * 1000:.0f} ms for page 50 of {len(cells)} gaps"
            )
    query = TableQuery(layer="saas", kind="inherited", sort="effective", dir="desc")
    started = time.perf_counter()
    cells = matching_cells("bench", analysis, query)
    print(
        f"filtered (saas, inherited) and sorted: {len(cells)} gaps in {(time.perf_counter() - started) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
