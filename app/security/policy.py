"""What each route needs, decided from its method and path template.

Rules, not a per-route list, so that routes added later get a sensible need; anything no rule
covers needs an admin (fail closed). tests/security/test_authorization.py pins every route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

PUBLIC, ANY, READ, WRITE, OWNER, ADMIN = "public", "any", "viewer", "editor", "owner", "admin"

#: No data behind these: probes, the sign-in itself, FastAPI's docs shells (their data, /openapi.json, is not public).
PUBLIC_PATHS = {"/healthz", "/readyz", "/login", "/logout", "/docs", "/language"}
PUBLIC_PREFIXES = ("/static",)
#: Reference data shipped with the program, the same for every workspace.
SHARED_PREFIXES = ("/api/v1/catalogs", "/api/v1/incidents", "/openapi.json")
WS_API = "/api/v1/workspaces/{ws}"
#: POSTs that compute on a copy and store nothing, so a viewer may call them.
READ_POSTS = {WS_API + "/what-if"}


@dataclass(frozen=True)
class Need:
    level: str
    ws_param: Optional[str] = None  # the path parameter naming the workspace, if any


def need(method: str, template: str) -> Need:
    reading = method in ("GET", "HEAD", "OPTIONS")
    if template in PUBLIC_PATHS or template.startswith(PUBLIC_PREFIXES):
        return Need(PUBLIC)
    if template.startswith(SHARED_PREFIXES):
        return Need(ANY if reading else ADMIN)
    if template == "/api/v1/workspaces":
        # Listing is filtered to what the token may see; creating a workspace is for admins.
        return Need(ANY if reading else ADMIN)
    if template == "/":
        return Need(ANY if reading else ADMIN)
    if template.startswith(WS_API + "/tokens"):
        return Need(OWNER, "ws")
    if (template == WS_API and method == "DELETE") or template == WS_API + "/restore":
        return Need(OWNER, "ws")  # undoing a workspace's deletion takes the role that deleted it
    if template == WS_API or template.startswith(WS_API + "/"):
        return Need(READ if reading or template in READ_POSTS else WRITE, "ws")
    if template.startswith("/w/{ws}"):
        return Need(READ if reading else ADMIN, "ws")
    return Need(ADMIN)
