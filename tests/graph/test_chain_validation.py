"""Every class of bad chain input gets one clear message naming the place and the fix."""

from __future__ import annotations

import json

import pytest

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError


def doc(**changes) -> dict:
    base = {
        "format": "obligraph/chain@1",
        "name": "t",
        "nodes": [
            {"id": "acme", "layer": "iaas", "declarations": [{"control": "9.1.1", "status": "declared"}]},
            {"id": "hr-saas", "layer": "saas"},
        ],
        "edges": [{"provider": "acme", "consumer": "hr-saas"}],
    }
    base.update(changes)
    return base


def message(document) -> str:
    """The message ``from_dict`` gives, which ``from_json`` must give for the same document as JSON."""
    with pytest.raises(ChainError) as as_json:
        Chain.from_json(json.dumps(document))
    with pytest.raises(ChainError) as info:
        Chain.from_dict(document)
    assert str(as_json.value) == str(info.value)
    return str(info.value)


def test_bad_status_names_place_and_allowed_values():
    d = doc()
    d["nodes"][0]["declarations"][0]["status"] = "verifed"
    assert message(d) == (
        "nodes[0].declarations[0].status: 'verifed' is not a status (expected one of not_implemented, "
        "unknown, partial, declared, verified, not_applicable)"
    )


def test_unknown_control_suggests_the_close_one():
    d = doc()
    d["nodes"][0]["declarations"][0]["control"] = "9.1.11"
    assert (
        message(d)
        == "nodes[0].declarations[0].control: '9.1.11' is not a control of catalog 'meti-2011'; did you mean '9.1.1'?"
    )


def test_unknown_control_in_edge_override_and_controls_list():
    d = doc(controls=["99.1"])
    d["edges"][0]["responsibility"] = {"1.2.3": "shared"}
    text = message(d)
    assert "edges[0].responsibility.1.2.3: '1.2.3' is not a control" in text
    assert "controls[0]: '99.1' is not a control" in text


def test_duplicate_node_id():
    d = doc()
    d["nodes"].append({"id": "acme", "layer": "paas"})
    assert message(d) == "nodes[2].id: 'acme' is already the id of nodes[0]; node ids must be unique"


def test_edge_to_unknown_node():
    d = doc(edges=[{"provider": "acme", "consumer": "hr-sass"}])
    assert message(d) == "edges[0].consumer: 'hr-sass' is not a node id in this chain; did you mean 'hr-saas'?"


def test_self_loop():
    d = doc(edges=[{"provider": "acme", "consumer": "acme"}])
    assert message(d) == "edges[0]: provider and consumer are both 'acme'; a node cannot be its own provider"


def test_duplicate_edge():
    d = doc(edges=[{"provider": "acme", "consumer": "hr-saas"}, {"provider": "acme", "consumer": "hr-saas"}])
    assert message(d) == "edges[1]: acme -> hr-saas repeats edges[0]; merge them into one edge"


def test_bad_date():
    d = doc()
    d["nodes"][0]["declarations"][0]["evidence"] = [{"kind": "certification", "ref": "x", "expires": "2025-13-01"}]
    assert message(d) == (
        "nodes[0].declarations[0].evidence[0].expires: '2025-13-01' is not a valid date (expected YYYY-MM-DD, e.g. 2026-03-31)"
    )


def test_expiry_before_issue():
    d = doc()
    d["nodes"][0]["declarations"][0]["evidence"] = [
        {"kind": "certification", "ref": "x", "issued": "2025-01-01", "expires": "2024-01-01"}
    ]
    assert "expires (2024-01-01) is before issued (2025-01-01)" in message(d)


def test_bad_layer():
    d = doc()
    d["nodes"][1]["layer"] = "sass"
    assert message(d) == "nodes[1].layer: 'sass' is not a layer (expected one of infra, iaas, paas, saas, customer)"


def test_unknown_format():
    assert message(doc(format="obligraph/chain@2")) == (
        "format: 'obligraph/chain@2' is not a format (expected one of obligraph/chain@1)"
    )


def test_missing_field_and_typo_field():
    d = doc()
    del d["nodes"][1]["layer"]
    d["nodes"][0]["lable"] = "x"
    text = message(d)
    assert "nodes[1].layer: 'layer' is required here; add it" in text
    assert (
        "nodes[0].lable: unknown field 'lable'; did you mean 'name'?" in text
        or "nodes[0].lable: unknown field 'lable'" in text
    )


def test_bad_node_id():
    d = doc()
    d["nodes"][1]["id"] = "hr saas"
    d["edges"] = []
    assert message(d).startswith("nodes[1].id: 'hr saas' is not a valid id")


def test_unknown_catalog():
    assert message(doc(catalog="nist-800-53")).startswith("catalog: unknown catalog 'nist-800-53' (known: ")


def test_not_a_mapping():
    assert "a chain document is a mapping" in message(["not", "a", "mapping"])


def test_several_problems_are_all_listed():
    d = doc(edges=[{"provider": "x", "consumer": "acme"}, {"provider": "acme", "consumer": "acme"}])
    error = pytest.raises(ChainError, Chain.from_dict, d).value
    assert len(error.issues) == 2 and str(error).startswith("2 problems:")


def test_file_errors(tmp_path):
    with pytest.raises(ChainError, match="no such file"):
        Chain.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ')
    with pytest.raises(ChainError, match=r"bad.json: line 1, column 12: invalid JSON"):
        Chain.load(bad)
    yaml_file = tmp_path / "bad.yaml"
    yaml_file.write_text("nodes: [\n")
    with pytest.raises(ChainError, match="invalid YAML"):
        Chain.load(yaml_file)
    with pytest.raises(ChainError, match="use a .json, .yaml or .yml file"):
        Chain.load(tmp_path / "chain.txt")


def test_json_and_yaml_load_the_same(tmp_path):
    chain = Chain.from_dict(doc())
    chain.dump(tmp_path / "c.json")
    chain.dump(tmp_path / "c.yaml")
    assert Chain.load(tmp_path / "c.json").to_dict() == Chain.load(tmp_path / "c.yaml").to_dict() == chain.to_dict()
    json.loads((tmp_path / "c.json").read_text())


def test_editing_validates_and_invalidates_the_cache():
    chain = Chain.from_dict(doc())
    before = chain.compiled()
    chain.declare("hr-saas", {"control": "10.5.1", "status": "partial"})
    assert chain.compiled() is not before
    with pytest.raises(ChainError, match="'nope' is not a control"):
        chain.declare("hr-saas", {"control": "nope", "status": "partial"})
    with pytest.raises(ChainError, match="already exists"):
        chain.add_edge({"provider": "acme", "consumer": "hr-saas"})
    chain.remove_node("acme")
    assert chain.edges() == []


def test_yaml_dump_keeps_unicode_line_separators(tmp_path):
    d = doc(description="first\x85second\u2028third\u2029end")
    chain = Chain.from_dict(d)
    chain.dump(tmp_path / "c.yaml")
    assert Chain.load(tmp_path / "c.yaml").description == d["description"]


def test_declarations_and_evidence_get_the_model_messages():
    """Declaration and Evidence are pydantic dataclasses, not models: their errors read the same."""
    d = doc()
    d["nodes"][0]["declarations"] = [
        {"control": "9.1.1", "status": "verified", "evidense": []},
        {
            "control": "10.5.1",
            "status": "verified",
            "evidence": [{"kind": "certification", "ref": "x", "expirs": "2030-01-01"}],
        },
        {"control": "10.6.1", "status": "verified", "evidence": [{"kind": "certification"}, "ISO 27001"]},
        "9.2.1",
    ]
    lines = message(d).splitlines()[1:]
    assert [line.strip() for line in lines] == [
        "nodes[0].declarations[0].evidense: unknown field 'evidense'; did you mean 'evidence'?",
        "nodes[0].declarations[1].evidence[0].expirs: unknown field 'expirs'; did you mean 'expires'?",
        "nodes[0].declarations[2].evidence[0].ref: 'ref' is required here; add it",
        "nodes[0].declarations[2].evidence[1]: input should be a dictionary or an instance of Evidence (got 'ISO 27001')",
        "nodes[0].declarations[3]: input should be a dictionary or an instance of Declaration (got '9.2.1')",
    ]
