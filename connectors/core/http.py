"""HTTP sessions for connectors.

``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` from the environment override a
session's own ``verify`` setting when a call does not pass ``verify`` itself, and clients
such as simple-salesforce never do. ``pinned_session`` keeps the CA bundle a source is
configured with, while still honouring proxy settings from the environment.

``quick_calls`` puts a connector's HTTP layer in the mode ``check`` uses: one attempt per
call and ``CHECK_TIMEOUT`` (a short connect and read timeout), so a check of an unreachable
or placeholder host answers in seconds instead of retrying for minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

from connectors.core.retry import RetryPolicy

__all__ = [
    "CHECK_TIMEOUT",
    "ConnectorSession",
    "PinnedCaSession",
    "Timeout",
    "network_failure",
    "pinned_session",
    "quick_calls",
]

Timeout = float | tuple[float, float]  # seconds, or (connect, read) seconds
# A live check must answer within seconds: a CRM that takes longer to accept a connection
# or to answer one small read is reported as unreachable.
CHECK_TIMEOUT: tuple[float, float] = (3.0, 5.0)


class _HttpLayer(Protocol):
    retry: RetryPolicy
    request_timeout: Timeout


class ConnectorSession(requests.Session):
    """A session that reads the proxy variables of the environment once per host.

    ``requests`` reads them again on every call (``get_environ_proxies`` walks the whole
    environment twice): 7% of a Zoho sync's CPU. The merge below is ``requests``' own
    (2.32) with that lookup kept per scheme and host, which is all it depends on; a
    variable changed while a connector runs applies to its next session.
    """

    def __init__(self) -> None:
        super().__init__()
        self._env_proxies: dict[tuple[str, str, str | None], dict[str, str]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if self.trust_env:
            no_proxy = proxies.get("no_proxy") if proxies is not None else None
            parts = urlsplit(url)
            key = (parts.scheme, parts.netloc, no_proxy)
            found = self._env_proxies.get(key)
            if found is None:
                found = self._env_proxies[key] = get_environ_proxies(url, no_proxy=no_proxy)
            if proxies is not None:
                for name, value in found.items():
                    proxies.setdefault(name, value)
            if verify is True or verify is None:
                verify = self._environment_verify(verify)
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }

    def _environment_verify(self, verify: Any) -> Any:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or verify


class PinnedCaSession(ConnectorSession):
    """A session whose ``verify`` (a CA bundle path) wins over the environment's."""

    def _environment_verify(self, verify: Any) -> Any:
        if verify is None and isinstance(self.verify, str):
            return self.verify
        return super()._environment_verify(verify)


def pinned_session(
    ca_bundle: str | Path | None = None, user_agent: str | None = None
) -> requests.Session:
    """A session verifying TLS against ``ca_bundle`` (or the system CAs when ``None``)."""
    session: requests.Session = PinnedCaSession() if ca_bundle else ConnectorSession()
    # The connector's RetryPolicy is the only retry layer: the adapters never retry.
    for prefix in ("https://", "http://"):
        session.mount(prefix, HTTPAdapter(max_retries=0))
    if ca_bundle:
        session.verify = str(ca_bundle)
    if user_agent:
        session.headers["User-Agent"] = user_agent
    return session


@contextmanager
def quick_calls(http: _HttpLayer) -> Iterator[None]:
    """Inside the block, ``http`` makes one attempt per call with ``CHECK_TIMEOUT``."""
    saved = http.retry, http.request_timeout
    http.retry, http.request_timeout = RetryPolicy.single_attempt(), CHECK_TIMEOUT
    try:
        yield
    finally:
        http.retry, http.request_timeout = saved


# The innermost exception's type -> what happened, in words an admin can act on.
_FAILURES = {
    "NameResolutionError": "host name not found",
    "gaierror": "host name not found",
    "ConnectionRefusedError": "connection refused",
    "ConnectTimeoutError": "no answer to the connection",
    "ConnectTimeout": "no answer to the connection",
    "ReadTimeoutError": "timed out waiting for the answer",
    "ReadTimeout": "timed out waiting for the answer",
    "TimeoutError": "timed out",
    "IncompleteRead": "connection dropped mid-answer",
    "RemoteDisconnected": "connection closed without an answer",
    "ConnectionResetError": "connection reset",
    "SSLCertVerificationError": "TLS certificate not trusted (check ca_bundle)",
}


def network_failure(exc: BaseException) -> str:
    """What went wrong on the network, from the deepest cause requests/urllib3 wrapped."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            current = reason
        elif current.args and isinstance(current.args[0], BaseException):
            current = current.args[0]
        else:
            current = current.__cause__ or current.__context__
    for found in reversed(seen):
        text = _FAILURES.get(type(found).__name__)
        if text is not None:
            return text
    return type(seen[-1]).__name__
