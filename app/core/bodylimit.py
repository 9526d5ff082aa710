"""Request body cap, answering 413 in the API's error shape.

FastAPI's own ``max_body_size`` answers a body announced too large with a plain-text 413 that
replaces whatever the app sends, so the cap lives here: refuse by ``Content-Length`` before
reading, and count the bytes of bodies without one (chunked) as they arrive.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from obligraph.app.core.http_errors import error_response


class BodyTooLarge(HTTPException):
    """An HTTPException, so that FastAPI's body parsing re-raises it to the app's 413 handler."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Content Too Large")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(
                413,
                "body_too_large",
                f"the request body is larger than this server accepts ({self.max_bytes} bytes); "
                "send less, or raise OBLIGRAPH_MAX_BODY_BYTES",
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)
