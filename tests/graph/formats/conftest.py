"""Shared fixtures: the shipped example chain, analysed on a fixed date, and chains with awkward text."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from tests.strategies import AS_OF

EXAMPLES = Path(str(resources.files("obligraph") / "seed_data" / "examples"))


@pytest.fixture(scope="session")
def example() -> Chain:
    return Chain.load(EXAMPLES / "guideline-chain.yaml")


@pytest.fixture(scope="session")
def example_analysis(example):
    return analyze(example, as_of=AS_OF)


@pytest.fixture(scope="session")
def enterprise() -> Chain:
    return Chain.load(EXAMPLES / "enterprise.yaml")
