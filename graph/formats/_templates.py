"""The Jinja2 environment for HTML and Markdown outputs: autoescape on everywhere, strict undefined.

Autoescaping applies to Markdown too: a name like ``<img onerror=...>`` must stay inert when the
report is later rendered to HTML. Values that are already safe (inlined assets, escaped JSON) are
wrapped in ``Markup`` by the Python code, never marked safe inside a template.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

#: Inline Markdown punctuation. Text is always mid-line (whitespace is collapsed), so the characters
#: that only matter at the start of a line (#, -, +, 1.) need no escape.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_JSON_IN_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("obligraph.graph.formats", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_text
    return env


def markdown_text(value: object) -> Markup:
    r"""Text for a Markdown document: ``&``, ``<``, ``>`` as entities, inline Markdown punctuation escaped, one line.

    >>> print(markdown_text("<b>*x*</b> & [a](b)  next"))
    &lt;b&gt;\*x\*&lt;/b&gt; &amp; \[a\](b) next
    """
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())
    return Markup(_MD_SPECIAL.sub(r"\\\1", text))


def json_for_script(data: object) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no HTML, no JS line breaks."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_IN_HTML.items():
        text = text.replace(char, escaped)
    return Markup(text)


def inline_asset(path: Path) -> Markup:
    """A local JS or CSS file's text for inlining; refuses one that could close its own element."""
    text = path.read_text(encoding="utf-8")
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered or "<!--" in lowered:
        raise RuntimeError(f"{path} cannot be inlined safely (it contains a closing tag or <!--)")
    return Markup(text)


def vis_network_dir() -> Path:
    """Where the vendored vis-network files are (``vis-network.min.js`` and ``.min.css``).

    They are the files the web pages serve under ``/static/vendor/``; the standalone map inlines
    the same copy, found as package data (a file read, not an import of the app).
    """
    return Path(str(resources.files("obligraph"))) / "app" / "web" / "static" / "vendor"
