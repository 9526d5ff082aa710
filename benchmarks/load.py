"""Load test: a real ``obligraph serve --workers W``, C concurrent clients for T seconds, then every
acknowledged write checked in the database.

    .venv/bin/python benchmarks/load.py --workers 4 --clients 32 --seconds 60 --backend both

Per backend: a new database (a SQLite file in a temporary directory, or a new schema on the
PostgreSQL server of ``--postgres-url``), a server on a free port, a workspace holding a generated
chain (``benchmarks/generate.py``). Each client then loops over a weighted mix: gap queries and
node reads; declaration updates (PUT) on base nodes that only this client writes, so the last
acknowledged write of a cell must be what the database holds; node creation; edge creation (from
a base provider to a node the client created); small merge imports (three new nodes, three edges)
sent with an ``Idempotency-Key`` and retried with the same key on 503, and now and then sent once
more after success, which must come back as the identical replayed answer.

After T seconds the server is stopped and the database is read directly: every acknowledged write
must be there (a declaration holding an older acknowledged write, or one refused with an error, is
a lost or phantom write), and the workspace revision must have grown by exactly the number of
acknowledged writes (a retried import counts once). Exit status 1 on any 5xx other than 503, lost
or phantom write, replay mismatch or revision mismatch.

Writes refused with 503 are not retried except imports: their cell, node or edge is simply not
expected. A request whose outcome is unknown (connection error, timeout) is counted apart; its write
may or may not be stored, and the revision check is then skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import STATUSES, generate_chain  # noqa: E402

WS = "load"
API = f"/api/v1/workspaces/{WS}"
AS_OF = "2026-11-26"
DECLARED_CONTROLS = ["5.1.1", "6.1.3", "9.1.1", "9.2.1", "10.5.1", "10.10.3", "11.5.1", "12.6.1"]
MIX = {"gaps": 30, "node_read": 15, "declaration": 25, "node_create": 10, "edge_create": 8, "import": 12}
WRITES = ("declaration", "node_create", "edge_create", "import")
IMPORT_RETRIES = 30
REPLAY_SHARE = 0.2
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path


def start_server(
    database_url: str, data_dir: Path, workers: int, timeout: float = 120, pool_size: int | None = None
) -> Server:
    """``obligraph serve`` in a session of its own (its workers are then stopped with it)."""
    env = {**os.environ, "OBLIGRAPH_DATA_DIR": str(data_dir), "OBLIGRAPH_DEMO": "false"}
    if pool_size is not None:
        env["OBLIGRAPH_DB_POOL_SIZE"] = str(pool_size)
    env.pop("OBLIGRAPH_DATABASE_URL", None)
    log_path = data_dir / "server.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "obligraph.app.cli",
            "serve",
            "--workers",
            str(workers),
            "--port",
            "0",
            "--db",
            database_url,
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://\S+", line)
    if not match:
        stop_server(Server(process, "", log_path))
        raise RuntimeError(f"the server did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
    url = match.group(0)
    # uvicorn's access log goes to stdout: keep draining it, or the server blocks on a full pipe.
    threading.Thread(target=lambda: [log.write(chunk) for chunk in process.stdout], daemon=True).start()
    deadline = time.monotonic() + timeout
    # The first worker up answers; the others accept from the same socket as soon as they are ready.
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return Server(process, url, log_path)
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop_server(Server(process, url, log_path))
    raise RuntimeError(f"the server did not answer /readyz; see {log_path}")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process and its descendants have used so far (Linux's /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # it ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        pending.extend(int(child) for child in children)
    return total


def stop_server(server: Server) -> None:
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- databases


def postgres_conninfo(url: str) -> str:
    from sqlalchemy import make_url

    from obligraph.app.core.settings import normalise_database_url

    return make_url(normalise_database_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


class TempDatabase:
    """A new, empty database for one run: a SQLite file, or a PostgreSQL schema dropped afterwards."""

    def __init__(self, backend: str, directory: Path, postgres_url: str):
        self.backend = backend
        self.schema = None
        if backend == "sqlite":
            self.url = f"sqlite:///{directory / 'load.db'}"
            return
        import psycopg
        from sqlalchemy import make_url

        from obligraph.app.core.settings import normalise_database_url

        self.conninfo = postgres_conninfo(postgres_url)
        self.schema = f"obligraph_load_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{self.schema}"')
        url = make_url(normalise_database_url(postgres_url)).update_query_dict(
            {"options": f"-csearch_path={self.schema}"}
        )
        self.url = url.render_as_string(hide_password=False)

    def pool_size(self, workers: int) -> int | None:
        """PostgreSQL: the README's sizing rule, workers x 3 x pool size under max_connections (10 kept
        for others); None (the default, 10) on SQLite or when OBLIGRAPH_DB_POOL_SIZE is set."""
        if self.backend == "sqlite" or "OBLIGRAPH_DB_POOL_SIZE" in os.environ:
            return None
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            limit = int(connection.execute("SHOW max_connections").fetchone()[0])
        return max(1, min(10, (limit - 10) // (3 * workers)))

    def drop(self) -> None:
        if self.schema:
            import psycopg

            with psycopg.connect(self.conninfo, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{self.schema}" CASCADE')


# ---------------------------------------------------------------- the clients


@dataclass
class Attempt:
    kind: str
    status: int | None  # None: no answer (connection error, timeout)
    seconds: float


@dataclass
class ClientLog:
    attempts: list[Attempt] = field(default_factory=list)
    # cell -> [(status, notes, outcome)] in the order sent; outcome: ack, refused, unknown
    declarations: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    nodes: list[str] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)
    unknown_writes: int = 0
    replays: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def outcome_of(status: int | None) -> str:
    if status is None or (status >= 500 and status != 503):
        return "unknown"
    return "ack" if 200 <= status < 300 else "refused"


@dataclass
class Answer:
    """What the server answered one request, read in full."""

    status_code: int
    headers: Any
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


class Client:
    def __init__(
        self,
        index: int,
        clients: int,
        http: aiohttp.ClientSession,
        base_nodes: list[str],
        providers: list[str],
        seed: int,
    ):
        self.index = index
        self.http = http
        self.rng = random.Random(seed * 1000 + index)
        self.base_nodes = base_nodes
        # Only this client writes the declarations of these nodes, so their final state is predictable.
        self.own_nodes = base_nodes[index::clients]
        self.providers = providers
        self.seq = 0
        self.log = ClientLog()
        self.unlinked: list[str] = []  # nodes this client created that have no edge yet

    async def call(self, kind: str, method: str, url: str, **kwargs) -> Answer | None:
        started = time.perf_counter()
        try:
            async with self.http.request(method, url, **kwargs) as answered:
                response = Answer(answered.status, answered.headers, await answered.read())
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.log.attempts.append(Attempt(kind, None, time.perf_counter() - started))
            self.log.unexpected.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        self.log.attempts.append(Attempt(kind, response.status_code, time.perf_counter() - started))
        if response.status_code == 503 and "Retry-After" not in response.headers:
            self.log.unexpected.append(f"{kind}: 503 without Retry-After")
        if 400 <= response.status_code < 500 or (response.status_code >= 500 and response.status_code != 503):
            self.log.unexpected.append(f"{kind} {method} {url}: {response.status_code} {response.text[:300]}")
        return response

    async def run(self, deadline: float) -> ClientLog:
        kinds, weights = list(MIX), list(MIX.values())
        operations = {
            "gaps": self.gaps,
            "node_read": self.node_read,
            "declaration": self.declaration,
            "node_create": self.node_create,
            "edge_create": self.edge_create,
            "import": self.merge_import,
        }
        while time.monotonic() < deadline:
            kind = self.rng.choices(kinds, weights)[0]
            self.seq += 1
            await operations[kind]()
        return self.log

    async def gaps(self) -> None:
        await self.call("gaps", "GET", f"{API}/gaps", params={"limit": 50, "as_of": AS_OF})

    async def node_read(self) -> None:
        await self.call("node_read", "GET", f"{API}/nodes/{self.rng.choice(self.base_nodes)}")

    async def declaration(self) -> None:
        cell = (self.rng.choice(self.own_nodes), self.rng.choice(DECLARED_CONTROLS))
        status = self.rng.choice(STATUSES)
        notes = f"c{self.index}:{self.seq}"
        response = await self.call(
            "declaration",
            "PUT",
            f"{API}/nodes/{cell[0]}/declarations/{cell[1]}",
            json={"status": status, "notes": notes},
        )
        outcome = outcome_of(response.status_code if response is not None else None)
        self.log.unknown_writes += outcome == "unknown"
        self.log.declarations[cell].append((status, notes, outcome))

    async def node_create(self) -> None:
        node = f"c{self.index}-n{self.seq}"
        response = await self.call("node_create", "POST", f"{API}/nodes", json={"id": node, "layer": "saas"})
        outcome = outcome_of(response.status_code if response is not None else None)
        self.log.unknown_writes += outcome == "unknown"
        if outcome == "ack":
            self.log.nodes.append(node)
            self.unlinked.append(node)

    async def edge_create(self) -> None:
        if not self.unlinked:
            return await self.node_create()
        consumer = self.unlinked.pop(self.rng.randrange(len(self.unlinked)))
        edge = (self.rng.choice(self.providers), consumer)
        body = {"provider": edge[0], "consumer": edge[1]}
        response = await self.call("edge_create", "POST", f"{API}/edges", json=body)
        outcome = outcome_of(response.status_code if response is not None else None)
        self.log.unknown_writes += outcome == "unknown"
        if outcome == "ack":
            self.log.edges.append(edge)

    async def merge_import(self) -> None:
        prefix = f"c{self.index}-i{self.seq}"
        nodes = [f"{prefix}-{k}" for k in range(3)]
        document = {
            "format": "obligraph/chain@1",
            "name": "load",
            "nodes": [
                {"id": node, "layer": "saas", "declarations": [{"control": "9.1.1", "status": "declared"}]}
                for node in nodes
            ],
            "edges": [
                {"provider": self.rng.choice(self.providers), "consumer": nodes[0]},
                {"provider": nodes[0], "consumer": nodes[1]},
                {"provider": nodes[1], "consumer": nodes[2]},
            ],
        }
        body = json.dumps(document).encode()
        key = uuid.uuid4().hex
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        acked = None
        for _attempt in range(IMPORT_RETRIES):
            response = await self.call(
                "import", "POST", f"{API}/import", params={"mode": "merge"}, data=body, headers=headers
            )
            status = response.status_code if response is not None else None
            if status == 503 or outcome_of(status) == "unknown":
                # The same key makes the retry safe whether or not the failed attempt was stored.
                await asyncio.sleep(float(response.headers.get("Retry-After", 1)) if response is not None else 1)
                continue
            if outcome_of(status) == "ack":
                acked = response
            break
        if acked is None:
            # Out of retries, or refused: the key tells afterwards whether it was stored after all.
            self.log.imports.append({"key": key, "nodes": nodes, "edges": document["edges"], "acked": False})
            return
        self.log.imports.append({"key": key, "nodes": nodes, "edges": document["edges"], "acked": True})
        if self.rng.random() < REPLAY_SHARE:
            again = await self.call(
                "import", "POST", f"{API}/import", params={"mode": "merge"}, data=body, headers=headers
            )
            self.log.replays += 1
            if (
                again is None
                or again.status_code != 200
                or again.content != acked.content
                or again.headers.get("Idempotent-Replayed") != "true"
            ):
                shown = "no answer" if again is None else f"{again.status_code} {again.text[:200]}"
                self.log.replay_mismatches.append(f"{key}: first {acked.text[:200]}, replay {shown}")


async def run_clients(
    url: str, clients: int, seconds: float, base_nodes: list[str], providers: list[str], seed: int
) -> list[ClientLog]:
    # aiohttp rather than httpx: the clients share the server's two cores, and httpx's asynchronous
    # client spent 3.5-4.0 ms of CPU per request where aiohttp spends 0.2 ms (benchmarks/client_cost.py).
    # A long timeout: a write that times out on the client has an unknown outcome, which weakens the check.
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as http:
        workers = [Client(i, clients, http, base_nodes, providers, seed) for i in range(clients)]
        deadline = time.monotonic() + seconds
        return await asyncio.gather(*(worker.run(deadline) for worker in workers))


# ---------------------------------------------------------------- the check


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    phantom: list[str] = field(default_factory=list)
    checked: Counter = field(default_factory=Counter)
    revision_bumps: int = 0
    expected_bumps: int = 0
    revision_checked: bool = True


def verify(database_url: str, logs: list[ClientLog], revision_before: int) -> Verdict:
    """Read the database directly (the server is stopped) and check every acknowledged write."""
    from sqlalchemy import create_engine, text

    from obligraph.app.core.settings import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    verdict = Verdict()
    with engine.connect() as connection:
        # A node's declarations are one JSON list in its row (text on SQLite, parsed on PostgreSQL).
        declared = {
            (row.node_id, item["control"]): (item["status"], item.get("notes"))
            for row in connection.execute(
                text("SELECT node_id, declarations FROM nodes WHERE workspace_id = :ws"), {"ws": WS}
            )
            for item in (json.loads(row.declarations) if isinstance(row.declarations, str) else row.declarations)
        }
        nodes = {
            row[0] for row in connection.execute(text("SELECT node_id FROM nodes WHERE workspace_id = :ws"), {"ws": WS})
        }
        edges = {
            (row[0], row[1])
            for row in connection.execute(
                text("SELECT provider, consumer FROM edges WHERE workspace_id = :ws"), {"ws": WS}
            )
        }
        keys = {
            row[0]
            for row in connection.execute(text("SELECT key FROM idempotency_keys WHERE workspace_id = :ws"), {"ws": WS})
        }
        revision = connection.execute(text("SELECT revision FROM workspaces WHERE id = :ws"), {"ws": WS}).scalar_one()
    engine.dispose()

    expected_bumps = 0
    unknown = 0
    for log in logs:
        unknown += log.unknown_writes
        for cell, writes in log.declarations.items():
            acked = [i for i, write in enumerate(writes) if write[2] == "ack"]
            expected_bumps += len(acked)
            if not acked:
                continue
            verdict.checked["declaration"] += len(acked)
            stored = declared.get(cell)
            found = next((i for i, write in enumerate(writes) if stored == (write[0], write[1])), None)
            if found is None:
                verdict.lost.append(f"declaration {cell}: holds {stored}, last acknowledged {writes[acked[-1]]}")
            elif writes[found][2] == "refused":
                verdict.phantom.append(f"declaration {cell}: holds {writes[found]}, which was refused")
            elif found < acked[-1]:
                verdict.lost.append(f"declaration {cell}: holds {writes[found]}, last acknowledged {writes[acked[-1]]}")
        for node in log.nodes:
            verdict.checked["node_create"] += 1
            expected_bumps += 1
            if node not in nodes:
                verdict.lost.append(f"node {node}")
        for edge in log.edges:
            verdict.checked["edge_create"] += 1
            expected_bumps += 1
            if edge not in edges:
                verdict.lost.append(f"edge {edge[0]} -> {edge[1]}")
        for item in log.imports:
            present = [node in nodes for node in item["nodes"]]
            present += [(e["provider"], e["consumer"]) in edges for e in item["edges"]]
            stored = item["key"] in keys
            if any(present) and not (all(present) and stored):
                verdict.lost.append(f"import {item['key']}: partly stored ({present}, key stored: {stored})")
            if item["acked"]:
                verdict.checked["import"] += 1
                expected_bumps += 1
                if not all(present) or not stored:
                    verdict.lost.append(f"import {item['key']} ({item['nodes'][0]}...): acknowledged, not stored")
            elif stored:
                unknown += 1  # not acknowledged but stored: possible after a lost answer; it bumped
                expected_bumps += 1
    verdict.revision_bumps = revision - revision_before
    verdict.expected_bumps = expected_bumps
    verdict.revision_checked = unknown == 0
    return verdict


# ---------------------------------------------------------------- one run


@dataclass
class Report:
    backend: str
    workers: int
    clients: int
    seconds: float
    elapsed: float
    #: CPU seconds the clients themselves used (they share the machine's cores with the server).
    client_cpu: float
    #: CPU seconds the server's processes used while the clients ran (PostgreSQL's own not counted).
    server_cpu: float
    attempts: list[Attempt]
    verdict: Verdict
    replays: int
    replay_mismatches: list[str]
    unexpected: list[str]
    unknown_writes: int
    causes_503: Counter
    pool_size: int

    def counts(self) -> dict[str, Counter]:
        table: dict[str, Counter] = defaultdict(Counter)
        for attempt in self.attempts:
            table[attempt.kind][_bucket(attempt.status)] += 1
            table["all"][_bucket(attempt.status)] += 1
        return table

    @property
    def other_5xx(self) -> int:
        return self.counts()["all"]["5xx"]

    @property
    def failed(self) -> list[str]:
        problems = []
        if self.other_5xx:
            problems.append(f"{self.other_5xx} responses with a 5xx other than 503")
        if self.verdict.lost:
            problems.append(f"{len(self.verdict.lost)} lost acknowledged writes")
        if self.verdict.phantom:
            problems.append(f"{len(self.verdict.phantom)} writes stored although refused")
        if self.replay_mismatches:
            problems.append(f"{len(self.replay_mismatches)} idempotent replays differing from the first answer")
        if self.verdict.revision_checked and self.verdict.revision_bumps != self.verdict.expected_bumps:
            problems.append(
                f"the revision grew by {self.verdict.revision_bumps}, the acknowledged writes were "
                f"{self.verdict.expected_bumps}"
            )
        return problems

    def table(self) -> str:
        counts = self.counts()
        rows = [
            f"**{self.backend}**, {self.workers} workers x {self.clients} clients x {self.seconds:g} s "
            f"({self.elapsed:.1f} s measured; OBLIGRAPH_DB_POOL_SIZE {self.pool_size}; the clients used "
            f"{self.client_cpu:.1f} s of CPU, {1000 * self.client_cpu / max(len(self.attempts), 1):.1f} ms per request; "
            f"the server {self.server_cpu:.1f} s, {1000 * self.server_cpu / max(len(self.attempts), 1):.2f} ms per request)",
            "",
            "| kind | requests | req/s | 2xx | 4xx | 503 | other 5xx | no answer | p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in [*MIX, "all"]:
            samples = [a.seconds for a in self.attempts if kind in ("all", a.kind)]
            if not samples:
                continue
            c = counts[kind]
            p50, p99 = _percentiles(samples)
            rows.append(
                f"| {kind} | {len(samples):,} | {len(samples) / self.elapsed:,.1f} | {c['2xx']:,} | {c['4xx']:,} | "
                f"{c['503']:,} | {c['5xx']:,} | {c['none']:,} | {p50 * 1000:,.1f} | {p99 * 1000:,.1f} |"
            )
        v = self.verdict
        checked = ", ".join(f"{kind} {count:,}" for kind, count in sorted(v.checked.items()))
        revision = (
            f"revision +{v.revision_bumps:,} for {v.expected_bumps:,} acknowledged writes"
            if v.revision_checked
            else f"revision +{v.revision_bumps:,} (not compared: {self.unknown_writes} writes of unknown outcome)"
        )
        rows += [
            "",
            f"acknowledged writes checked in the database: {checked}; **lost: {len(v.lost)}**, "
            f"stored although refused: {len(v.phantom)}; {revision}; idempotent replays {self.replays:,} "
            f"(differing: {len(self.replay_mismatches)})",
        ]
        if self.causes_503:
            causes = ", ".join(f"{cause} {count:,}" for cause, count in self.causes_503.most_common())
            rows.append(f"\n503 causes in the server log: {causes}")
        return "\n".join(rows)


def _bucket(status: int | None) -> str:
    if status is None:
        return "none"
    if status == 503:
        return "503"
    return f"{status // 100}xx"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run_in_own_loop(make_coroutine):
    """``asyncio.run`` in a thread of its own: the caller's thread may already run a loop (under
    pytest, Playwright's sync API leaves one behind)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            started = time.thread_time()
            outcome["result"] = asyncio.run(make_coroutine())
            outcome["cpu"] = time.thread_time() - started
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="load-clients")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], outcome["cpu"]


def run(
    backend: str,
    workers: int,
    clients: int,
    seconds: float,
    *,
    nodes: int = 300,
    seed: int = 1,
    postgres_url: str = DEFAULT_POSTGRES,
    directory: Path | None = None,
) -> Report:
    with tempfile.TemporaryDirectory(prefix="obligraph-load-", dir=directory) as tmp:
        database = TempDatabase(backend, Path(tmp), postgres_url)
        try:
            pool_size = database.pool_size(workers)
            server = start_server(database.url, Path(tmp), workers, pool_size=pool_size)
            try:
                document = generate_chain(nodes, nodes * 3, seed=seed)
                base_nodes = [node["id"] for node in document["nodes"]]
                providers = [node["id"] for node in document["nodes"] if node["layer"] in ("iaas", "paas")]
                with httpx.Client(base_url=server.url, timeout=120) as http:
                    http.post("/api/v1/workspaces", json={"id": WS, "name": "load"}).raise_for_status()
                    http.post(f"{API}/import", json=document).raise_for_status()
                    revision_before = http.get(API).json()["revision"]
                started, server_cpu_before = time.monotonic(), process_tree_cpu(server.process.pid)
                logs, client_cpu = run_in_own_loop(
                    lambda: run_clients(server.url, clients, seconds, base_nodes, providers, seed)
                )
                elapsed = time.monotonic() - started
                server_cpu = process_tree_cpu(server.process.pid) - server_cpu_before
            finally:
                stop_server(server)
            causes = causes_503(server.log)
            verdict = verify(database.url, logs, revision_before)
        finally:
            database.drop()
    return Report(
        backend=backend,
        workers=workers,
        clients=clients,
        seconds=seconds,
        elapsed=elapsed,
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        attempts=[a for log in logs for a in log.attempts],
        verdict=verdict,
        replays=sum(log.replays for log in logs),
        replay_mismatches=[m for log in logs for m in log.replay_mismatches],
        unexpected=[u for log in logs for u in log.unexpected],
        unknown_writes=sum(log.unknown_writes for log in logs),
        causes_503=causes,
        pool_size=pool_size or int(os.environ.get("OBLIGRAPH_DB_POOL_SIZE", 10)),
    )


CAUSES = {
    "lock timeout": "lock wait timed out (PostgreSQL lock_timeout)",
    "database is locked": "lock wait timed out (SQLite busy_timeout)",
    "QueuePool limit": "connection pool exhausted",
    "too many clients": "PostgreSQL max_connections reached",
}


def causes_503(log: Path) -> Counter:
    """Why the server answered 503: core/http_errors.py logs each database error it turns into one."""
    causes: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("database error: "):
            reason = line.removeprefix("database error: ")
            causes[next((label for key, label in CAUSES.items() if key in reason), reason[:80])] += 1
    return causes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--nodes", type=int, default=300, help="Nodes of the generated base chain (3x as many edges).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OBLIGRAPH_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="Server for --backend postgres; the run uses a new schema there and drops it afterwards.",
    )
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    status = 0
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    for backend in backends:
        report = run(
            backend,
            args.workers,
            args.clients,
            args.seconds,
            nodes=args.nodes,
            seed=args.seed,
            postgres_url=args.postgres_url,
        )
        print(report.table())
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for line in report.unexpected[:10]:
            print(f"  unexpected: {line}")
        for line in (report.verdict.lost + report.verdict.phantom + report.replay_mismatches)[:20]:
            print(f"  {line}")
        if report.failed:
            print(f"FAILED ({backend}): {'; '.join(report.failed)}")
            status = 1
        print()
    return status


if __name__ == "__main__":
    sys.exit(main())
