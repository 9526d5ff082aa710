"""Round trips: chain -> each lossless format -> chain is identical (compared through ``to_dict``)."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings

from obligraph.graph.chain import Chain
from obligraph.graph.formats import FORMATS, chain_json, export_chain, export_to, import_document
from tests.graph.formats.strategies import rich_chains
from tests.strategies import chains

LOSSLESS = [name for name, spec in FORMATS.items() if spec.lossless]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_lossless_formats_are_the_four_of_issue_6():
    assert sorted(LOSSLESS) == ["csv", "graphml", "json", "yaml"]


@pytest.mark.parametrize("fmt", LOSSLESS)
@SETTINGS
@given(document=chains())
def test_round_trip_of_random_chains(fmt, document):
    chain = Chain.from_dict(document)
    again = Chain.from_dict(import_document(export_chain(chain, fmt), fmt))
    assert again.to_dict() == chain.to_dict()


@pytest.mark.parametrize("fmt", LOSSLESS)
@SETTINGS
@given(document=rich_chains())
def test_round_trip_keeps_awkward_text(fmt, document):
    """Formula starts, quotes, markup, CR/LF and non-ASCII survive every lossless format unchanged."""
    chain = Chain.from_dict(document)
    again = Chain.from_dict(import_document(export_chain(chain, fmt), fmt))
    assert again.to_dict() == chain.to_dict()


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_round_trip_of_the_shipped_examples(fmt, example, enterprise, example_analysis):
    for chain in (example, enterprise):
        analysis = example_analysis if chain is example else None
        again = Chain.from_dict(import_document(export_chain(chain, fmt, analysis), fmt))
        assert again.to_dict() == chain.to_dict()


@pytest.mark.parametrize("fmt", ["json", "graphml", "csv"])
def test_streaming_writer_gives_the_same_bytes(fmt, enterprise):
    buffer = io.BytesIO()
    export_to(enterprise, fmt, buffer)
    assert buffer.getvalue() == export_chain(enterprise, fmt)


@SETTINGS
@given(document=rich_chains())
def test_streamed_json_is_exactly_what_chain_dump_writes(document):
    chain = Chain.from_dict(document)
    expected = json.dumps(chain.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert export_chain(chain, "json").decode("utf-8") == expected
    assert json.loads(export_chain(chain, "json", indent=None)) == chain.to_dict()


@pytest.mark.parametrize("batch", [1, 2, 3, 2000])
def test_streamed_json_in_batches_of_any_size_is_what_chain_dump_writes(batch, enterprise, monkeypatch):
    monkeypatch.setattr(chain_json, "BATCH", batch)
    expected = json.dumps(enterprise.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert export_chain(enterprise, "json").decode("utf-8") == expected
    empty = Chain.from_dict({"format": "obligraph/chain@1", "name": "empty"})
    assert export_chain(empty, "json").decode("utf-8") == json.dumps(empty.to_dict(), indent=2) + "\n"


def test_exports_are_deterministic(enterprise):
    for fmt in LOSSLESS:
        assert export_chain(enterprise, fmt) == export_chain(enterprise, fmt), fmt
