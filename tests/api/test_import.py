"""Bulk import: replace and merge, JSON and YAML, all or nothing, errors that point at the item."""

import copy
import json

import pytest
import yaml
from fastapi.testclient import TestClient

from obligraph.app.repository import rows, store
from tests.api.support import HR_CHAIN, error_of, messages

WS = "/api/v1/workspaces/hr"


@pytest.fixture
def empty(client):
    assert client.post("/api/v1/workspaces", json={"id": "hr", "name": "HR"}).status_code == 201
    return "hr"


def stored_document(app, ws="hr"):
    service = app.state.service
    with service.db.read() as session:
        return store.chain_document(session, service.workspace(session, ws))


def test_replace_round_trips(client, app, empty):
    result = client.post(f"{WS}/import", params={"rename": "true"}, json=HR_CHAIN).json()
    assert result == {
        "workspace": "hr",
        "mode": "replace",
        "revision": 1,
        "nodes": 5,
        "edges": 5,
        "nodes_added": 5,
        "nodes_updated": 0,
        "edges_added": 5,
        "edges_updated": 0,
        "warnings": [],
    }
    from obligraph.graph.chain import Chain

    assert Chain.from_dict(stored_document(app)).to_dict() == Chain.from_dict(HR_CHAIN).to_dict()


def test_a_replace_import_leaves_its_chain_in_the_cache_ready_to_analyse(client, app, empty):
    """Compiled, sweep order included, before the import took the lock: the first analysis does neither."""
    assert client.post(f"{WS}/import", json=HR_CHAIN).status_code == 200
    service = app.state.service
    with service.db.read() as session:
        workspace = service.workspace(session, "hr")
    revision, chain = service.cache.chain(workspace.uid)
    assert revision == workspace.revision
    assert chain.compiled().sweep.ready is not None


def test_replace_with_yaml(client, empty):
    text = yaml.safe_dump(HR_CHAIN, sort_keys=False)
    response = client.post(f"{WS}/import", content=text, headers={"content-type": "application/yaml"})
    assert response.status_code == 200, response.text
    smaller = {**HR_CHAIN, "nodes": HR_CHAIN["nodes"][:1], "edges": []}
    response = client.post(f"{WS}/import", content=yaml.safe_dump(smaller), headers={"content-type": "text/yaml"})
    assert response.json()["nodes"] == 1
    assert client.get(f"{WS}").json()["nodes"] == 1


def test_merge_upserts(client, app, workspace):
    document = {
        "format": "obligraph/chain@1",
        "name": "ignored in merge mode",
        "requirement": "partial",
        "nodes": [
            {
                "id": "acme-compute",
                "org": "Acme Holdings",
                "declarations": [{"control": "10.5.1", "status": "partial"}],
                "layer": "iaas",
            },
            {"id": "backup-co", "layer": "saas"},
        ],
        "edges": [
            {"provider": "backup-co", "consumer": "hr-saas"},
            {"provider": "acme-paas", "consumer": "hr-saas", "responsibility": {"10.5.1": "customer"}},
        ],
    }
    result = client.post(f"{WS}/import", params={"mode": "merge"}, json=document).json()
    assert (result["nodes_added"], result["nodes_updated"], result["edges_added"], result["edges_updated"]) == (
        1,
        1,
        1,
        1,
    )
    assert (result["nodes"], result["edges"]) == (6, 6)
    stored = stored_document(app)
    assert stored["name"] == "HR platform" and stored["requirement"] == "partial"
    acme = next(n for n in stored["nodes"] if n["id"] == "acme-compute")
    assert acme["org"] == "Acme Holdings" and acme["name"] == "Acme Compute"  # given fields change, others stay
    declarations = {d["control"]: d for d in acme["declarations"]}
    assert declarations["10.5.1"]["status"] == "partial" and declarations["10.5.1"].get("assigns") is None
    assert set(declarations) == {"9.1.1", "12.6.1", "10.5.1"}  # per control: the others are kept
    edge = next(e for e in stored["edges"] if (e["provider"], e["consumer"]) == ("acme-paas", "hr-saas"))
    assert edge["responsibility"] == {"11.5.1": "shared", "10.5.1": "customer"} and edge["criticality"] == "high"
    assert [n["id"] for n in stored["nodes"]][-1] == "backup-co"  # new nodes go last, old ones keep their place


def test_errors_point_at_the_item_and_nothing_is_stored(client, app, workspace):
    before = stored_document(app)
    bad = copy.deepcopy(HR_CHAIN)
    bad["nodes"][1]["layer"] = "cloud"
    bad["nodes"][3]["declarations"][0]["control"] = "11.5.9"
    bad["edges"][4]["consumer"] = "custmer"
    error = error_of(client.post(f"{WS}/import", json=bad), 422)
    locations = {d["location"] for d in error["details"]}
    assert "nodes[1].layer" in locations
    fixed = copy.deepcopy(bad)
    fixed["nodes"][1]["layer"] = "paas"
    error = error_of(client.post(f"{WS}/import", json=fixed), 422)
    text = messages(error)
    assert (
        "nodes[3].declarations[0].control" in text and "edges[4].consumer" in text and "did you mean 'customer'" in text
    )
    assert stored_document(app) == before
    assert client.get(WS).json()["revision"] == 1


def test_merge_errors_use_the_documents_own_indices(client, workspace):
    document = {
        "format": "obligraph/chain@1",
        "name": "x",
        "nodes": [
            {"id": "new-a", "layer": "saas"},
            {"id": "new-b", "layer": "saas", "declarations": [{"control": "1.1", "status": "declared"}]},
        ],
        "edges": [{"provider": "acme-paas", "consumer": "new-a"}, {"provider": "ghost", "consumer": "new-b"}],
    }
    error = error_of(client.post(f"{WS}/import", params={"mode": "merge"}, json=document), 422)
    locations = {d["location"] for d in error["details"]}
    assert locations == {"nodes[1].declarations[0].control", "edges[1].provider"}
    other_catalog = {"format": "obligraph/chain@1", "name": "x", "catalog": "iso27017-cld"}
    error = error_of(client.post(f"{WS}/import", params={"mode": "merge"}, json=other_catalog), 422)
    assert "mode=replace" in error["message"]


def test_an_import_that_fails_halfway_stores_nothing(app, workspace, monkeypatch):
    before = stored_document(app)

    write = rows.bulk_insert

    def fail_at_edges(session, table, columns, items):
        if table == "edges":
            raise RuntimeError("disk full")
        write(session, table, columns, items)

    # The nodes, declarations and evidence are written, then writing the edges fails.
    monkeypatch.setattr(rows, "bulk_insert", fail_at_edges)
    smaller = {**HR_CHAIN, "nodes": HR_CHAIN["nodes"][:2], "edges": HR_CHAIN["edges"][:1]}
    with TestClient(app, raise_server_exceptions=False) as client:
        error = error_of(client.post(f"{WS}/import", json=smaller), 500)
        assert error["code"] == "internal_error"
        monkeypatch.undo()
        assert stored_document(app) == before
        assert client.get(WS).json()["revision"] == 1
        assert client.get(f"{WS}/gaps").json()["summary"]["nodes"] == 5  # the cache was not left half-edited


def test_bad_bodies(client, workspace, app):
    error = error_of(
        client.post(f"{WS}/import", content=b"{nodes: [", headers={"content-type": "application/json"}), 422
    )
    assert "invalid JSON" in error["message"]
    error = error_of(client.post(f"{WS}/import", content=b"a: [b", headers={"content-type": "application/yaml"}), 422)
    assert "invalid YAML" in error["message"]
    error = error_of(client.post(f"{WS}/import", content=b"", headers={"content-type": "application/json"}), 422)
    assert "empty" in error["message"]
    error = error_of(
        client.post(f"{WS}/import", content=b"\xff\xfe", headers={"content-type": "application/json"}), 422
    )
    assert "UTF-8" in error["message"]
    error = error_of(client.post(f"{WS}/import", json=[1, 2]), 422)
    assert "mapping" in error["message"]
    # XML is read as GraphML; a body of a type no reader takes is told every type that is read.
    error = error_of(client.post(f"{WS}/import", content=b"<chain/>", headers={"content-type": "application/xml"}), 422)
    assert "not <graphml>" in error["message"]
    error = error_of(client.post(f"{WS}/import", content=b"a,b", headers={"content-type": "text/csv"}), 415)
    assert "application/yaml" in error["message"] and "application/graphml+xml" in error["message"]
    error = error_of(client.post(f"{WS}/import", params={"mode": "upsert"}, json=HR_CHAIN), 422)
    assert "merge" in messages(error)
    error = error_of(client.post(f"{WS}/import", json={**HR_CHAIN, "catalog": "/etc/passwd.yaml"}), 422)
    assert "unknown catalog" in error["message"]
    error = error_of(client.post(f"{WS}/import", json={**HR_CHAIN, "format": "obligraph/chain@2"}), 422)
    assert "format" in messages(error)
    error_of(client.post("/api/v1/workspaces/nope/import", json=HR_CHAIN), 404)
    assert client.get(WS).json()["revision"] == 1


def test_caps(settings, database_url):
    from obligraph.app.main import create_app

    small = settings.model_copy(update={"import_max_nodes": 3, "max_body_bytes": 4096})
    app = create_app(small)
    with TestClient(app) as client:
        client.post("/api/v1/workspaces", json={"id": "caps", "name": "caps"})
        error = error_of(client.post("/api/v1/workspaces/caps/import", json=HR_CHAIN), 413)
        assert error["code"] == "import_too_large" and "OBLIGRAPH_IMPORT_MAX_NODES" in error["message"]
        huge = {**HR_CHAIN, "description": "x" * 5000}
        error = error_of(client.post("/api/v1/workspaces/caps/import", json=huge), 413)
        assert error["code"] == "body_too_large" and "OBLIGRAPH_MAX_BODY_BYTES" in error["message"]
        client.delete("/api/v1/workspaces/caps")
    app.state.service.close()


def test_caps_on_edges_for_a_replace_and_for_a_merge(settings, database_url):
    """A replace reads chain JSON a batch at a time and hears the counts before checking; a merge
    parses the document whole: both refuse the same document the same way, storing nothing."""
    from obligraph.app.main import create_app

    app = create_app(settings.model_copy(update={"import_max_edges": len(HR_CHAIN["edges"]) - 1}))
    with TestClient(app) as client:
        client.post("/api/v1/workspaces", json={"id": "caps", "name": "caps"})
        for mode in ("replace", "merge"):
            response = client.post("/api/v1/workspaces/caps/import", params={"mode": mode}, json=HR_CHAIN)
            error = error_of(response, 413)
            assert error["code"] == "import_too_large" and "OBLIGRAPH_IMPORT_MAX_EDGES" in error["message"]
        assert client.get("/api/v1/workspaces/caps/nodes").json()["items"] == []
        client.delete("/api/v1/workspaces/caps")
    app.state.service.close()


def test_a_body_that_is_not_utf8_inside_its_nodes_is_refused_with_the_byte(client, empty):
    """The batches decode the nodes only after the body was split: bytes that are not UTF-8 there
    are found then, and the body gets the message of a whole parse."""
    body = json.dumps(HR_CHAIN).encode().replace(b'"layer": "iaas"', b'"layer": "ia\xffas"', 1)
    assert b"\xff" in body
    error = error_of(client.post(f"{WS}/import", content=body, headers={"content-type": "application/json"}), 422)
    assert "not UTF-8" in error["message"]


def test_a_small_merge_writes_what_a_whole_rewrite_would(client, app, empty, monkeypatch):
    """A merge touching a few nodes of a larger workspace writes only their rows; the stored chain,
    the chain the service keeps in memory and the gaps it serves all equal a from-scratch result."""
    from benchmarks.generate import generate_chain
    from obligraph.graph.analysis import analyze
    from obligraph.graph.chain import Chain

    base = generate_chain(80, 300, seed=3)
    assert client.post(f"{WS}/import", json=base).status_code == 200
    ids = [node["id"] for node in base["nodes"]]
    edge = base["edges"][0]
    document = {
        "format": "obligraph/chain@1",
        "name": "partial",
        "nodes": [
            {
                "id": ids[5],
                "layer": base["nodes"][5]["layer"],
                "declarations": [{"control": "10.5.1", "status": "not_implemented"}],
            },
            {"id": ids[9], "layer": base["nodes"][9]["layer"], "org": "Renamed Org"},
            {
                "id": "new-vendor",
                "layer": "saas",
                "declarations": [
                    {
                        "control": "9.1.1",
                        "status": "verified",
                        "evidence": [{"kind": "certification", "ref": "ISO 27001"}],
                    }
                ],
            },
        ],
        "edges": [
            {"provider": edge["provider"], "consumer": edge["consumer"], "responsibility": {"10.5.1": "shared"}},
            {"provider": "new-vendor", "consumer": ids[-1]},
        ],
    }
    client.get(f"{WS}/gaps", params={"as_of": "2026-06-01", "limit": 1})  # an analysis to reuse

    def no_rewrite(*_args):
        raise AssertionError("a small merge rewrote the whole workspace")

    monkeypatch.setattr(store, "delete_chain", no_rewrite)
    result = client.post(f"{WS}/import", params={"mode": "merge"}, json=document).json()
    assert (result["nodes_added"], result["nodes_updated"], result["edges_added"], result["edges_updated"]) == (
        1,
        2,
        1,
        1,
    )

    stored = Chain.from_dict(stored_document(app))
    with app.state.service.view("hr") as view:
        in_memory = view.chain.to_dict()
    assert stored.to_dict() == in_memory
    assert [n["id"] for n in in_memory["nodes"]] == [*ids, "new-vendor"]
    served = client.get(f"{WS}/gaps", params={"as_of": "2026-06-01", "limit": 1000})
    fresh = analyze(stored, as_of="2026-06-01")
    assert served.json()["summary"]["gaps"] == fresh.gap_count
    assert [(g["node"], g["control"], g["kind"]) for g in served.json()["gaps"]] == [
        (g.node, g.control, g.kind) for g in list(fresh.gaps())[:1000]
    ]


def test_an_import_returns_the_chains_warnings(client, empty):
    # acme-paas serves hr-saas, which relies on it for 12.6.1: not_applicable there counts as unknown.
    document = copy.deepcopy(HR_CHAIN)
    paas = next(n for n in document["nodes"] if n["id"] == "acme-paas")
    paas["declarations"] = [{"control": "12.6.1", "status": "not_applicable"}]
    result = client.post(f"{WS}/import", json=document).json()
    index = document["nodes"].index(paas)
    assert result["warnings"] == [
        {"location": f"nodes[{index}].declarations[0].status", "message": result["warnings"][0]["message"]}
    ]
    assert "counts it as unknown" in result["warnings"][0]["message"]
    merged = client.post(f"{WS}/import", params={"mode": "merge"}, json={**HR_CHAIN, "nodes": [], "edges": []}).json()
    assert len(merged["warnings"]) == 1  # the merged chain still has it
