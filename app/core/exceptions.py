"""The failures a caller can fix, as the services raise them: no HTTP here.

Each carries a ``code`` (a stable name for clients), a ``message`` (one sentence that says what to
fix) and ``details`` (each problem with its ``location``). The API turns them into HTTP answers in
one place (``http_errors.install``); the CLI prints the message and exits 2; the pages show it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.details = details if details is not None else []


class BadRequest(DomainError):
    """A parameter that cannot be read at all (a damaged paging cursor, a filter with no value)."""

    code = "bad_request"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request contradicts what is stored (an id taken, an ambiguous or damaged snapshot)."""

    code = "conflict"


class InvalidInput(DomainError):
    """Well-formed, but a value is not acceptable (an unknown format, a date in the past)."""

    code = "invalid_request"


class TooLarge(DomainError):
    code = "body_too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class NotAcceptable(DomainError):
    """No representation the client's ``Accept`` header allows."""

    code = "not_acceptable"
