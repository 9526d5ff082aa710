"""Server-driven content negotiation for exports: the ``Accept`` header picks the format when ``format=`` is absent.

Each writable format offers its media type; where several share one (``application/json``: chain
JSON, node-link, Cytoscape, OSCAL; ``text/html``: the map and the audit report), the first in the
registry's order stands for it, so ``application/json`` is chain JSON and ``text/html`` the map.
The client's ranges are weighed by ``q`` (RFC 9110, section 12.5.1): a media type takes the ``q``
of the most specific range that matches it, ``q=0`` excludes it, and among the best the registry's
order decides (so ``*/*`` and no ``Accept`` give chain JSON).

>>> negotiate("application/graphml+xml").name, negotiate("text/*;q=0.5, application/zip").name
('graphml', 'csv')
>>> negotiate(None).name, negotiate("*/*").name, negotiate("application/xml, application/json;q=0.1").name
('json', 'json', 'json')
"""

from __future__ import annotations

from obligraph.app.core.exceptions import NotAcceptable
from obligraph.graph.formats import FORMATS, FormatSpec


def offered() -> dict[str, FormatSpec]:
    """Media type -> the format that answers for it, in the registry's order."""
    choices: dict[str, FormatSpec] = {}
    for spec in FORMATS.values():
        if spec.can_write:
            choices.setdefault(spec.media_type, spec)
    return choices


def parse_accept(header: str) -> list[tuple[str, float]]:
    """(range, q) pairs; a malformed ``q`` counts as 1, as most servers read it."""
    ranges = []
    for part in header.split(","):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((media, q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    kind = media.split("/")[0]
    best: tuple[int, float] | None = None
    for pattern, q in ranges:
        if pattern == media:
            specificity = 3
        elif pattern == f"{kind}/*":
            specificity = 2
        elif pattern == "*/*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def negotiate(accept: str | None) -> FormatSpec:
    """The format to export when the client named none; ``NotAcceptable`` (406) when nothing offered fits."""
    choices = offered()
    if accept is None or not accept.strip():
        return FORMATS["json"]
    ranges = parse_accept(accept)
    scored = [(_quality(media, ranges), -order, spec) for order, (media, spec) in enumerate(choices.items())]
    q, _, spec = max(scored, key=lambda item: (item[0], item[1]))
    if q <= 0:
        listed = ", ".join(choices)
        raise NotAcceptable(
            f"no export format has a media type the Accept header allows ({accept.strip()[:200]}); offered: {listed};"
            " or name the format with format=",
            details=[{"location": "header.accept", "message": f"offered: {listed}"}],
        )
    return spec
