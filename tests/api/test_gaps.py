"""GET .../gaps: the CLI's analysis over HTTP, filtered and paged."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from obligraph.app.cli.commands import app as cli
from obligraph.app.services.gap_query import first_cells
from obligraph.graph.catalog import load_catalog
from tests.api.support import AS_OF, HR_CHAIN, error_of, messages

GAPS = "/api/v1/workspaces/hr/gaps"
EXAMPLES = Path(__file__).resolve().parents[2] / "seed_data" / "examples"


def all_gaps(client, url, **params):
    """Every page of a gap listing, joined."""
    params = {"as_of": AS_OF, "limit": 7, **params}
    first = client.get(url, params=params).json()
    gaps, cursor = list(first["gaps"]), first["next"]
    while cursor:
        page = client.get(url, params={**params, "cursor": cursor}).json()
        gaps += page["gaps"]
        cursor = page["next"]
    assert len(gaps) == first["matched"]
    return first, gaps


def cli_analysis(tmp_path, document, *args):
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(path), "--as-of", AS_OF, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def example_documents():
    return [pytest.param(path, id=path.stem) for path in sorted(EXAMPLES.glob("*.yaml"))]


def test_same_gaps_as_the_cli(client, workspace, tmp_path):
    expected = cli_analysis(tmp_path, HR_CHAIN)
    first, gaps = all_gaps(client, GAPS)
    assert {k: first[k] for k in ("format", "requirement", "as_of", "summary")} == {
        k: expected[k] for k in ("format", "requirement", "as_of", "summary")
    }
    assert gaps == expected["gaps"]
    expected = cli_analysis(tmp_path, HR_CHAIN, "--require", "verified", "--controls", "10.5.1,9.1.1")
    first, gaps = all_gaps(client, GAPS, require="verified", controls="10.5.1,9.1.1")
    assert gaps == expected["gaps"] and first["summary"] == expected["summary"]


@pytest.mark.parametrize("path", example_documents())
def test_same_gaps_as_the_cli_on_the_shipped_examples(client, tmp_path, path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    client.post("/api/v1/workspaces", json={"id": "ex", "name": "ex"})
    response = client.post(
        "/api/v1/workspaces/ex/import", content=path.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 200, response.text
    expected = cli_analysis(tmp_path, document)
    first, gaps = all_gaps(client, "/api/v1/workspaces/ex/gaps", limit=1000)
    assert first["summary"] == expected["summary"] and gaps == expected["gaps"]


def test_filters(client, workspace):
    _, everything = all_gaps(client, GAPS)
    cases = {
        "node": ({"node": "hr-saas,customer"}, lambda g: g["node"] in ("hr-saas", "customer")),
        "control": ({"control": ["10.5.1", "9.1.1"]}, lambda g: g["control"] in ("10.5.1", "9.1.1")),
        "clause": ({"clause": "12"}, lambda g: g["control"].startswith("12.")),
        "kind": ({"kind": ["inherited", "circular"]}, lambda g: g["kind"] in ("inherited", "circular")),
        "orphaned": ({"orphaned": "true"}, lambda g: g["orphaned"]),
        "not orphaned": ({"orphaned": "false"}, lambda g: not g["orphaned"]),
        "layer": ({"layer": "saas"}, lambda g: g["node"] in ("mon-saas", "hr-saas")),
    }
    for name, (params, keep) in cases.items():
        _, gaps = all_gaps(client, GAPS, **params)
        assert gaps == [g for g in everything if keep(g)], name
    assert any(g["orphaned"] for g in everything) and any(g["kind"] == "mixed" for g in everything)


def test_root_cause_filter_matches_the_root_causes(client, workspace):
    _, everything = all_gaps(client, GAPS)
    for node in ("acme-compute", "acme-paas", "mon-saas", "hr-saas", "customer"):
        _, gaps = all_gaps(client, GAPS, root_cause=node)
        assert gaps == [g for g in everything if node in {c["node"] for c in g["root_causes"]}], node


def test_without_root_causes_and_node_route(client, workspace):
    body = client.get(GAPS, params={"as_of": AS_OF, "root_causes": "false", "limit": 3}).json()
    assert all("root_causes" not in gap for gap in body["gaps"])
    _, node_gaps = all_gaps(client, "/api/v1/workspaces/hr/nodes/hr-saas/gaps")
    _, filtered = all_gaps(client, GAPS, node="hr-saas")
    assert node_gaps == filtered and node_gaps
    error_of(client.get("/api/v1/workspaces/hr/nodes/ghost/gaps"), 404)


def test_gaps_follow_writes(client, workspace):
    params = {"as_of": AS_OF, "node": "acme-compute", "control": "10.10.3"}
    before = client.get(GAPS, params=params).json()
    assert before["matched"] == 1 and before["revision"] == 1
    client.put("/api/v1/workspaces/hr/nodes/acme-compute/declarations/10.10.3", json={"status": "verified"})
    after = client.get(GAPS, params=params).json()
    assert after["matched"] == 0 and after["revision"] == 2


def test_bad_parameters(client, workspace):
    error = error_of(client.get(GAPS, params={"node": "ghost"}), 404)
    assert "no node 'ghost'" in error["message"]
    error_of(client.get(GAPS, params={"root_cause": "ghost"}), 404)
    error = error_of(client.get(GAPS, params={"control": "10.5.9"}), 422)
    assert "did you mean" in error["message"]
    error = error_of(client.get(GAPS, params={"control": "5.1.1"}), 422)
    assert "not analysed" in error["message"]
    error = error_of(client.get(GAPS, params={"clause": "99"}), 422)
    assert "not a clause" in error["message"]
    error = error_of(client.get(GAPS, params={"kind": "upstream"}), 422)
    assert "inherited" in messages(error)
    error = error_of(client.get(GAPS, params={"layer": "cloud"}), 422)
    error = error_of(client.get(GAPS, params={"require": "great"}), 422)
    assert "verified" in messages(error)
    error = error_of(client.get(GAPS, params={"as_of": "2026-13-01"}), 422)
    assert "YYYY-MM-DD" in messages(error)
    error = error_of(client.get(GAPS, params={"controls": "10.5.1,nope"}), 422)
    assert "nope" in error["message"]
    error = error_of(client.get(GAPS, params={"orphaned": "maybe"}), 422)
    error = error_of(client.get(GAPS, params={"nodes": "hr-saas"}), 422)
    assert "unknown query parameter 'nodes'" in error["message"]
    error = error_of(client.get(GAPS, params={"limit": 1001}), 422)
    assert "at most 1000" in messages(error)
    error = error_of(client.get(GAPS, params={"cursor": "%%%"}), 400)
    stale = client.get(GAPS, params={"limit": 1, "node": "mon-saas"}).json()["next"]
    client.delete("/api/v1/workspaces/hr/nodes/mon-saas")
    error = error_of(client.get(GAPS, params={"limit": 1, "cursor": stale}), 400)
    assert "start again" in error["message"]
    error_of(client.get("/api/v1/workspaces/nope/gaps"), 404)


def test_cloud_guidance_only_narrows_the_analysed_controls(client, workspace):
    catalog = load_catalog("meti-2011")
    unguided = next(control.id for control in catalog if not control.cloud_guidance)
    chosen = {"as_of": AS_OF, "limit": 1000, "controls": f"10.5.1,{unguided}"}
    everything = client.get(GAPS, params=chosen).json()
    narrowed = client.get(GAPS, params={**chosen, "cloud_guidance_only": "true"}).json()
    assert (everything["summary"]["controls"], narrowed["summary"]["controls"]) == (2, 1)
    assert narrowed["gaps"] == [gap for gap in everything["gaps"] if gap["control"] == "10.5.1"]


def test_every_analysis_route_takes_cloud_guidance_only(client, workspace):
    catalog = load_catalog("meti-2011")
    unguided = {control.id for control in catalog if not control.cloud_guidance}
    ws = "/api/v1/workspaces/hr"
    every = [control.id for control in catalog]  # the workspace's document names only five
    chosen = {"as_of": AS_OF, "controls": ",".join(every)}
    narrowed = {**chosen, "cloud_guidance_only": "true"}

    def controls_in(body: dict, key: str) -> set[str]:
        return {item["control"] for item in body[key]}

    report = client.get(f"{ws}/nodes/hr-saas/report", params=chosen).json()
    assert controls_in(report, "controls") & unguided
    report = client.get(f"{ws}/nodes/hr-saas/report", params=narrowed).json()
    assert controls_in(report, "controls") and not controls_in(report, "controls") & unguided
    obligations = client.get(f"{ws}/nodes/acme-paas/obligations", params=narrowed).json()
    assert controls_in(obligations, "obligations") and not controls_in(obligations, "obligations") & unguided
    fixes = client.get(f"{ws}/fixes", params={**narrowed, "limit": 10_000}).json()
    everything = client.get(f"{ws}/fixes", params={**chosen, "limit": 10_000}).json()
    assert controls_in(everything, "fixes") & unguided and not controls_in(fixes, "fixes") & unguided
    impact = client.get(f"{ws}/impact", params={**narrowed, "provider": "acme-paas"}).json()
    assert impact["opened"] and not {g["control"] for g in impact["opened"]} & unguided
    change = {"op": "remove_node", "node": "acme-paas"}
    what_if = client.post(
        f"{ws}/what-if", json={"changes": [change], "as_of": AS_OF, "controls": every, "cloud_guidance_only": True}
    )
    assert what_if.status_code == 200, what_if.text
    assert what_if.json()["opened"] and not {g["control"] for g in what_if.json()["opened"]} & unguided


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(0, 60_000),
    density=st.sampled_from([0.0, 0.0002, 0.01, 0.3, 1.0]),
    begin=st.integers(0, 65_000),
    limit=st.integers(0, 300),
    seed=st.integers(0, 2**16),
)
def test_a_pages_cells_are_the_next_matches_after_the_cursor(size, density, begin, limit, seed):
    # Large sparse masks too: the page is read a stretch at a time, which small chains never need.
    flat = np.random.default_rng(seed).random(size) < density
    expected = np.flatnonzero(flat)
    expected = expected[expected >= begin][:limit]
    assert first_cells(flat, begin, limit).tolist() == expected.tolist()


def test_matches_on_the_edges_of_the_stretches_read_are_all_found():
    flat = np.zeros(100_000, dtype=bool)
    edges = [4096, 4096 + 16_384, 4096 + 16_384 + 65_536]  # where the stretches of a page of up to 64 end
    for edge in edges:
        flat[[edge - 1, edge, edge + 1]] = True
    assert first_cells(flat, 0, 50).tolist() == np.flatnonzero(flat).tolist()
    assert first_cells(flat, edges[0], 4).tolist() == [edges[0], edges[0] + 1, edges[1] - 1, edges[1]]
