"""Statements benchmark: render, queue and deliver N statements to a local SMTP server.

    python bench/bench_statements.py [--count 5000] [--json]

The SMTP server is aiosmtpd in its own process, storing every message in a Maildir (as a
local capture would); the sender is this process, through the real outbox on SQLite: each
message is claimed, handed over and recorded in its own transactions, as in production.
Reports the time to render and queue, the time to deliver, throughput, and checks that
the Maildir holds exactly one message per employee.

CPU seconds of the sender (this process) and of the SMTP server are reported too: on a
shared machine they say more than wall-clock time.

Issue floor: 5,000 statements rendered and delivered in under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compensation.statements.samples import sample_statement
from sync.config import CrmsyncConfig
from sync.mail.sender import deliver
from sync.mail.service import queue_statements
from sync.mail.smtp import SmtpTransport
from sync.store import open_store

FLOOR_S = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the SMTP server did not start on port {port}")


def run(count: int, work: Path) -> dict[str, Any]:
    port = _free_port()
    maildir = work / "maildir"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port)
        config = CrmsyncConfig.model_validate(
            {
                "store": {"url": f"sqlite:///{work / 'store.sqlite'}"},
                "email": {
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "from_address": "payroll@example.com",
                },
                "statements": {"company_name": "Example Corp"},
            }
        )
        engine = open_store(config.store.url)
        now = datetime(2026, 11, 2, tzinfo=UTC)
        cpu_start = time.process_time()
        started = time.perf_counter()
        statements = [sample_statement(i) for i in range(count)]
        queued = queue_statements(engine, statements, config, now)
        rendered_s = time.perf_counter() - started
        report = deliver(
            engine, SmtpTransport(config.email), config.email, lambda: datetime.now(UTC)
        )
        total_s = time.perf_counter() - started
        sender_cpu = time.process_time() - cpu_start
    finally:
        server.terminate()
        server.wait(timeout=30)
    server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu_s = server_cpu.ru_utime + server_cpu.ru_stime
    box = mailbox.Maildir(str(maildir), create=False)
    recipients = [str(m["To"]).split("<")[-1].rstrip(">") for m in box]
    return {
        "count": count,
        "queued": queued.queued,
        "sent": report.sent,
        "render_queue_s": round(rendered_s, 2),
        "deliver_s": round(total_s - rendered_s, 2),
        "total_s": round(total_s, 2),
        "statements_per_s": round(count / total_s, 1),
        "render_ms_each": round(rendered_s / count * 1000, 2),
        "deliver_ms_each": round((total_s - rendered_s) / count * 1000, 2),
        "sender_cpu_s": round(sender_cpu, 1),
        "smtp_server_cpu_s": round(server_cpu_s, 1),
        "maildir_messages": len(recipients),
        "exactly_once": len(recipients) == len(set(recipients)) == count,
        "store_mb": round((work / "store.sqlite").stat().st_size / 1e6, 1),
        "floor_s": FLOOR_S,
        "within_floor": total_s < FLOOR_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crmsync-bench-statements-") as tmp:
        result = run(args.count, Path(tmp))
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'metric':<22} value")
    for key, value in result.items():
        print(f"{key:<22} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
