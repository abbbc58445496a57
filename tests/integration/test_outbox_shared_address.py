"""A shared mailbox is refused by the outbox, across calls (issue 15, item 9).

``statements send --only A`` then ``--only B`` queue and deliver one employee per call, so
the check "one address, one employee" must hold against what the outbox already has, not
only within one call. Real SMTP on loopback (aiosmtpd), SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mail_support import Capture, smtp_capture
from sqlalchemy import Engine, select
from sync_support import postgres_schema, postgres_url

from compensation.statements import Statement
from compensation.statements.samples import sample_statement
from sync.config import CrmsyncConfig
from sync.mail import outbox
from sync.mail.sender import deliver
from sync.mail.service import prepare, queue_statements
from sync.mail.smtp import SmtpTransport
from sync.store import open_store

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
T = outbox.T
REFUSAL = (
    "2026-10:E000004 (E000004): Shared@example.com is already the address of E000003's "
    "statement for 2026-10, and a shared mailbox would show one employee's pay to the "
    "other: give E000004 an address of their own, or approve sending to it with "
    "`crmsync statements approve --period 2026-10 --only E000004 --shared-address`"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
        return
    base = postgres_url()
    if base is None:
        pytest.skip("set CRMSYNC_TEST_POSTGRES_URL to run the outbox tests on PostgreSQL")
    with postgres_schema(base) as url:
        store = open_store(url)
        yield store
        store.dispose()


@pytest.fixture
def smtp() -> Iterator[Capture]:
    with smtp_capture() as capture:
        yield capture


def _config(smtp: Capture) -> CrmsyncConfig:
    return CrmsyncConfig.model_validate(
        {
            "email": {
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "payroll@example.com",
            },
            "statements": {"company_name": "Example Corp"},
        }
    )


def _with_email(s: Statement, email: str) -> Statement:
    return dataclasses.replace(s, recipient=dataclasses.replace(s.recipient, email=email))


def _send_only(engine: Engine, config: CrmsyncConfig, statement: Statement):  # type: ignore[no-untyped-def]
    """What ``crmsync statements send --period 2026-10 --only <employee>`` does."""
    only = [statement.recipient.employee_id]
    report = queue_statements(engine, [statement], config, NOW)
    delivery = deliver(
        engine, SmtpTransport(config.email), config.email, lambda: NOW, "2026-10", only
    )
    return report, delivery


def _rows(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        query = select(T.c.employee_id, T.c.state, T.c.last_error).order_by(T.c.employee_id)
        return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]


def test_only_a_then_only_b_sends_nothing_to_the_shared_address_for_b(
    engine: Engine, smtp: Capture
) -> None:
    config = _config(smtp)
    a = _with_email(sample_statement(3), "shared@example.com")
    b = _with_email(sample_statement(4), "Shared@EXAMPLE.com")

    first, sent_a = _send_only(engine, config, a)
    assert (first.queued, first.refused, sent_a.sent) == (1, [], 1)

    second, sent_b = _send_only(engine, config, b)
    assert second.refused == [REFUSAL]
    assert (second.queued, sent_b.sent, sent_b.failed) == (0, 0, 0)
    assert [r.rcpt_tos for r in smtp.received] == [("shared@example.com",)]
    assert _rows(engine) == [("E000003", "sent", None), ("E000004", "held", REFUSAL)]

    # Asking again changes nothing: still held, still refused, nothing sent.
    third, sent_again = _send_only(engine, config, b)
    assert (third.refused, third.queued, third.unchanged) == ([REFUSAL], 0, 1)
    assert sent_again.sent == 0 and len(smtp.received) == 1


def test_a_dry_run_reports_the_shared_address_already_in_the_outbox(
    engine: Engine, smtp: Capture
) -> None:
    config = _config(smtp)
    _send_only(engine, config, _with_email(sample_statement(3), "shared@example.com"))
    b = _with_email(sample_statement(4), "Shared@EXAMPLE.com")
    dry = prepare([b], config, NOW, outbox=engine)
    assert dry.refused == [REFUSAL]
    assert dry.messages == []


def test_an_admin_can_approve_a_shared_address_explicitly(engine: Engine, smtp: Capture) -> None:
    config = _config(smtp)
    _send_only(engine, config, _with_email(sample_statement(3), "shared@example.com"))
    _send_only(engine, config, _with_email(sample_statement(4), "Shared@EXAMPLE.com"))
    # A plain approval does not release a held row; the explicit one does.
    assert outbox.approve(engine, "2026-10", ["E000004"], "lead", NOW) == 0
    assert outbox.approve(engine, "2026-10", ["E000004"], "lead", NOW, shared_address=True) == 1
    delivery = deliver(engine, SmtpTransport(config.email), config.email, lambda: NOW, "2026-10")
    assert delivery.sent == 1
    assert [r.rcpt_tos for r in smtp.received] == [
        ("shared@example.com",),
        ("Shared@example.com",),
    ]
    with engine.connect() as conn:
        row = conn.execute(
            select(T.c.state, T.c.approved_by, T.c.shared_address_approved_by).where(
                T.c.employee_id == "E000004"
            )
        ).one()
    assert tuple(row) == ("sent", "lead", "lead")


def test_rows_queued_side_by_side_are_held_when_claimed(engine: Engine, smtp: Capture) -> None:
    """Two processes queuing A and B at the same moment both pass the queue-time check;
    the claim checks again, so neither reaches the shared mailbox."""
    config = _config(smtp)
    for i in (3, 4):
        shared = _with_email(sample_statement(i), "shared@example.com")
        (m,) = prepare([shared], config, NOW).messages
        # the row each racing process inserts, having seen no other row for the address
        with engine.begin() as conn:
            conn.execute(
                T.insert(),
                {
                    **{f.name: getattr(m, f.name) for f in dataclasses.fields(m)},
                    "message": zlib.compress(m.message),
                    "state": "approved",
                    "attempts": 0,
                    "queued_at": NOW,
                },
            )
    delivery = deliver(engine, SmtpTransport(config.email), config.email, lambda: NOW, "2026-10")
    assert (delivery.sent, len(smtp.received)) == (0, 0)
    rows = _rows(engine)
    assert [state for _, state, _ in rows] == ["held", "held"]
    assert rows[0][2] is not None and rows[0][2].startswith(
        "2026-10:E000003 (E000003): shared@example.com is already the address of E000004's"
    )
