"""JSON syntax errors say where, in lines and characters, whichever form the text came in."""

from __future__ import annotations

import json

import pytest

from obligraph.graph.document import parse_document
from obligraph.graph.errors import ChainError


@pytest.mark.parametrize(
    "text, where, problem",
    [
        ('{"a": }', "line 1, column 7", "invalid character"),
        ('{\n  "nodes": [1, 2,]\n}', "line 2, column 18", "trailing comma"),
        ('{"format": ', "line 1, column 12", "ends before the document does"),
        ('{"name": "été", "x": ?}', "line 1, column 22", "invalid character"),  # characters, not bytes
        ("[1]\n[2]", "line 2, column 1", "trailing characters"),
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_syntax_errors_name_line_and_column(text, where, problem, as_bytes):
    with pytest.raises(ChainError, match=f"doc: {where}: invalid JSON: .*{problem}"):
        parse_document(text.encode() if as_bytes else text, "json", source="doc")


def test_a_number_too_large_for_a_float_is_refused_without_a_position():
    with pytest.raises(ChainError, match=r"^doc: invalid JSON: Number out of range$"):
        parse_document('{"a": 1e400}', "json", source="doc")


def test_deep_nesting_is_a_recursion_error_for_the_caller_to_word():
    with pytest.raises(RecursionError):
        parse_document("[" * 100_000 + "]" * 100_000, "json")


@pytest.mark.parametrize(
    "value",
    [
        {"nodes": [{"id": "a", "name": "Ünïcode ✓ \u2028 x"}], "edges": []},
        [1, -2, 3.5, 12345678901234567890123, True, False, None, "", {"": []}],
    ],
)
def test_valid_json_reads_as_the_json_module_reads_it(value):
    text = json.dumps(value, ensure_ascii=False)
    assert parse_document(text, "json") == json.loads(text)
    assert parse_document(text.encode(), "json") == json.loads(text)
