"""The clock pass of ``dev.py test`` really runs with the clock shifted: in this process and
in its subprocesses, measured against file times, which come from the kernel unshifted."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest


def _shift_seconds() -> float:
    shift = os.environ.get("CRMSYNC_TEST_CLOCK_SHIFT")
    if not shift:
        pytest.skip("runs in the clock pass of `dev.py test` (CRMSYNC_TEST_CLOCK_SHIFT)")
    assert shift.startswith("+") and shift.endswith("d"), shift
    return int(shift[1:-1]) * 86_400


def test_the_clock_pass_shifts_this_process_and_its_children(tmp_path: Path) -> None:
    shift = _shift_seconds()
    marker = tmp_path / "now"
    marker.write_text("")
    kernel = marker.stat().st_mtime
    assert time.time() - kernel == pytest.approx(shift, abs=120)
    child = subprocess.run(["date", "+%s"], capture_output=True, text=True, check=True)
    assert int(child.stdout) - kernel == pytest.approx(shift, abs=120)
