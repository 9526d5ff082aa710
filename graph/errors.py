"""One error type for bad chain or catalog input, with messages that name the place and the fix.

Pydantic does the validating; this module turns its errors into sentences a person can act on:

>>> from pydantic import BaseModel
>>> from obligraph.graph.lattice import Status
>>> class Decl(BaseModel):
...     status: Status
>>> try:
...     Decl.model_validate({"status": "verifed"})
... except Exception as exc:
...     print(ChainError.from_validation(exc, prefix=("nodes", 3)).issues[0])
nodes[3].status: 'verifed' is not a status (expected one of not_implemented, unknown, partial, declared, verified, not_applicable)
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from pydantic import BaseModel, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass
from pydantic.fields import FieldInfo

Location = Sequence[str | int]
DOCUMENT = "(document)"


def _noun_for(values: list[str], field: str) -> str:
    """Name the vocabulary by its values, so a responsibility under any key reads 'responsibility'."""
    from obligraph.graph.lattice import Criticality, EvidenceKind, Independence, Layer, Responsibility, Status

    vocabularies: dict[type[Status | Layer | Responsibility | Criticality | EvidenceKind | Independence], str] = {
        Status: "status",
        Layer: "layer",
        Responsibility: "responsibility",
        Criticality: "criticality",
        EvidenceKind: "evidence kind",
        Independence: "independence",
    }
    for enum, noun in vocabularies.items():
        if set(values) == {member.value for member in enum}:
            return noun
    return field.replace("_", " ")


def format_location(location: Location) -> str:
    """``("nodes", 3, "status")`` -> ``"nodes[3].status"``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or DOCUMENT


@dataclass(frozen=True)
class Issue:
    location: str
    message: str

    def __str__(self) -> str:
        return self.message if self.location == DOCUMENT else f"{self.location}: {self.message}"


class ChainError(ValueError):
    """Bad input. ``issues`` lists every problem found, each with its place in the document."""

    def __init__(self, issues: Iterable[Issue] | str, *, source: str | None = None):
        if isinstance(issues, str):
            issues = [Issue(DOCUMENT, issues)]
        self.issues: list[Issue] = list(issues)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        lines = [str(issue) for issue in self.issues[:20]]
        if len(self.issues) > 20:
            lines.append(f"... and {len(self.issues) - 20} more problems")
        if len(lines) == 1:
            return head + lines[0]
        return head + f"{len(self.issues)} problems:\n  " + "\n  ".join(lines)

    def to_dict(self) -> list[dict[str, str]]:
        return [{"location": issue.location, "message": issue.message} for issue in self.issues]

    @classmethod
    def at(cls, location: Location, message: str) -> "ChainError":
        return cls([Issue(format_location(location), message)])

    @classmethod
    def from_validation(cls, exc: ValidationError, *, prefix: Location = (), model: type | None = None) -> "ChainError":
        issues = []
        for error in exc.errors(include_url=False):
            loc = tuple(prefix) + tuple(error["loc"])
            issues.append(Issue(format_location(loc), validation_sentence(error, model)))
        return cls(issues)


BOUNDS = {
    "less_than_equal": "at most",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "greater_than": "more than",
}


def validation_sentence(error: Any, model: type | None = None, model_loc: Location | None = None) -> str:
    """One Pydantic error as a sentence that says what to fix: the one wording of every surface.

    ``model`` (a pydantic model or dataclass; with ``model_loc``, the error's place inside it, by
    default its ``loc``) lets an unknown field be answered with the fields allowed there.
    """
    kind = error["type"]
    loc = error["loc"]
    field = next((part for part in reversed(loc) if isinstance(part, str)), "value")
    value = error.get("input")
    ctx = error.get("ctx") or {}
    inside = tuple(loc if model_loc is None else model_loc)
    if kind in ("enum", "literal_error"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        noun = _noun_for(allowed, str(field))
        return f"{value!r} is not a {noun} (expected one of {', '.join(allowed)})"
    if kind == "missing":
        return f"'{field}' is required here; add it"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's
        allowed = _fields_at(model, inside[:-1])
        hint = "; remove it"
        if allowed:
            close = difflib.get_close_matches(str(field), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed here: {', '.join(sorted(allowed))}"
        return f"unknown field '{field}'{hint}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{value!r} is not a valid date (expected YYYY-MM-DD, e.g. 2026-03-31)"
    if kind == "string_pattern_mismatch" and field in ("id", "provider", "consumer", "ws", "node"):
        return (
            f"{value!r} is not a valid id (use 1-128 letters, digits, '.', '_', ':', '@' or '-',"
            " starting with a letter or digit)"
        )
    if kind == "json_invalid":
        return f"the body is not valid JSON ({ctx.get('error', 'parse error')}); send a JSON object"
    if kind in BOUNDS:
        limit = next(iter(ctx.values()), "?")
        return f"must be {BOUNDS[kind]} {limit} (got {value!r})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    message = error["msg"]
    return f"{message[0].lower()}{message[1:]} (got {_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(model: type | None, loc: Sequence[str | int]) -> list[str]:
    """The field names allowed at ``loc`` inside ``model``, walking list items and nested models."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif part in _model_fields(current):
            current = _model_fields(current)[part].annotation
        else:
            return []
    return [info.alias or name for name, info in _model_fields(_unwrap(current)).items()]


def _model_fields(annotation: Any) -> dict[str, FieldInfo]:
    """The fields of a pydantic model or pydantic dataclass (``Evidence`` is one); none for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_fields
    if isinstance(annotation, type) and is_pydantic_dataclass(annotation):
        return annotation.__pydantic_fields__
    return {}


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional[...]`` so the walk sees the model or list underneath."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation
