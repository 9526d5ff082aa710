"""chain JSON and YAML readers: hostile or broken input is a ChainError, never a raw exception."""

from __future__ import annotations

import pytest

from obligraph.graph.errors import ChainError
from obligraph.graph.formats import import_document

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    "fmt, data, needle",
    [
        ("json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("yaml", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("yaml", ALIAS_BOMB, "anchors and aliases"),
        ("json", "[1, 2]", "not a chain document"),
        ("yaml", "just text", "not a chain document"),
        ("json", b"\xff{}", "not UTF-8"),
        ("json", '{"a": }', "line 1, column 7: invalid JSON"),
        ("yaml", "a: [1,\n", "invalid YAML"),
        ("yaml", "!!python/object/apply:os.system ['true']", "invalid YAML"),
    ],
)
def test_hostile_or_broken_text(fmt, data, needle):
    with pytest.raises(ChainError, match=needle):
        import_document(data, fmt)


def test_catalog_option_fills_a_missing_catalog_only():
    assert import_document('{"format": "obligraph/chain@1", "name": "x"}', "json", catalog="c")["catalog"] == "c"
    assert import_document("catalog: own\nname: x\n", "yaml", catalog="c")["catalog"] == "own"
