"""A job a reload removed while it was running does not write its row back when it
finishes: `crmsync status` and the health page list only the jobs the daemon schedules."""

from __future__ import annotations

from pathlib import Path

from sync.daemon.jobstate import JobStates
from sync.store import open_store


def test_a_removed_job_that_finishes_later_leaves_no_row(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    states = JobStates(engine)
    states.save("zoho", schedule="every 1h")
    states.save("denied", schedule="every 1h", last_status="running")
    # the reload: only zoho stays scheduled, and the removed job's row goes
    states.configured = frozenset({"zoho"})
    states.forget_except({"zoho"})
    # the removed job's run ends after the reload and records its outcome
    states.save("denied", last_status="failed", consecutive_failures=1)
    states.save("zoho", schedule="cron 0 4 * * *")
    assert {row.job: row.schedule for row in states.rows()} == {"zoho": "cron 0 4 * * *"}
    engine.dispose()
