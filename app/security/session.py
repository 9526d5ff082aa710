"""The browser session: a signed cookie naming a token, and a CSRF token bound to it.

cookie = ``<token id>.<expiry unix time>.<hmac>``; the token is re-checked on every request, so
revoking it ends the session. The CSRF token is an HMAC of the cookie payload under the same
secret: the page's script reads it from a readable cookie and echoes it in ``X-CSRF-Token``; a
cross-site page can neither read it nor forge it (double submit, bound to the session).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Optional

from obligraph.app.core.settings import Settings

COOKIE = "obligraph_session"
CSRF_COOKIE = "obligraph_csrf"
CSRF_HEADER = "x-csrf-token"
LIFETIME_S = 12 * 3600


def load_secret(settings: Settings) -> bytes:
    """OBLIGRAPH_SECRET_KEY, else a key file in the data dir, created on first use (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = Path(settings.data_dir) / "secret_key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class Sessions:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._key: Optional[bytes] = None

    @property
    def key(self) -> bytes:
        # Loaded lazily: local mode never needs it, and the data dir may be read-only there.
        if self._key is None:
            self._key = load_secret(self._settings)
        return self._key

    def _mac(self, purpose: str, payload: str) -> str:
        return hmac.new(self.key, f"{purpose}|{payload}".encode(), hashlib.sha256).hexdigest()

    def issue(self, token_id: str, now: Optional[float] = None) -> tuple[str, str]:
        """(session cookie, CSRF token) for a signed-in token."""
        payload = f"{token_id}.{int((now or time.time()) + LIFETIME_S)}"
        return f"{payload}.{self._mac('session', payload)}", self._mac("csrf", payload)

    def token_id(self, cookie: str, now: Optional[float] = None) -> Optional[str]:
        """The token a cookie names, if its signature holds and it has not expired."""
        parts = cookie.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        payload = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2], self._mac("session", payload)):
            return None
        if int(parts[1]) < (now or time.time()):
            return None
        return parts[0]

    def csrf_ok(self, cookie: str, header: Optional[str]) -> bool:
        if not header or cookie.count(".") != 2:
            return False
        payload = cookie.rsplit(".", 1)[0]
        return hmac.compare_digest(header, self._mac("csrf", payload))
