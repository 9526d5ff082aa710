"""Exports of every format (live and from a snapshot), imports of the other readable formats, CAIQ."""

import io
import json
import zipfile
from xml.etree import ElementTree

import networkx as nx
import pytest
import yaml

from obligraph.graph.chain import Chain
from obligraph.graph.formats import FORMATS
from tests.api.support import HR_CHAIN, error_of, messages

WS = "/api/v1/workspaces/hr"
WRITABLE = [name for name, spec in FORMATS.items() if spec.can_write]


def same_chain(document) -> bool:
    return Chain.from_dict(document).to_dict() == Chain.from_dict(HR_CHAIN).to_dict()


def parses(name: str, data: bytes) -> None:
    if name in ("json", "node-link", "cyjs"):
        assert isinstance(json.loads(data), dict)
    elif name == "oscal-ssp":
        assert json.loads(data)["system-security-plan"]["system-characteristics"]["system-name"]
    elif name == "oscal":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "profiles/meti-2011/profile.json" in names and "catalogs/meti-2011/catalog.json" in names
    elif name == "yaml":
        assert isinstance(yaml.safe_load(data), dict)
    elif name == "graphml":
        graph = nx.read_graphml(io.BytesIO(data))
        assert set(graph.nodes) == {n["id"] for n in HR_CHAIN["nodes"]}
        assert graph.number_of_edges() == len(HR_CHAIN["edges"])
    elif name == "gexf":
        assert ElementTree.fromstring(data).tag.endswith("gexf")
    elif name == "csv":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "nodes.csv" in names and "edges.csv" in names
    elif name == "dot":
        assert "acme-compute" in data.decode() and "->" in data.decode()
    elif name in ("html", "audit-html"):
        assert data.lstrip().lower().startswith(b"<!doctype html")
    else:
        assert b"hr-saas" in data or b"HR SaaS" in data


@pytest.mark.parametrize("name", WRITABLE)
def test_every_format_exports_and_parses(client, workspace, name):
    params = {"format": name}
    if FORMATS[name].needs_node:
        params["node"] = "hr-saas"
    response = client.get(f"{WS}/export", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FORMATS[name].media_type)
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and FORMATS[name].extensions[0] in disposition
    parses(name, response.content)


@pytest.mark.parametrize("name", ["json", "yaml", "graphml", "csv"])
def test_lossless_exports_are_re_importable(client, workspace, name):
    data = client.get(f"{WS}/export", params={"format": name}).content
    assert client.post("/api/v1/workspaces", json={"id": "copy", "name": "copy"}).status_code == 201
    response = client.post(
        "/api/v1/workspaces/copy/import",
        params={"format": name, "rename": "true"},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 200, response.text
    exported = client.get("/api/v1/workspaces/copy/export", params={"format": "json"}).json()
    assert same_chain(exported)


def test_import_by_content_type(client, workspace):
    graphml = client.get(f"{WS}/export", params={"format": "graphml"}).content
    bundle = client.get(f"{WS}/export", params={"format": "csv"}).content
    for data, media in ((graphml, "application/graphml+xml"), (bundle, "application/zip")):
        response = client.post(f"{WS}/import", content=data, headers={"content-type": media})
        assert response.status_code == 200, response.text
        assert response.json()["nodes"] == 5


def test_export_of_a_snapshot(client, workspace):
    snap = client.post(f"{WS}/snapshots").json()["id"]
    client.delete(f"{WS}/nodes/mon-saas")
    response = client.get(f"{WS}/export", params={"format": "json", "snapshot": snap[:8]})
    assert response.status_code == 200
    assert same_chain(response.json())
    assert snap[:12] in response.headers["content-disposition"]
    live = client.get(f"{WS}/export", params={"format": "json"}).json()
    assert len(live["nodes"]) == 4


def test_bad_export_requests(client, workspace):
    error = error_of(client.get(f"{WS}/export", params={"format": "pdf"}), 422)
    assert error["code"] == "unknown_format" and "graphml" in error["message"] and "oscal" in error["message"]
    assert "import-only" not in error["message"]
    assert error_of(client.get(f"{WS}/export", params={"format": "caiq"}), 422)["code"] == "unknown_format"
    assert "node=" in error_of(client.get(f"{WS}/export", params={"format": "audit-md"}), 422)["message"]
    assert error_of(client.get(f"{WS}/export", params={"format": "audit-md", "node": "nope"}), 404)
    assert error_of(client.get(f"{WS}/export", params={"format": "dot", "node": "hr-saas"}), 422)
    assert error_of(client.get(f"{WS}/export", params={"snapshot": "0" * 64}), 404)
    assert error_of(client.get("/api/v1/workspaces/nope/export"), 404)
    one = client.get(f"{WS}/export", params={"format": "oscal", "node": "hr-saas"})
    assert one.status_code == 200 and "hr-saas" in one.headers["content-disposition"]
    assert one.headers["content-type"] == "application/zip"
    plans = [n for n in zipfile.ZipFile(io.BytesIO(one.content)).namelist() if n.startswith("system-security-plans/")]
    assert plans == ["system-security-plans/hr-saas/system-security-plan.json"]
    plan = client.get(f"{WS}/export", params={"format": "oscal-ssp", "node": "hr-saas"})
    assert (
        plan.headers["content-type"] == "application/json" and "hr-saas.ssp.json" in plan.headers["content-disposition"]
    )
    assert "node=" in error_of(client.get(f"{WS}/export", params={"format": "oscal-ssp"}), 422)["message"]


def test_bad_imports_are_4xx_and_change_nothing(client, workspace):
    revision = client.get(WS).json()["revision"]
    error = error_of(client.post(f"{WS}/import", params={"format": "gexf"}, content=b"<gexf/>"), 422)
    assert "json" in error["message"] and "graphml" in error["message"]
    assert (
        "nodes/{node}/caiq"
        in error_of(client.post(f"{WS}/import", params={"format": "caiq"}, content=b"a"), 422)["message"]
    )
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><graphml><graph/></graphml>'
    assert error_of(client.post(f"{WS}/import", params={"format": "graphml"}, content=dtd), 422)
    assert error_of(client.post(f"{WS}/import", content=b"not a zip", headers={"content-type": "application/zip"}), 422)
    graphml = client.get(f"{WS}/export", params={"format": "graphml"}).content
    assert b'target="customer"' in graphml
    dangling = graphml.replace(b'target="customer"', b'target="ghost"')
    error = error_of(client.post(f"{WS}/import", params={"format": "graphml"}, content=dangling), 422)
    assert "ghost" in messages(error)
    assert client.get(WS).json()["revision"] == revision


CAIQ = """Control ID,SSRM Control Ownership,CSP CAIQ Answer,CSP Implementation Description
10.5.1,CSP-owned,Yes,Daily snapshots kept 35 days
9.1.1,CSC-owned,NA,Customers run their own premises
"""


def test_caiq_sets_a_providers_declarations(client, workspace):
    response = client.post(f"{WS}/nodes/acme-compute/caiq", content=CAIQ, headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "workspace": "hr", "node": "acme-compute", "revision": 2, "declarations": 2, "added": 0, "updated": 2,
        "questions": 2, "unmapped": [], "unanswered": [],
    }  # fmt: skip
    declarations = {d["control"]: d for d in client.get(f"{WS}/nodes/acme-compute/declarations").json()["items"]}
    assert declarations["10.5.1"]["status"] == "declared" and declarations["10.5.1"]["assigns"] is None
    assert declarations["10.5.1"]["notes"] == "Daily snapshots kept 35 days"
    assert declarations["9.1.1"]["status"] == "not_applicable" and declarations["9.1.1"]["assigns"] == "customer"
    assert declarations["9.1.1"]["evidence"][0]["ref"] == "ISO/IEC 27001 #1"  # evidence kept
    assert declarations["12.6.1"]["status"] == "verified"  # unanswered controls untouched


def test_a_csa_caiq_workbook_is_accepted_and_what_did_not_land_is_listed(client, workspace):
    from obligraph.graph.formats import read_caiq
    from tests.graph.formats.test_caiq import workbook

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = client.post(f"{WS}/nodes/acme-compute/caiq", content=workbook(), headers={"content-type": xlsx})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [u["control"] for u in body["unmapped"]] == ["DSP-07"] and body["unanswered"][0]["question"] == "IAM-02.1"
    declarations = {d["control"]: d for d in client.get(f"{WS}/nodes/acme-compute/declarations").json()["items"]}
    assert declarations["10.10.6"]["status"] == "not_implemented" and "LOG-06.2" in declarations["10.10.6"]["notes"]
    assert body["declarations"] == len(read_caiq(workbook(), node_id="acme-compute")) == body["added"] + body["updated"]


def test_bad_caiq_points_at_the_row(client, workspace):
    bad = "Control ID,SSRM Control Ownership,Answer\n10.5.1,CSP-owned,Yes\n6.1.3,Both,Maybe\n"
    error = error_of(client.post(f"{WS}/nodes/acme-compute/caiq", content=bad), 422)
    assert "row 3" in messages(error)
    assert error_of(client.post(f"{WS}/nodes/ghost/caiq", content=CAIQ), 404)
    assert error_of(client.post("/api/v1/workspaces/nope/nodes/acme-compute/caiq", content=CAIQ), 404)
    assert error_of(client.post(f"{WS}/nodes/acme-compute/caiq", content=b"\xff\xfe\x00"), 422)
    assert client.get(WS).json()["revision"] == 1
