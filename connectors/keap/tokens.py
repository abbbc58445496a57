"""Keap's OAuth 2 tokens: the refresh grant, and the file that keeps the rotated ones.

``POST /token`` with ``grant_type=refresh_token`` (form-encoded, the client id and secret
in a Basic header) answers a 24-hour access token and a *new* refresh token; the one sent
stops working. So the newest pair is written to ``token_file`` (mode 0600, replaced
atomically) before it is used, under an advisory lock that one refresh at a time holds:
several processes syncing the same account (workers, a daemon and a manual run) take
turns, and a process whose token went stale reads the file again instead of refreshing
with a spent token. Tokens never appear in messages.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from connectors.core.errors import ConnectorFatalError
from connectors.keap.settings import KeapAuthSettings

__all__ = ["KeapTokens"]

# An access token this close to its expiry is refreshed rather than sent.
_MARGIN_S = 120

# (refresh token) -> the token answer, or None when Keap refuses that refresh token
Refresher = Callable[[str], dict[str, Any] | None]


class KeapTokens:
    def __init__(self, auth: KeapAuthSettings, refresher: Refresher, source: str) -> None:
        self.auth = auth
        self.refresher = refresher
        self.source = source
        self.path = auth.token_file
        self._access: str | None = None
        self._refresh: str | None = None
        self._rejected: set[str] = set()
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._access is None:
                self._obtain()
            assert self._access is not None
            return self._access

    def reject(self) -> None:
        """The access token in use was refused: the next call gets another."""
        with self._lock:
            if self._access is not None:
                self._rejected.add(self._access)
            self._access = None

    def _obtain(self) -> None:
        with self._file_lock():
            saved = self._load()
            access = saved.get("access_token")
            fresh = float(saved.get("expires_at") or 0) > time.time() + _MARGIN_S
            if access and fresh and access not in self._rejected:
                self._access, self._refresh = access, saved.get("refresh_token")
                return
            candidates = [saved.get("refresh_token"), self._refresh]
            candidates.append(self.auth.refresh_token.get_secret_value())
            tried: set[str] = set()
            for token in candidates:
                if not token or token in tried:
                    continue
                tried.add(token)
                answer = self.refresher(token)
                if answer is not None:
                    self._keep(answer)
                    return
        raise ConnectorFatalError(
            "Keap refused every refresh token crmsync has (the token file's and the "
            "configured one): authorise the app again and set the new refresh token",
            source=self.source,
            status=400,
        )

    def _keep(self, answer: dict[str, Any]) -> None:
        self._access, self._refresh = answer["access_token"], answer["refresh_token"]
        data = {
            "access_token": self._access,
            "refresh_token": self._refresh,
            "expires_at": time.time() + float(answer.get("expires_in") or 0),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)

    def _load(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
