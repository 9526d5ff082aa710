"""Chain documents as files and text: JSON or YAML in, JSON or YAML out, with errors that say where.

``Chain.load`` and ``Chain.dump`` read and write through here; the import routes parse request
bodies with ``parse_document``, or split chain JSON with ``split_json`` for
``Chain.from_json_parts``, which decodes its nodes and edges a batch at a time (``list_items``,
``decoded_batches``). YAML is written so that ``yaml.safe_load`` reads it back unchanged: PyYAML
writes NEL (U+0085) and the Unicode line/paragraph separators raw inside single quotes, where its
own reader folds them into line breaks, so strings holding them are written double-quoted, where
the emitter escapes them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Mapping, NamedTuple

import msgspec
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
    text, syntax = read_document_text(path)
    return parse_document(text, syntax, source=str(path))


def read_document_text(path: Path) -> tuple[str | bytes, str]:
    """A JSON or YAML file's text and its syntax ("json" or "yaml"), not yet parsed."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ChainError(f"cannot tell the format of '{path.name}'; use a .json, .yaml or .yml file", source=str(path))
    try:
        data = path.read_bytes()
        # JSON goes to the parser as bytes (it checks the UTF-8 itself): decoding a large file to a
        # str first doubled the memory the text takes.
        text: str | bytes = data if suffix == ".json" and data.isascii() else data.decode("utf-8")
    except FileNotFoundError:
        raise ChainError("no such file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ChainError(f"cannot read the file: {exc}", source=str(path)) from None
    return text, "json" if suffix == ".json" else "yaml"


def parse_document(text: str | bytes, syntax: str, *, source: str | None = None) -> Any:
    try:
        with collector_paused():
            if syntax == "json":
                return _load_json(text)
            return yaml.safe_load(text)
    except InvalidJSON as exc:
        raise ChainError(f"{exc.where}invalid JSON: {exc.problem}", source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChainError(f"{where}invalid YAML: {problem}", source=source) from None


class InvalidJSON(ValueError):
    """JSON that does not parse: the problem and, when the parser gave one, where ("line 2, column 5: ")."""

    def __init__(self, problem: str, where: str = ""):
        super().__init__(where + problem)
        self.problem = problem
        self.where = where


_AT_BYTE = re.compile(r"^(?:JSON is malformed: )?(?P<problem>.*?)(?: \(byte (?P<byte>\d+)\))?$", re.DOTALL)


def _load_json(text: str | bytes) -> Any:
    """Parse JSON with msgspec, which builds the Python objects as it reads (orjson first builds a tree
    of its own, which at 100k nodes cost 200 MB more and half a second more of fresh memory).

    Nesting past msgspec's depth limit raises ``RecursionError``, as ``json`` does: callers say
    "nested too deeply".
    """
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError as exc:  # a ValidationError too: a number out of range
        raise _invalid(str(exc), text) from None


def _invalid(message: str, text: str | bytes) -> InvalidJSON:
    """The parser's message as an ``InvalidJSON``, its byte offset turned into a line and a column.

    >>> str(_invalid("JSON is malformed: invalid character (byte 6)", '{"a": }'))
    'line 1, column 7: invalid character'
    """
    message = message.split(" - at `$")[0]  # a number out of range: the path is always `$[...]` here
    match = _AT_BYTE.match(message)
    problem, offset = (match["problem"], match["byte"]) if match else (message, None)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if offset is not None:
        # msgspec reports trailing characters at the byte after the first of them
        position = int(offset) - (problem == "trailing characters")
    elif problem == "Input data was truncated":
        problem, position = "the text ends before the document does", len(data)
    else:
        return InvalidJSON(problem)
    before = data[:position].decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return InvalidJSON(problem, f"line {line}, column {column}: ")


class JsonParts(NamedTuple):
    """A chain document's JSON with its two long lists left undecoded until each is needed.

    ``head``: every other top-level member, decoded; ``nodes`` and ``edges``: the lists' text
    (``msgspec.Raw``, a view into the whole text), or None when the document has no such member.
    """

    head: dict[str, Any]
    nodes: msgspec.Raw | None
    edges: msgspec.Raw | None


def split_json(data: str | bytes) -> JsonParts | None:
    """The document's top-level members, with ``nodes`` and ``edges`` left as text; None when the
    text is not a JSON object (the caller then parses it whole, which says what is wrong).

    Decoding a large chain's nodes and edges one after the other keeps only one list's Python
    objects alive at a time: at 100k nodes the nodes' take 330 MB and the edges' 170 MB.

    >>> parts = split_json(b'{"format": "obligraph/chain@1", "nodes": [{"id": "a"}], "edges": []}')
    >>> parts.head, bytes(parts.nodes), bytes(parts.edges)
    ({'format': 'obligraph/chain@1'}, b'[{"id": "a"}]', b'[]')
    """
    try:
        members = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
        head = {key: msgspec.json.decode(raw) for key, raw in members.items() if key not in ("nodes", "edges")}
    except (msgspec.DecodeError, RecursionError):  # a ValidationError too: not an object, a number out of range
        return None
    return JsonParts(head, members.get("nodes"), members.get("edges"))


def list_items(raw: msgspec.Raw) -> list[msgspec.Raw]:
    """The items of a JSON array, each still as text; ``msgspec.ValidationError`` when it is no array."""
    items: list[msgspec.Raw] = msgspec.json.decode(raw, type=list[msgspec.Raw])
    return items


#: Items decoded together by ``decoded_batches``: a batch of a large chain's nodes takes a few
#: megabytes. Measured at 100k nodes: 8,192 took about 10% more CPU time than 2,048, and 2,048
#: about as much as one batch of everything.
BATCH_ITEMS = 2048


def decoded_batches(items: list[msgspec.Raw], size: int = BATCH_ITEMS) -> Iterator[list[Any]]:
    """The items decoded ``size`` at a time, in order; the text is known to be JSON already.

    >>> [batch for batch in decoded_batches(list_items(msgspec.Raw(b'[1, {"a": 2}, [3]]')), size=2)]
    [[1, {'a': 2}], [[3]]]
    """
    for start in range(0, len(items), size):
        with collector_paused():
            batch = msgspec.json.decode(b"[" + b",".join(items[start : start + size]) + b"]")
        yield batch
        del batch  # before the next batch is decoded: the caller may have let go of this one


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
