"""A batch killed mid-send and resumed delivers every statement exactly once.

The sender is ``crmsync statements send`` in a subprocess, killed with SIGKILL from inside
the SMTP server at the two moments that matter: right after the server received a whole
message (before the sender could record the reply), and in the middle of a transaction
(before the end of data). Each resumed run recovers the row the dead run left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import yaml
from mail_support import smtp_capture
from sqlalchemy import select

from compensation.statements.samples import sample_statement
from sync.config import CrmsyncConfig
from sync.mail import outbox
from sync.mail.service import queue_statements
from sync.store import open_store

COUNT = 30


def _send(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync",
            "statements",
            "send",
            "--period",
            "2026-10",
            "--queued-only",
            "--json",
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_batch_resumes_and_delivers_each_statement_exactly_once(tmp_path: Path) -> None:
    with smtp_capture() as smtp:
        data = {
            "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
            "email": {
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "payroll@example.com",
                # One connection, so each kill lands at a known point of the dialogue
                # (parallel connections are covered by test_outbox_delivery).
                "connections": 1,
            },
        }
        path = tmp_path / "crmsync.yaml"
        path.write_text(yaml.safe_dump(data))
        config = CrmsyncConfig.model_validate(data)
        engine = open_store(config.store.url)
        statements = [sample_statement(i) for i in range(COUNT)]
        now = datetime(2026, 11, 2, tzinfo=UTC)
        assert queue_statements(engine, statements, config, now).queued == COUNT

        # Run 1: killed once the server holds message 10 but before it answers 250.
        first = _send(path)

        def kill_after_tenth(item):  # type: ignore[no-untyped-def]
            if len(smtp.received) == 9:
                os.kill(first.pid, signal.SIGKILL)
            return None

        smtp.on_data = kill_after_tenth
        first.communicate(timeout=120)
        assert first.returncode == -signal.SIGKILL
        assert len(smtp.received) == 10
        with engine.connect() as conn:
            stuck = conn.execute(
                select(outbox.T.c.employee_id, outbox.T.c.handed_over_at).where(
                    outbox.T.c.state == "sending"
                )
            ).all()
        assert [(e, h is not None) for e, h in stuck] == [("E000009", True)]

        # Run 2: killed while sending the RCPT of a later message (before the data).
        smtp.on_data = None
        second = _send(path)
        rcpts: list[str] = []

        def kill_at_rcpt(address: str) -> None:
            rcpts.append(address)
            if len(rcpts) == 8:
                os.kill(second.pid, signal.SIGKILL)

        smtp.on_rcpt = kill_at_rcpt
        second.communicate(timeout=120)
        assert second.returncode == -signal.SIGKILL
        assert len(smtp.received) == 17

        # Run 3 resumes to the end.
        smtp.on_rcpt = None
        third = _send(path)
        stdout, stderr = third.communicate(timeout=120)
        assert third.returncode == 0, stderr
        report = orjson.loads(stdout)
        assert (report["recovered_resend"], report["recovered_assumed_sent"]) == (1, 0)
        assert report["sent"] == COUNT - 17

    got = smtp.by_recipient()
    assert sorted(got) == sorted(s.recipient.email for s in statements)
    assert {email: len(items) for email, items in got.items() if len(items) != 1} == {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                outbox.T.c.employee_id,
                outbox.T.c.state,
                outbox.T.c.confirmed,
                outbox.T.c.message_id,
            )
        ).all()
    assert {state for _, state, _, _ in rows} == {"sent"}
    assert [e for e, _, confirmed, _ in rows if not confirmed] == ["E000009"]
    assert {m for *_, m in rows} == {item.message_id for item in smtp.received}
