"""CAIQ v4: CSA's workbook (and CSV) of one provider's answers become its declarations and assigns.

The workbook is built here in the layout CSA publishes for CAIQ v4.0.x: an introduction sheet,
then the questionnaire sheet with title rows above the header ``Question ID | Question | CSP CAIQ
Answer | SSRM Control Ownership | CSP Implementation Description (Optional/Recommended) | CSC
Responsibilities  (Optional/Recommended) | (blank) | CCM Control ID | CCM Control Specification |
CCM Control Title | CCM Domain Title`` (the double space is CSA's).
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from obligraph.graph.chain import Chain
from obligraph.graph.crosswalk import load_crosswalk
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import read_caiq
from obligraph.graph.formats.caiq import import_caiq
from tests.helpers import chain as make_chain
from tests.helpers import edge, node

HEADER = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities  (Optional/Recommended)",
    None,
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Control Title",
    "CCM Domain Title",
]
TITLE_ROWS = [
    ["Consensus Assessment Initiative Questionnaire v4.0.3"],
    ["Copyright Cloud Security Alliance. Answer each question; the CCM columns are reference."],
    [],
]
#: (question id, answer, ownership, implementation description, CSC responsibilities)
ANSWERS = [
    ("LOG-06.1", "Yes", "CSP-owned", "NTP from two stratum-1 sources", ""),
    ("LOG-06.2", "No", "CSP-owned", "Drift alarms are planned", ""),
    ("BCR-08.1", "Yes", "Shared CSP and CSC", "Daily snapshots kept 35 days", "Customers back up their own data"),
    ("A&A-02.1", "NA", "CSC-owned", "", "Customers commission their own audits"),
    ("STA-01.1", "Yes", "3rd-party outsourced", "Run by our colocation partner", ""),
    ("CEK-03.1", "Yes", "Shared CSP and 3rd-party", "Keys held in a partner HSM", ""),
    ("DSP-07.1", "Yes", "CSP-owned", "Privacy by design reviews", ""),
    ("IAM-02.1", "", "", "", ""),
]


def ccm(question: str) -> str:
    return question.rsplit(".", 1)[0]


def workbook(rows=ANSWERS) -> bytes:
    book = Workbook()
    book.active.title = "Introduction"
    book.active.append(["CAIQ v4: read the instructions on this sheet first."])
    sheet = book.create_sheet("CAIQv4.0.3")
    for row in TITLE_ROWS:
        sheet.append(row)
    sheet.append(HEADER)
    crosswalk = load_crosswalk("ccm-v4")
    for question, answer, ownership, description, csc in rows:
        title = crosswalk[ccm(question)].title if ccm(question) in crosswalk.ids else ""
        sheet.append(
            [question, f"Is {title} in place?", answer, ownership, description, csc, None, ccm(question), "", title, ""]
        )
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def csv_file(rows=ANSWERS) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows([*TITLE_ROWS, ["" if h is None else h for h in HEADER]])
    for question, answer, ownership, description, csc in rows:
        writer.writerow([question, "?", answer, ownership, description, csc, "", ccm(question), "", "", ""])
    return text.getvalue()


def test_a_csa_workbook_lands_on_the_catalog_through_the_ccm_crosswalk():
    result = import_caiq(workbook(), node_id="acme")
    declarations = {d["control"]: d for d in result.declarations}
    crosswalk = load_crosswalk("ccm-v4")
    expected_controls = {c for q, a, *_ in ANSWERS if a for c in crosswalk.catalog_ids(ccm(q))}
    assert set(declarations) == expected_controls
    # Two questions of LOG-06 (clock synchronisation, 10.10.6): the worst answer, both descriptions.
    assert declarations["10.10.6"] == {
        "control": "10.10.6",
        "status": "not_implemented",
        "notes": "LOG-06.1: NTP from two stratum-1 sources\nLOG-06.2: Drift alarms are planned",
    }
    backup = declarations[crosswalk.catalog_ids("BCR-08")[0]]
    assert backup["status"] == "declared" and backup["assigns"] == "shared"
    assert "CSC responsibilities: Customers back up their own data" in backup["notes"]
    audit = declarations[crosswalk.catalog_ids("A&A-02")[0]]
    assert audit["status"] == "not_applicable" and audit["assigns"] == "customer"
    for question in ("STA-01", "CEK-03"):
        outsourced = declarations[crosswalk.catalog_ids(question)[0]]
        assert "assigns" not in outsourced and "upstream provider" in outsourced["notes"]
    assert "shared split" in declarations[crosswalk.catalog_ids("CEK-03")[0]]["notes"]
    # DSP-07 has no ISO/IEC 27002:2005 counterpart; IAM-02.1 is unanswered: both reported, neither dropped.
    assert [(u["control"], u["questions"], u["rows"]) for u in result.unmapped] == [("DSP-07", ["DSP-07.1"], [11])]
    assert "no counterpart" in result.unmapped[0]["reason"] and result.unmapped[0]["title"]
    assert result.unanswered == [{"question": "IAM-02.1", "row": 12}]
    assert result.questions == len(ANSWERS)


def test_the_csv_of_the_same_answers_gives_the_same_declarations():
    assert read_caiq(csv_file(), node_id="acme") == read_caiq(workbook(), node_id="acme")


def test_controls_that_share_a_catalog_control_combine_to_the_worst_answer():
    crosswalk = load_crosswalk("ccm-v4")
    shared = set(crosswalk.catalog_ids("AIS-02")) & set(crosswalk.catalog_ids("CEK-03"))
    assert shared
    rows = [
        ("AIS-02.1", "Yes", "CSP-owned", "Secure baseline", ""),
        ("CEK-03.1", "No", "CSC-owned", "", "Customers encrypt"),
    ]
    declarations = {d["control"]: d for d in read_caiq(workbook(rows), node_id="acme")}
    for control in shared:
        assert declarations[control]["status"] == "not_implemented"
        assert declarations[control]["assigns"] == "shared"  # a provider part and a customer part
        assert (
            declarations[control]["notes"]
            == "AIS-02.1: Secure baseline\nCEK-03.1: CSC responsibilities: Customers encrypt"
        )


def test_catalog_ids_and_typed_ids_work_too():
    text = (
        "Control ID,SSRM Control Ownership,CSP CAIQ Answer,CSP Implementation Description\n"
        "10.5.1,CSP-owned,Yes,Daily snapshots kept 35 days\n"
        "27002:2013/A.9.1.1,CSC-owned,No,\n"
    )
    assert read_caiq(text, node_id="acme") == [
        {"control": "10.5.1", "status": "declared", "notes": "Daily snapshots kept 35 days"},
        {"control": "11.1.1", "status": "not_implemented", "assigns": "customer"},
    ]


def test_the_declarations_apply_to_a_chain():
    declarations = read_caiq(workbook(), node_id="acme")
    chain = make_chain([node("acme", "iaas"), node("hr", "saas")], [edge("acme", "hr")], ["10.10.6", "10.5.1"])
    for declaration in declarations:
        chain.declare("acme", declaration)
    assert chain.responsibility("acme", "hr", "10.5.1").value == "shared"
    assert Chain.from_dict(chain.to_dict()).declarations("acme")["10.10.6"].status.value == "not_implemented"


def test_semicolon_separated_files_are_read():
    text = "Control ID;SSRM Control Ownership;Answer\n10.5.1;CSC-owned;No\n"
    assert read_caiq(text, node_id="acme") == [
        {"control": "10.5.1", "status": "not_implemented", "assigns": "customer"}
    ]


def test_every_bad_row_is_reported_with_sheet_row_and_column():
    rows = [
        ("A&A-99.1", "Yes", "CSP-owned", "", ""),
        ("LOG-06.1", "Maybe", "Both", "", ""),
        ("BCR-08.1", "Yes", "CSP-owned", "", ""),
        ("BCR-08.1", "No", "CSP-owned", "", ""),
    ]
    with pytest.raises(ChainError) as caught:
        read_caiq(workbook(rows), node_id="acme")
    issues = [str(issue) for issue in caught.value.issues]
    assert issues == [
        (
            "sheet 'CAIQv4.0.3', row 5, column CCM Control ID: 'A&A-99' is not a control of CSA CCM v4"
            " (ids look like 'A&A-02')"
        ),
        (
            "sheet 'CAIQv4.0.3', row 6, column SSRM Control Ownership: 'Both' is not an SSRM ownership (expected"
            " CSP-owned, CSC-owned, Shared CSP and CSC, 3rd-party outsourced or Shared CSP and 3rd-party)"
        ),
        "sheet 'CAIQv4.0.3', row 6, column CSP CAIQ Answer: 'Maybe' is not an answer (expected Yes, No or NA)",
        (
            "sheet 'CAIQv4.0.3', row 8, column Question ID: 'BCR-08.1' was already answered in row 7;"
            " keep one row per question"
        ),
    ]


def test_bad_catalog_ids_get_a_suggestion_from_their_own_numbering():
    text = "Control ID,SSRM Control Ownership,Answer\n10.5.9,CSP-owned,Yes\n,CSP-owned,Yes\n"
    with pytest.raises(ChainError) as caught:
        read_caiq(text, node_id="acme")
    assert [str(issue) for issue in caught.value.issues] == [
        "row 2, column Control ID: '10.5.9' is not a control of catalog 'meti-2011'; did you mean '10.5.1'?",
        "row 3, column Control ID: the control id is empty; fill it in",
    ]


@pytest.mark.parametrize(
    "data, needle",
    [
        ("a,b\n1,2\n", "no header row"),
        ("Control ID,SSRM Control Ownership\n10.5.1,CSP-owned\n", "no answer column"),
        ("Control ID,SSRM Control Ownership,Answer\n", "no answered rows"),
        (b"\xff\xfeControl", "not UTF-8"),
        ('Control ID,SSRM Control Ownership,Answer\n"10.5.1,CSP-owned,Yes\n', "row"),
        (b"PK\x03\x04 not really a workbook", "not a readable XLSX workbook"),
    ],
)
def test_broken_files(data, needle):
    with pytest.raises(ChainError, match=needle):
        read_caiq(data, node_id="acme")


def test_a_workbook_without_the_questionnaire_sheet_says_so():
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing to see"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ChainError, match=r"no sheet \('Notes'\) has a header row"):
        read_caiq(data.getvalue(), node_id="acme")


def test_the_node_id_must_be_valid():
    with pytest.raises(ChainError, match="not a valid node id"):
        read_caiq(csv_file(), node_id="bad id")
