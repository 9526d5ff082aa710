"""Page-speed benchmark: how long until the map is usable, in a real browser against a real server.

Usage: ``.venv/bin/python benchmarks/page_bench.py [--repeat 5] [--sizes 2000,100000]``

One ``obligraph serve --port 0`` (the browser tests' helper: SQLite in a temporary directory, the
demo workspace loaded) gets two generated workspaces imported through the API (not timed):
``generate_chain(n, 5 n)`` for each size. Headless system Chromium (Playwright, ``--no-sandbox
--disable-gpu --disable-background-networking``) then opens each map once to warm the server's
caches (that cold load is reported too), and ``--repeat`` times in a fresh browser context:

- *drawn*: navigation start to vis-network's first draw (``performance.now()`` recorded by
  map.js in ``#map[data-ready-at]``);
- *usable*: navigation start until a click on the biggest drawn node has opened its panel
  (``performance.now()`` read once the panel shows; it includes Playwright's round trips);
- *expand*, on an aggregated map: from asking to expand the group with the most members until
  its members are drawn (the JSON fetch, swapping the data, two animation frames).

Every request must stay on 127.0.0.1 (the browser tests' network guard); the medians are printed
as a Markdown table with the commit and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_chain  # noqa: E402
from tests.browser.support import CHROMIUM, LAUNCH_ARGS, api, click_node, guard_network, running_server  # noqa: E402

TARGETS = {"demo": 1.5, 2000: 3.0, 100_000: 3.0}


def import_workspace(url: str, ws: str, nodes: int) -> float:
    """Create ``ws`` and import a generated chain into it; seconds taken (reported, not a target)."""
    document = generate_chain(nodes, nodes * 5, seed=7)
    status, body = api(url, "POST", "/api/v1/workspaces", {"id": ws, "name": f"{nodes:,} nodes"})
    if status != 201:
        raise RuntimeError(f"creating {ws}: {status} {body}")
    started = time.perf_counter()
    request = urllib.request.Request(
        f"{url}/api/v1/workspaces/{ws}/import",
        data=json.dumps(document, separators=(",", ":")).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=3600) as response:
        if response.status != 200:
            raise RuntimeError(f"importing {ws}: {response.status}")
    return time.perf_counter() - started


def open_once(browser, url: str, ws: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    guard_network(context, blocked)
    page = context.new_page()
    try:
        page.goto(f"{url}/w/{ws}", wait_until="commit")
        page.wait_for_selector("#map[data-ready='true']", timeout=120_000)
        drawn = int(page.get_attribute("#map", "data-ready-at"))
        node = page.evaluate("window.obligraphMap.nodes.get().sort((a, b) => (b.size || 0) - (a.size || 0))[0].id")
        click_node(page, node)
        page.wait_for_selector("#panel:not([hidden])", timeout=30_000)
        usable = page.evaluate("performance.now()")
        if page.get_attribute("#panel", "data-node") != node:
            raise RuntimeError(f"the click on {node} opened {page.get_attribute('#panel', 'data-node')}")
        info = page.evaluate(
            "({mode: window.obligraphMap.data.mode, nodes: window.obligraphMap.nodes.length,"
            " edges: window.obligraphMap.edges.length, bytes: document.getElementById('map-data').textContent.length})"
        )
        if info["mode"] == "aggregated":
            info["expand"], info["expanded_nodes"] = expand_biggest(page)
    finally:
        context.close()
    if blocked:
        raise RuntimeError(f"requests left 127.0.0.1: {blocked}")
    return {"drawn": drawn / 1000, "usable": usable / 1000, **info}


def expand_biggest(page) -> tuple[float, int]:
    """Seconds from asking to expand the group with the most members until its members are drawn."""
    group = page.evaluate(
        "window.obligraphMap.nodes.get().filter(n => n.group_node).sort((a, b) => b.members - a.members)[0].id"
    )
    started = page.evaluate("(g) => { const t = performance.now(); window.obligraphMap.expand(g); return t; }", group)
    page.wait_for_selector(f"#map[data-expanded={json.dumps(group)}]", timeout=60_000)
    # Two animation frames: the swapped data has been drawn on the canvas.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    ended = page.evaluate("performance.now()")
    return (ended - started) / 1000, page.evaluate("window.obligraphMap.nodes.length")


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    return head + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="2000,100000", help="generated workspaces, in nodes (edges: 5x)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    # The 100k import is ~90 MB of JSON: above the default body limit.
    os.environ["OBLIGRAPH_MAX_BODY_BYTES"] = str(1024 * 1024 * 1024)
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as data_dir, running_server(Path(data_dir)) as url:
        workspaces: list[tuple[object, str, float | None]] = [("demo", "demo", None)]
        for size in sizes:
            ws = f"gen{size}"
            seconds = import_workspace(url, ws, size)
            print(f"imported {size:,} nodes in {seconds:.1f} s", file=sys.stderr)
            workspaces.append((size, ws, seconds))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
            for key, ws, imported in workspaces:
                cold = open_once(browser, url, ws)  # fills the server's analysis and map caches
                runs = [open_once(browser, url, ws) for _ in range(args.repeat)]
                rows.append((key, ws, imported, cold, runs))
                print(f"{ws}: usable {[round(r['usable'], 2) for r in runs]}", file=sys.stderr)
            browser.close()
    load_after = os.getloadavg()

    print(
        f"commit {commit()}; command: .venv/bin/python benchmarks/page_bench.py --repeat {args.repeat}"
        f" --sizes {args.sizes}"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); {os.cpu_count()} cores\n")
    print(
        "| workspace | view | drawn (nodes / edges / JSON) | first load (cold) | drawn, median | usable, median "
        "| target | expand biggest group, median |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key, ws, _imported, cold, runs in rows:
        label = "demo (enterprise example)" if key == "demo" else f"generated, {key:,} nodes / {5 * key:,} edges"
        target = TARGETS.get(key)
        usable = statistics.median(r["usable"] for r in runs)
        verdict = "" if target is None else f"<= {target} s: {'met' if usable <= target else '**not met**'}"
        last = runs[-1]
        print(
            f"| {label} | {last['mode']} | {last['nodes']:,} / {last['edges']:,} / {last['bytes'] / 1024:,.0f} KB "
            f"| {cold['usable']:.2f} s | {statistics.median(r['drawn'] for r in runs):.2f} s | {usable:.2f} s "
            f"| {verdict} | {_expand_cell(runs)} |"
        )


def _expand_cell(runs: list[dict]) -> str:
    if "expand" not in runs[-1]:
        return "-"
    return f"{statistics.median(r['expand'] for r in runs):.2f} s (to {runs[-1]['expanded_nodes']:,} nodes)"


if __name__ == "__main__":
    main()
