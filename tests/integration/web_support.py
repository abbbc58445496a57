"""A ``crmsync serve`` application on a real port, and a browser-like HTTP client (cookies,
no automatic redirects) for the sign-in tests that need no page rendering."""

from __future__ import annotations

import html
import http.cookiejar
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Answer:
    status: int
    location: str
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Keeps cookies like a browser; every answer is returned as it came (3xx included)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, url: str, form: dict[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self._opener.open(url, data=data, timeout=30) as response:
                return Answer(
                    response.status, response.headers.get("location", ""), response.read().decode()
                )
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.headers.get("location", ""), exc.read().decode())

    def csrf(self, url: str) -> str:
        """The CSRF token of the form on the page at ``url``."""
        found = re.search(r'name="csrf" value="([^"]+)"', self.request(url).body)
        assert found, url
        return html.unescape(found.group(1))
