"""``crmsync daemon --serve``: the web pages served beside the scheduled jobs, in the
daemon's process, until SIGTERM stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from sandbox import Sandbox
from tests.integration.sync_support import write_config

pytest.importorskip("uvicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_daemon_serves_the_pages_until_sigterm(sandbox: Sandbox, tmp_path: Path) -> None:
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    config = yaml.safe_load(path.read_text())
    config["schedule"] = {"default": {"every": "1h"}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    port = _free_port()
    env = {**os.environ, "CRMSYNC_WEB_SECRET": "k" * 40}
    command = [sys.executable, "-m", "sync", "daemon", "--config", str(path), "--serve"]
    daemon = subprocess.Popen(
        [*command, "--port", str(port)], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                page = _get(f"http://127.0.0.1:{port}/signin")
            except OSError:
                time.sleep(0.2)
        assert page is not None and page[0] == 200 and 'name="email"' in page[1]
        assert _get(f"http://127.0.0.1:{port}/healthz") == (200, "ok")
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0
