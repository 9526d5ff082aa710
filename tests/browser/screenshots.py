"""Screenshots for the README: ``.venv/bin/python -m tests.browser.screenshots`` writes
docs/images/map.png, node.png and heatmap.png from the demo workspace of a fresh server."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.browser.support import CHROMIUM, LAUNCH_ARGS, click_node, guard_network, open_map, running_server

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"


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
        node = page.evaluate(
            "window.obligraphMap.nodes.get().find(n => n.gap_state === 'inherited' && n.gaps.length).id"
        )
        click_node(page, node)
        page.wait_for_selector(f"#panel[data-loaded='{node}']")
        page.evaluate("window.obligraphMap.network.fit({animation: false})")
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + 8, box["y"] + 8)  # an empty corner of the canvas: no tooltip in the picture
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "map.png"))
        page.goto(f"{url}/w/demo/nodes/{node}")
        page.screenshot(path=str(OUT / "node.png"))
        page.goto(f"{url}/w/demo/heatmap")
        page.screenshot(path=str(OUT / "heatmap.png"))
        browser.close()
        assert not blocked, blocked
    for name in ("map.png", "node.png", "heatmap.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
