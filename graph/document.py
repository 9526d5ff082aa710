"""Chain documents as files and text: JSON or YAML in, JSON or YAML out, with errors that say where.

``Chain.load`` and ``Chain.dump`` read and write through here; the import routes parse request
bodies with ``parse_document``. YAML is written so that ``yaml.safe_load`` reads it back unchanged:
PyYAML writes NEL (U+0085) and the Unicode line/paragraph separators raw inside single quotes,
where its own reader folds them into line breaks, so strings holding them are written
double-quoted, where the emitter escapes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import orjson
import yaml

from obligraph.graph.collector import collector_paused
from obligraph.graph.errors import ChainError

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


def read_document(path: Path) -> Any:
    """Parse a JSON or YAML file into Python data, with a clear error for a missing or broken file."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ChainError(f"cannot tell the format of '{path.name}'; use a .json, .yaml or .yml file", source=str(path))
    try:
        data = path.read_bytes()
        # JSON goes to orjson as bytes (it checks the UTF-8 itself): decoding a large file to a str
        # first doubled the memory the text takes.
        text: str | bytes = data if suffix == ".json" and data.isascii() else data.decode("utf-8")
    except FileNotFoundError:
        raise ChainError("no such file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChainError(f"cannot read the file: {exc}", source=str(path)) from None
    return parse_document(text, "json" if suffix == ".json" else "yaml", source=str(path))


def parse_document(text: str | bytes, syntax: str, *, source: str | None = None) -> Any:
    try:
        with collector_paused():
            if syntax == "json":
                return _load_json(text)
            return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ChainError(f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChainError(f"{where}invalid YAML: {problem}", source=source) from None


def _load_json(text: str | bytes) -> Any:
    """orjson reads JSON several times faster than ``json``; its errors subclass ``json.JSONDecodeError``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in exc.msg:  # what ``json`` raises as RecursionError: callers say "nested too deeply"
            raise RecursionError(exc.msg) from None
        raise


def write_document(document: Mapping[str, Any], path: Path) -> None:
    """Write JSON (byte for byte ``json.dumps(indent=2, ensure_ascii=False)``, by orjson) or YAML."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        return
    if suffix in (".yaml", ".yml"):
        text = dump_yaml(dict(document))
    else:
        raise ChainError(f"cannot tell the format of '{path.name}'; use a .json, .yaml or .yml file")
    path.write_text(text, encoding="utf-8")
