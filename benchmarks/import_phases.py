"""Where the time of one HTTP import goes, phase by phase, in process.

    .venv/bin/python benchmarks/generate.py --nodes 100000 --edges 500000 --seed 7 > big.json
    .venv/bin/python benchmarks/import_phases.py big.json [--repeat 3] [--db URL]

Each run imports the file (``POST .../import``, replace) into a new workspace of a database that
persists across runs (SQLite in a temporary directory unless ``--db``), through the real app and
the test client, and deletes the workspace afterwards. The steps the import route calls are
wrapped with timers: parsing the body, ``Chain.from_dict``, the chain's warnings (which compile it),
the undo snapshot, each table's bulk insert with its row count (the rows are made as the driver
takes them, so making them is part of that figure), and the commit. "other" is the
rest of the request: routing, locks, the revision and journal rows, the response. Medians over the
runs; the total is the request's wall time.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from obligraph.app.api.routes import imports as import_route
from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app
from obligraph.app.repository import rows, store
from obligraph.graph.chain import Chain

Spent = dict[str, float]


def timing(spent: Spent, label: str, step: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(step)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start

    return timed


def instrument(spent: Spent, row_counts: dict[str, int]) -> None:
    """Wrap the import's steps where the route and the repository look them up."""
    for name, label in (
        ("parse_import", "parse the body"),
        ("chain_warnings", "chain warnings (compiles the chain)"),
        ("snapshot_before", "undo snapshot"),
    ):
        setattr(import_route, name, timing(spent, label, getattr(import_route, name)))
    # The route calls Chain.from_dict through the class: a staticmethod keeps the call's arguments.
    setattr(Chain, "from_dict", staticmethod(timing(spent, "Chain.from_dict", Chain.from_dict)))
    setattr(store, "delete_chain", timing(spent, "delete the old rows", store.delete_chain))
    setattr(Session, "commit", timing(spent, "commit", Session.commit))
    bulk_insert = rows._bulk_insert

    def counted_insert(session: Session, table: str, columns: tuple[str, ...], table_rows: Iterable[tuple]) -> None:
        def counting() -> Iterable[tuple]:
            for row in table_rows:
                row_counts[table] = row_counts.get(table, 0) + 1
                yield row

        timing(spent, f"insert {table}", bulk_insert)(session, table, columns, counting())

    setattr(rows, "_bulk_insert", counted_insert)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a chain@1 JSON file (benchmarks/generate.py writes one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary directory)")
    args = parser.parse_args(argv)

    body = args.path.read_bytes()
    database_url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'import_phases.db'}"
    settings = Settings(database_url=database_url, max_body_bytes=max(len(body) + 1, 64 * 2**20))
    spent: Spent = {}
    row_counts: dict[str, int] = {}
    instrument(spent, row_counts)
    runs: list[Spent] = []
    with TestClient(create_app(settings)) as client:
        for _ in range(args.repeat):
            ws = f"phases-{uuid.uuid4().hex[:8]}"
            client.post("/api/v1/workspaces", json={"id": ws, "name": ws}).raise_for_status()
            spent.clear()
            row_counts.clear()
            start = time.perf_counter()
            response = client.post(
                f"/api/v1/workspaces/{ws}/import", content=body, headers={"content-type": "application/json"}
            )
            total = time.perf_counter() - start
            response.raise_for_status()
            run = dict(spent)
            run["other"] = total - sum(spent.values())
            run["total"] = total
            runs.append(run)
            client.delete(f"/api/v1/workspaces/{ws}").raise_for_status()
            print(f"run {len(runs)}: {total:.2f} s", file=sys.stderr)

    backend = "SQLite" if settings.is_sqlite else "PostgreSQL"
    print(f"{args.path.name} ({len(body) / 2**20:.1f} MB), {backend}, median of {len(runs)}\n")
    print("| phase | rows | seconds | share |\n|---|---:|---:|---:|")
    total = statistics.median(run["total"] for run in runs)
    labels = dict.fromkeys(label for run in runs for label in run if label != "total")
    for label in labels:
        seconds = statistics.median(run.get(label, 0.0) for run in runs)
        table = label.removeprefix("insert ")
        count = f"{row_counts[table]:,}" if label.startswith("insert ") and table in row_counts else ""
        print(f"| {label} | {count} | {seconds:.2f} | {seconds / total:.0%} |")
    print(f"| **total** (the request's wall time) | | **{total:.2f}** | |")


if __name__ == "__main__":
    main()
