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


def test_bundle_holds_the_five_files_and_gaps(example, example_analysis):
    files = _files(csv_bundle.write(example, example_analysis))
    assert list(files) == ["chain.csv", "nodes.csv", "edges.csv", "declarations.csv", "gaps.csv"]
    assert len(files["nodes.csv"]) == len(example) + 1
    assert len(files["edges.csv"]) == len(example.edges()) + 1
    gaps = files["gaps.csv"]
    assert gaps[0][:6] == ["node", "control", "title", "effective", "required", "kind"]
    assert len(gaps) == example_analysis.gap_count + 1
    assert any(" > " in row[7] for row in gaps[1:])  # root causes with their paths


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
