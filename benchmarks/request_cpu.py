"""The server's CPU per request, one client at a time: what each kind of request costs with nothing else running.

    .venv/bin/python benchmarks/request_cpu.py --backend postgres

A real ``obligraph serve`` (one worker) on a new database (``load.py``'s), a workspace holding a
generated chain of ``--nodes`` nodes, then each kind of request sent ``--requests`` times in a row
over one keep-alive connection. For each kind it prints the CPU the server's process used (user and
system, from ``/proc``, so 10 ms ticks: send enough requests) divided by the requests, and the
client's wall time per request. Under load (``load.py``) a request costs more: the same work then
waits for the GIL and for a core, and caches miss more often.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_chain  # noqa: E402
from benchmarks.load import DEFAULT_POSTGRES, TempDatabase, process_tree_cpu, start_server, stop_server  # noqa: E402

WS = "w"
API = f"/api/v1/workspaces/{WS}"
AS_OF = "2026-11-26"


def kinds(nodes: list[str]) -> dict[str, tuple[Callable[[httpx.Client, int], object], int]]:
    """Each kind of request as a call for the i-th repetition, and how many of ``--requests`` it sends
    (the writes grow the chain, so fewer of them)."""

    def declare(control: str) -> Callable[[httpx.Client, int], object]:
        def put(client: httpx.Client, i: int) -> object:
            status = "verified" if i % 2 else "partial"
            return client.put(f"{API}/nodes/{nodes[i % 50]}/declarations/{control}", json={"status": status})

        return put

    def gaps_after_write(client: httpx.Client, i: int) -> object:
        declare("6.1.3")(client, i)
        return client.get(f"{API}/gaps", params={"as_of": AS_OF, "limit": 20})

    def merge(client: httpx.Client, i: int) -> object:
        document = {
            "format": "obligraph/chain@1",
            "name": WS,
            "nodes": [{"id": f"m{i}-{j}", "layer": "saas"} for j in range(3)],
            "edges": [],
        }
        return client.post(
            f"{API}/import", params={"mode": "merge"}, json=document, headers={"Idempotency-Key": f"k{i}"}
        )

    return {
        "readyz": (lambda client, _i: client.get("/readyz"), 1),
        "gaps, cached": (lambda client, _i: client.get(f"{API}/gaps", params={"as_of": AS_OF, "limit": 20}), 1),
        "node read": (lambda client, i: client.get(f"{API}/nodes/{nodes[i % 50]}", params={"as_of": AS_OF}), 1),
        "declaration PUT": (declare("5.1.1"), 2),
        "gaps after a write (both)": (gaps_after_write, 4),
        "node create": (lambda client, i: client.post(f"{API}/nodes", json={"id": f"x{i}", "layer": "saas"}), 2),
        "merge import, 3 nodes": (merge, 4),
    }


def answered(name: str, response: object) -> None:
    """Stop at the first refused request: a benchmark of error answers measures nothing it names."""
    assert isinstance(response, httpx.Response)
    if response.is_error:
        raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--nodes", type=int, default=300, help="Nodes of the generated chain (3x as many edges).")
    parser.add_argument("--requests", type=int, default=1500, help="Requests per kind (writes: a half or a quarter).")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="obligraph-request-cpu-") as tmp:
        database = TempDatabase(args.backend, Path(tmp), args.postgres_url)
        try:
            server = start_server(database.url, Path(tmp), workers=1)
            try:
                document = generate_chain(args.nodes, args.nodes * 3, seed=1)
                nodes = [node["id"] for node in document["nodes"]]
                with httpx.Client(base_url=server.url, timeout=60) as client:
                    client.post("/api/v1/workspaces", json={"id": WS, "name": WS}).raise_for_status()
                    client.post(f"{API}/import", json=document).raise_for_status()
                    print(f"**{args.backend}**, one worker, one client, {args.nodes} nodes\n")
                    print("| request | sent | server CPU per request | wall per request |")
                    print("|---|---:|---:|---:|")
                    offset = 0
                    for name, (call, share) in kinds(nodes).items():
                        count = max(1, args.requests // share)
                        for i in range(50):  # warm: caches, prepared statements
                            answered(name, call(client, offset + i))
                        offset += 50
                        cpu, started = process_tree_cpu(server.process.pid), time.perf_counter()
                        for i in range(count):
                            answered(name, call(client, offset + i))
                        wall, cpu = time.perf_counter() - started, process_tree_cpu(server.process.pid) - cpu
                        offset += count
                        print(f"| {name} | {count:,} | {1000 * cpu / count:.2f} ms | {1000 * wall / count:.2f} ms |")
            finally:
                stop_server(server)
        finally:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
