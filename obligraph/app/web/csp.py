"""Content-Security-Policy on every response, the API docs included (app/docs_assets).

``script-src 'self'`` means no inline script runs, even if some text escaped our escaping: every
script is a static file.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class CspMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so streaming responses and the body limit are untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in ((b"content-security-policy", POLICY.encode()), (b"x-content-type-options", b"nosniff")):
                    if name not in present:  # a response that sets its own policy keeps it, once
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)
