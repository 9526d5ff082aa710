"""SIGKILL during a large import, 25 times over: after every restart the SQLite file passes
``PRAGMA integrity_check``, the base data is untouched, and the workspace holds exactly the state
before the killed import or exactly the state after it (its nodes all there or none, the revision
and its Idempotency-Key in step with them).

Each round replaces the workspace with the base chain plus 1,000 nodes of its own (``r<k>-...``),
about 1,300 nodes in all: the import deletes every row of the workspace and writes them again, so a
kill inside its transaction would show as missing base rows. Random delays (seeded), timed by two rounds
that are not killed: odd rounds kill 0.1 to 1.1 times a whole import after sending it (anywhere:
upload, parse, checks, transaction, answer); even rounds wait until the server holds SQLite's
write lock (probed with ``BEGIN IMMEDIATE``, which fails at once while it does) and kill 0 to 1.2
times the transaction's length later. At least 5 of the 25 kills must be seen inside the
transaction, or the test proves nothing and fails. Servers start from a fork server
(``forkserver.py``), so a round costs about the import, not the seconds of importing the app.
"""

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from benchmarks.generate import generate_chain

pytestmark = pytest.mark.slow

ROUNDS = 25
SEED = 20261126
BASE_NODES = 300
EXTRA_NODES = 1000
ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/workspaces/w"


class ForkServer:
    def __init__(self, directory: Path):
        self.directory = directory
        env = {
            **os.environ,
            "OBLIGRAPH_DATABASE_URL": f"sqlite:///{directory / 'crash.db'}",
            "OBLIGRAPH_DATA_DIR": str(directory),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert self.process.stdout.readline().strip() == "ready"
        self.starts = 0

    def start(self) -> tuple[int, httpx.Client]:
        """A new server on a new socket; returns its pid and a client, once it answers /readyz."""
        self.starts += 1
        socket_path = self.directory / f"s{self.starts}.sock"
        log = self.directory / "server.log"
        self.process.stdin.write(f"start {socket_path} {log}\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        client = httpx.Client(transport=httpx.HTTPTransport(uds=str(socket_path)), base_url="http://og", timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if client.get("/readyz").status_code == 200:
                    return pid, client
            except httpx.TransportError:
                time.sleep(0.02)
        raise AssertionError(f"the server did not start in 30 s; see {log}:\n{log.read_text()[-2000:]}")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def kill(pid: int) -> None:
    os.killpg(pid, signal.SIGKILL)
    # The process is gone only once the kernel has reaped it; until then its locks may still be held.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"server {pid} survived SIGKILL")


def holds_write_lock(database: Path) -> bool:
    """Whether a server is inside a write transaction now: BEGIN IMMEDIATE fails at once if so."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def wait_for_write_lock(database: Path, sender: threading.Thread) -> float | None:
    """The moment the server's write transaction is first seen, or None if the request ended first."""
    while sender.is_alive():
        if holds_write_lock(database):
            return time.monotonic()
        time.sleep(0.003)
    return None


def round_document(base: dict, extra: dict, k: int) -> dict:
    prefix = f"r{k}-"
    nodes = [{**node, "id": prefix + node["id"]} for node in extra["nodes"]]
    edges = [
        {**edge, "provider": prefix + edge["provider"], "consumer": prefix + edge["consumer"]}
        for edge in extra["edges"]
    ]
    return {**base, "nodes": base["nodes"] + nodes, "edges": base["edges"] + edges}


def stored_state(database: Path, base_ids: set[str]) -> dict:
    connection = sqlite3.connect(database)
    try:
        query = lambda sql: connection.execute(sql).fetchall()  # noqa: E731
        base_rows = [
            [
                r
                for r in query("SELECT node_id, name, layer, org, description FROM nodes ORDER BY 1")
                if r[0] in base_ids
            ],
            [r for r in query("SELECT node_id, declarations FROM nodes ORDER BY 1") if r[0] in base_ids],
            [
                r
                for r in query("SELECT provider, consumer, responsibility, criticality FROM edges ORDER BY 1, 2")
                if r[0] in base_ids and r[1] in base_ids
            ],
        ]
        return {
            "integrity": query("PRAGMA integrity_check"),
            "base": hashlib.sha256(repr(base_rows).encode()).hexdigest(),
            "nodes": {r[0] for r in query("SELECT node_id FROM nodes WHERE workspace_id = 'w'")},
            "edges": query("SELECT count(*) FROM edges")[0][0],
            "declarations": query("SELECT sum(json_array_length(declarations)) FROM nodes")[0][0],
            "evidence": query(
                "SELECT count(*) FROM nodes, json_each(nodes.declarations) AS item, json_each(item.value, '$.evidence')"
            )[0][0],
            "revision": query("SELECT revision FROM workspaces WHERE id = 'w'")[0][0],
            "keys": {r[0] for r in query("SELECT key FROM idempotency_keys WHERE workspace_id = 'w'")},
        }
    finally:
        connection.close()


def document_counts(document: dict) -> dict:
    declarations = [d for node in document["nodes"] for d in node.get("declarations", [])]
    return {
        "nodes": {node["id"] for node in document["nodes"]},
        "edges": len(document["edges"]),
        "declarations": len(declarations),
        "evidence": sum(len(d.get("evidence", [])) for d in declarations),
    }


def send_import(client: httpx.Client, body: bytes, key: str, answers: list) -> None:
    try:
        response = client.post(
            f"{API}/import", content=body, headers={"Content-Type": "application/json", "Idempotency-Key": key}
        )
        answers.append(response.status_code)
    except httpx.TransportError as exc:
        answers.append(type(exc).__name__)


def test_an_import_killed_at_any_point_is_all_or_nothing(tmp_path):
    base = generate_chain(BASE_NODES, BASE_NODES * 3, seed=1)
    extra = generate_chain(EXTRA_NODES, EXTRA_NODES * 3, seed=2)
    base_ids = {node["id"] for node in base["nodes"]}
    database = tmp_path / "crash.db"
    servers = ForkServer(tmp_path)
    pid = None
    rng = random.Random(SEED)
    outcomes: Counter = Counter()
    try:
        pid, client = servers.start()
        assert client.post("/api/v1/workspaces", json={"id": "w", "name": "w"}).status_code == 201
        assert client.post(f"{API}/import", json=base).status_code == 200
        base_digest = stored_state(database, base_ids)["base"]

        # Two rounds run to the end: they time a whole import and its write transaction, the ranges
        # the kills are drawn from.
        durations, transactions = [], []
        for k in (-2, -1):
            body = json.dumps(round_document(base, extra, k)).encode()
            answers: list = []
            sender = threading.Thread(target=send_import, args=(client, body, f"round{k}", answers))
            started = time.monotonic()
            sender.start()
            locked_at = wait_for_write_lock(database, sender)
            sender.join()
            durations.append(time.monotonic() - started)
            assert answers == [200] and locked_at is not None, answers
            transactions.append(time.monotonic() - locked_at)
        duration = sum(durations) / len(durations)
        transaction = sum(transactions) / len(transactions)
        before = stored_state(database, base_ids)
        inside = 0

        for k in range(1, ROUNDS + 1):
            document = round_document(base, extra, k)
            body = json.dumps(document).encode()
            answers = []
            sender = threading.Thread(target=send_import, args=(client, body, f"round-{k}", answers))
            sender.start()
            if k % 2:
                # anywhere in the request: upload, parse, checks, the transaction, the answer
                time.sleep(rng.uniform(0.1, 1.1) * duration)
            else:
                # inside the transaction (or just after its commit)
                wait_for_write_lock(database, sender)
                time.sleep(rng.uniform(0, 1.2) * transaction)
            # Freeze the server first, so the lock seen now is the one the kill interrupts.
            os.killpg(pid, signal.SIGSTOP)
            inside += holds_write_lock(database)
            kill(pid)
            sender.join()
            client.close()
            pid, client = servers.start()

            after = stored_state(database, base_ids)
            context = f"round {k}, answer {answers}"
            assert after["integrity"] == [("ok",)], context
            assert after["base"] == base_digest, context
            mine = {node for node in after["nodes"] if node.startswith(f"r{k}-")}
            assert len(mine) in (0, EXTRA_NODES), f"{context}: {len(mine)} of the import's {EXTRA_NODES} nodes stored"
            if mine:
                expected = document_counts(document)
                assert {key: after[key] for key in expected} == expected, context
                assert after["revision"] == before["revision"] + 1, context
                assert after["keys"] == before["keys"] | {f"round-{k}"}, context
                outcomes["stored" if answers == [200] else "stored, answer lost in the kill"] += 1
            else:
                assert answers != [200], f"{context}: acknowledged, then lost"
                assert after == before, context
                outcomes["not stored"] += 1
            # and the restarted server serves that state
            assert client.get(API).json()["revision"] == after["revision"], context
            before = after
    finally:
        if pid is not None:
            kill(pid)
        servers.close()
    print(
        f"\n{ROUNDS} kills, whole import {duration:.2f} s (transaction {transaction:.2f} s), "
        f"{inside} inside the write transaction: {dict(outcomes)}"
    )
    assert sum(outcomes.values()) == ROUNDS
    # Kills that all fell before or after the transaction would prove nothing; half of the rounds
    # aim at it, and about five in six of those land inside.
    assert inside >= 5, f"only {inside} of {ROUNDS} kills fell inside the import's transaction"
