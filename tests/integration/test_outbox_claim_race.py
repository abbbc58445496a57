"""Two senders and one retry: a row is claimed only while it is due (PostgreSQL).

Sender B reads a failed row that is due; before B's claim lands, sender A claims the same
row, is deferred again, and puts it back ``failed`` with a later retry time. B's claim
must then miss: it used to check only the state, so B retried the row at once, ahead of
its back-off (seen as a flaky ``test_bounces_are_recorded_and_deferrals_retried`` under
load). The interleaving is forced with a real row lock held by "A", not by patching.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update
from sync_support import postgres_schema, postgres_url

from sync.mail import outbox
from sync.store import open_store

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
T = outbox.T


@pytest.fixture
def engine() -> Iterator[Engine]:
    base = postgres_url()
    if base is None:
        pytest.skip("set CRMSYNC_TEST_POSTGRES_URL to run the claim race on PostgreSQL")
    with postgres_schema(base) as url:
        store = open_store(url)
        yield store
        store.dispose()


def _waiting_on(engine: Engine, xid: str) -> bool:
    """Whether a session waits for transaction ``xid``'s row lock."""
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted "
        "AND transactionid::text = :xid"
    )
    with engine.connect() as conn:
        return bool(conn.execute(query, {"xid": xid}).scalar_one())


def test_a_row_deferred_meanwhile_by_another_sender_is_not_claimed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            T.insert(),
            {
                "statement_id": "2026-10:E000001",
                "version": 1,
                "recipient": "e000001@example.com",
                "employee_id": "E000001",
                "period": "2026-10",
                "locale": "en",
                "subject": "statement",
                "message_id": "<1.statement@example.com>",
                "content_hash": "h",
                "message": zlib.compress(b"To: e000001@example.com\r\n\r\nbody"),
                "state": "failed",
                "attempts": 1,
                "next_attempt_at": NOW,  # due now
                "queued_at": NOW,
            },
        )
    sender_a = engine.connect()
    sender_a.execute(update(T).values(state="sending", attempts=2))  # A's claim, row locked
    xid = str(sender_a.execute(text("SELECT pg_current_xact_id()::text")).scalar_one())
    claimed: list[object] = []
    b = threading.Thread(target=lambda: claimed.append(outbox.claim(engine, NOW, "B")))
    b.start()
    deadline = time.monotonic() + 30
    while not _waiting_on(engine, xid):  # B has read the row and waits on A's lock
        assert time.monotonic() < deadline and b.is_alive()
        time.sleep(0.05)
    # A was deferred again: back to failed, next attempt in two minutes; A commits
    later = NOW + timedelta(minutes=2)
    sender_a.execute(update(T).values(state="failed", next_attempt_at=later))
    sender_a.commit()
    sender_a.close()
    b.join(timeout=30)
    assert claimed == [None]
    with engine.connect() as conn:
        row = conn.execute(select(T.c.state, T.c.attempts, T.c.next_attempt_at)).one()
    assert tuple(row) == ("failed", 2, later)
