"""Events are written append-only: the first copy of a message id is kept, a replay writes
nothing, a value the store refuses quarantines its event only, and times are stored as the
rest of the store stores them. On SQLite (the driver's own statement) and on PostgreSQL
(SQLAlchemy's ``INSERT ... ON CONFLICT DO NOTHING RETURNING``), with the same results."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from connectors.core.channels import ChannelMap
from connectors.core.contract import Page
from connectors.core.records import Lead
from connectors.events.connector import EVENTS_PROFILE
from connectors.events.spec import parse_event
from sync.store import open_store
from sync.store.pages import PageCounts, write_page
from tests.integration.sync_support import postgres_schema, postgres_url

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
_CHANNELS = ChannelMap(EVENTS_PROFILE)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
        yield engine
        engine.dispose()
        return
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        engine = open_store(url)
        yield engine
        engine.dispose()


def _event(message_id: str, url: str, at: str = "2026-09-01T09:00:00.5+02:00") -> Any:
    raw = {"type": "page", "messageId": message_id, "timestamp": at, "anonymousId": "A1"}
    return parse_event("web", {**raw, "properties": {"url": url}}, _CHANNELS)


def _write(engine: Engine, records: list[Any], kind: str = "event") -> PageCounts:
    with engine.begin() as conn:
        counts = write_page(conn, "web", Page("events", records, {}), kind, None, NOW)
    return counts[kind]


def test_the_first_copy_of_a_message_is_kept_and_a_replay_writes_nothing(store: Engine) -> None:
    engine = store
    first = _write(engine, [_event("m2", "/b"), _event("m1", "/a"), _event("m2", "/again")])
    assert (first.fetched, first.inserted, first.unchanged) == (3, 2, 0)
    replay = _write(engine, [_event("m1", "/changed"), _event("m3", "/c")])
    assert (replay.inserted, replay.unchanged, replay.updated) == (1, 1, 0)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT remote_id, url FROM events ORDER BY remote_id")).all()
    assert [tuple(r) for r in rows] == [("m1", "/a"), ("m2", "/b"), ("m3", "/c")]


def test_a_value_the_store_refuses_quarantines_its_event_only(store: Engine) -> None:
    engine = store
    counts = _write(engine, [_event("m1", "/a\x00b"), _event("m2", "/b")])
    assert (counts.inserted, counts.quarantined) == (1, 1)
    with engine.connect() as conn:
        quarantined = conn.execute(text("SELECT remote_id, reason FROM quarantine")).all()
        stored = conn.execute(text("SELECT remote_id FROM events")).scalars().all()
    reason = "record cannot be stored: field raw.properties.url: text with a NUL character (\\x00)"
    assert [tuple(r) for r in quarantined] == [("m1", reason)]
    assert stored == ["m2"]


def test_times_are_stored_as_the_other_tables_store_them(store: Engine) -> None:
    engine = store
    event = _event("m1", "/a")
    _write(engine, [event])
    lead = Lead(source="web", remote_id="L1", remote_created_at=event.occurred_at)
    with engine.begin() as conn:
        write_page(conn, "web", Page("leads", [lead], {}), "lead", None, NOW)
    with engine.connect() as conn:
        at = conn.execute(text("SELECT occurred_at, synced_at FROM events")).one()
        lead_at = conn.execute(text("SELECT remote_created_at, synced_at FROM leads")).one()
    assert tuple(at) == tuple(lead_at)
    if engine.dialect.name == "sqlite":  # text, as SQLAlchemy's DateTime writes it
        assert tuple(at) == ("2026-09-01 07:00:00.500000", "2026-10-31 12:00:00.000000")
    else:
        occurred = datetime(2026, 9, 1, 7, 0, 0, 500000, tzinfo=UTC)
        assert [t.astimezone(UTC) for t in at] == [occurred, NOW]


def test_a_replayed_page_leaves_the_store_as_it_was(store: Engine) -> None:
    """A page of many events, some delivered twice, written twice: the second write inserts
    nothing and every stored column is what the first wrote."""
    events = [
        _event(f"m{n:03d}", f"/p{n % 7}", f"2026-09-01T09:{n % 60:02d}:00Z") for n in range(120)
    ]
    page = [*events, *events[::10]]
    first = _write(engine := store, page)
    assert (first.fetched, first.inserted, first.unchanged) == (132, 120, 0)
    query = text("SELECT * FROM events ORDER BY remote_id")
    with engine.connect() as conn:
        before = [tuple(r) for r in conn.execute(query)]
    second = _write(engine, page)
    assert (second.inserted, second.unchanged, second.updated) == (0, 120, 0)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == before
    assert len(before) == 120
