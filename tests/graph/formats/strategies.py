"""Chains from ``tests.strategies.chains()`` with awkward optional text added: formula starts, quotes,
markup, non-ASCII, line breaks. Everything a lossless format must carry unchanged."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.strategies import chains

TRICKY = [
    "=1+1",
    "+SUM(A1)",
    "-5",
    "@cmd",
    "\tx",
    "\rx",
    "'=x",
    "''@y",
    "'",
    "' lead",
    "a\r\nb",
    "  ",
    "</script><script>alert(1)</script>",
    'say "hi" \\ bye',
    "a;b=c",
    '{"x": 1}',
    "東京リージョン",
    "&amp;",
]
#: Text XML 1.0 can carry: no C0 controls but tab, LF, CR; no surrogates; no U+FFFE/U+FFFF.
_chars = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe", "\uffff"],
)
texts = st.one_of(st.sampled_from(TRICKY), st.text(_chars, min_size=1, max_size=20))


@st.composite
def rich_chains(draw, max_nodes: int = 6):
    """A chain document whose nodes, edges and declarations also carry names, orgs and notes."""
    document = draw(chains(max_nodes=max_nodes))
    if draw(st.booleans()):
        document["description"] = draw(texts)
    if draw(st.booleans()):
        document["requirement"] = draw(st.sampled_from(["partial", "declared", "verified"]))
    for node in document["nodes"]:
        for field in ("name", "org", "description"):
            if draw(st.booleans()):
                node[field] = draw(texts)
        for declaration in node.get("declarations", []):
            if draw(st.integers(0, 3)) == 0:
                declaration["notes"] = draw(texts)
            for item in declaration.get("evidence", []):
                if draw(st.integers(0, 3)) == 0:
                    item["notes"] = draw(texts)
                if draw(st.integers(0, 3)) == 0:
                    item["issued"] = "2020-01-01"
    for edge in document["edges"]:
        if draw(st.booleans()):
            edge["criticality"] = draw(st.sampled_from(["high", "medium", "low"]))
        if draw(st.integers(0, 3)) == 0:
            edge["notes"] = draw(texts)
    return document
