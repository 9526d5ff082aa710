"""What the OSCAL writers and the reader share: the version, identifiers, and the layout of a set.

An exported set is laid out as a compliance-trestle workspace lays out its models::

    catalogs/<catalog>/catalog.json
    profiles/<catalog>/profile.json                          imports catalogs/<catalog>/catalog.json
    system-security-plans/<node>/system-security-plan.json   imports profiles/<catalog>/profile.json

Every ``href`` is relative to the root of the set, which is how trestle resolves a relative href
(from the workspace root it runs in): the references resolve in the unpacked zip and, after
``trestle import`` of each file under the same name, in the trestle workspace.

>>> control_token("10.5.1"), control_token("A&A-01")
('c-10.5.1', 'c-A_A-01')
>>> catalog_control_id("c-10.5.1")
'10.5.1'
>>> model_dir("aws:us-east-1")
'aws_us-east-1'
"""

from __future__ import annotations

import re
import uuid
from typing import Any

OSCAL_VERSION = "1.2.3"
#: Fixed forever: changing it changes every UUID of every export.
NAMESPACE = uuid.UUID("6c1f3a52-5d0e-5b9a-9a37-0b1f0f6d2c41")
#: The namespace of obligraph's own props and part names.
PROP_NS = "urn:obligraph:oscal"
CONTROL_PREFIX = "c-"
UNASSESSED = "unassessed"  # obligraph holds no FIPS 199 categorisation; tools must not read one into it


def control_token(control: str) -> str:
    """An OSCAL ``control-id`` (a token: it starts with a letter) for a catalog id like ``10.5.1``."""
    return CONTROL_PREFIX + re.sub(r"[^\w.\-]", "_", control)


def catalog_control_id(token: str) -> str:
    """The catalog id inside a token of :func:`control_token` (ids with ``&`` or spaces need the props)."""
    return token.removeprefix(CONTROL_PREFIX)


def model_dir(name: str) -> str:
    """A directory name trestle accepts for a model (node ids may hold ``:`` and ``@``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "model"


def catalog_path(catalog_id: str) -> str:
    return f"catalogs/{model_dir(catalog_id)}/catalog.json"


def profile_path(catalog_id: str) -> str:
    return f"profiles/{model_dir(catalog_id)}/profile.json"


def ssp_path(directory: str) -> str:
    return f"system-security-plans/{directory}/system-security-plan.json"


def uid(*parts: str) -> str:
    """A deterministic UUID (version 5) for a path of names: the same chain exports the same UUIDs."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def prop(name: str, value: str) -> dict[str, str]:
    """A namespaced prop; OSCAL prop values are one line with no surrounding space."""
    return {"name": name, "ns": PROP_NS, "value": " ".join(str(value).split()) or "-"}


def metadata(title: str, last_modified: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "last-modified": last_modified, "version": version, "oscal-version": OSCAL_VERSION, **extra}
