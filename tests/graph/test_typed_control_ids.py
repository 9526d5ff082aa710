"""Typed control ids (27002:2013/..., 27002:2022/..., ccm:...) in chain documents and chain edits."""

from __future__ import annotations

import json

import pytest

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError


def doc(declarations=(), responsibility=None, controls=None) -> dict:
    document = {
        "format": "obligraph/chain@1",
        "name": "t",
        "nodes": [
            {"id": "acme", "layer": "iaas", "declarations": list(declarations)},
            {"id": "hr-saas", "layer": "saas"},
        ],
        "edges": [
            {
                "provider": "acme",
                "consumer": "hr-saas",
                **({"responsibility": responsibility} if responsibility else {}),
            }
        ],
    }
    if controls is not None:
        document["controls"] = controls
    return document


def problem(document) -> str:
    """The message ``from_dict`` gives, which ``from_json`` must give for the same document as JSON."""
    with pytest.raises(ChainError) as as_json:
        Chain.from_json(json.dumps(document))
    with pytest.raises(ChainError) as info:
        Chain.from_dict(document)
    assert str(as_json.value) == str(info.value)
    return str(info.value)


def test_a_2013_declaration_lands_on_its_2005_control():
    chain = Chain.from_dict(doc([{"control": "27002:2013/A.12.3.1", "status": "declared"}]))
    assert list(chain.declarations("acme")) == ["10.5.1"]
    assert chain.to_dict()["nodes"][0]["declarations"] == [{"control": "10.5.1", "status": "declared"}]


def test_a_typed_id_with_several_controls_declares_each():
    evidence = [{"kind": "certification", "ref": "ISO/IEC 27001 cert 1", "issued": "2025-01-01"}]
    chain = Chain.from_dict(doc([{"control": "27002:2022/5.15", "status": "verified", "evidence": evidence}]))
    declared = chain.declarations("acme")
    assert list(declared) == ["11.1.1", "11.4.1"]
    assert all(d.status.value == "verified" and len(d.evidence) == 1 for d in declared.values())


def test_the_analysis_sees_the_mapped_declaration():
    declared = Chain.from_dict(doc([{"control": "ccm:BCR-08", "status": "declared"}], controls=["27002:2022/8.13"]))
    silent = Chain.from_dict(doc(controls=["27002:2022/8.13"]))
    assert analyze(declared).controls == ["10.5.1"]
    assert [gap.node for gap in analyze(silent).gaps()] == ["acme", "hr-saas"]
    assert [gap.node for gap in analyze(declared).gaps()] == ["hr-saas"]  # its own (shared) part remains


def test_typed_overrides_and_controls_become_catalog_ids():
    chain = Chain.from_dict(doc(responsibility={"27002:2013/A.12.3.1": "customer"}, controls=["27002:2022/5.1"]))
    assert chain.responsibility("acme", "hr-saas", "10.5.1").value == "customer"
    assert chain.controls == ["5.1.1", "5.1.2"]


def test_a_typed_id_repeating_a_plain_declaration_names_both_places():
    text = problem(
        doc([{"control": "10.5.1", "status": "declared"}, {"control": "27002:2013/A.12.3.1", "status": "partial"}])
    )
    assert text == (
        "nodes[0].declarations[1].control: '27002:2013/A.12.3.1' maps to '10.5.1', which is already declared at"
        " declarations[0]; keep one declaration per control"
    )


def test_an_unresolvable_typed_id_is_reported_at_its_place():
    text = problem(doc([{"control": "27002:2022/8.11", "status": "declared"}]))
    assert text.startswith("nodes[0].declarations[0].control: '27002:2022/8.11' (Data masking) has no counterpart")


def test_conflicting_overrides_through_a_typed_id_are_refused():
    text = problem(doc(responsibility={"11.1.1": "shared", "27002:2022/5.15": "customer"}))
    assert "edges[0].responsibility.27002:2022/5.15: '27002:2022/5.15' sets '11.1.1' to customer" in text


def test_annex_a_id_in_a_document_gets_no_wrong_near_miss():
    text = problem(doc([{"control": "A.5.1", "status": "declared"}]))
    assert "12.5.1" not in text and "'27002:2022/5.1'" in text


def test_typed_controls_in_a_document_list_are_checked():
    assert "controls[1]: '27002:2022/5.99' is not a control of ISO/IEC 27002:2022" in problem(
        doc(controls=["10.5.1", "27002:2022/5.99"])
    )


def test_declare_and_undeclare_accept_typed_ids():
    chain = Chain.from_dict(doc())
    chain.declare("acme", {"control": "27002:2022/5.15", "status": "partial"})
    assert sorted(chain.declarations("acme")) == ["11.1.1", "11.4.1"]
    chain.undeclare("acme", "27002:2022/5.15")
    assert chain.declarations("acme") == {}
    with pytest.raises(ChainError, match="declaration.control: '27002:2022/8.11'"):
        chain.declare("acme", {"control": "27002:2022/8.11", "status": "partial"})


def test_analysed_controls_accept_typed_ids():
    chain = Chain.from_dict(doc())
    assert chain.analysed_controls(["27002:2013/A.9.4.2", "11.5.1"]) == ["11.5.1", "11.5.5", "11.5.6"]
    with pytest.raises(ChainError, match=r"controls: 'A\.5\.1' is not a control of catalog 'meti-2011'; in ISO"):
        chain.analysed_controls(["A.5.1"])


def test_what_if_takes_typed_ids():
    from obligraph.graph.analysis.whatif import what_if

    chain = Chain.from_dict(doc([{"control": "10.5.1", "status": "declared"}], controls=["10.5.1"]))
    change = {"op": "set_status", "node": "acme", "status": "partial", "controls": ["27002:2022/8.13"]}
    diff = what_if(chain, [change], as_of="2026-01-01")
    assert ("acme", "10.5.1") in {(g["node"], g["control"]) for g in diff["opened"]}
    with pytest.raises(ChainError, match="Data masking"):
        what_if(chain, [{**change, "controls": ["27002:2022/8.11"]}], as_of="2026-01-01")
