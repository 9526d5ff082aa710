"""What an HTTP client costs the machine per request, the way ``load.py`` drives one.

    .venv/bin/python benchmarks/client_cost.py --requests 4000 --clients 32

A trivial ASGI app (a fixed 700-byte JSON answer) runs under uvicorn in a process of its own;
then 32 concurrent tasks send PUTs with a small JSON body and read each answer's JSON, first with
httpx's ``AsyncClient``, then with aiohttp, twice each, alternated. Printed: the CPU the client
thread used per request (``time.thread_time``) and the wall time. The load test's clients share
the server's cores, so what they spend is taken from the server being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
ANSWER = b"[" + b",".join([b'{"ok": true, "items": [1, 2, 3]}'] * 20) + b"]"


async def app(scope, receive, send) -> None:
    """The server's side: the same answer to every request."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": ANSWER})


async def with_httpx(url: str, requests: int, clients: int) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits) as http:

        async def one() -> None:
            for i in range(requests // clients):
                response = await http.request("PUT", f"/x/{i}", json={"status": "declared", "notes": "n"})
                response.json()

        await asyncio.gather(*(one() for _ in range(clients)))


async def with_aiohttp(url: str, requests: int, clients: int) -> None:
    async with aiohttp.ClientSession(base_url=url, connector=aiohttp.TCPConnector(limit=clients)) as http:

        async def one() -> None:
            for i in range(requests // clients):
                async with http.request("PUT", f"/x/{i}", json={"status": "declared", "notes": "n"}) as response:
                    await response.json()

        await asyncio.gather(*(one() for _ in range(clients)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "benchmarks.client_cost:app", "--port", str(port)]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the test server did not start") from None
                time.sleep(0.1)
        print("| client | CPU per request | wall |\n|---|---:|---:|")
        for name, run in [("httpx", with_httpx), ("aiohttp", with_aiohttp)] * 2:
            cpu, wall = time.thread_time(), time.perf_counter()
            asyncio.run(run(url, args.requests, args.clients))
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            print(f"| {name} | {1000 * cpu / args.requests:.2f} ms | {wall:.1f} s |")
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
