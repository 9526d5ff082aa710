"""Screenshots for the README: ``.venv/bin/python -m tests.browser.screenshots`` writes
docs/images/map.png (the map), path.png (a node's panel with a blocker path lit), fixes.png,
what-if.png, node.png and heatmap.png from the demo workspace of a fresh server."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.browser.support import CHROMIUM, LAUNCH_ARGS, api, guard_network, open_map, running_server

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
NAMES = ("map.png", "path.png", "fixes.png", "what-if.png", "node.png", "heatmap.png")


def main() -> None:
    from playwright.sync_api import sync_playwright  # here, so collecting this module needs no playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir, running_server(Path(data_dir)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        blocked: list[str] = []
        guard_network(context, blocked)
        page = context.new_page()
        open_map(page, url, "demo")
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + 8, box["y"] + 8)  # an empty corner of the canvas: no tooltip in the picture
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "map.png"))
        # The gap with the most blocker paths: its panel, and every hop of every path lit.
        _status, body = api(url, "GET", "/api/v1/workspaces/demo/gaps?limit=1000")

        def causes(gap):
            return gap.get("blockers", gap["root_causes"])

        gap = max(body["gaps"], key=lambda g: (len(causes(g)), max([len(c["path"]) for c in causes(g)] or [0])))
        page.click(f"#node-list button[data-node='{gap['node']}']")
        page.wait_for_selector(f"#panel[data-loaded='{gap['node']}']")
        button = page.locator(f"li:has(strong:text-is('{gap['control']} ')) button.gap-path")
        button.scroll_into_view_if_needed()
        button.click()
        page.mouse.move(box["x"] + 8, box["y"] + 8)
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "path.png"))
        page.goto(f"{url}/w/demo/fixes")
        page.screenshot(path=str(OUT / "fixes.png"))
        page.goto(f"{url}/w/demo/impact?provider=altair-cloud&incident=paas-outage")
        page.screenshot(path=str(OUT / "what-if.png"))
        page.goto(f"{url}/w/demo/nodes/{gap['node']}")
        page.screenshot(path=str(OUT / "node.png"))
        page.goto(f"{url}/w/demo/heatmap")
        page.screenshot(path=str(OUT / "heatmap.png"))
        browser.close()
        assert not blocked, blocked
    for name in NAMES:
        print(OUT / name)


if __name__ == "__main__":
    main()
