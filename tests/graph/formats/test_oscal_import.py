"""OSCAL import: plans and component definitions become nodes, declarations and edges.

The provider/consumer pair is built after NIST's published leveraged-authorization examples
(oscal-content ``examples/ssp/json/oscal_leveraged-example_ssp.json`` and
``oscal_leveraging-example_ssp.json``): an IaaS plan whose this-system and application components
export ``provided`` and ``responsibilities``, and a SaaS plan that leverages it (a leveraged
authorization, a ``leveraged-system`` component with ``leveraged-authorization-uuid`` and
``inherited-uuid``, by-components inside statements with ``inherited`` and ``satisfied``). The
controls are ISO/IEC 27002:2013 Annex A ids instead of SP 800-53 ones, so that they map to the
catalog; both plans are valid against NIST's schema before they are imported.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from obligraph.graph.analysis import analyze
from obligraph.graph.catalog import load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.crosswalk import resolve_control_id
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import export_chain, import_document
from tests.graph.formats.oscal_validation import schema_errors
from tests.strategies import AS_OF

IAAS_THIS = "11111111-0000-4000-9001-000000000001"
IAAS_APP = "11111111-0000-4000-9001-000000000002"
PROVIDED_BACKUP = "11111111-0000-4000-9009-002001002001"
RESPONSIBILITY_BACKUP = "11111111-0000-4000-9009-002001002002"
RESPONSIBILITY_ACCOUNTS = "11111111-0000-4000-9009-002001001001"
LEVERAGED = "22222222-0000-4000-9000-300000000001"


METI = load_catalog("meti-2011")


def ids(annex_a: str) -> tuple[str, ...]:
    return resolve_control_id(f"27002:2013/{annex_a}", METI)


def _metadata(title: str) -> dict:
    return {
        "title": title,
        "last-modified": "2021-06-08T13:57:35.4515-04:00",
        "version": "0.1",
        "oscal-version": "1.2.3",
        "roles": [{"id": "admin", "title": "Administrator"}],
        "parties": [
            {"uuid": "11111111-0000-4000-9000-100000000001", "type": "organization", "name": "CSP IaaS Inc."},
            {"uuid": "22222222-0000-4000-9000-100000000002", "type": "person", "name": "Leveraged Authorization POC"},
        ],
    }


def _characteristics(name: str, description: str) -> dict:
    level = {"base": "fips-199-moderate", "selected": "fips-199-low"}
    return {
        "system-ids": [{"id": name.lower().replace(" ", "_")}],
        "system-name": name,
        "description": description,
        "security-sensitivity-level": "low",
        "system-information": {
            "information-types": [
                {
                    "title": "System and Network Monitoring",
                    "description": "This system handles information pertaining to audit events.",
                    "confidentiality-impact": level,
                    "integrity-impact": level,
                    "availability-impact": level,
                }
            ]
        },
        "security-impact-level": {
            "security-objective-confidentiality": "fips-199-low",
            "security-objective-integrity": "fips-199-low",
            "security-objective-availability": "fips-199-low",
        },
        "status": {"state": "operational"},
        "authorization-boundary": {"description": "The virtualized components deployed on the CSP IaaS."},
    }


def _component(uuid: str, kind: str, title: str, **props: str) -> dict:
    component = {"uuid": uuid, "type": kind, "title": title, "description": title, "status": {"state": "operational"}}
    if props:
        component["props"] = [{"name": k.replace("_", "-"), "value": v} for k, v in props.items()]
    return component


def leveraged_iaas() -> dict:
    """NIST's leveraged IaaS, its ac-2 response moved to A.9.2.1 and a backup control A.12.3.1 added."""
    return {
        "system-security-plan": {
            "uuid": "11111111-0000-4000-9000-000000000001",
            "metadata": _metadata("CSP IaaS System Security Plan"),
            "import-profile": {"href": "profiles/iso27002-2013/profile.json"},
            "system-characteristics": _characteristics("CSP IaaS", "An IaaS that SaaS providers leverage."),
            "system-implementation": {
                "users": [{"uuid": "11111111-0000-4000-9000-200000000001", "role-ids": ["admin"]}],
                "components": [
                    _component(IAAS_THIS, "this-system", "This System", implementation_point="system"),
                    _component(IAAS_APP, "software", "Application", implementation_point="internal"),
                ],
            },
            "control-implementation": {
                "description": "This is a collection of control responses.",
                "implemented-requirements": [
                    {
                        "uuid": "11111111-0000-4000-9009-002000000000",
                        "control-id": "a.9.2.1",
                        "statements": [
                            {
                                "statement-id": "a.9.2.1_smt",
                                "uuid": "11111111-0000-4000-9009-002001000000",
                                "by-components": [
                                    {
                                        "component-uuid": IAAS_THIS,
                                        "uuid": "11111111-0000-4000-9009-002001001000",
                                        "description": "Accounts of the IaaS console are the customer's to manage.",
                                        "implementation-status": {"state": "implemented"},
                                        "export": {
                                            "responsibilities": [
                                                {
                                                    "uuid": RESPONSIBILITY_ACCOUNTS,
                                                    "description": "Register and deregister your own users.",
                                                }
                                            ]
                                        },
                                    }
                                ],
                            }
                        ],
                    },
                    {
                        "uuid": "11111111-0000-4000-9009-003000000000",
                        "control-id": "a.12.3.1",
                        "by-components": [
                            {
                                "component-uuid": IAAS_APP,
                                "uuid": "11111111-0000-4000-9009-002001002000",
                                "description": "Snapshots of every volume, kept 35 days.",
                                "implementation-status": {"state": "partial"},
                                "export": {
                                    "provided": [{"uuid": PROVIDED_BACKUP, "description": "Volume snapshots."}],
                                    "responsibilities": [
                                        {
                                            "uuid": RESPONSIBILITY_BACKUP,
                                            "provided-uuid": PROVIDED_BACKUP,
                                            "description": "Schedule the snapshots of your volumes.",
                                        }
                                    ],
                                },
                            }
                        ],
                    },
                ],
            },
        }
    }


def leveraging_saas() -> dict:
    """NIST's leveraging SaaS: it inherits the backup and satisfies the account responsibility."""
    return {
        "system-security-plan": {
            "uuid": "bb9219b1-e51c-4680-abb0-616a43bbfbb1",
            "metadata": _metadata("Leveraging SaaS System Security Plan"),
            "import-profile": {"href": "profiles/iso27002-2013/profile.json"},
            "system-characteristics": _characteristics("Leveraging SaaS System", "A SaaS running on the CSP IaaS."),
            "system-implementation": {
                "leveraged-authorizations": [
                    {
                        "uuid": LEVERAGED,
                        "title": "CSP IaaS [Leveraged System]",
                        "party-uuid": "11111111-0000-4000-9000-100000000001",
                        "date-authorized": "2018-01-01",
                    }
                ],
                "users": [{"uuid": "22222222-0000-4000-9000-200000000001", "role-ids": ["admin"]}],
                "components": [
                    _component("22222222-0000-4000-9001-000000000001", "this-system", "THIS SYSTEM (SaaS)"),
                    _component(
                        "22222222-0000-4000-9001-000000000002",
                        "leveraged-system",
                        "LEVERAGED SYSTEM (IaaS)",
                        implementation_point="external",
                        leveraged_authorization_uuid=LEVERAGED,
                        inherited_uuid=IAAS_THIS,
                    ),
                    _component(
                        "22222222-0000-4000-9001-000000000004",
                        "software",
                        "Leveraged Application",
                        implementation_point="external",
                        leveraged_authorization_uuid=LEVERAGED,
                        inherited_uuid=IAAS_APP,
                    ),
                ],
            },
            "control-implementation": {
                "description": "This is a collection of control responses.",
                "implemented-requirements": [
                    {
                        "uuid": "22222222-0000-4000-9009-002000000000",
                        "control-id": "a.9.2.1",
                        "statements": [
                            {
                                "statement-id": "a.9.2.1_smt",
                                "uuid": "22222222-0000-4000-9009-002001000000",
                                "by-components": [
                                    {
                                        "component-uuid": "22222222-0000-4000-9001-000000000001",
                                        "uuid": "22222222-0000-4000-9009-002001001000",
                                        "description": "Our identity service registers every user.",
                                        "implementation-status": {"state": "implemented"},
                                    },
                                    {
                                        "component-uuid": "22222222-0000-4000-9001-000000000002",
                                        "uuid": "22222222-0000-4000-9009-002001002000",
                                        "description": "We register the IaaS console users ourselves.",
                                        "satisfied": [
                                            {
                                                "uuid": "22222222-0000-4000-9009-002001002001",
                                                "responsibility-uuid": RESPONSIBILITY_ACCOUNTS,
                                                "description": "Joiners and leavers go through our identity service.",
                                            }
                                        ],
                                    },
                                ],
                            }
                        ],
                    },
                    {
                        "uuid": "22222222-0000-4000-9009-003000000000",
                        "control-id": "a.12.3.1",
                        "by-components": [
                            {
                                "component-uuid": "22222222-0000-4000-9001-000000000004",
                                "uuid": "22222222-0000-4000-9009-003001003000",
                                "description": "Volume snapshots come from the IaaS; we schedule them.",
                                "inherited": [
                                    {
                                        "uuid": "22222222-0000-4000-9009-003001002002",
                                        "provided-uuid": PROVIDED_BACKUP,
                                        "description": "Volume snapshots.",
                                    }
                                ],
                                "satisfied": [
                                    {
                                        "uuid": "22222222-0000-4000-9009-003001002003",
                                        "responsibility-uuid": RESPONSIBILITY_BACKUP,
                                        "description": "Nightly schedule on every volume.",
                                    }
                                ],
                            }
                        ],
                    },
                ],
            },
        }
    }


def as_zip(*documents: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, document in enumerate(documents):
            archive.writestr(f"system-security-plans/plan{index}/system-security-plan.json", json.dumps(document))
    return buffer.getvalue()


def test_the_nist_style_plans_are_valid_oscal_first():
    for plan in (leveraged_iaas(), leveraging_saas()):
        assert not schema_errors(plan)


def test_a_provider_and_its_leveraging_consumer_become_a_chain():
    chain = Chain.from_dict(import_document(as_zip(leveraging_saas(), leveraged_iaas()), "oscal"))
    assert sorted(chain.graph.nodes) == ["CSP-IaaS", "Leveraging-SaaS-System"]
    assert chain.edges() == [("CSP-IaaS", "Leveraging-SaaS-System")]
    iaas = chain.declarations("CSP-IaaS")
    # a.12.3.1 is the catalog's 10.5.1 (information back-up); a.9.2.1 its 11.2.1 (user registration) and more.
    assert ids("a.12.3.1") == ("10.5.1",) and "11.2.1" in ids("a.9.2.1")
    assert set(iaas) == set(ids("a.12.3.1") + ids("a.9.2.1"))
    assert (iaas["10.5.1"].status.value, iaas["10.5.1"].assigns.value) == ("partial", "shared")
    assert {(d.status.value, d.assigns.value) for c, d in iaas.items() if c != "10.5.1"} == {("declared", "customer")}
    assert chain.graph.nodes["CSP-IaaS"]["layer"].value == "saas"  # it exports, and says no layer
    assert chain.graph.nodes["Leveraging-SaaS-System"]["layer"].value == "customer"
    assert chain.responsibility("CSP-IaaS", "Leveraging-SaaS-System", "10.5.1").value == "shared"
    assert chain.responsibility("CSP-IaaS", "Leveraging-SaaS-System", "11.2.1").value == "customer"
    assert chain.declarations("Leveraging-SaaS-System")["11.2.1"].status.value == "declared"


def test_a_consumer_plan_alone_makes_the_leveraged_system_a_provider():
    document = import_document(json.dumps(leveraging_saas()).encode(), "oscal-ssp")
    chain = Chain.from_dict(document)
    assert chain.edges() == [("CSP-IaaS-Leveraged-System", "Leveraging-SaaS-System")]
    provider = chain.graph.nodes["CSP-IaaS-Leveraged-System"]
    assert provider["layer"].value == "iaas" and provider["org"] == "CSP IaaS Inc."
    # Inherited and satisfied: shared; satisfied only: customer. Overrides only where the iaas default differs.
    split = {c: "shared" for c in ids("a.12.3.1")} | {c: "customer" for c in ids("a.9.2.1")}
    for control, responsibility in split.items():
        assert (
            chain.responsibility("CSP-IaaS-Leveraged-System", "Leveraging-SaaS-System", control).value == responsibility
        )
    differs = {c: r for c, r in split.items() if METI.default_responsibility("iaas", c).value != r}
    assert document["edges"][0].get("responsibility", {}) == differs


def test_an_obligraph_export_reads_back_to_the_same_chain(example, example_analysis):
    back = Chain.from_dict(import_document(export_chain(example, "oscal", example_analysis), "oscal"))
    assert sorted(back.edges()) == sorted(example.edges())
    for node_id in example.graph.nodes:
        attrs, again = example.graph.nodes[node_id], back.graph.nodes[node_id]
        assert (again["layer"], again["org"], again["name"]) == (attrs["layer"], attrs["org"], attrs["name"])
        expected = {c: d for c, d in example.declarations(node_id).items() if c in example_analysis.controls}
        assert back.declarations(node_id) == expected
    for u, v in example.edges():
        for control in example_analysis.controls:
            assert back.responsibility(u, v, control) == example.responsibility(u, v, control)


def test_a_component_definition_declares_its_components():
    definition = {
        "component-definition": {
            "uuid": "33333333-0000-4000-9000-000000000001",
            "metadata": _metadata("Backup service component definition"),
            "components": [
                {
                    "uuid": "33333333-0000-4000-9001-000000000001",
                    "type": "service",
                    "title": "Backup Service",
                    "description": "Managed snapshots.",
                    "props": [{"name": "layer", "ns": "urn:obligraph:oscal", "value": "paas"}],
                    "control-implementations": [
                        {
                            "uuid": "33333333-0000-4000-9002-000000000001",
                            "source": "catalogs/meti-2011/catalog.json",
                            "description": "Back-up controls.",
                            "implemented-requirements": [
                                {
                                    "uuid": "33333333-0000-4000-9003-000000000001",
                                    "control-id": "c-10.5.1",
                                    "description": "Snapshots every night.",
                                },
                                {
                                    "uuid": "33333333-0000-4000-9003-000000000002",
                                    "control-id": "a.12.4.1",
                                    "description": "Event logs of the service.",
                                    "props": [{"name": "implementation-status", "value": "partial"}],
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    }
    assert not schema_errors(definition)
    chain = Chain.from_dict(import_document(json.dumps(definition), "oscal-ssp"))
    declarations = chain.declarations("Backup-Service")
    assert chain.graph.nodes["Backup-Service"]["layer"].value == "paas"
    assert {c: d.status.value for c, d in declarations.items()} == {"10.5.1": "declared"} | {
        c: "partial" for c in ids("a.12.4.1")
    }
    assert declarations["10.5.1"].notes == "Snapshots every night."


def test_controls_the_catalog_cannot_map_are_reported_with_their_place():
    plan = leveraging_saas()
    plan["system-security-plan"]["control-implementation"]["implemented-requirements"][0]["control-id"] = "ac-2"
    with pytest.raises(ChainError) as caught:
        import_document(json.dumps(plan), "oscal-ssp")
    (issue,) = caught.value.issues
    assert "implemented-requirements[0]" in str(issue) and "'ac-2' is not a control of catalog 'meti-2011'" in str(
        issue
    )


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"{not json", "not JSON"),
        (b'{"catalog": {}}', "no system security plan or component definition"),
        (b"PK\x03\x04broken", "not a readable zip"),
        (json.dumps({"system-security-plan": {"system-implementation": {"components": []}}}).encode(), "this-system"),
        (json.dumps({"system-security-plan": {"system-implementation": ["x"]}}).encode(), "not a valid OSCAL"),
        (b"[1, 2]", "no system security plan"),
    ],
)
def test_broken_oscal_files(data, needle):
    with pytest.raises(ChainError, match=needle):
        import_document(data, "oscal")


def test_a_plain_zip_or_json_of_oscal_documents_is_read_as_oscal(example, example_analysis):
    exported = export_chain(example, "oscal", example_analysis)
    assert (
        Chain.from_dict(import_document(exported, "csv")).edges()
        == Chain.from_dict(import_document(exported, "oscal")).edges()
    )
    assert set(Chain.from_dict(import_document(json.dumps(leveraging_saas()), "json")).graph.nodes) == {
        "CSP-IaaS-Leveraged-System",
        "Leveraging-SaaS-System",
    }
    bundle = export_chain(example, "csv")
    assert sorted(Chain.from_dict(import_document(bundle, "csv")).graph.nodes) == sorted(example.graph.nodes)


def test_the_registry_reads_oscal_by_extension():
    from obligraph.graph.formats import format_for_path

    assert format_for_path("plan.ssp.json").can_read and format_for_path("set.oscal.zip").can_read
    assert format_for_path("service.cdef.json").name == "oscal-ssp"


def test_an_imported_chain_analyses():
    chain = Chain.from_dict(import_document(as_zip(leveraged_iaas(), leveraging_saas()), "oscal"))
    result = analyze(chain, as_of=AS_OF, controls=["10.5.1", "11.2.1"])
    assert result.effective_status("Leveraging-SaaS-System", "10.5.1").value == "unknown"  # its own part is undeclared
