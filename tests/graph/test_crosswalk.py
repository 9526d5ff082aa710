"""The crosswalks (2022, 2013, CCM v4 -> the 2005 catalog) and the typed-id resolver."""

from __future__ import annotations

import pytest
import yaml

from obligraph.graph.catalog import load_catalog
from obligraph.graph.crosswalk import (
    ControlIdError,
    crosswalk_dir,
    iso27002_2022_ids,
    load_crosswalk,
    resolve_control_id,
    resolve_control_ids,
    unknown_control_message,
)
from obligraph.graph.errors import ChainError

METI = load_catalog("meti-2011")


def test_counts_match_the_editions():
    assert len(load_crosswalk("iso27002-2022")) == 93
    assert len(load_crosswalk("iso27002-2013")) == 114
    assert len(load_crosswalk("ccm-v4")) == 197


def test_2022_themes_have_their_sizes():
    themes = [c.theme for c in load_crosswalk("iso27002-2022").controls]
    assert {t: themes.count(t) for t in set(themes)} == {
        "organizational": 37,
        "people": 8,
        "physical": 14,
        "technological": 34,
    }


def test_ccm_domains_have_their_sizes():
    domains = [c.domain for c in load_crosswalk("ccm-v4").controls]
    assert {d: domains.count(d) for d in set(domains)} == {
        "A&A": 6,
        "AIS": 7,
        "BCR": 11,
        "CCC": 9,
        "CEK": 21,
        "DCS": 15,
        "DSP": 19,
        "GRC": 8,
        "HRS": 13,
        "IAM": 16,
        "IPY": 4,
        "IVS": 9,
        "LOG": 13,
        "SEF": 8,
        "STA": 14,
        "TVM": 10,
        "UEM": 14,
    }


@pytest.mark.parametrize("crosswalk_id", ["iso27002-2022", "iso27002-2013", "ccm-v4"])
def test_every_mapped_id_is_a_meti_control(crosswalk_id):
    crosswalk = load_crosswalk(crosswalk_id)
    for control in crosswalk.controls:
        for catalog_id in [*control.catalog, *crosswalk.catalog_ids(control.id)]:
            assert catalog_id in METI, (control.id, catalog_id)


def test_every_2013_control_has_a_2022_counterpart_and_2022_agrees_with_2013():
    modern, older = load_crosswalk("iso27002-2022"), load_crosswalk("iso27002-2013")
    named = {ref for control in modern.controls for ref in control.iso27002_2013}
    assert named == set(older.ids)
    for control in modern.controls:
        if control.iso27002_2013:  # the 2005 ids of a 2022 control are those of its 2013 counterparts
            through = {c for ref in control.iso27002_2013 for c in older.catalog_ids(ref)}
            assert set(control.catalog) == through, control.id


def test_new_2022_controls_are_marked_and_explained():
    modern = load_crosswalk("iso27002-2022")
    new = [c for c in modern.controls if not c.iso27002_2013]
    assert [c.id for c in new] == ["5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"]
    assert all(c.match in ("partial", "none") and c.note for c in new)
    assert modern["5.23"].match == "partial" and modern["8.11"].match == "none"


def test_unmapped_ccm_controls_are_listed_not_dropped():
    ccm = load_crosswalk("ccm-v4")
    unmapped = [c.id for c in ccm.controls if c.match == "none"]
    assert "GRC-02" in unmapped and "AIS-03" in unmapped
    assert all(ccm[c].note and not ccm.catalog_ids(c) for c in unmapped)


def test_titles_spot_checks():
    assert load_crosswalk("iso27002-2022")["8.12"].title == "Data leakage prevention"
    assert load_crosswalk("iso27002-2013")["A.12.3.1"].title == "Information backup"
    assert load_crosswalk("ccm-v4")["A&A-02"].title == "Independent Assessments"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10.5.1", ("10.5.1",)),
        ("27002:2013/A.12.3.1", ("10.5.1",)),
        ("27001:2013/A.12.3.1", ("10.5.1",)),
        ("27002:2013/12.3.1", ("10.5.1",)),
        ("27002:2022/8.13", ("10.5.1",)),
        ("27001:2022/A.8.13", ("10.5.1",)),
        ("27002:2022/5.23", ("6.2.3", "10.2.1", "10.2.2", "10.2.3")),
        ("27002:2022/8.12", ("12.5.4",)),
        ("27002:2013/A.9.4.2", ("11.5.1", "11.5.5", "11.5.6")),
        ("ccm:A&A-02", ("6.1.8",)),
        ("ccm:bcr-08", ("10.5.1",)),
    ],
)
def test_typed_ids_resolve(typed, expected):
    assert resolve_control_id(typed, METI) == expected


def test_resolve_many_flattens_without_repeats():
    assert resolve_control_ids(["27002:2022/5.1", "5.1.1", "ccm:GRC-03"], METI) == ["5.1.1", "5.1.2"]


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("27002:2022/8.11", "'27002:2022/8.11' (Data masking) has no counterpart in ISO/IEC 27002:2005"),
        ("ccm:GRC-02", "has no counterpart in ISO/IEC 27002:2005"),
        ("27002:2022/5.38", "section 5 has 27002:2022/5.1 to 27002:2022/5.37"),
        ("27002:2013/A.12.3.2", "did you mean '27002:2013/A.12.3.1'?"),
        ("ccm:A&A-07", "domain A&A has ccm:A&A-01"),
        ("27017:2015/CLD.9.5.1", "unknown numbering '27017:2015'"),
    ],
)
def test_unresolvable_typed_ids_say_why(typed, fragment):
    with pytest.raises(ControlIdError) as info:
        resolve_control_id(typed, METI)
    assert fragment in str(info.value)


def test_annex_a_5_1_never_suggests_a_2005_near_miss():
    message = unknown_control_message("A.5.1", METI)
    assert "12.5.1" not in message
    assert "'27002:2022/5.1' (Policies for information security)" in message
    assert "'27002:2013/A.5.1.1', '27002:2013/A.5.1.2'" in message


@pytest.mark.parametrize(
    ("typed", "expected_hint"),
    [
        ("9.1.11", "; did you mean '9.1.1'?"),
        ("10.5.9", "; did you mean '10.5.1'?"),
        ("12.5.6", "; objective 12.5 has 12.5.1, 12.5.2, 12.5.3, 12.5.4, 12.5.5"),
        (
            "16.1.1",
            "; it is ISO/IEC 27002:2013 numbering: write '27002:2013/A.16.1.1' (Responsibilities and procedures)",
        ),
        ("A.12.3.1", "; it is ISO/IEC 27002:2013 numbering: write '27002:2013/A.12.3.1' (Information backup)"),
        ("A&A-02", "; it is CSA CCM v4 numbering: write 'ccm:A&A-02' (Independent Assessments)"),
        ("10.5", "; it is a clause or objective, not a control: its controls are 10.5.1"),
    ],
)
def test_suggestions_come_from_the_right_scheme(typed, expected_hint):
    assert unknown_control_message(typed, METI) == f"'{typed}' is not a control of catalog 'meti-2011'{expected_hint}"


def test_no_guess_for_ids_of_no_known_scheme():
    message = unknown_control_message("99.1.1", METI)
    assert "did you mean" not in message and "its ids look like '5.1.1'" in message


def test_other_catalogs_are_not_pointed_at_2005_ids():
    cld = load_catalog("iso27017-cld")
    with pytest.raises(ControlIdError, match="which catalog 'iso27017-cld' does not have"):
        resolve_control_id("27002:2013/A.12.3.1", cld)
    assert "27002" not in unknown_control_message("16.1.1", cld)


def test_2022_ids_of_a_catalog_control():
    assert iso27002_2022_ids("10.5.1") == ("8.13",)
    assert iso27002_2022_ids("11.4.1") == ("5.15",)
    assert iso27002_2022_ids("6.1.1") == ()


def test_a_broken_reference_names_entry_and_id(tmp_path, monkeypatch):
    text = (crosswalk_dir() / "iso27002-2013.yaml").read_text(encoding="utf-8")
    broken = yaml.safe_load(text)
    broken["controls"][0]["catalog"] = ["5.1.9"]
    (tmp_path / "iso27002-2013.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    monkeypatch.setattr("obligraph.graph.crosswalk.crosswalk_dir", lambda: tmp_path)
    load_crosswalk.cache_clear()
    try:
        with pytest.raises(ChainError, match=r"A\.5\.1\.1: '5\.1\.9' is not a control of catalog 'meti-2011'"):
            load_crosswalk("iso27002-2013")
    finally:
        load_crosswalk.cache_clear()
