"""OSCAL export: a set of documents NIST's 1.2.3 schemas accept and trestle imports and validates.

Each file of the set is one OSCAL document, valid against the vendored release schema of the
version it claims; trestle imports the catalog, the profile and every SSP into a fresh workspace
and ``trestle validate -a`` passes (it resolves each SSP's profile and the profile's catalog).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from trestle.oscal import catalog as trestle_catalog
from trestle.oscal import profile as trestle_profile
from trestle.oscal import ssp as trestle_ssp

from obligraph.graph.analysis import analyze
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import export_chain, format_for_path
from obligraph.graph.formats.oscal_common import OSCAL_VERSION
from tests.graph.formats.oscal_validation import RELEASE_SHA256, SCHEMAS, schema_errors, sha256
from tests.helpers import chain as make_chain
from tests.helpers import edge, node
from tests.strategies import AS_OF

TRESTLE_MODELS = {"system-security-plan": trestle_ssp, "catalog": trestle_catalog, "profile": trestle_profile}


def unpack(data: bytes) -> dict[str, dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def plans(files: dict[str, dict]) -> dict[str, dict]:
    """Each SSP by the node id its this-system component names."""
    found = {}
    for document in files.values():
        if "system-security-plan" in document:
            plan = document["system-security-plan"]
            this = plan["system-implementation"]["components"][0]
            found[next(p["value"] for p in this["props"] if p["name"] == "node-id")] = plan
    return found


def by_components(plan):
    for requirement in plan["control-implementation"]["implemented-requirements"]:
        yield from requirement.get("by-components", [])


def props(item) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("props", [])}


@pytest.fixture(scope="module")
def example_set(example, example_analysis) -> dict[str, dict]:
    return unpack(export_chain(example, "oscal", example_analysis))


def test_the_vendored_schemas_are_nists_release_of_the_version_the_files_claim():
    for name, digest in RELEASE_SHA256.items():
        assert sha256(name) == digest, f"{name} is not the vendored release file"
        schema_id = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))["$id"]
        assert f"/oscal/{OSCAL_VERSION}/" in schema_id


def test_one_oscal_document_per_file_each_valid(example_set, example):
    assert set(example_set) == {
        "catalogs/meti-2011/catalog.json",
        "profiles/meti-2011/profile.json",
        *(f"system-security-plans/{n}/system-security-plan.json" for n in example.graph.nodes),
    }
    for name, document in example_set.items():
        (root,) = document
        assert document[root]["metadata"]["oscal-version"] == OSCAL_VERSION
        errors = schema_errors(document)
        assert not errors, (name, errors[:5])
        TRESTLE_MODELS[root].Model.model_validate(document)  # raises on any problem


def test_the_validators_notice_broken_documents(example_set):
    document = json.loads(json.dumps(example_set["system-security-plans/sakura-hr/system-security-plan.json"]))
    requirements = document["system-security-plan"]["control-implementation"]["implemented-requirements"]
    requirements[0]["control-id"] = "5.1.1"  # not a token: it starts with a digit
    del requirements[1]["uuid"]
    errors = schema_errors(document)
    rust_errors = schema_errors(document, python=False)
    assert len(rust_errors) == 2 and len(errors) == 4, errors


def test_every_reference_resolves_inside_the_set(example_set):
    catalog = example_set["catalogs/meti-2011/catalog.json"]["catalog"]
    defined = {c["id"] for clause in catalog["groups"] for objective in clause["groups"] for c in objective["controls"]}
    assert len(defined) == 133
    (selection,) = example_set["profiles/meti-2011/profile.json"]["profile"]["imports"]
    assert selection["href"] in example_set
    selected = {i for s in selection.get("include-controls", []) for i in s["with-ids"]} or defined
    assert selected <= defined
    for name, document in example_set.items():
        plan = document.get("system-security-plan")
        if plan is None:
            continue
        assert plan["import-profile"]["href"] == "profiles/meti-2011/profile.json"
        used = {r["control-id"] for r in plan["control-implementation"]["implemented-requirements"]}
        assert used <= selected, (name, sorted(used - selected)[:5])


@pytest.mark.slow  # trestle runs as a process per file
def test_trestle_imports_and_validates_the_set_unchanged(example, example_analysis, tmp_path):
    unpacked = tmp_path / "set"
    with zipfile.ZipFile(io.BytesIO(export_chain(example, "oscal", example_analysis))) as archive:
        archive.extractall(unpacked)
    workspace = tmp_path / "workspace"
    workspace.mkdir()

    def trestle(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "trestle", *args],
            check=False,
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done.stdout + done.stderr

    trestle("init")
    # Catalog and profile first: importing an SSP resolves its profile, and the profile its catalog.
    files = sorted(unpacked.rglob("*.json"), key=lambda p: ("system-security-plans" in p.parts, str(p)))
    for path in files:
        trestle("import", "-f", str(path), "-o", path.parent.name)
    report = trestle("validate", "-a")
    assert report.count("VALID: Model") == len(files) and "INVALID" not in report
    for path in files:
        imported = workspace / path.relative_to(unpacked)
        assert json.loads(imported.read_text()) == json.loads(path.read_text())


def test_inherited_and_satisfied_point_at_the_providers_own_exports(example_set):
    found = plans(example_set)
    provided = {
        p["uuid"]
        for plan in found.values()
        for b in by_components(plan)
        for p in b.get("export", {}).get("provided", [])
    }
    responsibilities = {
        r["uuid"]
        for plan in found.values()
        for b in by_components(plan)
        for r in b.get("export", {}).get("responsibilities", [])
    }
    inherited = [
        i["provided-uuid"] for plan in found.values() for b in by_components(plan) for i in b.get("inherited", [])
    ]
    satisfied = [
        s["responsibility-uuid"] for plan in found.values() for b in by_components(plan) for s in b.get("satisfied", [])
    ]
    assert inherited and satisfied
    assert set(inherited) <= provided and set(satisfied) <= responsibilities


def test_leveraged_authorizations_one_per_provider(example_set, example):
    for node_id, plan in plans(example_set).items():
        implementation = plan["system-implementation"]
        leveraged = implementation.get("leveraged-authorizations", [])
        assert sorted(props(a)["node-id"] for a in leveraged) == sorted(example.graph.predecessors(node_id))
        linked = {
            p["value"]
            for c in implementation["components"]
            for p in c.get("props", [])
            if p["name"] == "leveraged-authorization-uuid"
        }
        assert linked == {a["uuid"] for a in leveraged}


def test_verified_and_declared_stay_apart_and_evidence_is_linked():
    live = {
        "kind": "certification",
        "ref": "ISO/IEC 27001 cert 1234",
        "issued": "2025-04-01",
        "url": "https://example.org/c",
    }
    lapsed = {"kind": "audit_report", "ref": "SOC 2 report 2023", "expires": (AS_OF - timedelta(days=1)).isoformat()}
    chain = make_chain(
        [
            node(
                "iaas",
                "iaas",
                **{
                    "10.5.1": {"status": "verified", "evidence": [live]},
                    "9.1.1": {"status": "verified", "evidence": [lapsed]},
                    "6.1.3": "declared",
                },
            ),
            node("app", "saas"),
        ],
        [edge("iaas", "app")],
        ["10.5.1", "9.1.1", "6.1.3"],
    )
    plan = json.loads(export_chain(chain, "oscal-ssp", analyze(chain, as_of=AS_OF), node="iaas"))
    assert not schema_errors(plan)
    plan = plan["system-security-plan"]
    own = {
        props(r)["control"]: r["by-components"][0] for r in plan["control-implementation"]["implemented-requirements"]
    }
    state = {control: part["implementation-status"]["state"] for control, part in own.items()}
    assert state == {"10.5.1": "implemented", "9.1.1": "implemented", "6.1.3": "implemented"}
    counted = {control: (props(p)["declared-status"], props(p)["own-status"]) for control, p in own.items()}
    assert counted == {
        "10.5.1": ("verified", "verified"),
        "9.1.1": ("verified", "declared"),  # the report lapsed the day before the analysis date
        "6.1.3": ("declared", "declared"),
    }
    resources = {r["uuid"]: r for r in plan["back-matter"]["resources"]}
    evidence = {
        control: [resources[link["href"][1:]] for link in part.get("links", []) if link["rel"] == "evidence"]
        for control, part in own.items()
    }
    assert [r["title"] for r in evidence["10.5.1"]] == ["ISO/IEC 27001 cert 1234"]
    expected = {"evidence-kind": "certification", "assures": "true", "evidence-issued": "2025-04-01"}
    assert props(evidence["10.5.1"][0]).items() >= expected.items()
    assert evidence["10.5.1"][0]["rlinks"] == [{"href": "https://example.org/c"}]
    assert props(evidence["9.1.1"][0])["assures"] == "false" and evidence["6.1.3"] == []


def test_exports_are_stable_and_one_node_can_be_asked_for(example, example_analysis):
    whole = export_chain(example, "oscal", example_analysis)
    assert whole == export_chain(example, "oscal", example_analysis)
    one = unpack(export_chain(example, "oscal", example_analysis, node="sakura-hr"))
    assert sorted(one) == [
        "catalogs/meti-2011/catalog.json",
        "profiles/meti-2011/profile.json",
        "system-security-plans/sakura-hr/system-security-plan.json",
    ]
    single = json.loads(export_chain(example, "oscal-ssp", example_analysis, node="sakura-hr"))
    assert (
        single
        == one["system-security-plans/sakura-hr/system-security-plan.json"]
        == unpack(whole)["system-security-plans/sakura-hr/system-security-plan.json"]
    )
    with pytest.raises(ChainError, match="no node"):
        export_chain(example, "oscal", node="nope")
    with pytest.raises(ChainError, match="name it with node="):
        export_chain(example, "oscal-ssp")


def test_file_names_pick_the_set_or_one_plan():
    assert format_for_path("chain.oscal.zip").name == "oscal"
    assert format_for_path("hr.ssp.json").name == format_for_path("hr.oscal.json").name == "oscal-ssp"
    assert format_for_path("bundle.zip").name == "csv"


@pytest.mark.slow  # 61 plans of megabytes each
def test_every_plan_of_a_large_chain_is_valid(enterprise):
    files = unpack(export_chain(enterprise, "oscal", analyze(enterprise, as_of=AS_OF)))
    assert len(plans(files)) == len(enterprise)
    for name, document in files.items():
        errors = schema_errors(document, python=False)
        assert not errors, (name, errors[:5])
