"""The server's CPU per request, one client at a time: what each kind of request costs with nothing else running.

    .venv/bin/python benchmarks/request_cpu.py --backend postgres [--in-process]

A real ``obligraph serve`` (one worker) on a new database (``load.py``'s), a workspace holding a
generated chain of ``--nodes`` nodes, then each kind of request sent ``--requests`` times in a row
over one keep-alive connection. For each kind it prints the CPU the server's process used (user and
system, from ``/proc``, so 10 ms ticks: send enough requests) divided by the requests, and the
client's wall time per request. Under load (``load.py``) a request costs more: the same work then
waits for the GIL and for a core, and caches miss more often.

``--in-process`` calls the app's ASGI interface in this process instead (no uvicorn, no network)
and reads this process's CPU time: the app's own cost, to the microsecond, the steadier way to
compare two versions of the app on a noisy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, MutableMapping

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_chain  # noqa: E402
from benchmarks.load import (  # noqa: E402
    AS_OF,
    DEFAULT_POSTGRES,
    TempDatabase,
    process_tree_cpu,
    start_server,
    stop_server,
)

WS = "w"
API = f"/api/v1/workspaces/{WS}"


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
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="Call the app's ASGI interface in this process (no HTTP server) and read this process's CPU time.",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="obligraph-request-cpu-") as tmp:
        database = TempDatabase(args.backend, Path(tmp), args.postgres_url)
        try:
            with serving(database.url, Path(tmp), args.in_process) as (client, cpu_time):
                document = generate_chain(args.nodes, args.nodes * 3, seed=1)
                nodes = [node["id"] for node in document["nodes"]]
                client.post("/api/v1/workspaces", json={"id": WS, "name": WS}).raise_for_status()
                client.post(f"{API}/import", json=document).raise_for_status()
                where = "in process" if args.in_process else "one worker, one client"
                print(f"**{args.backend}**, {where}, {args.nodes} nodes\n")
                print("| request | sent | server CPU per request | wall per request |")
                print("|---|---:|---:|---:|")
                offset = 0
                for name, (call, share) in kinds(nodes).items():
                    count = max(1, args.requests // share)
                    for i in range(50):  # warm: caches, prepared statements
                        answered(name, call(client, offset + i))
                    offset += 50
                    cpu, started = cpu_time(), time.perf_counter()
                    for i in range(count):
                        answered(name, call(client, offset + i))
                    wall, cpu = time.perf_counter() - started, cpu_time() - cpu
                    offset += count
                    print(f"| {name} | {count:,} | {1000 * cpu / count:.2f} ms | {1000 * wall / count:.2f} ms |")
        finally:
            database.drop()
    return 0


@contextmanager
def serving(database_url: str, data_dir: Path, in_process: bool) -> Iterator[tuple[Any, Callable[[], float]]]:
    """A client of the app on ``database_url`` and the clock of the CPU that serving it uses."""
    if in_process:
        with AsgiClient(database_url, data_dir) as client:
            yield client, time.process_time
        return
    server = start_server(database_url, data_dir, workers=1)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client, lambda: process_tree_cpu(server.process.pid)
    finally:
        stop_server(server)


class AsgiClient:
    """The app called through its ASGI interface on an event loop of this process, one request at a
    time, answering ``httpx.Response``: what a request costs the app alone, without uvicorn, the
    network or a test client's machinery (Starlette's ``TestClient`` adds about 3 ms per request)."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        from obligraph.app.core.settings import Settings
        from obligraph.app.main import create_app

        self.app = create_app(Settings(database_url=database_url, data_dir=data_dir, demo=False))
        self.loop = asyncio.new_event_loop()
        self._lifespan = self.app.router.lifespan_context(self.app)

    def __enter__(self) -> "AsgiClient":
        self.loop.run_until_complete(self._lifespan.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.close()

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self.request("GET", url, **options)

    def put(self, url: str, **options: Any) -> httpx.Response:
        return self.request("PUT", url, **options)

    def post(self, url: str, **options: Any) -> httpx.Response:
        return self.request("POST", url, **options)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        request = httpx.Request(method, f"http://bench{url}", params=params, json=json, headers=headers)
        return self.loop.run_until_complete(self._call(request))

    async def _call(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "client": ("127.0.0.1", 50000),
            "server": ("bench", 80),
            "state": {},
        }
        received = False
        status, chunks = 500, []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:  # the app waits for a disconnect only after its answer
                await asyncio.Event().wait()
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return httpx.Response(status, content=b"".join(chunks), request=request)


if __name__ == "__main__":
    sys.exit(main())
