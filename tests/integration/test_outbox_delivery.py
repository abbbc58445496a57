"""The statement outbox against a real SMTP server on loopback (aiosmtpd), on SQLite and
PostgreSQL: each version sent once to its own employee, bounces, retries, approval."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from mail_support import Capture, smtp_capture
from sqlalchemy import Engine, select
from sync_support import postgres_schema, postgres_url

from compensation.statements.samples import sample_statement
from sync.config import CrmsyncConfig
from sync.mail import outbox
from sync.mail.sender import deliver
from sync.mail.service import queue_statements
from sync.mail.smtp import SmtpTransport
from sync.store import open_store

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
T = outbox.T


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
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


def _config(smtp: Capture, **statements: object) -> CrmsyncConfig:
    return CrmsyncConfig.model_validate(
        {
            "email": {
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "payroll@example.com",
                "from_name": "Payroll",
                "max_attempts": 3,
                "retry_initial": "1m",
            },
            "statements": {"company_name": "Example Corp", **statements},
        }
    )


def _send(engine: Engine, config: CrmsyncConfig, clock: Clock, **kw: object):  # type: ignore[no-untyped-def]
    return deliver(engine, SmtpTransport(config.email), config.email, clock, **kw)  # type: ignore[arg-type]


def _states(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(T.c.employee_id, T.c.state)).all())


def test_each_statement_reaches_its_own_employee_once(any_engine: Engine, smtp: Capture) -> None:
    engine = any_engine
    config, clock = _config(smtp), Clock()
    statements = [sample_statement(i) for i in range(6)]
    report = queue_statements(engine, statements, config, NOW)
    assert (report.queued, report.refused, report.conflicts) == (6, [], [])
    delivery = _send(engine, config, clock)
    assert (delivery.sent, delivery.failed, delivery.bounced) == (6, 0, 0)
    got = smtp.by_recipient()
    assert sorted(got) == [f"e{i:06d}@example.com" for i in range(6)]
    for s in statements:
        (item,) = got[s.recipient.email]
        assert item.rcpt_tos == (s.recipient.email,)
        assert item.mail_from == "payroll@example.com"
        text, html = item.part("plain"), item.part("html")
        assert s.recipient.name in text
        others = [o for o in statements if o.recipient.employee_id != s.recipient.employee_id]
        for other in others:  # no other employee's data: ids, deal keys, names
            for needle in (other.statement_id, other.recipient.email):
                assert needle not in text and needle not in html
        assert item.message.get_body(("related",)) is not None  # the chart rides inline
    # Sending again, or queueing the same versions again, sends nothing more.
    assert _send(engine, config, clock).sent == 0
    again = queue_statements(engine, statements, config, NOW)
    assert (again.queued, again.unchanged) == (0, 6)
    assert _send(engine, config, clock).sent == 0
    assert len(smtp.received) == 6
    # A new version of one statement is a new message, with a new Message-ID.
    v2 = sample_statement(2, version=2)
    assert queue_statements(engine, [v2], config, NOW).queued == 1
    assert _send(engine, config, clock).sent == 1
    first, second = smtp.by_recipient()[v2.recipient.email]
    assert first.message_id != second.message_id
    assert "2026-10:E000002, versión 2." in second.part("plain")


def test_changed_content_without_a_new_version_is_refused(engine: Engine, smtp: Capture) -> None:
    config = _config(smtp)
    original = sample_statement(1)
    queue_statements(engine, [original], config, NOW)
    changed = dataclasses.replace(
        original, recipient=dataclasses.replace(original.recipient, name="Someone Else")
    )
    report = queue_statements(engine, [changed], config, NOW)
    assert report.queued == 0
    assert report.conflicts == [
        "2026-10:E000001 version 1 changed after it was queued: the plan results must give "
        "changed statements a new version"
    ]


def test_recipients_are_checked_before_anything_is_queued(engine: Engine, smtp: Capture) -> None:
    config = _config(smtp, recipient_domains=["example.com"])
    base = [sample_statement(i) for i in range(5)]

    def with_email(s, email):  # type: ignore[no-untyped-def]
        return dataclasses.replace(s, recipient=dataclasses.replace(s.recipient, email=email))

    statements = [
        with_email(base[0], None),
        with_email(base[1], "not-an-address"),
        with_email(base[2], "e000002@gmail.com"),
        with_email(base[3], "shared@example.com"),
        with_email(base[4], "Shared@EXAMPLE.com"),
    ]
    report = queue_statements(engine, statements, config, NOW)
    assert report.queued == 0
    assert report.refused == [
        "2026-10:E000000 (E000000): no valid e-mail address (None)",
        "2026-10:E000001 (E000001): no valid e-mail address ('not-an-address')",
        "2026-10:E000002 (E000002): e000002@gmail.com is outside "
        "statements.recipient_domains (example.com)",
        "shared@example.com belongs to several employees (E000003, E000004); none of their "
        "statements is sent until each has an address of their own",
    ]


def test_bounces_are_recorded_and_deferrals_retried(any_engine: Engine, smtp: Capture) -> None:
    engine = any_engine
    config, clock = _config(smtp), Clock()
    replies = {"e000001@example.com": "550 5.1.1 mailbox unavailable"}
    deferred = {"e000002@example.com": 2}  # deferred twice, then accepted

    def on_data(item):  # type: ignore[no-untyped-def]
        (rcpt,) = item.rcpt_tos
        if deferred.get(rcpt):
            deferred[rcpt] -= 1
            return "451 4.3.0 try again later"
        return replies.get(rcpt)

    smtp.on_data = on_data
    queue_statements(engine, [sample_statement(i) for i in range(3)], config, NOW)
    first = _send(engine, config, clock)
    assert (first.sent, first.bounced, first.failed) == (1, 1, 1)
    assert _states(engine) == {"E000000": "sent", "E000001": "bounced", "E000002": "failed"}
    with engine.connect() as conn:
        row = conn.execute(select(T).where(T.c.employee_id == "E000002")).one()
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error == "the SMTP server deferred the message: 451 4.3.0 try again later"
    assert _send(engine, config, clock).sent == 0  # not due yet
    clock.at = NOW + timedelta(minutes=1)
    assert _send(engine, config, clock).failed == 1
    clock.at = NOW + timedelta(minutes=3)  # second retry waits twice as long
    assert _send(engine, config, clock).sent == 1
    assert _states(engine)["E000002"] == "sent"
    assert len(smtp.by_recipient()["e000002@example.com"]) == 1
    assert "e000001@example.com" not in smtp.by_recipient()


def test_a_message_always_deferred_is_given_up_after_max_attempts(
    engine: Engine, smtp: Capture
) -> None:
    config, clock = _config(smtp), Clock()
    smtp.on_data = lambda item: "452 4.2.2 mailbox full"
    queue_statements(engine, [sample_statement(0)], config, NOW)
    for minutes in (0, 1, 3, 10, 60):
        clock.at = NOW + timedelta(minutes=minutes)
        _send(engine, config, clock)
    with engine.connect() as conn:
        row = conn.execute(select(T)).one()
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 3, None)


def test_approval_holds_statements_until_approved(engine: Engine, smtp: Capture) -> None:
    config, clock = _config(smtp, approval_required=True), Clock()
    queue_statements(engine, [sample_statement(i) for i in range(3)], config, NOW)
    assert _send(engine, config, clock).sent == 0
    assert outbox.approve(engine, "2026-10", ["E000001"], "lead", NOW) == 1
    assert _send(engine, config, clock).sent == 1
    assert list(smtp.by_recipient()) == ["e000001@example.com"]
    assert outbox.approve(engine, "2026-10", [], "lead", NOW) == 2
    assert _send(engine, config, clock, only=["E000002"]).sent == 1
    assert outbox.status_counts(engine) == {("2026-10", "approved"): 1, ("2026-10", "sent"): 2}


def test_a_later_bounce_is_recorded_against_its_message_id(engine: Engine, smtp: Capture) -> None:
    config, clock = _config(smtp), Clock()
    queue_statements(engine, [sample_statement(0)], config, NOW)
    _send(engine, config, clock)
    (item,) = smtp.received
    assert outbox.record_bounce(engine, item.message_id, "5.1.1 user unknown")
    assert _states(engine) == {"E000000": "bounced"}


def test_rows_left_sending_elsewhere_are_recovered_after_the_lease(engine: Engine) -> None:
    config = _config(Capture(port=25))
    queue_statements(engine, [sample_statement(i) for i in range(2)], config, NOW)
    with engine.begin() as conn:
        conn.execute(
            T.update().values(state="sending", claimed_by="other-host:4242:1", claimed_at=NOW)
        )
        conn.execute(T.update().where(T.c.employee_id == "E000001").values(handed_over_at=NOW))
    lease = config.email.stale_after
    assert outbox.recover(engine, NOW + lease - timedelta(seconds=1), lease) == (0, 0)
    assert outbox.recover(engine, NOW + lease + timedelta(seconds=1), lease) == (1, 1)
    with engine.connect() as conn:
        rows = {r.employee_id: r for r in conn.execute(select(T))}
    assert (rows["E000000"].state, rows["E000000"].handed_over_at) == ("approved", None)
    assert (rows["E000001"].state, rows["E000001"].confirmed) == ("sent", False)
    assert rows["E000001"].sent_at == NOW


def test_an_unconfirmed_delivery_is_resent_only_on_request(engine: Engine, smtp: Capture) -> None:
    config, clock = _config(smtp), Clock()
    queue_statements(engine, [sample_statement(0)], config, NOW)
    with engine.begin() as conn:  # as a sender killed right after the end of data leaves it
        conn.execute(
            T.update().values(
                state="sending", claimed_by="other-host:1:1", claimed_at=NOW, handed_over_at=NOW
            )
        )
    clock.at = NOW + timedelta(hours=1)
    report = _send(engine, config, clock)
    assert (report.recovered_assumed_sent, report.sent, smtp.received) == (1, 0, [])
    assert outbox.resend_unconfirmed(engine, "2026-10", []) == 1
    assert _send(engine, config, clock).sent == 1
    with engine.connect() as conn:
        row = conn.execute(select(T)).one()
    assert (row.state, row.confirmed) == ("sent", True)
    assert [r.message_id for r in smtp.received] == [row.message_id]
