"""CAIQ-style CSV: one provider's SSRM answers become its declarations and assigns; errors by row and column."""

from __future__ import annotations

import pytest

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import read_caiq
from tests.helpers import chain as make_chain
from tests.helpers import edge, node

ANSWERS = """Consensus Assessments Initiative Questionnaire v4 (export)
,,,
Control ID,SSRM Control Ownership,CSP CAIQ Answer,CSP Implementation Description
10.5.1,CSP-owned,Yes,Daily snapshots kept 35 days
6.1.3,Shared CSP and CSC,No,
9.1.1,CSC-owned,NA,Customers run their own premises
11.4.5,3rd-party outsourced,yes,Run by our colocation partner
"""


def test_mapping_of_ownership_and_answers():
    assert read_caiq(ANSWERS, node_id="acme") == [
        {"control": "10.5.1", "status": "declared", "notes": "Daily snapshots kept 35 days"},
        {"control": "6.1.3", "status": "not_implemented", "assigns": "shared"},
        {
            "control": "9.1.1",
            "status": "not_applicable",
            "assigns": "customer",
            "notes": "Customers run their own premises",
        },
        {"control": "11.4.5", "status": "declared", "notes": "3rd-party outsourced. Run by our colocation partner"},
    ]


def test_the_declarations_apply_to_a_chain():
    declarations = read_caiq(ANSWERS.encode("utf-8-sig"), node_id="acme")
    chain = make_chain([node("acme", "iaas"), node("hr", "saas")], [edge("acme", "hr")], ["10.5.1", "6.1.3"])
    for declaration in declarations:
        chain.declare("acme", declaration)
    assert chain.responsibility("acme", "hr", "6.1.3").value == "shared"
    assert Chain.from_dict(chain.to_dict()).declarations("acme")["9.1.1"].assigns.value == "customer"


def test_semicolon_separated_files_are_read():
    text = "Control ID;SSRM Control Ownership;Answer\n10.5.1;CSC-owned;No\n"
    assert read_caiq(text, node_id="acme") == [
        {"control": "10.5.1", "status": "not_implemented", "assigns": "customer"}
    ]


def test_every_bad_row_is_reported_with_row_and_column():
    text = (
        "Control ID,SSRM Control Ownership,Answer\n"
        "10.5.9,CSP-owned,Yes\n"
        "6.1.3,Both,Maybe\n"
        "9.1.1,CSP-owned,Yes\n"
        "9.1.1,CSP-owned,No\n"
        ",CSP-owned,Yes\n"
    )
    with pytest.raises(ChainError) as caught:
        read_caiq(text, node_id="acme")
    issues = [str(issue) for issue in caught.value.issues]
    assert issues == [
        "row 2, column Control ID: '10.5.9' is not a control of catalog 'meti-2011'; did you mean '10.5.1'?",
        "row 3, column SSRM Control Ownership: 'Both' is not an SSRM ownership (expected CSP-owned, CSC-owned,"
        " Shared CSP and CSC or 3rd-party outsourced)",
        "row 3, column Answer: 'Maybe' is not an answer (expected Yes, No or NA)",
        "row 5, column Control ID: '9.1.1' was already answered in row 4; keep one row per control",
        "row 6, column Control ID: the control id is empty; fill it in",
    ]


@pytest.mark.parametrize(
    "data, needle",
    [
        ("a,b\n1,2\n", "no header row"),
        ("Control ID,SSRM Control Ownership\n10.5.1,CSP-owned\n", "no answer column"),
        ("Control ID,SSRM Control Ownership,Answer\n", "no answered rows"),
        (b"\xff\xfeControl", "not UTF-8"),
        ('Control ID,SSRM Control Ownership,Answer\n"10.5.1,CSP-owned,Yes\n', "row"),
    ],
)
def test_broken_files(data, needle):
    with pytest.raises(ChainError, match=needle):
        read_caiq(data, node_id="acme")


def test_the_node_id_must_be_valid():
    with pytest.raises(ChainError, match="not a valid node id"):
        read_caiq(ANSWERS, node_id="bad id")
