"""For ``obligraph serve``: is the address loopback, and is auth configured?"""

from __future__ import annotations

import ipaddress

from obligraph.app.core.settings import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere: treat it as exposed


def auth_configured(settings: Settings) -> bool:
    if settings.auth == "required":
        return True
    from sqlalchemy.exc import DBAPIError

    from obligraph.app.core.db import Database
    from obligraph.app.security.tokens import any_token

    database = Database(settings)
    try:
        with database.read() as session:
            return any_token(session)
    except DBAPIError:
        return False  # no token table yet: no token; this answer only ever makes serve refuse
    finally:
        database.dispose()
