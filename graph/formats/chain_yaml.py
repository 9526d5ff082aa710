"""chain@1 as YAML: the lossless native format for people and version control (``yaml.safe_dump``).

PyYAML writes NEL (U+0085) and the Unicode line/paragraph separators raw inside single quotes,
where its own reader folds them into line breaks, so such text would not come back unchanged.
Strings holding them are written double-quoted, where the emitter escapes them (``\\N``, ``\\L``, ``\\P``).
"""

from __future__ import annotations

from typing import Any

import yaml

from obligraph.graph.chain import Chain
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats._parse import parse_mapping

_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(char in value for char in _LINE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(document: dict[str, Any]) -> str:
    """YAML text that ``yaml.safe_load`` reads back unchanged."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def write(chain: Chain, analysis=None) -> str:
    return dump_yaml(chain.to_dict())


def read(data: bytes | str, *, catalog: str | None = None) -> dict[str, Any]:
    """Parse chain@1 YAML (safe loader only); ``catalog`` names the catalog when the document does not."""
    document = parse_mapping(as_text(data, "the YAML file"), "yaml", "the YAML file")
    if catalog is not None:
        document.setdefault("catalog", catalog)
    return document
