"""The sync contract when killed: SIGKILL at random points, restart, same store as clean."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.sandbox import ManualClock, Sandbox, SandboxOptions
from tests.integration.contract_suite import (
    BACKENDS,
    CRMS,
    require,
    run_sync,
    store_url,
)
from tests.integration.sync_support import store_snapshot, write_config


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_sync_killed_at_random_points_resumes_to_a_clean_store(
    crm: str, backend: str, tmp_path: Path
) -> None:
    require(crm)
    options = SandboxOptions(seed=9, scale="small")
    with (
        Sandbox(options, clock=ManualClock(options.anchor)) as sandbox,
        store_url(backend, tmp_path, "clean") as clean_url,
    ):
        (tmp_path / "clean").mkdir()
        run_sync(write_config(sandbox, tmp_path / "clean", clean_url, (crm,)), crm)
        clean = store_snapshot(clean_url)
        for seed in (1, 2, 3):
            work = tmp_path / f"killed{seed}"
            work.mkdir()
            with store_url(backend, tmp_path, f"killed{seed}") as url:
                config = write_config(sandbox, work, url, (crm,))
                rng = random.Random(seed)
                killed_mid_run = 0
                for _ in range(3):
                    proc = subprocess.Popen(
                        [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    time.sleep(rng.uniform(0.9, 2.0))  # imports take ~0.7 s
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        killed_mid_run += 1
                    proc.wait(timeout=60)
                assert killed_mid_run >= 1  # the kills really landed inside runs
                final = subprocess.run(
                    [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert final.returncode == 0, final.stderr
                assert store_snapshot(url) == clean
