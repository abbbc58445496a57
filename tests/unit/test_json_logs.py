"""``--json-logs``: whatever logs, warns or fails in a thread, stderr stays JSON lines.

Run in a fresh interpreter: logging is process-wide state this test must not leave behind.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, threading, warnings
from sync.daemon.logs import configure_logging
configure_logging(True)
logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
warnings.warn("a library warning")
worker = threading.Thread(target=lambda: 1 / 0, name="job-1")
worker.start()
worker.join()
print("done", flush=True)
"""


def test_warnings_and_thread_tracebacks_are_json_lines() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    entries = [orjson.loads(line) for line in result.stderr.splitlines()]
    assert [(e["level"], e["logger"]) for e in entries] == [
        ("info", "alembic.runtime.migration"),
        ("warning", "py.warnings"),
        ("error", "crmsync"),
    ]
    assert "a library warning" in entries[1]["message"]
    assert entries[2]["message"] == "uncaught error in thread job-1"
    assert "ZeroDivisionError" in entries[2]["exc"]
