"""Run ``crmsync sandbox serve`` in its own process for a benchmark, as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["served_sandbox"]


@contextmanager
def served_sandbox(scale: str, seed: int, state_dir: Path) -> Iterator[dict[str, Any]]:
    """The sandbox's ``--json`` line (URLs, tokens, CA bundle) while it serves."""
    command = [
        sys.executable,
        "-m",
        "sync",
        "sandbox",
        "serve",
        "--json",
        "--seed",
        str(seed),
        "--scale",
        scale,
        "--state-dir",
        str(state_dir),
        "--anchor",
        "2026-10-31",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        yield json.loads(proc.stdout.readline() if proc.stdout else "")
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        if proc.stdout:
            proc.stdout.close()
