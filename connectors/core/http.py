"""HTTP sessions for connectors.

``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` from the environment override a
session's own ``verify`` setting when a call does not pass ``verify`` itself, and clients
such as simple-salesforce never do. ``pinned_session`` keeps the CA bundle a source is
configured with, while still honouring proxy settings from the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

__all__ = ["PinnedCaSession", "pinned_session"]


class PinnedCaSession(requests.Session):
    """A session whose ``verify`` (a CA bundle path) wins over the environment's."""

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and isinstance(self.verify, str):
            settings["verify"] = self.verify
        return settings


def pinned_session(
    ca_bundle: str | Path | None = None, user_agent: str | None = None
) -> requests.Session:
    """A session verifying TLS against ``ca_bundle`` (or the system CAs when ``None``)."""
    session: requests.Session = PinnedCaSession() if ca_bundle else requests.Session()
    if ca_bundle:
        session.verify = str(ca_bundle)
    if user_agent:
        session.headers["User-Agent"] = user_agent
    return session
