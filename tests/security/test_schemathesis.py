"""Property-based requests from the app's own OpenAPI (``schemathesis.openapi.from_asgi``), every check on.

* Every registered schemathesis check (not_a_server_error, status_code_conformance,
  content_type_conformance, response_headers_conformance, response_schema_conformance,
  negative_data_rejection, positive_data_acceptance, missing_required_header, unsupported_method,
  allow_header_conformance, use_after_free, ensure_resource_availability, ignored_auth,
  object_level_authorization, and any a later version adds) on every operation, as the admin and
  as an editor of workspace alpha: 0 failures.
* A stateful run (``schema.as_state_machine()``, following the OpenAPI links the create routes
  declare) as alpha's editor, with every step also replayed against beta's ids: each such request
  gets 404, and beta's export is byte-identical afterwards.

Driven by hand, not via schemathesis' pytest plugin, which fails on this pytest (no
``Function._nodeid``). ``derandomize=True``: the same cases every run.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.openapi.checks import RejectedPositiveData  # noqa: E402

from tests.api.support import HR_CHAIN  # noqa: E402
from tests.security.conftest import make_world  # noqa: E402

load_all_checks()
ALL_CHECKS: dict[str, Callable] = {
    check.__name__: check for check in CHECKS.get_all() if callable(check) and not isinstance(check, type)
}
EXAMPLES = 8  # per operation and identity; the whole file stays well under 90 s on 2 cores

#: Schema-valid requests the app may still refuse, for a rule no JSON Schema can state: the status,
#: the error code and a pattern of the message. Only these; any other refusal of a schema-valid
#: request (above all a plain ``invalid_request``: the request broke a rule the schema should say) fails.
CURSOR = (400, "invalid_cursor", r"the cursor is not one this API issued")  # a cursor is any string to the schema
CHAIN = (422, "invalid_chain", r".")  # control ids of the workspace's catalog, edges between its nodes, ...
EVIDENCE_DATES = (422, "invalid_request", r"expires \(.+\) is before issued")  # a rule across two fields
# Gap filters (?control=, ?clause=) and declarations take ids of the workspace's catalog (or ids a crosswalk maps).
CATALOG_IDS = (422, "invalid_request", r"^'.*' is not a (control|clause) of catalog '")
ANALYSIS = [CHAIN]  # ?controls= must name controls of the workspace's catalog
# ?node= goes with the audit formats (and they need it): a rule across two parameters.
EXPORT_NODE = (422, "invalid_request", r"^(node= applies to the |the [a-z-]+ export is about one node)")
# gaps=, causes= and links= go with the csv and node-link formats: the same kind of cross-parameter rule.
EXPORT_OPTION = (422, "invalid_request", r"^(gaps|causes|links) applies to the [a-z-]+ export, not to ")
# An Idempotency-Key already used for another import: depends on what was sent before, not on this request.
IDEMPOTENCY = (422, "idempotency_key_reused", r"^the Idempotency-Key '")
# A token's expiry must be in the future: a rule of the clock.
TOKEN_EXPIRY = (422, "expiry_in_past", r"^expires_at is in the past")
BEYOND_SCHEMA: dict[str, list[tuple[int, str, str]]] = {
    "GET /api/v1/workspaces": [CURSOR],
    "GET /api/v1/workspaces/{ws}/nodes": [CURSOR],
    "GET /api/v1/workspaces/{ws}/edges": [CURSOR],
    "GET /api/v1/workspaces/{ws}/nodes/{node}/declarations": [CURSOR],
    "GET /api/v1/workspaces/{ws}/snapshots": [CURSOR],
    "GET /api/v1/workspaces/{ws}/gaps": [CURSOR, CHAIN, CATALOG_IDS],
    "GET /api/v1/workspaces/{ws}/nodes/{node}/gaps": [CURSOR, CHAIN, CATALOG_IDS],
    "GET /api/v1/workspaces/{ws}/nodes/{node}/obligations": ANALYSIS,
    "GET /api/v1/workspaces/{ws}/nodes/{node}/report": ANALYSIS,
    "GET /api/v1/workspaces/{ws}/impact": ANALYSIS,
    "GET /api/v1/workspaces/{ws}/fixes": ANALYSIS,
    "GET /api/v1/workspaces/{ws}/evidence": ANALYSIS,
    "POST /api/v1/workspaces": [CHAIN],
    "PATCH /api/v1/workspaces/{ws}": [CHAIN],
    "POST /api/v1/workspaces/{ws}/nodes": [CHAIN, EVIDENCE_DATES],
    "PATCH /api/v1/workspaces/{ws}/nodes/{node}": [CHAIN],
    "POST /api/v1/workspaces/{ws}/edges": [CHAIN],
    "PATCH /api/v1/workspaces/{ws}/edges/{provider}/{consumer}": [CHAIN],
    "POST /api/v1/workspaces/{ws}/nodes/{node}/declarations": [CHAIN, EVIDENCE_DATES, CATALOG_IDS],
    "PUT /api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}": [CHAIN, EVIDENCE_DATES, CATALOG_IDS],
    "PATCH /api/v1/workspaces/{ws}/nodes/{node}/declarations/{control}": [CHAIN, EVIDENCE_DATES, CATALOG_IDS],
    "POST /api/v1/workspaces/{ws}/import": [CHAIN, EVIDENCE_DATES, IDEMPOTENCY],
    "POST /api/v1/workspaces/{ws}/import/preview": [CHAIN, EVIDENCE_DATES],
    "GET /api/v1/workspaces/{ws}/export": [EXPORT_NODE, EXPORT_OPTION],
    "HEAD /api/v1/workspaces/{ws}/export": [EXPORT_NODE, EXPORT_OPTION],
    "POST /api/v1/workspaces/{ws}/what-if": [CHAIN],
    "POST /api/v1/workspaces/{ws}/tokens": [TOKEN_EXPIRY],
    "POST /api/v1/workspaces/{ws}/nodes/{node}/caiq": [CHAIN],  # any text to the schema; a CAIQ sheet to the reader
}

#: A check that cannot apply to one operation, with the reason. Nothing else is skipped.
EXCLUDED: dict[str, dict[str, str]] = {}


def _positive_data_acceptance(ctx, response, case):
    """schemathesis' positive_data_acceptance, except the refusals BEYOND_SCHEMA lists for the operation."""
    try:
        return ALL_CHECKS["positive_data_acceptance"](ctx, response, case)
    except RejectedPositiveData:
        # A HEAD answer has no body: its refusal is judged by the body GET gives for the same request.
        error = _error(_as_get(case, response) if case.method.upper() == "HEAD" else response)
        for status, code, pattern in BEYOND_SCHEMA.get(case.operation.label, []):
            if response.status_code == status and error.get("code") == code and re.search(pattern, error["message"]):
                return None
        raise


def _as_get(case, response):
    from starlette.testclient import TestClient

    request = response.request
    return TestClient(case.operation.schema.app).get(request.url, headers=dict(request.headers))


def _error(response) -> dict[str, Any]:
    try:
        error = response.json()["error"]
        return error if isinstance(error, dict) and isinstance(error.get("message"), str) else {}
    except (ValueError, KeyError, TypeError):
        return {}


def checks_for(label: str) -> list[Callable]:
    excluded = EXCLUDED.get(label, {})
    chosen = [check for name, check in ALL_CHECKS.items() if name not in excluded]
    return [_positive_data_acceptance if check.__name__ == "positive_data_acceptance" else check for check in chosen]


def test_the_exceptions_are_narrow():
    assert {"not_a_server_error", "response_schema_conformance", "negative_data_rejection", "ignored_auth"} <= set(
        ALL_CHECKS
    ), sorted(ALL_CHECKS)
    for label, rules in BEYOND_SCHEMA.items():
        for _status, code, pattern in rules:
            # A plain schema-validation refusal is never excused; only a named cross-field rule is.
            assert code != "invalid_request" or len(pattern) > 10, f"{label}: {code} {pattern!r} is too broad"


def _describe(case, response, failure) -> str:
    body = "" if case.body is None or type(case.body).__name__ == "NotSet" else f" body={str(case.body)[:200]}"
    query = f" query={case.query}" if case.query else ""
    message = " ".join(str(failure.message).split())[:300]
    got = f"{response.status_code} {response.text[:300]}"
    request = f"{case.method} {case.formatted_path}{query}{body}"
    return f"{case.operation.label} [{failure.title}] {request}: {message}; got {got}"


def run_every_operation(world, who: str, config: dict[str, Any] | None = None) -> tuple[list[str], list[int]]:
    """Every operation, EXAMPLES cases each, every check; the failures (as text) and the statuses seen."""
    headers = world.headers(who)
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", world.app, headers=headers, config=schemathesis.Config.from_dict(config or {})
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    # Deleting the workspace last, so that the other operations meet it.
    operations.sort(key=lambda operation: operation.label == "DELETE /api/v1/workspaces/{ws}")
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        checks = checks_for(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            try:  # as case.call_and_validate does, keeping the response for the report
                case.validate_response(response, checks=checks, headers=headers, transport_kwargs={"headers": headers})
            except FailureGroup as group:
                failures.extend(_describe(case, response, failure) for failure in group.exceptions)

        run()
    return sorted(set(failures)), statuses


#: Path parameters drawn mostly from alpha's real ids (tests/api/support.HR_CHAIN), so that the cases
#: reach its data rather than a 404 for a random id; the rest stay generated.
NODES = ["acme-compute", "acme-paas", "mon-saas", "hr-saas", "customer"]
IN_ALPHA = {
    "dictionaries": {
        "alpha": {"values": ["alpha"]},
        "nodes": {"values": NODES},
        "controls": {"values": ["10.5.1", "11.5.1", "12.6.1", "9.1.1"]},
    },
    "parameters": {
        "path.ws": {"dictionary": "alpha", "probability": 0.9},
        "path.node": {"dictionary": "nodes", "probability": 0.7},
        "path.provider": {"dictionary": "nodes", "probability": 0.7},
        "path.consumer": {"dictionary": "nodes", "probability": 0.7},
        "path.control": {"dictionary": "controls", "probability": 0.7},
    },
}

#: For the admin: alpha or beta half the time, else a generated id (a missing workspace).
IN_BOTH = {
    **IN_ALPHA,
    "dictionaries": {**IN_ALPHA["dictionaries"], "both": {"values": ["alpha", "beta"]}},
    "parameters": {**IN_ALPHA["parameters"], "path.ws": {"dictionary": "both", "probability": 0.5}},
}
#: For the stateful run: always alpha (the chains must stay in one workspace); ids drawn as above.
IN_ALPHA_ONLY = {
    **IN_ALPHA,
    "parameters": {**IN_ALPHA["parameters"], "path.ws": {"dictionary": "alpha", "probability": 1.0}},
}


@pytest.fixture(scope="module")
def admin_world(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("st-admin"))
    with world.client:
        yield world


@pytest.fixture(scope="module")
def editor_world(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("st-editor"))
    with world.client:
        yield world


def test_the_exceptions_name_real_operations_and_checks(admin_world):
    schema = admin_world.client.get("/openapi.json", headers=admin_world.headers("admin")).json()
    labels = {f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item}
    stale = [label for label in [*BEYOND_SCHEMA, *EXCLUDED] if label not in labels]
    assert not stale, f"entries for operations the API no longer has: {stale}"
    for label, checks in EXCLUDED.items():
        for name, reason in checks.items():
            assert name in ALL_CHECKS and len(reason) > 20, f"{label}: exclude a real check, and say why"


def test_all_checks_as_admin(admin_world):
    failures, statuses = run_every_operation(admin_world, "admin", IN_BOTH)
    assert not failures, "\n".join(failures)
    assert len(statuses) > 200 and statuses.count(401) == 0  # it did run, and as the admin
    assert any(200 <= status < 300 for status in statuses)


def test_all_checks_as_editor_of_alpha(editor_world):
    failures, statuses = run_every_operation(editor_world, "editor", IN_ALPHA)
    assert not failures, "\n".join(failures)
    assert statuses.count(401) == 0 and statuses.count(403) > 0  # an editor: no owner/admin routes
    assert sum(200 <= status < 300 for status in statuses) > 50


# --- Stateful: alpha's editor chains create -> get/update/delete by the OpenAPI links; beta stays out of reach.

BETA_ONLY_NODE = "beta-only"
STATEFUL_STEPS = 8
STATEFUL_SCENARIOS = 12


def _beta_state(world) -> dict[str, Any]:
    """Everything of beta an outsider could change: its chain (export), revision, snapshots, tokens."""
    admin = world.headers("admin")
    base = "/api/v1/workspaces/beta"
    workspace = world.client.get(base, headers=admin).json()
    return {
        "export": world.client.get(f"{base}/export", params={"format": "json"}, headers=admin).content,
        "workspace": workspace,
        "snapshots": world.client.get(f"{base}/snapshots", headers=admin).json(),
        "tokens": world.client.get(f"{base}/tokens", headers=admin).json(),
    }


def _as_beta(case, succeeded: bool, beta_ids: dict[str, str]) -> list[tuple[str, Any]]:
    """The case's request aimed at beta's data: beta's workspace id (always: the token is refused before
    anything else is looked at), and beta's own object ids in alpha's path (when the request as sent
    succeeded, so that only the swapped id can make the difference; an invalid body is a 422 first)."""
    params = dict(case.path_parameters or {})
    variants = [("beta's workspace", {**params, "ws": "beta"})]
    for name in ("node", "provider", "consumer"):
        if name in params and succeeded:
            variants.append((f"beta's node in alpha's path ({name})", {**params, name: BETA_ONLY_NODE}))
    for name in ("snapshot", "a", "b"):
        if name in params and succeeded:
            variants.append((f"beta's snapshot in alpha's path ({name})", {**params, name: beta_ids["snapshot"]}))
    out = []
    for label, path_parameters in variants:
        probe = case.operation.Case(
            path_parameters=path_parameters,
            query=case.query,
            headers=case.headers,
            body=case.body,
            media_type=case.media_type,
        )
        out.append((label, probe))
    return out


def test_stateful_editor_of_alpha_never_reaches_beta(tmp_path):
    world = make_world(tmp_path)
    with world.client:
        admin, editor = world.headers("admin"), world.headers("editor")  # editor: replaced per scenario
        beta = "/api/v1/workspaces/beta"
        # Beta gets ids alpha does not have (both start from the same chain): a node, and a snapshot of that.
        node = {"id": BETA_ONLY_NODE, "layer": "saas"}
        assert world.client.post(f"{beta}/nodes", json=node, headers=admin).status_code == 201
        snapshot = world.client.post(f"{beta}/snapshots", json={"label": "beta"}, headers=admin)
        assert snapshot.status_code == 201, snapshot.text
        beta_ids = {"snapshot": snapshot.json()["id"]}
        before = _beta_state(world)

        schema = schemathesis.openapi.from_asgi(
            "/openapi.json", world.app, headers=editor, config=schemathesis.Config.from_dict(IN_ALPHA_ONLY)
        )
        failures: list[str] = []
        crossings: list[str] = []
        steps: list[tuple[str, int]] = []
        probes: list[str] = []

        def reset_alpha() -> None:
            # Each scenario starts from the same alpha: Hypothesis replays choice sequences, and the
            # links a step may follow depend on the answers, so leftovers of an earlier scenario
            # would make generation flaky. Deleting alpha takes its tokens too: a new editor token.
            client = world.client
            assert client.delete("/api/v1/workspaces/alpha", headers=admin).status_code == 204
            body = {"id": "alpha", "name": "alpha", "catalog": "meti-2011"}
            assert client.post("/api/v1/workspaces", json=body, headers=admin).status_code == 201
            assert client.post("/api/v1/workspaces/alpha/import", json=HR_CHAIN, headers=admin).status_code == 200
            editor.update(Authorization=f"Bearer {world.token(role='editor', workspace_id='alpha')[1]}")

        class Machine(schema.as_state_machine()):  # type: ignore[misc]
            def setup(self):
                reset_alpha()

            def get_call_kwargs(self, case):
                return {"headers": editor}

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                steps.append((case.operation.label, response.status_code))
                try:
                    case.validate_response(
                        response,
                        checks=checks_for(case.operation.label),
                        headers=editor,
                        transport_kwargs=kwargs or None,
                        recorder=self.recorder,
                    )
                except FailureGroup as group:
                    failures.extend(_describe(case, response, failure) for failure in group.exceptions)
                if "ws" not in (case.path_parameters or {}):
                    return
                for label, probe in _as_beta(case, 200 <= response.status_code < 300, beta_ids):
                    got = probe.call(headers=editor)
                    probes.append(label)
                    if got.status_code != 404:
                        crossings.append(
                            f"{label}: {probe.method} {probe.formatted_path} as alpha's editor got "
                            f"{got.status_code} {got.text[:200]} (expected 404)"
                        )

        Machine.run(
            settings=settings(
                max_examples=STATEFUL_SCENARIOS,
                stateful_step_count=STATEFUL_STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
        )
        after = _beta_state(world)

    assert not crossings, "\n".join(crossings)
    assert not failures, "\n".join(failures)
    for key in before:
        assert after[key] == before[key], f"beta's {key} changed during alpha's editor's run"
    # It did chain: objects were created in alpha and then reached through the links, and beta was probed
    # with its workspace id and with its own object ids.
    created = [label for label, status in steps if label.startswith("POST") and status == 201]
    linked = [
        label
        for label, status in steps
        if 200 <= status < 300 and any(f"{{{name}}}" in label for name in ("node", "snapshot", "control", "consumer"))
    ]
    assert created and linked and len(steps) > 3 * STATEFUL_SCENARIOS, steps
    assert probes.count("beta's workspace") > 20 and any("alpha's path" in label for label in probes), probes


def test_create_routes_declare_links_that_resolve(admin_world):
    """The links the state machine follows name real operations and exactly their path parameters."""
    schema = admin_world.client.get("/openapi.json", headers=admin_world.headers("admin")).json()
    paths = schema["paths"]
    followed = 0
    for path, item in paths.items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                for name, link in response.get("links", {}).items():
                    ref = link["operationRef"].removeprefix("#/paths/")
                    target_path, _, target_method = ref.rpartition("/")
                    target_path = target_path.replace("~1", "/").replace("~0", "~")
                    where = f"{method.upper()} {path} {status} link {name}"
                    assert target_method in paths.get(target_path, {}), f"{where}: no {target_method} {target_path}"
                    wanted = {
                        p["name"] for p in paths[target_path][target_method].get("parameters", []) if p["in"] == "path"
                    }
                    assert set(link["parameters"]) == wanted, f"{where}: {sorted(link['parameters'])} != {wanted}"
                    followed += 1
    for kind in ("nodes", "edges", "snapshots"):
        create = f"/api/v1/workspaces/{{ws}}/{kind}"
        assert paths[create]["post"]["responses"]["201"]["links"], create
    assert followed >= 20
