"""Every reader, given broken input (random bytes, truncated or corrupted exports), raises ChainError or
returns a document: never a raw exception."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obligraph.graph.chain import Chain
from obligraph.graph.errors import ChainError
from obligraph.graph.formats import FORMATS, export_chain, import_document, read_caiq

READABLE = [name for name, spec in FORMATS.items() if spec.can_read and name != "caiq"]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def _node_for(fmt: str) -> dict[str, str]:
    return {"node": "sakura-hr"} if FORMATS[fmt].needs_node else {}


def _survives(data: bytes, fmt: str) -> None:
    try:
        document = import_document(data, fmt)
    except ChainError:
        return
    try:
        Chain.from_dict(document)
    except ChainError:
        pass


@pytest.mark.parametrize("fmt", READABLE)
@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(fmt, data):
    _survives(data, fmt)


@pytest.mark.parametrize("fmt", READABLE)
@SETTINGS
@given(cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=3))
def test_truncated_or_corrupted_exports(fmt, cut, flips, example):
    data = bytearray(export_chain(example, fmt, **_node_for(fmt)))
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    _survives(bytes(data[: int(cut * len(data))]), fmt)


@SETTINGS
@given(text=st.text(max_size=300))
def test_random_caiq_text(text):
    try:
        read_caiq("Control ID,SSRM Control Ownership,Answer\n" + text, node_id="acme")
    except ChainError:
        pass


@pytest.mark.parametrize("fmt", READABLE)
def test_many_byte_flips(fmt, example):
    """A cheap, deterministic sweep that reaches deeper than random bytes: damaged zips, XML, JSON, YAML."""
    rng = random.Random(fmt)
    base = export_chain(example, fmt, **_node_for(fmt))
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        _survives(bytes(data), fmt)
