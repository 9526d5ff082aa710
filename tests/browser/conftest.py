"""Browser fixtures: one server and one Chromium for the module; a fresh, network-guarded page per test.

Skipped (with the reason) when the system Chromium is missing; Playwright's own browser download
is never used.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.browser.support import CHROMIUM, CSP_LISTENER, LAUNCH_ARGS, api, guard_network, running_server
from tests.web.conftest import XSS, xss_chain


def pytest_collection_modifyitems(config, items):
    # Mark (for -m "not browser", and as slow) only this directory's tests: the hook sees the whole session.
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian package 'chromium'; .ci/run installs it)")
    with running_server(tmp_path_factory.mktemp("serve")) as url:
        assert api(url, "POST", "/api/v1/workspaces", {"id": "xss", "name": XSS[5]})[0] == 201
        status, body = api(url, "POST", "/api/v1/workspaces/xss/import", xss_chain())
        assert status == 200, body
        yield url


@pytest.fixture(scope="session")
def browser(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def blocked() -> list[str]:
    return []


@pytest.fixture
def dialogs() -> list[str]:
    return []


@pytest.fixture
def page(browser, blocked, dialogs):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    guard_network(context, blocked)
    context.add_init_script(CSP_LISTENER)
    tab = context.new_page()

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"
