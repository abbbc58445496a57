"""The pull's own promises, shown on the Zoho sandbox: dry runs write nothing, a
quota hit stops the source with its work committed and the next run finishes it,
unmappable records are quarantined while the run goes on, every run is recorded, and a
partial id list never mass-deletes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from connectors.core.contract import StreamInfo
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import CrmsyncConfig, load_config
from sync.pull import SourceReport, SyncOptions, sync_source
from sync.pull.deletes import check_missed_deletes
from sync.pull.guard import DeleteGuard
from sync.sources import build_connector
from sync.store import TABLES
from sync.store.bookkeeping import QuarantineRow, RunRow, RunStreamRow, StreamStateRow
from tests.integration.sync_support import (
    expected_live_ids,
    opened,
    store_live_ids,
    write_config,
)


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


@pytest.fixture
def config(sandbox: Sandbox, tmp_path: Path) -> CrmsyncConfig:
    return load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.sqlite", ("zoho",)))


def _run(config: CrmsyncConfig, engine: Engine, **options: object) -> SourceReport:
    source = config.source("zoho")
    connector = build_connector(source)
    try:
        return sync_source(engine, source, connector, SyncOptions(**options), now=_now)
    finally:
        connector.close()


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_dry_run_counts_but_writes_nothing(config: CrmsyncConfig) -> None:
    with opened(config.store.url) as engine:
        report = _run(config, engine, dry_run=True)
        assert report.status == "succeeded"
        assert sum(s.counts.inserted for s in report.streams) > 100
        for model in TABLES.values():
            assert _count(engine, model.__table__) == 0
        assert _count(engine, StreamStateRow.__table__) == 0


def test_a_quota_hit_stops_cleanly_and_the_next_run_finishes(
    sandbox: Sandbox, config: CrmsyncConfig
) -> None:
    zoho = sandbox.apps["zoho"]
    with opened(config.store.url) as engine:
        zoho.limits.daily = 6  # credits: the token refresh and a few calls
        stopped = _run(config, engine)
        assert stopped.status == "partial"
        assert "quota" in (stopped.error or "").lower() or "limit" in (stopped.error or "").lower()
        assert stopped.streams[-1].status == "stopped"
        assert _stream_rows(engine, stopped.run_id) == {  # no stream left shown running
            s.stream: s.status for s in stopped.streams
        }
        committed = sum(s.counts.inserted for s in stopped.streams)
        zoho.limits.daily = 1_000_000
        sandbox.clock.advance(86_400 + 60)  # a new credit window
        finished = _run(config, engine)
        assert finished.status == "succeeded"
        for stream in ("users", "leads", "contacts", "accounts", "deals", "activities", "cases"):
            assert store_live_ids(engine, "zoho", stream) == expected_live_ids(
                sandbox, "zoho", stream
            )
        total = sum(
            len(expected_live_ids(sandbox, "zoho", s))
            for s in ("users", "leads", "contacts", "accounts", "deals", "activities", "cases")
        )
        assert (
            committed
            + sum(s.counts.inserted for s in finished.streams if s.stream != "deal_contacts")
            >= total
        )


def test_unmappable_records_are_quarantined_and_the_run_goes_on(
    sandbox: Sandbox, config: CrmsyncConfig
) -> None:
    assert sandbox.world is not None
    deals = sandbox.world.zoho["Deals"]
    bad_id = next(iter(deals.live()))["id"]
    with sandbox.world.lock:
        deals.update(bad_id, {"Amount": "lots"})
    with opened(config.store.url) as engine:
        report = _run(config, engine)
        assert report.status == "succeeded"
        by_stream = {s.stream: s for s in report.streams}
        assert by_stream["deals"].counts.quarantined == 1
        table = QuarantineRow.__table__
        with engine.connect() as conn:
            row = conn.execute(select(table)).one()
        assert (row.source, row.stream, row.remote_id) == ("zoho", "deals", bad_id)
        assert row.reason == (
            "Deals record cannot be mapped: ValueError: field Amount: not an amount: 'lots'"
        )
        assert row.raw["Amount"] == "lots"
        assert store_live_ids(engine, "zoho", "deals") == expected_live_ids(
            sandbox, "zoho", "deals"
        ) - {bad_id}


def test_every_run_and_stream_is_recorded(config: CrmsyncConfig) -> None:
    with opened(config.store.url) as engine:
        first = _run(config, engine)
        second = _run(config, engine)
        runs, streams = RunRow.__table__, RunStreamRow.__table__
        with engine.connect() as conn:
            rows = conn.execute(select(runs.c.id, runs.c.status).order_by(runs.c.id)).all()
            per_stream = conn.execute(select(streams).where(streams.c.run_id == first.run_id)).all()
        assert [tuple(r) for r in rows] == [
            (first.run_id, "succeeded"),
            (second.run_id, "succeeded"),
        ]
        recorded = {r.stream: r.inserted for r in per_stream}
        assert recorded == {s.stream: s.counts.inserted for s in first.streams}
        assert all(r.api_calls > 0 for r in per_stream if r.stream != "deal_contacts")


def _stream_rows(engine: Engine, run_id: int) -> dict[str, str]:
    streams = RunStreamRow.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(streams.c.stream, streams.c.status).where(streams.c.run_id == run_id)
        ).all()
    return {str(stream): str(status) for stream, status in rows}


def test_a_run_shows_running_only_the_stream_it_is_syncing(config: CrmsyncConfig) -> None:
    # A stream's row is opened in the same write that closes the one before it.
    source = config.source("zoho")
    seen: list[tuple[str, dict[str, str]]] = []
    with opened(config.store.url) as engine:
        connector = build_connector(source)
        try:

            def at_page(_source: str, stream: str, _counts: object) -> None:
                run_id = max(_stream_runs(engine))
                seen.append((stream, _stream_rows(engine, run_id)))

            report = sync_source(engine, source, connector, SyncOptions(), _now, at_page)
        finally:
            connector.close()
        order = [s.name for s in connector.streams()]
        assert [s.stream for s in report.streams][: len(order)] == order
        for stream, rows in seen:
            before = order[: order.index(stream)]
            assert {k: v for k, v in rows.items() if v == "running"} == {stream: "running"}
            assert set(rows) == {stream, *before}
        assert {stream for stream, _ in seen} == set(order)
        assert "running" not in _stream_rows(engine, report.run_id).values()


def _stream_runs(engine: Engine) -> list[int]:
    runs = RunRow.__table__
    with engine.connect() as conn:
        return [int(r) for r in conn.execute(select(runs.c.id)).scalars()]


def test_a_partial_id_list_never_mass_deletes(config: CrmsyncConfig) -> None:
    with opened(config.store.url) as engine:
        _run(config, engine)
        info = StreamInfo("activities", "activity", ("Tasks", "Calls", "Events"))
        live = sorted(store_live_ids(engine, "zoho", "activities"))
        partial = live[: len(live) // 2]  # as if the listing stopped half-way

        def check(ids: list[str], force: bool = False) -> tuple[int, str | None]:
            guard = DeleteGuard(engine, "zoho", 0.05, force)
            counts, refusal = check_missed_deletes(engine, "zoho", info, ids, guard, None, _now())
            return counts.deleted, refusal

        marked, refusal = check(partial)
        assert marked == 0
        assert refusal is not None and refusal.startswith(
            f"refused to mark {len(live) - len(partial)} of {len(live)} activities deleted"
        )
        assert store_live_ids(engine, "zoho", "activities") == set(live)
        one_gone = live[1:]
        assert check(one_gone) == (1, None)
        marked, _ = check(partial, force=True)
        assert marked == len(live) - len(partial)  # live[0], listed again, is restored
        assert store_live_ids(engine, "zoho", "activities") == set(partial)


def test_a_run_that_finds_nothing_saves_each_cursor_with_its_stream_row(
    sandbox: Sandbox, config: CrmsyncConfig
) -> None:
    # A page that only moves the cursor commits with the stream's closing row, not alone.
    with opened(config.store.url) as engine:
        _run(config, engine)
        sandbox.clock.advance(300)
        commits: list[object] = []
        event.listen(engine, "commit", commits.append)
        report = _run(config, engine)
        states = StreamStateRow.__table__
        with engine.connect() as conn:
            saved = dict(conn.execute(select(states.c.stream, states.c.run_id)).all())
    synced = [s.stream for s in report.streams]
    fetched = {s.stream: s.counts.fetched for s in report.streams if s.counts.fetched}
    assert report.status == "succeeded"
    assert fetched == {"users": 7}  # Zoho's users are listed whole on every run
    assert {stream: saved[stream] for stream in synced} == dict.fromkeys(synced, report.run_id)
    # the run row, the first stream's row, the users' page, every stream's closing row
    # (each opening the next) and the run's end: no commit for the other nine cursors
    assert len(commits) == 1 + 1 + 1 + len(synced) + 1


def test_a_full_read_records_the_id_check_of_a_stream_whose_only_page_moved_its_cursor(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # HubSpot's deal roles arrive on the deals' pages; their own stream yields one page that
    # only moves its cursor, saved with the stream's closing row. The first run saw every
    # role: the next one must not list every deal again to compare their ids.
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/h.sqlite", ("hubspot",))
    source = load_config(path).source("hubspot")
    states = StreamStateRow.__table__
    with opened(load_config(path).store.url) as engine:
        reports, unchecked = [], []
        for _ in range(2):
            connector = build_connector(source)
            try:
                reports.append(sync_source(engine, source, connector, SyncOptions(), now=_now))
            finally:
                connector.close()
            with engine.connect() as conn:
                query = select(states.c.stream).where(states.c.last_full_id_check_at.is_(None))
                unchecked.append(sorted(conn.execute(query).scalars()))
            sandbox.clock.advance(300)
    first, second = reports
    assert first.status == second.status == "succeeded"
    assert unchecked == [["history"], ["history"]]  # versions are append-only: never checked
    calls = {s.stream: s.api_calls for s in second.streams}
    assert calls["deal_contacts"] == 0  # the deals' own read carried the roles
