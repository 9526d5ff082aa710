"""Bulk import of a chain@1 document into a workspace: parse the body, check the caps and the
catalog, and keep imports idempotent. Merging is ``merge.py``; the stored keys are ``repository.idempotency_keys``.

Problems are reported against the document as sent (``nodes[3].declarations[0].status``).
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from sqlmodel import Session

from obligraph.app.core.exceptions import InvalidInput, TooLarge, UnsupportedMediaType
from obligraph.app.core.settings import Settings
from obligraph.app.models import utcnow
from obligraph.app.repository import idempotency_keys
from obligraph.app.repository.pending_rows import PendingRows
from obligraph.app.schemas.transfer import ImportMode
from obligraph.graph.catalog import available_catalogs
from obligraph.graph.document import parse_document
from obligraph.graph.errors import ChainError

if TYPE_CHECKING:
    from obligraph.app.services.workspace import Edit

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


def body_syntax(body: bytes, content_type: str | None) -> str:
    """ "json" or "yaml": what a chain document's body is written in, by its Content-Type (sniffed
    when that says nothing); ``UnsupportedMediaType`` for a type no chain document comes as."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        return "yaml"
    if media in JSON_TYPES or media.endswith("+json"):
        return "json"
    if media in ("", "application/octet-stream", "text/plain"):
        return "json" if body.lstrip()[:1] in (b"{", b"[") else "yaml"
    raise UnsupportedMediaType(
        f"cannot import a body of type '{media}'; send a chain as application/json or application/yaml,"
        " GraphML as application/graphml+xml (or application/xml, text/xml), a CSV bundle or a zip of OSCAL"
        " documents as application/zip (an OSCAL document alone as application/json), or name the format"
        " with format=",
        details=[{"location": "header.content-type", "message": "expected one of: " + ", ".join(IMPORT_TYPES)}],
    )


def parse_body(body: bytes, content_type: str | None) -> Any:
    syntax = body_syntax(body, content_type)
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
    for key in ("nodes", "edges"):
        items = document.get(key)
        if isinstance(items, list):
            check_count(key, len(items), settings)


def check_count(key: str, count: int, settings: Settings) -> None:
    """Refuse a document whose ``nodes`` or ``edges`` hold more items than this server imports."""
    limit, variable = {
        "nodes": (settings.import_max_nodes, "OBLIGRAPH_IMPORT_MAX_NODES"),
        "edges": (settings.import_max_edges, "OBLIGRAPH_IMPORT_MAX_EDGES"),
    }[key]
    if count > limit:
        raise TooLarge(
            f"the document has {count} {key}; this server imports at most {limit} "
            f"(split the document and use mode=merge, or raise {variable})",
            code="import_too_large",
            details=[{"location": key, "message": f"{count} items, at most {limit}"}],
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
    session: Session,
    ws: str,
    key: str,
    fingerprint: str,
    settings: Settings,
    pending: Sequence[PendingRows] = (),
) -> tuple[int, dict[str, Any]] | None:
    """The ``(status, body)`` an earlier import with this key answered, or None if the key is new or expired.

    ``pending``: rows not sent yet in ``session``'s transaction, newest first, which come before the
    stored ones. A key that was used for another request is refused: replaying its answer would
    hide that this request was never carried out.
    """
    return _outcome(_key_row(session, ws, key, pending), ws, key, fingerprint, settings)


def _outcome(
    row: Mapping[str, Any] | None, ws: str, key: str, fingerprint: str, settings: Settings
) -> tuple[int, dict[str, Any]] | None:
    if row is None or _expired(row, settings):
        return None
    if row["request_hash"] != fingerprint:
        raise InvalidInput(
            f"the Idempotency-Key '{key}' was already used in workspace '{ws}' for a different import "
            "(another body, mode or format); send a new key for a new request",
            code="idempotency_key_reused",
            details=[{"location": "header.Idempotency-Key", "message": "used for a different request"}],
        )
    return row["status"], row["response"]


def claim_key(edit: "Edit", key: str, fingerprint: str, settings: Settings) -> tuple[int, dict[str, Any]] | None:
    """With the workspace locked: the answer stored under ``key``, or None when this import runs
    under it (``record_key`` then stores its answer with it).

    With the workspace locked, a concurrent request with this key has either committed or left
    its row pending in this transaction, or not started writing: it cannot be imported twice.
    An expired row of the key is removed first; the workspace's other expired keys are forgotten
    once every ``KEY_PURGE_INTERVAL_S`` per process, since looking a key up ignores them anyway.
    """
    ws = edit.workspace.id
    cutoff = utcnow() - timedelta(seconds=settings.idempotency_key_ttl_s)
    now = time.monotonic()
    if now - _purged.get(ws, -KEY_PURGE_INTERVAL_S) >= KEY_PURGE_INTERVAL_S:
        _purged[ws] = now
        edit.rows.delete_keys_before(cutoff)
    row = _key_row(edit.reader, ws, key, edit.pending())
    if row is not None and _expired(row, settings):
        edit.rows.delete_key(key)
        return None
    return _outcome(row, ws, key, fingerprint, settings)


def record_key(pending: PendingRows, key: str, fingerprint: str, status: int, response: dict[str, Any]) -> None:
    pending.insert_key(key, fingerprint, status, response)


#: How often (seconds) a process removes a workspace's expired idempotency keys, at most.
KEY_PURGE_INTERVAL_S = 60.0
# Workspace id -> when this process last removed its expired keys (time.monotonic).
_purged: dict[str, float] = {}


def _key_row(session: Session, ws: str, key: str, pending: Sequence[PendingRows]) -> Mapping[str, Any] | None:
    for rows in pending:
        if rows.holds_key(key):
            return rows.key(key)
    return idempotency_keys.find_key(session, ws, key)


def _expired(row: Mapping[str, Any], settings: Settings) -> bool:
    return _aware(row["created_at"]) < utcnow() - timedelta(seconds=settings.idempotency_key_ttl_s)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
