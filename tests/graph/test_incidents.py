"""Every library incident, applied to a provider of its kind in the enterprise example, opens gaps downstream."""

from __future__ import annotations

import pytest

from obligraph.graph.analysis.result import analyze
from obligraph.graph.analysis.whatif import impact
from obligraph.graph.catalog import load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.incidents import get_incident, incidents_path, load_incidents
from obligraph.graph.lattice import Layer

AS_OF = "2026-06-01"
INCIDENT_IDS = [
    "storage-shutdown",
    "dns-ddos",
    "hosting-data-loss",
    "unintended-sharing",
    "mobile-data-loss",
    "server-seizure",
    "paas-outage",
]


@pytest.fixture(scope="module")
def enterprise():
    chain = Chain.load(incidents_path().parent / "examples" / "enterprise.yaml")
    # Every catalog control, named explicitly, so the test does not depend on the default control set.
    before = analyze(chain, controls=load_catalog(chain.catalog.id).ids, as_of=AS_OF)
    return chain, before


def test_the_library_holds_the_seven_incidents_with_what_happened():
    incidents = load_incidents()
    assert [i.id for i in incidents] == INCIDENT_IDS
    for incident in incidents:
        assert incident.title.strip() and incident.description.strip() and incident.mapping_note.strip()
        assert 2008 <= incident.year <= 2010


@pytest.mark.parametrize("incident_id", INCIDENT_IDS)
def test_incident_opens_gaps_at_consumers_of_a_matching_provider(enterprise, incident_id):
    chain, before = enterprise
    incident = get_incident(incident_id)
    providers = [n for n in chain.graph if chain.layer(n) is incident.provider_kind and chain.graph.out_degree(n)]
    assert providers, f"the enterprise example has no {incident.provider_kind.value} provider with consumers"
    reached_consumers = []
    for provider in providers:
        diff = impact(chain, provider=provider, incident=incident_id, before=before)
        downstream = {g["node"] for g in diff["opened"]} - {provider}
        if downstream:
            reached_consumers.append(provider)
            # the opened gaps are on the incident's own controls, never on unrelated ones
            assert {g["control"] for g in diff["opened"]} <= set(incident.degraded_controls()[0])
    assert reached_consumers, f"'{incident_id}' opens no gap below any {incident.provider_kind.value} provider"


def test_outages_reach_consumers_through_controls_they_rely_on():
    catalog = load_catalog("meti-2011")
    for incident_id, added in (("storage-shutdown", {"14.1.3", "10.5.1"}), ("paas-outage", {"14.1.3"})):
        incident = get_incident(incident_id)
        assert added <= set(incident.controls)
        layer = incident.provider_kind
        assert any(catalog[c].responsibility[layer].delegates for c in incident.controls)


def test_the_overview_tables_own_controls_are_kept():
    table = {
        "storage-shutdown": {"14.1.1"},
        "dns-ddos": {"13.2.1", "13.2.2"},
        "hosting-data-loss": {"12.6.1", "13.2.1", "13.2.2"},
        "unintended-sharing": {"10.5.1"},
        "mobile-data-loss": {"10.5.1"},
        "paas-outage": {"9.1.4"},
    }
    for incident_id, controls in table.items():
        assert controls <= set(get_incident(incident_id).controls), incident_id


def test_applying_an_incident_to_another_layer_warns():
    incident = get_incident("storage-shutdown")
    assert incident.layer_warning(Layer.SAAS) is None
    assert "saas provider" in incident.layer_warning("iaas")
    assert incident.describe()["year"] == 2008 and "Digital Railroad" in incident.describe()["description"]


def test_every_incident_drops_a_control_its_consumers_rely_on():
    catalog = load_catalog("meti-2011")
    for incident in load_incidents():
        dropped, _ = incident.degraded_controls()
        assert any(catalog[c].responsibility[incident.provider_kind].delegates for c in dropped), incident.id
