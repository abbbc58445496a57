"""``crmsync statements send --only A`` then ``--only B`` with one address (issue 15, item 9).

The sandbox company's plan results, two employees given one e-mail address, real SMTP on
loopback (aiosmtpd): A's statement is sent, B's is refused with one line naming both
employees, and nothing more reaches the shared mailbox.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from sqlalchemy import select, update

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.reconciling import reconcile
from sync.store import open_store
from sync.store.identities import IdentityRow
from tests import cli_process
from tests.integration.mail_support import smtp_capture

CLI = [sys.executable, "-m", "sync"]
PERIOD = "2026-Q3"  # the tiny sandbox pays in its third quarter
SHARED = "shared@altamira-instruments.com"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[str]]:
    """The sandbox store with plan results for PERIOD; where to write the config, the
    config, and the two employees whose reconciled address is now the same."""
    demo = run_demo(
        tmp_path_factory.mktemp("shared-mailbox"), seed=7, scale="tiny", anchor=DEFAULT_ANCHOR
    )
    engine = open_store(demo.store_url)
    reconcile(engine, ReconcileConfig(), datetime(2026, 10, 31, tzinfo=UTC), "full")
    config = yaml.safe_load(demo.config_path.read_text())
    path = demo.config_path.with_name("statements.yaml")
    path.write_text(yaml.safe_dump(config))
    ran = _cli("plan", "run", "--period", PERIOD, "--json", "--config", str(path))
    assert ran.returncode == 0, ran.stderr
    a, b = sorted(e["employee"] for e in orjson.loads(ran.stdout)["employees"])[:2]
    rows = IdentityRow.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for key in (a, b):
            golden = conn.execute(select(rows.c.golden).where(rows.c.identity_id == key)).scalar()
            golden = {**golden, "email": SHARED.upper() if key == b else SHARED}
            conn.execute(update(rows).where(rows.c.identity_id == key).values(golden=golden))
    engine.dispose()
    return path, config, [a, b]


def test_only_a_then_only_b_sends_nothing_for_b_to_the_shared_mailbox(
    company: tuple[Path, dict, list[str]],
) -> None:
    path, config, (a, b) = company
    with smtp_capture() as smtp:
        config["email"] = {
            "host": smtp.host,
            "port": smtp.port,
            "security": "none",
            "from_address": "payroll@altamira-instruments.com",
        }
        path.write_text(yaml.safe_dump(config))
        common = ["--period", PERIOD, "--config", str(path), "--json"]

        first = _cli("statements", "send", "--only", a, *common)
        assert first.returncode == 0, first.stderr
        assert orjson.loads(first.stdout)["sent"] == 1
        assert [r.rcpt_tos for r in smtp.received] == [(SHARED,)]

        second = _cli("statements", "send", "--only", b, *common)
        assert second.returncode == 1
        result = orjson.loads(second.stdout)
        assert (result["queued"], result["sent"]) == (0, 0)
        assert result["refused"] == [
            f"{PERIOD}:{b} ({b}): SHARED@altamira-instruments.com is already the address of "
            f"{a}'s statement for {PERIOD}, and a shared mailbox would show one employee's "
            f"pay to the other: give {b} an address of their own, or approve sending to it "
            f"with `crmsync statements approve --period {PERIOD} --only {b} --shared-address`"
        ]
        assert second.stderr.strip() == (
            f"error: 1 statements refused, 0 failed, 0 bounced: see `crmsync statements "
            f"outbox --period {PERIOD}`"
        )
        assert len(smtp.received) == 1
        outbox = orjson.loads(_cli("statements", "outbox", *common).stdout)
        assert [(p["employee_id"], p["state"]) for p in outbox["problems"]] == [(b, "held")]
        assert outbox["problems"][0]["last_error"] == result["refused"][0]

        # An admin who knows the mailbox is right approves it explicitly; then it goes.
        approved = _cli("statements", "approve", "--only", b, "--shared-address", *common)
        assert orjson.loads(approved.stdout)["approved"] == 1
        third = _cli("statements", "send", "--only", b, "--queued-only", *common)
        assert third.returncode == 0, third.stderr
        assert [r.rcpt_tos for r in smtp.received] == [
            (SHARED,),
            ("SHARED@altamira-instruments.com",),
        ]
