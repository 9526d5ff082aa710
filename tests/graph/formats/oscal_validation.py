"""Validate documents against NIST's released OSCAL 1.2.3 JSON schemas (vendored in oscal_schemas/).

Two validators, so that neither's quirks decide alone: ``jsonschema_rs`` (Rust; knows the
``\\p{L}``/``\\p{N}`` classes of the schemas' token pattern) and ``jsonschema`` (Python), whose
``re`` lacks them: the one token pattern is translated to Python's equivalent classes (a letter
or ``_``, then letters, digits, ``.``, ``-``, ``_``), and every other pattern is used as written.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import jsonschema
import jsonschema_rs

SCHEMAS = Path(__file__).with_name("oscal_schemas")
RELEASE_SHA256 = {
    "oscal_ssp_schema.json": "0c5cad20d17ed3c0d8b15d2294e924bc30024a744dfa221a47b4cf459cec1a4d",
    "oscal_catalog_schema.json": "37d8dbb0b2b4ffb1d7973d455e8edcb38eaf73a50d01ffdbe3ac20285b9cb6ee",
    "oscal_profile_schema.json": "fd9a6564b84ba8334b5a1b5aa785188fcd5361f596a4ab2db21ad3f33d8b8a26",
    "oscal_component_schema.json": "3037e0e084f4addbabec2eecf00a17b067061dd96ea251a33d40ab0b5d13e344",
}
MODELS = {
    "system-security-plan": "ssp",
    "catalog": "catalog",
    "profile": "profile",
    "component-definition": "component",
}
TOKEN = r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$"
TOKEN_PY = r"^(?:[^\W\d]|_)(?:\w|[.\-])*$"


def sha256(name: str) -> str:
    return hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest()


@cache
def _schema_text(model: str) -> str:
    return (SCHEMAS / f"oscal_{model}_schema.json").read_text(encoding="utf-8")


@cache
def _validators(model: str):
    text = _schema_text(model)
    rust = jsonschema_rs.Draft7Validator(json.loads(text))
    translated = json.loads(text.replace(json.dumps(TOKEN)[1:-1], json.dumps(TOKEN_PY)[1:-1]))
    assert "\\p{" not in json.dumps(translated), "a pattern Python's re cannot read is left in the schema"
    python = jsonschema.Draft7Validator(translated, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return rust, python


def model_of(document: dict) -> str:
    (root,) = document.keys()
    return MODELS[root]


def schema_errors(document: dict, *, python: bool = True) -> list[str]:
    """Every error both validators find (the Python one only when ``python``: it is slow on big files)."""
    rust, py = _validators(model_of(document))
    errors = [f"{e.instance_path}: {e.message[:300]}" for e in rust.iter_errors(document)]
    if python:
        errors += [f"{list(e.absolute_path)}: {e.message[:300]}" for e in py.iter_errors(document)]
    return errors
