"""A real ``obligraph serve --port 0`` on a temporary data dir, and the system Chromium to drive it.

Used by the browser tests' fixtures and by ``python -m tests.browser.screenshots``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OBLIGRAPH = Path(sys.executable).with_name("obligraph")


@contextmanager
def running_server(data_dir: Path) -> Iterator[str]:
    """Start the server, wait for its "serving on URL" line, stop it (by its own pid) afterwards."""
    env = {**os.environ, "OBLIGRAPH_DATA_DIR": str(data_dir), "OBLIGRAPH_DATABASE_URL": ""}
    command = (
        [str(OBLIGRAPH), "serve", "--port", "0"]
        if OBLIGRAPH.exists()
        else [sys.executable, "-m", "obligraph.app.cli", "serve", "--port", "0"]
    )
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            raise RuntimeError(f"obligraph serve did not start (exit code {process.poll()})")
        # uvicorn writes an access-log line per request to stdout: keep reading it, or after some 64 KB
        # of unread lines the server blocks on the full pipe and stops answering (a session of
        # browser tests on one server gets there).
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        _wait_healthy(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{url}/api/v1/workspaces", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server never answered")


def api(url: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def is_loopback(request_url: str) -> bool:
    parts = urlsplit(request_url)
    return parts.scheme in ("http", "https", "ws") and parts.hostname == "127.0.0.1" or parts.scheme in ("data", "blob")


def guard_network(context, blocked: list[str]) -> None:
    """Every request off 127.0.0.1 is aborted and recorded."""

    def handle(route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handle)


#: Records CSP violations in the page (an init script runs outside the page's CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def open_map(page, url: str, ws: str) -> None:
    page.goto(f"{url}/w/{ws}")
    page.wait_for_selector("#map[data-ready='true'][data-styled='true']", timeout=20_000)


def click_node(page, node_id: str) -> None:
    """Click a node where vis-network drew it (canvas coordinates to the page's)."""
    point = page.evaluate(
        """(id) => { const net = window.obligraphMap.network;
                     net.focus(id, {scale: 1.2, animation: false});
                     const p = net.canvasToDOM(net.getPosition(id));
                     const box = document.getElementById('map').getBoundingClientRect();
                     return {x: box.left + p.x, y: box.top + p.y}; }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])
