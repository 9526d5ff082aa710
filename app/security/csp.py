"""The Content-Security-Policy every response carries, the API docs included (set by security/headers.py).

``script-src 'self'`` means no inline script runs, even if some text escaped our escaping: every
script is a static file.
"""

from __future__ import annotations

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
