"""The registry the API and CLI call: formats by name or file extension, export and import entry points."""

from __future__ import annotations

import io
import json
import zipfile
from xml.etree import ElementTree

import pytest
import yaml

from obligraph.graph.errors import ChainError
from obligraph.graph.formats import FORMATS, export_chain, format_for_path, get_format, import_document


@pytest.mark.parametrize(
    "path, name",
    [
        ("chain.json", "json"),
        ("c.YAML", "yaml"),
        ("c.yml", "yaml"),
        ("dir/x.graphml", "graphml"),
        ("bundle.zip", "csv"),
        ("g.gexf", "gexf"),
        ("g.node-link.json", "node-link"),
        ("g.cyjs", "cyjs"),
        ("g.dot", "dot"),
        ("g.gv", "dot"),
        ("map.html", "html"),
        ("n.audit.md", "audit-md"),
        ("n.md", "audit-md"),
        ("n.audit.html", "audit-html"),
        ("plan.oscal.json", "oscal-ssp"),
        ("plan.ssp.json", "oscal-ssp"),
        ("set.oscal.zip", "oscal"),
        ("answers.csv", "caiq"),
    ],
)
def test_format_for_path(path, name):
    assert format_for_path(path).name == name


def test_unknown_extension_is_a_clear_error():
    with pytest.raises(ChainError, match=r"cannot tell the format of 'chain\.xlsx'.*\.graphml \(graphml\)"):
        format_for_path("chain.xlsx")
    with pytest.raises(ChainError, match="unknown format 'pdf'"):
        get_format("pdf")


def test_every_spec_is_consistent():
    for name, spec in FORMATS.items():
        assert spec.name == name and spec.extensions and "/" in spec.media_type
        assert spec.can_write == (spec.writer is not None) and spec.can_read == (spec.reader is not None)
        assert not spec.lossless or (spec.can_read and spec.can_write)


@pytest.mark.parametrize("name", [n for n, s in FORMATS.items() if s.can_write])
def test_every_writer_produces_its_media_type_naming_the_nodes(name, example, example_analysis):
    spec = FORMATS[name]
    options = {"node": "sakura-hr"} if spec.needs_node else {}
    data = export_chain(example, name, example_analysis, **options)
    if spec.media_type == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert archive.testzip() is None and archive.namelist()
        text = "".join(archive.read(member).decode("utf-8") for member in archive.namelist())
    else:
        text = data.decode("utf-8")
        if spec.media_type.endswith("json"):
            json.loads(text)
        elif spec.media_type.endswith("+xml"):
            ElementTree.fromstring(data)
        elif spec.media_type == "application/yaml":
            assert yaml.safe_load(text)["format"] == "obligraph/chain@1"
    # A one-node report names its node; every other export names every node of the chain.
    wanted = ["sakura-hr"] if spec.needs_node else list(example.graph.nodes)
    assert [node for node in wanted if node not in text] == []


def test_import_of_an_export_only_format_and_of_caiq_are_errors():
    with pytest.raises(ChainError, match="export-only"):
        import_document(b"<gexf/>", "gexf")
    with pytest.raises(ChainError, match="read_caiq"):
        import_document(b"", "caiq")
    with pytest.raises(ChainError, match="import-only"):
        export_chain(None, "caiq")
