"""chain@1 as YAML: the lossless native format for people and version control (``document.dump_yaml``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from obligraph.graph.chain import Chain
from obligraph.graph.document import dump_yaml
from obligraph.graph.formats._common import as_text
from obligraph.graph.formats._parse import parse_mapping

if TYPE_CHECKING:
    from obligraph.graph.analysis.result import Analysis


def write(chain: Chain, analysis: Analysis | None = None) -> str:
    return dump_yaml(chain.to_dict())


def read(data: bytes | str, *, catalog: str | None = None) -> dict[str, Any]:
    """Parse chain@1 YAML (safe loader only); ``catalog`` names the catalog when the document does not."""
    document = parse_mapping(as_text(data, "the YAML file"), "yaml", "the YAML file")
    if catalog is not None:
        document.setdefault("catalog", catalog)
    return document
