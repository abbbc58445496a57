"""The events connector through the pull: JSON-lines exports into the store's
``events`` table, incrementally by file and offset, idempotent on messageId, bad lines
quarantined with file, line and reason."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import Engine, select

from connectors.testing import check_profile, check_pull
from sync.config import load_config
from sync.pull.source import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store
from sync.store.bookkeeping import QuarantineRow
from sync.store.records import EventRow

NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)


def _message(message_id: str, kind: str = "page", **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "messageId": message_id,
        "anonymousId": "anon-1",
        "timestamp": "2026-10-01T10:00:00.000Z",
        **fields,
    }


def _lines(*messages: dict[str, Any] | str) -> bytes:
    out = [m if isinstance(m, str) else orjson.dumps(m).decode() for m in messages]
    return ("\n".join(out) + "\n").encode()


def _sync(tmp_path: Path, full: bool = False) -> tuple[Engine, Any]:
    config_path = tmp_path / "crmsync.yaml"
    config_path.write_text(
        yaml.safe_dump(
            {
                "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
                "sources": [
                    {
                        "name": "web",
                        "kind": "events",
                        "directory": str(tmp_path / "exports"),
                        "channels": {"utm": {"expo": "event"}},
                    }
                ],
            }
        )
    )
    config = load_config(config_path)
    engine = open_store(config.store.url)
    source = config.source("web")
    connector = build_connector(source)
    report = sync_source(engine, source, connector, SyncOptions(full=full), lambda: NOW)
    return engine, report


def _events(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(select(EventRow)).all()
    return {
        r.remote_id: (r.event_type, r.anonymous_id, r.user_id, r.email, r.utm_campaign, r.channel)
        for r in rows
    }


def test_exports_sync_incrementally_and_idempotently(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    click = _message(
        "m1",
        context={"campaign": {"source": "fair", "medium": "expo", "name": "Hannover 2026"}},
    )
    signup = _message(
        "m2",
        "identify",
        userId="u-9",
        traits={"email": " Ana.Ruiz@Example.com ", "phone": "+34 600 000 000"},
    )
    (exports / "2026-10-01.jsonl").write_bytes(
        _lines(click, "{broken", _message("m3", "track"), signup)
    )
    engine, report = _sync(tmp_path)
    assert report.status == "succeeded", report.error
    assert _events(engine) == {
        "m1": ("page", "anon-1", None, None, "Hannover 2026", "event"),
        "m2": ("identify", "anon-1", "u-9", "ana.ruiz@example.com", None, None),
    }
    with engine.connect() as conn:
        reasons = sorted(conn.execute(select(QuarantineRow.reason)).scalars())
    assert reasons[0].startswith("2026-10-01.jsonl line 2: not JSON")
    assert reasons[1] == "2026-10-01.jsonl line 3: a track needs its event name (event)"
    assert (report.streams[0].counts.inserted, report.streams[0].counts.quarantined) == (2, 2)
    engine.dispose()

    # The export grows (with a half-written last line) and a new file arrives: only the
    # new whole lines are read; the half line waits for its newline.
    with (exports / "2026-10-01.jsonl").open("ab") as handle:
        handle.write(_lines(_message("m4", "screen", name="Catalogue")) + b'{"type": "pa')
    (exports / "2026-09-30.jsonl").write_bytes(
        _lines(_message("m5", "alias", userId="u-9", previousId="anon-1"))
    )
    engine, report = _sync(tmp_path)
    assert (report.streams[0].counts.fetched, report.streams[0].counts.inserted) == (2, 2)
    assert set(_events(engine)) == {"m1", "m2", "m4", "m5"}
    before = _events(engine)
    engine.dispose()

    # Replayed from the start (a full read), and the same message sent twice: same store.
    (exports / "2026-10-02.jsonl").write_bytes(_lines(click))
    engine, report = _sync(tmp_path, full=True)
    assert report.status == "succeeded", report.error
    assert (report.streams[0].counts.inserted, report.streams[0].counts.updated) == (0, 0)
    # five messages read, four distinct: the duplicate of m1 is one record
    assert (report.streams[0].counts.fetched, report.streams[0].counts.unchanged) == (5, 4)
    assert _events(engine) == before
    engine.dispose()


def test_the_connector_passes_the_conformance_suite(tmp_path: Path) -> None:
    from connectors.events import EventsConnector, EventsSettings

    check_profile(EventsConnector)
    (tmp_path / "a.jsonl").write_bytes(_lines(_message("m1"), _message("m2", "track", event="x")))
    connector = EventsConnector("web", EventsSettings(directory=tmp_path))
    assert check_pull(connector, {"events": {"m1", "m2"}}) == {"events": {"m1", "m2"}}


def test_an_oversized_line_is_quarantined_unread(tmp_path: Path) -> None:
    from connectors.core.contract import ReadOptions
    from connectors.events import EventsConnector, EventsSettings

    big = _message("m1", properties={"blob": "x" * 600})
    (tmp_path / "a.jsonl").write_bytes(_lines(big, _message("m2")))
    connector = EventsConnector("web", EventsSettings(directory=tmp_path, max_event_bytes=512))
    (page,) = connector.read("events", None, ReadOptions())
    assert [r.remote_id for r in page.records] == ["m2"]
    assert [q.reason for q in page.quarantined] == [
        f"a.jsonl line 1: {len(orjson.dumps(big))} bytes, over the 512-byte limit"
    ]
    assert page.state == {"files": {"a.jsonl": [len(_lines(big, _message("m2"))), 2]}}


def test_a_line_longer_than_a_read_is_counted_not_kept(tmp_path: Path) -> None:
    from connectors.core.contract import ReadOptions
    from connectors.events import EventsConnector, EventsSettings
    from connectors.events.files import read_lines

    # 16 MiB without a newline: read in 1 MiB chunks, never held whole
    endless = b'{"blob": "' + b"x" * (16 << 20)
    (tmp_path / "a.jsonl").write_bytes(_lines(_message("m1")) + endless)
    tracemalloc.start()
    try:
        lines = list(read_lines(tmp_path, "*.jsonl", {}, 512))
        assert tracemalloc.get_traced_memory()[1] < 8 << 20
    finally:
        tracemalloc.stop()
    assert [(line.number, line.problem) for line in lines] == [(1, None)]  # still written
    start = len(_lines(_message("m1")))
    assert lines[0].end == start
    with (tmp_path / "a.jsonl").open("ab") as handle:
        handle.write(b'"}\n' + _lines(_message("m2")))
    connector = EventsConnector("web", EventsSettings(directory=tmp_path, max_event_bytes=512))
    (page,) = connector.read("events", {"files": {"a.jsonl": [start, 1]}}, ReadOptions())
    assert [r.remote_id for r in page.records] == ["m2"]
    assert [q.reason for q in page.quarantined] == [
        f"a.jsonl line 2: {len(endless) + 2} bytes, over the 512-byte limit"
    ]
    size = (tmp_path / "a.jsonl").stat().st_size
    assert page.state == {"files": {"a.jsonl": [size, 3]}}
