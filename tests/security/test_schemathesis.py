"""Property-based requests from the app's own OpenAPI, with an admin token: never a 5xx.

Small on purpose (a few examples per operation), so it stays well under a minute; the stateful
two-workspace run the issue asks for is not done yet (docs/security.md).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.security.conftest import make_world  # noqa: E402


@pytest.fixture(scope="module")
def admin_world(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("st"))
    with world.client:
        yield world


def test_no_server_errors(admin_world):
    # Driven by hand, not via schemathesis' pytest plugin, which fails on this pytest (no Function._nodeid).
    headers = admin_world.headers("admin")
    schema = schemathesis.openapi.from_asgi("/openapi.json", admin_world.app, headers=headers)
    failures, statuses = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        run()
    assert not failures, failures
    assert len(statuses) > 100 and statuses.count(401) == 0  # it did run, and as the admin
