"""The METI catalog holds exactly the 133 controls of ISO/IEC 27002:2005 with the guideline's facts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from obligraph.graph.catalog import available_catalogs, load_catalog
from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.incidents import load_incidents
from obligraph.graph.lattice import PROVIDER_LAYERS

# The 133 control ids, written out here on purpose: the test does not read them from the catalog.
IDS_2005 = """
5.1.1 5.1.2 6.1.1 6.1.2 6.1.3 6.1.4 6.1.5 6.1.6 6.1.7 6.1.8 6.2.1 6.2.2 6.2.3 7.1.1 7.1.2 7.1.3 7.2.1 7.2.2
8.1.1 8.1.2 8.1.3 8.2.1 8.2.2 8.2.3 8.3.1 8.3.2 8.3.3 9.1.1 9.1.2 9.1.3 9.1.4 9.1.5 9.1.6 9.2.1 9.2.2 9.2.3
9.2.4 9.2.5 9.2.6 9.2.7 10.1.1 10.1.2 10.1.3 10.1.4 10.2.1 10.2.2 10.2.3 10.3.1 10.3.2 10.4.1 10.4.2 10.5.1
10.6.1 10.6.2 10.7.1 10.7.2 10.7.3 10.7.4 10.8.1 10.8.2 10.8.3 10.8.4 10.8.5 10.9.1 10.9.2 10.9.3 10.10.1
10.10.2 10.10.3 10.10.4 10.10.5 10.10.6 11.1.1 11.2.1 11.2.2 11.2.3 11.2.4 11.3.1 11.3.2 11.3.3 11.4.1 11.4.2
11.4.3 11.4.4 11.4.5 11.4.6 11.4.7 11.5.1 11.5.2 11.5.3 11.5.4 11.5.5 11.5.6 11.6.1 11.6.2 11.7.1 11.7.2
12.1.1 12.2.1 12.2.2 12.2.3 12.2.4 12.3.1 12.3.2 12.4.1 12.4.2 12.4.3 12.5.1 12.5.2 12.5.3 12.5.4 12.5.5
12.6.1 13.1.1 13.1.2 13.2.1 13.2.2 13.2.3 14.1.1 14.1.2 14.1.3 14.1.4 14.1.5 15.1.1 15.1.2 15.1.3 15.1.4
15.1.5 15.1.6 15.2.1 15.2.2 15.3.1 15.3.2
""".split()

# Controls for which the FY2013 guideline gives no cloud guidance at all (all three flags 0).
NO_CLOUD_GUIDANCE = """
8.1.1 8.1.2 8.1.3 8.2.1 9.1.4 9.2.5 9.2.7 10.7.2 10.7.4 10.8.2 10.8.3 10.8.5 10.9.1 10.9.2 10.9.3 11.3.3 12.2.1
12.2.2 12.2.3 12.2.4 12.4.2 12.5.3 12.5.5 14.1.1 14.1.4 15.1.5 15.3.2
""".split()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog("meti-2011")


def test_ids_are_exactly_the_133(catalog):
    assert len(IDS_2005) == 133
    assert list(catalog.ids) == IDS_2005


def test_shape_11_clauses_39_objectives(catalog):
    assert len({c.clause for c in catalog}) == 11
    assert len({c.objective_id for c in catalog}) == 39


def test_guidance_counts_follow_the_guideline(catalog):
    # 85 controls with user guidance and 79 with provider items in the reference flags, plus 10.3.2,
    # whose text the extraction filed under 10.3.1.
    assert sum(1 for c in catalog if c.user_guidance) == 86
    assert sum(1 for c in catalog if c.provider_expectation) == 80
    assert catalog["10.3.2"].user_guidance and catalog["10.3.2"].provider_expectation


def test_analysed_set_is_the_controls_with_cloud_guidance(catalog):
    assert sorted(set(IDS_2005) - set(catalog.cloud_guidance_ids), key=IDS_2005.index) == NO_CLOUD_GUIDANCE
    assert len(catalog.cloud_guidance_ids) == 106
    for control in catalog:
        if control.cloud_guidance:
            assert control.user_guidance or control.provider_expectation or any(control.notes.model_dump().values())


def test_every_layer_has_a_split_and_a_rationale(catalog):
    for control in catalog:
        for layer in PROVIDER_LAYERS:
            assert control.responsibility[layer].value in ("provider", "shared", "customer")
        assert control.rationale.strip()
        assert control.title_ja


def test_service_model_notes_where_the_guideline_distinguishes_them(catalog):
    backup = catalog["10.5.1"].notes
    assert backup.iaas and backup.paas and backup.saas
    assert "residual" in catalog["12.5.4"].notes.general.lower()


def test_incidents_refer_to_existing_controls(catalog):
    incidents = load_incidents()
    assert len(incidents) == 7
    for incident in incidents:
        assert set(incident.controls) <= set(catalog.ids)
        for control in incident.controls:
            assert incident.id in catalog[control].incidents
        if incident.impact.kind == "degrade":
            assert set(incident.impact.controls) <= set(catalog.ids)


def test_second_catalog_extends_the_first():
    assert available_catalogs() == ["iso27017-cld", "meti-2011"]
    cld = load_catalog("iso27017-cld")
    meti = load_catalog("meti-2011")
    assert len(cld) == 7 and cld.document.extends_catalog == "meti-2011"
    for control in cld:
        assert control.extends and set(control.extends) <= set(meti.ids)


def test_a_chain_can_use_the_second_catalog():
    chain = Chain.from_dict(
        {
            "format": "obligraph/chain@1",
            "name": "cld",
            "catalog": "iso27017-cld",
            "nodes": [{"id": "p", "layer": "iaas"}, {"id": "c", "layer": "customer"}],
            "edges": [{"provider": "p", "consumer": "c"}],
        }
    )
    from obligraph.graph.analysis import analyze

    assert analyze(chain).gap_count > 0


def test_bad_catalog_file_names_the_place(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "format: obligraph/catalog@1\nid: mine\ntitle: Mine\nclauses: {'1': A}\ncontrols:\n"
        "  - {id: '1.1', clause: '1', objective_id: '1', objective_title: o, title: t, rationale: r,"
        " cloud_guidance: true, responsibility: {infra: provider, iaas: provider, paas: provider, saas: sometimes}}\n"
    )
    with pytest.raises(ChainError, match=r"controls\[0\]\.responsibility\.saas: 'sometimes' is not a responsibility"):
        load_catalog(str(path))


# The corrected default splits: (control, layer) -> responsibility. An `infra` node rents a facility;
# servers, disks and back-up media belong to its tenant.
CORRECTED_SPLITS = {
    **{(c, "infra"): "customer" for c in ("9.2.6", "10.7.1", "10.7.2", "10.8.3")},
    **{(c, "infra"): "shared" for c in ("9.2.4", "9.2.7", "9.1.2", "9.1.3")},
    **{(c, "infra"): "customer" for c in ("7.2.1", "11.2.1", "11.2.2", "11.2.3", "11.2.4")},
    ("15.1.6", "infra"): "shared",
    **{("6.2.3", layer): "shared" for layer in ("iaas", "paas", "saas")},
    ("12.5.2", "iaas"): "shared",
    ("7.2.2", "iaas"): "shared",
    **{(c, layer): "shared" for c in ("8.1.1", "8.2.1") for layer in ("infra", "iaas", "paas", "saas")},
    # from reviewing every infra row with the same definition
    **{(c, "infra"): "customer" for c in ("7.1.1", "7.1.2", "9.2.5", "10.3.2", "10.8.2", "15.1.2")},
    **{(c, "infra"): "shared" for c in ("6.2.3", "9.1.5", "9.2.1", "9.2.3", "11.4.4")},
}


@pytest.mark.parametrize(("control", "layer"), sorted(CORRECTED_SPLITS))
def test_corrected_split(catalog, control, layer):
    assert catalog[control].responsibility[layer].value == CORRECTED_SPLITS[(control, layer)]


def test_the_facility_itself_stays_with_the_infra_operator(catalog):
    for control in ("9.1.1", "9.1.4", "9.1.6", "9.2.2"):
        assert catalog[control].responsibility["infra"].value == "provider"


def test_every_correction_is_explained_in_the_rationale_page(catalog):
    page = (Path(__file__).resolve().parents[2] / "docs" / "catalog-rationale.md").read_text(encoding="utf-8")
    rows = {tuple(cell.strip() for cell in line.split("|")[1:5]) for line in page.splitlines() if line.startswith("| ")}
    for (control, layer), after in CORRECTED_SPLITS.items():
        assert any(r[0] == control and r[1] == layer and r[3] == after for r in rows), (control, layer)


def test_the_catalog_names_its_edition(catalog):
    assert "FY2013 edition" in catalog.document.version and "2011" in catalog.document.version
    assert "2013年度版" in catalog.document.title_ja


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("catalog_id", ["meti-2011", "iso27017-cld"])
def test_every_control_with_guidance_has_japanese_text(catalog_id):
    for control in load_catalog(catalog_id):
        for english, japanese in (
            (control.user_guidance, control.user_guidance_ja),
            (control.provider_expectation, control.provider_expectation_ja),
        ):
            assert bool(english) == bool(japanese), control.id
            if japanese:
                assert JAPANESE.search(japanese) and not japanese.startswith(" "), control.id


def test_japanese_counts_match_the_english(catalog):
    assert sum(1 for c in catalog if c.user_guidance_ja) == 86
    assert sum(1 for c in catalog if c.provider_expectation_ja) == 80


def test_cld_controls_carry_their_jis_q_27017_titles():
    cld = load_catalog("iso27017-cld")
    assert {c.id: c.title_ja for c in cld} == {
        "CLD.6.3.1": "クラウドコンピューティング環境における役割及び責任の共有及び分担",
        "CLD.8.1.5": "クラウドサービスカスタマの資産の除去",
        "CLD.9.5.1": "仮想コンピューティング環境における分離",
        "CLD.9.5.2": "仮想マシンの要塞化",
        "CLD.12.1.5": "実務管理者の運用セキュリティ",
        "CLD.12.4.5": "クラウドサービスの監視",
        "CLD.13.1.4": "仮想及び物理ネットワークのセキュリティ管理の整合",
    }


def test_japanese_fields_reach_the_json_shape(catalog):
    item = next(c for c in catalog.to_dict()["controls"] if c["id"] == "10.5.1")
    assert JAPANESE.search(item["user_guidance_ja"]) and JAPANESE.search(item["provider_expectation_ja"])
    assert "2013年度版" in catalog.to_dict()["title_ja"]


def test_cli_shows_a_controls_japanese_guidance_and_the_api_lists_the_edition():
    from typer.testing import CliRunner

    from obligraph.app.cli.commands import app

    shown = CliRunner().invoke(app, ["catalog", "show", "meti-2011", "--control", "10.5.1"])
    assert shown.exit_code == 0, shown.output
    assert load_catalog("meti-2011")["10.5.1"].user_guidance_ja[:12] in shown.stdout.replace("\n", "")
    listed = CliRunner().invoke(app, ["catalog", "list", "--format", "json"])
    meti = next(row for row in json.loads(listed.stdout) if row["id"] == "meti-2011")
    assert meti["version"] == "FY2013 edition of the 2011 guideline"
