"""Service benchmark: a real ``obligraph serve`` on a loopback port, driven by httpx.

Usage: ``.venv/bin/python benchmarks/service_bench.py [--nodes 10000 --edges 50000] [--db URL]``

One run, one server (one uvicorn worker, SQLite in a temporary directory unless ``--db``):

- import of the generated chain (``POST .../import``, JSON);
- the first gap query after it (the analysis is computed), then the gap query latency, p50/p99:
  the same query again (served from the response cache) and paging through the gaps (each page
  rendered from the cached analysis, root causes included);
- requests per second for the cached gap query and for ``/healthz`` (the framework's floor), with
  several client processes on keep-alive connections, and the same two as time spent inside the
  app (ASGI calls on a second app instance over the same database), since Python clients on a
  small machine bound the HTTP figures;
- one declaration changed (``PUT``), then the first gap query after it (re-analysis), median of 5.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    from benchmarks.generate import generate_chain
except ImportError:  # pragma: no cover - the generator ships with the repository
    generate_chain = None

WS = "/api/v1/workspaces/bench"
GAPS = f"{WS}/gaps?limit=100&as_of=2026-11-26"


def small_generator(nodes: int, edges: int, seed: int) -> dict:
    """Fallback when benchmarks/generate.py is missing: layered random chain."""
    import random

    rng = random.Random(seed)
    layers = [("iaas", 0.02), ("paas", 0.08), ("saas", 0.3), ("customer", 0.6)]
    ids, by_layer = [], []
    for k, (layer, share) in enumerate(layers):
        count = max(1, int(nodes * share)) if k < len(layers) - 1 else nodes - len(ids)
        by_layer.append([f"{layer}-{len(ids) + i}" for i in range(count)])
        ids += [(node, layer) for node in by_layer[-1]]
    pairs = set()
    while len(pairs) < edges:
        k = rng.randrange(1, len(layers))
        pairs.add((rng.choice(by_layer[rng.randrange(0, k)]), rng.choice(by_layer[k])))
    return {
        "format": "obligraph/chain@1",
        "name": "fallback",
        "nodes": [{"id": node, "layer": layer} for node, layer in ids],
        "edges": [{"provider": u, "consumer": v} for u, v in sorted(pairs)],
    }


def start_server(database_url: str, data_dir: str) -> tuple[subprocess.Popen, str]:
    # A 100k-node import is about 80 MB of JSON, above the default body limit.
    env = {
        **os.environ,
        "OBLIGRAPH_DATA_DIR": data_dir,
        "OBLIGRAPH_DEMO": "false",
        "OBLIGRAPH_MAX_BODY_BYTES": str(1 << 30),
    }
    log = open(Path(data_dir) / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "obligraph.app.cli", "serve", "--port", "0", "--db", database_url],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
        # ``-m`` puts the working directory first on the server's path: this checkout's, whatever the
        # caller's directory, so a run of another checkout's copy of this script serves that checkout.
        cwd=ROOT,
    )
    match = re.search(r"http://[^ ]+", process.stdout.readline())
    if not match:
        process.kill()
        sys.exit(f"the server did not start; see {log.name}")
    url = match.group(0)
    # uvicorn's access log goes to stdout: keep draining it, or the server blocks on a full pipe.
    threading.Thread(target=lambda: [log.write(line) for line in process.stdout], daemon=True).start()
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit("the server did not answer /healthz")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set so far (Linux: VmHWM in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(call) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        sys.exit(f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:300]}")
    return elapsed, response


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _hammer(url: str, seconds: float, queue) -> None:
    done = 0
    with httpx.Client(base_url=url) as client:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            client.get(queue[1]).raise_for_status()
            done += 1
    queue[0].put(done)


def throughput(url: str, path: str, clients: int, seconds: float) -> float:
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_hammer, args=(url, seconds, (results, path))) for _ in range(clients)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    total = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / (time.perf_counter() - started)


def server_side(database_url: str, data_dir: str, requests: int) -> tuple[float, float]:
    """Mean time per request inside the app (ASGI calls, no HTTP, no client): /healthz and the cached gap query.

    The HTTP throughput figures are bounded by the Python clients on a small machine; this is the
    server's own cost, measured on a second app instance over the same database.
    """
    import asyncio

    from obligraph.app.core.settings import Settings
    from obligraph.app.main import create_app

    app = create_app(Settings(database_url=database_url, data_dir=data_dir, demo=False))
    path, _, query = GAPS.partition("?")

    async def call(target: str, query_string: str) -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": target, "raw_path": target.encode(), "query_string": query_string.encode(), "root_path": "",
            "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
        }  # fmt: skip

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(_message: dict) -> None:
            pass

        await app(scope, receive, send)

    async def mean(target: str, query_string: str) -> float:
        await call(target, query_string)  # warms this app's caches
        started = time.perf_counter()
        for _ in range(requests):
            await call(target, query_string)
        return (time.perf_counter() - started) / requests

    async def both() -> tuple[float, float]:
        return await mean("/healthz", ""), await mean(path, query)

    try:
        return asyncio.run(both())
    finally:
        app.state.service.close()


def run(args: argparse.Namespace) -> list[tuple[str, str]]:
    generate = generate_chain or small_generator
    document = generate(args.nodes, args.edges, args.seed)
    body = json.dumps(document).encode()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as data_dir:
        database_url = args.db or f"sqlite:///{data_dir}/bench.db"
        process, url = start_server(database_url, data_dir)
        try:
            with httpx.Client(base_url=url, timeout=600) as client:
                client.delete(WS)
                client.post("/api/v1/workspaces", json={"id": "bench", "name": "bench"}).raise_for_status()
                elapsed, response = timed(
                    lambda: client.post(f"{WS}/import", content=body, headers={"content-type": "application/json"})
                )
                rows.append(("import (POST .../import, %.1f MB JSON)" % (len(body) / 1e6), f"{elapsed:.2f} s"))
                elapsed, response = timed(lambda: client.get(GAPS))
                gaps = response.json()["summary"]["gaps"]
                rows.append(
                    (f"first gap query after import ({gaps:,} gaps; analysis computed)", f"{elapsed * 1000:.0f} ms")
                )
                rows.append(
                    ("server peak RSS after the import and the first analysis", f"{peak_rss_mb(process.pid):,.0f} MB")
                )
                if args.import_only:
                    return rows

                same = [timed(lambda: client.get(GAPS))[0] for _ in range(args.requests)]
                p50, p99 = percentiles(same)
                rows.append(
                    ("gap query, same page again (cached), p50 / p99", f"{p50 * 1000:.2f} / {p99 * 1000:.2f} ms")
                )
                paging, cursor = [], response.json()["next"]
                for _ in range(args.pages):
                    elapsed, page = timed(lambda cursor=cursor: client.get(f"{GAPS}&cursor={cursor}"))
                    paging.append(elapsed)
                    cursor = page.json()["next"]
                p50, p99 = percentiles(paging)
                rows.append(
                    (
                        f"gap query, paging ({args.pages} pages of 100, root causes), p50 / p99",
                        f"{p50 * 1000:.1f} / {p99 * 1000:.1f} ms",
                    )
                )
                health = [timed(lambda: client.get("/healthz"))[0] for _ in range(args.requests)]
                p50, p99 = percentiles(health)
                rows.append(("/healthz, p50 / p99", f"{p50 * 1000:.2f} / {p99 * 1000:.2f} ms"))

            floor = throughput(url, "/healthz", args.clients, args.seconds)
            cached = throughput(url, GAPS, args.clients, args.seconds)
            rows.append((f"/healthz throughput ({args.clients} client processes)", f"{floor:,.0f} req/s"))
            rows.append(
                (
                    f"cached gap query throughput ({args.clients} client processes)",
                    f"{cached:,.0f} req/s ({cached / floor:.0%} of /healthz)",
                )
            )

            health_us, gaps_us = (t * 1e6 for t in server_side(database_url, data_dir, args.requests))
            rows.append(
                (
                    "server-side time per request, /healthz vs cached gap query (in-process ASGI)",
                    f"{health_us:.0f} vs {gaps_us:.0f} us ({health_us / gaps_us:.0%} of the floor's rate)",
                )
            )

            with httpx.Client(base_url=url, timeout=600) as client:
                node = next(n["id"] for n in document["nodes"] if n["layer"] == "iaas")
                writes, reanalyses = [], []
                for status in ("partial", "declared", "not_implemented", "verified", "unknown"):
                    elapsed, _ = timed(
                        lambda status=status: client.put(
                            f"{WS}/nodes/{node}/declarations/10.5.1", json={"status": status}
                        )
                    )
                    writes.append(elapsed)
                    reanalyses.append(timed(lambda: client.get(GAPS))[0])
                rows.append(
                    ("one declaration changed (PUT), median of 5", f"{statistics.median(writes) * 1000:.0f} ms")
                )
                rows.append(
                    (
                        "first gap query after it (re-analysis), median of 5",
                        f"{statistics.median(reanalyses) * 1000:.0f} ms",
                    )
                )
        finally:
            process.terminate()
            process.wait(timeout=30)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per latency figure")
    parser.add_argument("--pages", type=int, default=200, help="pages for the paging latency")
    parser.add_argument("--clients", type=int, default=2, help="client processes for throughput")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    parser.add_argument("--import-only", action="store_true", help="stop after the import and the first gap query")
    args = parser.parse_args(argv)
    rows = run(args)
    print(f"\n{args.nodes:,} nodes, {args.edges:,} edges, seed {args.seed}; {os.cpu_count()} CPUs\n")
    print("| measure | result |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
