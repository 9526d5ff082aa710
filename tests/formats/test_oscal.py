"""OSCAL SSP export: every SSP loads in compliance-trestle and validates against NIST's 1.0.4 JSON schema.

trestle (5.x) models OSCAL 1.2 but, not being strict about ``oscal-version``, loads these 1.0.4
documents; the 1.0.4 schema from ``shared/reference/oscal`` checks the version we claim. Python's
``re`` lacks ``\\p{L}``/``\\p{N}``, so the schema's one token pattern is rewritten to the equivalent
``[^\\W\\d]`` (letters) / ``\\w`` classes before validating.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError
from trestle.oscal import ssp as trestle_ssp

from obligraph.graph.analysis import analyze
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import export_chain
from obligraph.graph.formats.oscal import BUNDLE_FORMAT
from tests.strategies import AS_OF

SCHEMA_PATHS = [
    Path(__file__).resolve().parents[3] / "shared/reference/oscal/oscal_ssp_schema_1.0.4.json",
    Path("/work/shared/reference/oscal/oscal_ssp_schema_1.0.4.json"),
]
TOKEN = r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$"
TOKEN_PY = r"^(?:[^\W\d]|_)(?:\w|[.\-])*$"


@pytest.fixture(scope="module")
def validator():
    path = next((p for p in SCHEMA_PATHS if p.is_file()), None)
    if path is None:
        pytest.skip("shared/reference/oscal is not beside the project")
    schema = json.loads(path.read_text(encoding="utf-8").replace(json.dumps(TOKEN)[1:-1], json.dumps(TOKEN_PY)[1:-1]))
    assert TOKEN not in json.dumps(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def bundle(enterprise):
    return json.loads(export_chain(enterprise, "oscal", analyze(enterprise, as_of=AS_OF)))


def test_every_ssp_is_valid_oscal(bundle, validator, enterprise):
    assert bundle["format"] == BUNDLE_FORMAT and len(bundle["ssps"]) == len(enterprise)
    for document in bundle["ssps"]:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
        assert not errors, errors[:5]
        trestle_ssp.Model.model_validate(document)  # raises on any problem


def test_trestle_is_strict_enough_to_notice_a_broken_ssp(bundle):
    broken = json.loads(json.dumps(bundle["ssps"][0]))
    del broken["system-security-plan"]["control-implementation"]["implemented-requirements"][0]["control-id"]
    with pytest.raises(ValidationError):
        trestle_ssp.Model.model_validate(broken)


def _plans(bundle) -> dict[str, dict]:
    plans = {}
    for document in bundle["ssps"]:
        plan = document["system-security-plan"]
        this = plan["system-implementation"]["components"][0]
        node = next(p["value"] for p in this["props"] if p["name"] == "node-id")
        plans[node] = plan
    return plans


def _by_components(plan):
    for requirement in plan["control-implementation"]["implemented-requirements"]:
        yield from requirement.get("by-components", [])


def test_inherited_and_satisfied_point_at_the_providers_own_exports(bundle, enterprise):
    plans = _plans(bundle)
    provided = {
        p["uuid"]
        for plan in plans.values()
        for b in _by_components(plan)
        for p in b.get("export", {}).get("provided", [])
    }
    responsibilities = {
        r["uuid"]
        for plan in plans.values()
        for b in _by_components(plan)
        for r in b.get("export", {}).get("responsibilities", [])
    }
    inherited = [
        i["provided-uuid"] for plan in plans.values() for b in _by_components(plan) for i in b.get("inherited", [])
    ]
    satisfied = [
        s["responsibility-uuid"]
        for plan in plans.values()
        for b in _by_components(plan)
        for s in b.get("satisfied", [])
    ]
    assert inherited and satisfied
    assert set(inherited) <= provided and set(satisfied) <= responsibilities


def test_leveraged_authorizations_one_per_provider(bundle, enterprise):
    for node, plan in _plans(bundle).items():
        implementation = plan["system-implementation"]
        providers = list(enterprise.graph.predecessors(node))
        leveraged = implementation.get("leveraged-authorizations", [])
        assert len(leveraged) == len(providers)
        linked = {
            p["value"]
            for c in implementation["components"]
            for p in c.get("props", [])
            if p["name"] == "leveraged-authorization-uuid"
        }
        assert linked == {a["uuid"] for a in leveraged}


def test_exports_are_stable_and_one_node_can_be_asked_for(example, example_analysis, validator):
    once = export_chain(example, "oscal", example_analysis)
    assert once == export_chain(example, "oscal", example_analysis)
    single = json.loads(export_chain(example, "oscal", example_analysis, node="sakura-hr"))
    assert single == next(
        d
        for d in json.loads(once)["ssps"]
        if d["system-security-plan"]["system-characteristics"]["system-name"] == "Sakura HR Cloud"
    )
    assert not list(validator.iter_errors(single))
    with pytest.raises(ChainError, match="no node"):
        export_chain(example, "oscal", node="nope")
