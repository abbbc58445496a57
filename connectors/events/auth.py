"""The write key check of the events endpoint (HTTP Basic with the key as user name, as
Segment's libraries send it, or a bearer token), in constant time."""

from __future__ import annotations

import base64
import hmac

__all__ = ["authorised"]


def authorised(header: str, key: str) -> bool:
    """True when the ``Authorization`` header carries ``key``."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            return False
    else:
        return False
    return bool(given) and bool(key) and hmac.compare_digest(given.encode(), key.encode())
