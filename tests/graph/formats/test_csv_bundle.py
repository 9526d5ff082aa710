"""CSV bundle: formula cells neutralised, the prefix undone only where the writer put it, errors by row and column."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import csv_bundle
from obligraph.graph.formats._cells import neutralise, restore
from tests.helpers import chain as make_chain

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def _files(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {
            name: list(csv.reader(io.StringIO(bundle.read(name).decode("utf-8-sig"), newline="")))
            for name in bundle.namelist()
        }


def _zip(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name.replace("_", "."), text)
    return buffer.getvalue()


def _error(data: bytes, **options) -> str:
    with pytest.raises(ChainError) as caught:
        csv_bundle.read(data, **options)
    return str(caught.value)


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_are_neutralised_and_come_back(value):
    chain = make_chain([{"id": "a", "layer": "iaas", "name": value, "org": "'" + value}], [], ["10.5.1"])
    data = csv_bundle.write(chain)
    row = _files(data)["nodes.csv"][1]
    assert row[1] == "'" + value and row[3] == "''" + value
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        for rows in _files(data).values()
        for r in rows
        for cell in r
    )
    assert Chain.from_dict(csv_bundle.read(data)).to_dict() == chain.to_dict()


@pytest.mark.parametrize("value", ["'plain", "'", "''", "a=b", "it's", "-"])
def test_the_prefix_rule_is_its_own_inverse(value):
    assert restore(neutralise(value)) == value


def test_bundle_holds_the_chain_tables_and_one_gap_row_per_gap(example, example_analysis):
    files = _files(csv_bundle.write(example, example_analysis))
    chain_tables = ["chain.csv", "nodes.csv", "edges.csv", "declarations.csv"]
    assert list(files) == chain_tables + ["gaps.csv", "root_causes.csv", "blockers.csv"]
    assert len(files["nodes.csv"]) == len(example) + 1
    assert len(files["edges.csv"]) == len(example.edges()) + 1
    gaps = files["gaps.csv"]
    assert gaps[0] == ["node", "control", "title", "effective", "required", "kind", "orphaned"]
    expected = [
        [g.node, g.control, example.catalog[g.control].title, g.effective.value, g.required.value, g.kind]
        + ["yes" if g.orphaned else "no"]
        for g in example_analysis.gaps()
    ]
    assert gaps[1:] == expected and expected


def test_root_causes_table_has_one_row_per_cause_with_its_path(example, example_analysis):
    rows = _files(csv_bundle.write(example, example_analysis))["root_causes.csv"]
    assert rows[0] == ["node", "control", "cause", "cause_status", "path", "note"]
    expected = [
        [g.node, g.control, cause.node, cause.status, " > ".join(cause.path), getattr(cause, "note", None) or ""]
        for g in example_analysis.gaps()
        for cause in example_analysis.root_causes(g.node, g.control)
    ]
    assert rows[1:] == expected
    assert any(len(row[4].split(" > ")) >= 3 for row in rows[1:])  # causes further up the chain
    assert all(row[4].split(" > ")[0] == row[2] and row[4].split(" > ")[-1] == row[0] for row in rows[1:])


def test_blockers_table_lists_every_blocker_of_every_gap(example, example_analysis):
    rows = _files(csv_bundle.write(example, example_analysis))["blockers.csv"]
    expected = [
        [g.node, g.control, b.node, b.status, " > ".join(b.path), b.note or ""]
        for g in example_analysis.gaps()
        for b in example_analysis.blockers(g.node, g.control)
    ]
    assert rows[1:] == expected and len(expected) >= len(_files(csv_bundle.write(example))["root_causes.csv"]) - 1


def test_options_leave_the_analysis_tables_out(example, example_analysis, monkeypatch):
    assert "gaps.csv" not in _files(csv_bundle.write(example, example_analysis, gaps=False))
    no_causes = _files(csv_bundle.write(example, example_analysis, causes=False))
    assert "gaps.csv" in no_causes and "root_causes.csv" not in no_causes and "blockers.csv" not in no_causes
    # Past the size limit the causes are left out unless asked for; gaps.csv stays whole.
    monkeypatch.setattr("obligraph.graph.formats.csv_gaps.CAUSES_DEFAULT_LIMIT", example_analysis.gap_count - 1)
    big = _files(csv_bundle.write(example, example_analysis))
    assert "root_causes.csv" not in big and len(big["gaps.csv"]) == example_analysis.gap_count + 1
    assert "root_causes.csv" in _files(csv_bundle.write(example, example_analysis, causes=True))


def test_gap_lines_quote_titles_as_csv_writer_does(example_analysis):
    from obligraph.graph.formats.csv_gaps import csv_cell

    assert csv_cell('a, "b"') == '"a, ""b"""' and csv_cell("=1") == "'=1" and csv_cell(None) == ""
    assert list(csv.reader([csv_cell('x,\n"y"')])) == [['x,\n"y"']]


def test_a_bundle_of_three_hand_made_files_imports():
    data = _zip(
        nodes_csv="id,layer,name\nacme,iaas,Acme\nhr,saas,\n",
        edges_csv="provider,consumer,responsibility\nacme,hr,10.5.1=shared; 9.1.1=customer\n",
        declarations_csv="node,control,status,evidence_kind,evidence_ref\n"
        "acme,10.5.1,verified,certification,ISO 1\nacme,10.5.1,verified,audit_report,SOC 2\n",
    )
    document = csv_bundle.read(data)
    chain = Chain.from_dict(document)
    assert chain.edge("acme", "hr").responsibility == {"10.5.1": "shared", "9.1.1": "customer"}
    assert [e.ref for e in chain.declarations("acme")["10.5.1"].evidence] == ["ISO 1", "SOC 2"]


@pytest.mark.parametrize(
    "files, needle",
    [
        (dict(nodes_csv="id,layer\na,iaas\nb,saaz\n"), "nodes.csv row 3, column layer: 'saaz' is not a layer"),
        (dict(nodes_csv="id,layr\na,iaas\n"), "nodes.csv row 1: unknown column 'layr'; did you mean 'layer'?"),
        (dict(nodes_csv="id,layer\na,iaas\na,saas\n"), "nodes.csv row 3, column id: 'a' is already a node id"),
        (
            dict(nodes_csv="id,layer\na,iaas\n", declarations_csv="node,control,status\nb,10.5.1,declared\n"),
            "declarations.csv row 2, column node: 'b' is not in nodes.csv",
        ),
        (
            dict(nodes_csv="id,layer\na,iaas\n", declarations_csv="node,control,status\na,10.5.9,declared\n"),
            "declarations.csv row 2, column control: '10.5.9' is not a control",
        ),
        (
            dict(
                nodes_csv="id,layer\na,iaas\n",
                declarations_csv="node,control,status,evidence_kind,evidence_ref,evidence_expires\n"
                "a,10.5.1,verified,certification,x,2026-01-01\na,10.5.1,verified,certification,y,soon\n",
            ),
            "declarations.csv row 3, column evidence_expires",
        ),
        (
            dict(
                nodes_csv="id,layer\na,iaas\n",
                declarations_csv="node,control,status\na,10.5.1,declared\na,10.5.1,partial\n",
            ),
            "declarations.csv row 3, column status: repeats the declaration of row 2",
        ),
        (
            dict(nodes_csv="id,layer\na,iaas\nb,saas\n", edges_csv="provider,consumer,responsibility\na,b,10.5.1\n"),
            "edges.csv row 2, column responsibility: '10.5.1' is not control=responsibility",
        ),
        (
            dict(nodes_csv="id,layer\na,iaas\nb,saas\n", edges_csv="provider,consumer\na,c\n"),
            "edges.csv row 2, column consumer: 'c' is not a node id",
        ),
        (dict(nodes_csv="id,layer\na,iaas\n", chain_csv="field,value\nrequirement,high\n"), "chain.csv row 2"),
        (dict(edges_csv="provider,consumer\n"), "no nodes.csv"),
        (dict(nodes_csv='id,layer\n"a,iaas\n'), "nodes.csv"),
    ],
)
def test_errors_name_file_row_and_column(files, needle):
    assert needle in _error(_zip(**files))


def test_not_a_zip_and_oversized_members():
    assert "not a zip" in _error(b"id,layer\na,iaas\n")
    big = _zip(nodes_csv="id,layer\n" + "a,iaas\n" * 1000)
    assert "byte limit" in _error(big, max_size=1000)


def test_a_zip_bomb_is_stopped_at_the_limit_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("nodes.csv", "id,layer\n" + " " * 50_000_000)
    assert len(buffer.getvalue()) < 100_000
    assert "byte limit" in _error(buffer.getvalue(), max_size=1_000_000)
