"""The change journal: a worker that replays the writes it missed ends with exactly the chain (and
the analysis) a reload from the rows gives; when the journal no longer reaches back, or holds a
reload marker, it reloads; and readers never wait for a writer."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from obligraph.app.main import create_app
from obligraph.app.models import JournalRow
from obligraph.app.repository import store
from obligraph.app.repository.journal_rows import PRUNE_EVERY
from obligraph.graph.analysis import analyze
from obligraph.graph.analysis.result import RESULT_ARRAYS
from obligraph.graph.chain import Chain
from obligraph.graph.lattice import Layer, Responsibility
from tests.strategies import AS_OF, CONTROLS, chains, declarations

API = "/api/v1/workspaces"


@pytest.fixture
def second_app(settings):
    """Another worker process, as far as caches go: its own app, engine and cache."""
    app = create_app(settings)
    yield app
    app.state.service.close()


def new_workspace(client: TestClient, document: dict) -> str:
    ws = f"j{uuid.uuid4().hex[:10]}"
    assert client.post(API, json={"id": ws, "name": "journal"}).status_code == 201
    response = client.post(f"{API}/{ws}/import", params={"rename": "true"}, json={**document, "controls": CONTROLS})
    assert response.status_code == 200, response.text
    return ws


def cached_chain(app, ws: str) -> Chain:
    with app.state.service.view(ws) as view:
        view.analysis(as_of=AS_OF)  # so the next analysis there can borrow from it
        return view.chain


def reloaded_chain(app, ws: str) -> Chain:
    service = app.state.service
    with service.db.read() as session:
        return store.load_chain(session, service.workspace(session, ws))


def assert_same_analysis(app, ws: str, reloaded: Chain) -> None:
    with app.state.service.view(ws) as view:
        served = view.analysis(as_of=AS_OF)
    fresh = analyze(reloaded, as_of=AS_OF)
    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(served, name), getattr(fresh, name)), name


@st.composite
def edits(draw, chain: Chain, step: int) -> tuple[str, str, dict | None]:
    """One request that changes the workspace: (method, path under the workspace, JSON body)."""
    nodes = list(chain.graph.nodes)
    edges = chain.edges()
    kinds = ["add_node", "merge"]
    if nodes:
        kinds += ["update_node", "delete_node", "put_declaration", "put_declaration", "delete_declaration"]
    if len(nodes) > 1:
        kinds += ["add_edge", "add_edge"]
    if edges:
        kinds += ["override_edge", "delete_edge"]
    kind = draw(st.sampled_from(kinds))
    layer = st.sampled_from([layer.value for layer in Layer])
    if kind == "add_node":
        body = {"id": f"new{step}", "layer": draw(layer)}
        found = draw(st.lists(declarations(), max_size=2, unique_by=lambda d: d["control"]))
        return "POST", "/nodes", {**body, "declarations": found}
    if kind == "merge":
        node = {"id": draw(st.sampled_from([*nodes, f"merged{step}"])), "layer": draw(layer)}
        node["declarations"] = draw(st.lists(declarations(), max_size=2, unique_by=lambda d: d["control"]))
        document = {"format": "obligraph/chain@1", "name": "merge", "nodes": [node], "edges": []}
        if nodes and node["id"] not in nodes and draw(st.booleans()):
            document["edges"] = [{"provider": draw(st.sampled_from(nodes)), "consumer": node["id"]}]
        return "POST", "/import?mode=merge", document
    if kind in ("update_node", "delete_node", "put_declaration", "delete_declaration"):
        node_id = draw(st.sampled_from(nodes))
        if kind == "update_node":
            return "PATCH", f"/nodes/{node_id}", {"name": f"renamed {step}", "layer": draw(layer)}
        if kind == "delete_node":
            return "DELETE", f"/nodes/{node_id}", None
        if kind == "put_declaration":
            declaration = draw(declarations())
            return "PUT", f"/nodes/{node_id}/declarations/{declaration.pop('control')}", declaration
        declared = list(chain.declarations(node_id))
        control = draw(st.sampled_from(declared)) if declared else CONTROLS[0]
        return "DELETE", f"/nodes/{node_id}/declarations/{control}", None
    if kind == "add_edge":
        provider, consumer = draw(st.lists(st.sampled_from(nodes), min_size=2, max_size=2, unique=True))
        overrides = draw(st.dictionaries(st.sampled_from(CONTROLS), st.sampled_from(list(Responsibility)), max_size=2))
        body = {
            "provider": provider,
            "consumer": consumer,
            "responsibility": {c: r.value for c, r in overrides.items()},
        }
        return "POST", "/edges", body
    provider, consumer = draw(st.sampled_from(edges))
    if kind == "override_edge":
        overrides = draw(st.dictionaries(st.sampled_from(CONTROLS), st.sampled_from(list(Responsibility)), max_size=3))
        body = {"responsibility": {c: r.value for c, r in overrides.items()}, "criticality": "high"}
        return "PATCH", f"/edges/{provider}/{consumer}", body
    return "DELETE", f"/edges/{provider}/{consumer}", None


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), document=chains(max_nodes=5))
def test_replaying_the_journal_gives_the_chain_and_analysis_a_reload_gives(client, second_app, data, document):
    ws = new_workspace(client, document)
    start = cached_chain(second_app, ws)
    start_document = start.to_dict()
    for step in range(data.draw(st.integers(1, 8), label="writes")):
        method, path, body = data.draw(edits(cached_chain(client.app, ws), step))
        response = client.request(method, f"{API}/{ws}{path}", json=body)
        assert response.status_code < 500, response.text
        if data.draw(st.booleans(), label="the other worker catches up now"):
            cached_chain(second_app, ws)
    caught_up = cached_chain(second_app, ws)
    assert caught_up.lineage is start.lineage, "the other worker replayed the journal, it did not reload"
    reloaded = reloaded_chain(second_app, ws)
    assert caught_up.to_dict() == reloaded.to_dict()
    assert cached_chain(client.app, ws).to_dict() == reloaded.to_dict()  # the writer's own copy too
    assert_same_analysis(second_app, ws, reloaded)
    assert start.to_dict() == start_document  # forks were edited, never the chain readers held


def test_a_worker_behind_a_pruned_journal_reloads(client, second_app, settings):
    pruning = create_app(settings.model_copy(update={"journal_keep": 2}))
    try:
        ws = new_workspace(
            client, {"format": "obligraph/chain@1", "name": "x", "nodes": [{"id": "a", "layer": "iaas"}]}
        )
        start = cached_chain(second_app, ws)
        with TestClient(pruning) as writer:
            # Revision 1 is the import; the write that makes revision PRUNE_EVERY prunes.
            for i in range(PRUNE_EVERY - 1):
                body = {"status": "partial", "notes": f"write {i}"}
                assert writer.put(f"{API}/{ws}/nodes/a/declarations/10.5.1", json=body).status_code in (200, 201)
                with second_app.state.service.db.read() as session:
                    kept = (
                        session.execute(select(JournalRow.revision).where(JournalRow.workspace_id == ws))
                        .scalars()
                        .all()
                    )
                assert len(kept) <= 2 + PRUNE_EVERY - 1
        assert sorted(kept) == [PRUNE_EVERY - 1, PRUNE_EVERY]
        caught_up = cached_chain(second_app, ws)
        assert caught_up.lineage is not start.lineage  # reloaded
        assert caught_up.to_dict() == reloaded_chain(second_app, ws).to_dict()
        assert caught_up.declarations("a")["10.5.1"].notes == f"write {PRUNE_EVERY - 2}"
    finally:
        pruning.state.service.close()


def test_a_replacing_import_is_journaled_as_a_reload(client, second_app):
    document = {"format": "obligraph/chain@1", "name": "x", "nodes": [{"id": "a", "layer": "iaas"}]}
    ws = new_workspace(client, document)
    start = cached_chain(second_app, ws)
    replacement = {**document, "nodes": [{"id": "b", "layer": "saas"}]}
    assert client.post(f"{API}/{ws}/import", json=replacement).status_code == 200
    caught_up = cached_chain(second_app, ws)
    assert caught_up.lineage is not start.lineage and list(caught_up.graph.nodes) == ["b"]


def test_a_write_does_not_wait_for_readers_nor_change_their_chain(client, workspace):
    service = client.app.state.service
    with service.view(workspace) as view:
        before = view.chain.to_dict()
        # With the reader still inside its view, in the same thread: a writer that waited for it would hang.
        response = client.put(f"{API}/{workspace}/nodes/hr-saas/declarations/10.5.1", json={"status": "verified"})
        assert response.status_code in (200, 201)
        assert view.chain.to_dict() == before
    with service.view(workspace) as view:
        assert view.chain.declarations("hr-saas")["10.5.1"].status.value == "verified"
