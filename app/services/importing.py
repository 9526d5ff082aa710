"""Bulk import of a chain@1 document into a workspace: parse the body, check the caps and the
catalog, and keep imports idempotent. Merging is ``merge.py``; the stored keys are ``repository.idempotency_keys``.

Problems are reported against the document as sent (``nodes[3].declarations[0].status``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from sqlmodel import Session

from obligraph.app.core.exceptions import InvalidInput, TooLarge, UnsupportedMediaType
from obligraph.app.core.settings import Settings
from obligraph.app.models import utcnow
from obligraph.app.repository import idempotency_keys
from obligraph.app.schemas.transfer import ImportMode
from obligraph.graph.catalog import available_catalogs
from obligraph.graph.document import parse_document
from obligraph.graph.errors import ChainError

SOURCE = "request body"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json", "text/json")
#: Every body type ``POST .../import`` reads: the chain syntaxes here, GraphML and CSV bundles by their readers.
IMPORT_TYPES = (
    "application/json",
    "application/yaml",
    "application/graphml+xml",
    "application/xml",
    "text/xml",
    "application/zip",
)


IDEMPOTENCY_KEY_MAX = 255
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,%d}" % IDEMPOTENCY_KEY_MAX)
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,%d}$" % IDEMPOTENCY_KEY_MAX


def parse_body(body: bytes, content_type: str | None) -> Any:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        syntax = "yaml"
    elif media in JSON_TYPES or media.endswith("+json"):
        syntax = "json"
    elif media in ("", "application/octet-stream", "text/plain"):
        syntax = "json" if body.lstrip()[:1] in (b"{", b"[") else "yaml"
    else:
        raise UnsupportedMediaType(
            f"cannot import a body of type '{media}'; send a chain as application/json or application/yaml,"
            " GraphML as application/graphml+xml (or application/xml, text/xml), a CSV bundle or a zip of OSCAL"
            " documents as application/zip (an OSCAL document alone as application/json), or name the format"
            " with format=",
            details=[{"location": "header.content-type", "message": "expected one of: " + ", ".join(IMPORT_TYPES)}],
        )
    if not body or body.isspace():  # not strip(): that copies a large body
        raise ChainError("the body is empty; send a chain document (format: obligraph/chain@1)", source=SOURCE)
    if syntax == "json" and body.isascii():
        # Straight to the parser: a copy of a large body as a str would only double what it holds.
        return parse_document(body, syntax, source=SOURCE)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChainError(
            f"the body is not UTF-8 text (byte {exc.start}); save the document as UTF-8", source=SOURCE
        ) from None
    if text.isspace():
        raise ChainError("the body is empty; send a chain document (format: obligraph/chain@1)", source=SOURCE)
    return parse_document(text, syntax, source=SOURCE)


def check_catalog(document: Any) -> None:
    """Only shipped catalogs by id: ``load_catalog`` also takes file paths, which must not come over HTTP."""
    if isinstance(document, Mapping) and isinstance(document.get("catalog"), str):
        catalog_id = document["catalog"]
        if catalog_id not in available_catalogs():
            known = ", ".join(available_catalogs())
            raise ChainError.at(("catalog",), f"unknown catalog '{catalog_id}' (known: {known})")


def check_caps(document: Any, settings: Settings) -> None:
    if not isinstance(document, Mapping):
        return  # Chain.from_dict explains what a chain document is
    for key, limit, variable in (
        ("nodes", settings.import_max_nodes, "OBLIGRAPH_IMPORT_MAX_NODES"),
        ("edges", settings.import_max_edges, "OBLIGRAPH_IMPORT_MAX_EDGES"),
    ):
        items = document.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise TooLarge(
                f"the document has {len(items)} {key}; this server imports at most {limit} "
                f"(split the document and use mode=merge, or raise {variable})",
                code="import_too_large",
                details=[{"location": key, "message": f"{len(items)} items, at most {limit}"}],
            )


def check_idempotency_key(value: str) -> str:
    if _KEY_PATTERN.fullmatch(value):
        return value
    problem = (
        f"it is {len(value)} characters long, at most {IDEMPOTENCY_KEY_MAX} are allowed"
        if len(value) > IDEMPOTENCY_KEY_MAX
        else "it is empty"
        if not value
        else "it holds a space or a character outside printable ASCII"
    )
    raise InvalidInput(
        f"the Idempotency-Key header is not usable: {problem}; send 1 to {IDEMPOTENCY_KEY_MAX} printable "
        "ASCII characters without spaces (a UUID, for example)",
        details=[{"location": "header.Idempotency-Key", "message": problem}],
    )


def request_hash(body: bytes, mode: ImportMode, format: str | None, content_type: str | None) -> str:
    """What the import's outcome depends on besides the workspace: a retry must match it exactly."""
    digest = hashlib.sha256()
    for part in (mode.value, format or "", (content_type or "").strip().lower()):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def stored_outcome(
    session: Session, ws: str, key: str, fingerprint: str, settings: Settings
) -> tuple[int, dict[str, Any]] | None:
    """The ``(status, body)`` an earlier import with this key answered, or None if the key is new or expired.

    A key that was used for another request is refused: replaying its answer would hide that this
    request was never carried out.
    """
    cutoff = utcnow() - timedelta(seconds=settings.idempotency_key_ttl_s)
    row = idempotency_keys.find_key(session, ws, key)
    if row is None or _aware(row.created_at) < cutoff:
        return None
    if row.request_hash != fingerprint:
        raise InvalidInput(
            f"the Idempotency-Key '{key}' was already used in workspace '{ws}' for a different import "
            "(another body, mode or format); send a new key for a new request",
            code="idempotency_key_reused",
            details=[{"location": "header.Idempotency-Key", "message": "used for a different request"}],
        )
    return row.status, row.response


def forget_expired_keys(session: Session, ws: str, settings: Settings) -> None:
    """Run with the workspace locked, so two writers never delete the same rows (no cross-workspace waits)."""
    cutoff = utcnow() - timedelta(seconds=settings.idempotency_key_ttl_s)
    idempotency_keys.delete_keys_before(session, ws, cutoff)


def record_key(session: Session, ws: str, key: str, fingerprint: str, status: int, response: dict[str, Any]) -> None:
    idempotency_keys.add_key(session, ws, key, fingerprint, status, response)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
