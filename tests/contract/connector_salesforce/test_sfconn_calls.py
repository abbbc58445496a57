"""API calls of whole runs: describes and first pages batched, delete logs every 6 h.

The tests of this module build on each other in file order (one sandbox per module): a
full run, then incremental runs as the pull makes them (every stream in turn, one
signpost, a new connector each run).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sfconn_support import read_all, records

from connectors.core.contract import Page, ReadOptions
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.reader import ALL_OBJECTS, STREAMS
from sandbox import Sandbox

Connect = Callable[..., SalesforceConnector]
LOOKBACK = timedelta(minutes=10)
BATCH = "POST /services/data/<version>/composite/batch"
LOGIN = "POST /services/oauth2/token"
QUERY = "GET /services/data/<version>/queryAll"
MORE = "GET /services/data/<version>/queryAll/<locator>"


def _run(
    connector: SalesforceConnector, states: dict[str, Any]
) -> tuple[datetime, dict[str, list[Page]]]:
    """One run as the engine makes it: one signpost, every stream from its saved state."""
    signpost = connector.server_time()
    pages = {
        s: list(connector.read(s, states.get(s), ReadOptions(signpost=signpost))) for s in STREAMS
    }
    states.update({s: p[-1].state for s, p in pages.items()})
    return signpost, pages


def _window_ids(sb: Sandbox, obj: str, cursor: str, signpost: datetime) -> set[str]:
    since = datetime.fromisoformat(cursor) - LOOKBACK
    return {
        r["Id"] for r in sb.world.salesforce[obj].all() if since <= r["SystemModstamp"] <= signpost
    }


def _advance(sb: Sandbox, seconds: float) -> None:
    sb.clock.advance(seconds)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def states() -> dict[str, Any]:
    return {}


def test_a_full_run_describes_every_object_in_one_call(
    sb: Sandbox, connect: Connect, states: dict[str, Any]
) -> None:
    app = sb.apps["salesforce"]
    app.stats.reset()
    connector = connect()
    _run(connector, states)
    # every object fits one 2,000-row page: one query each, one batch of ten describes
    assert app.stats.snapshot()["endpoints"] == {LOGIN: 1, BATCH: 1, QUERY: 12}
    assert connector.catalog.describes == len(ALL_OBJECTS) == 12
    for stream, state in states.items():
        assert sorted(state["describes"]) == sorted(ALL_OBJECTS), stream
        for obj in STREAMS[stream][1]:
            assert state["objects"][obj]["done"] is True


def test_an_incremental_run_costs_one_call(
    sb: Sandbox, connect: Connect, states: dict[str, Any]
) -> None:
    before = {s: dict(st["objects"]) for s, st in states.items()}
    _advance(sb, 30)
    report = sb.churn(40, seed=5)
    _advance(sb, 2)
    app = sb.apps["salesforce"]
    app.stats.reset()
    connector = connect()
    signpost, pages = _run(connector, states)
    assert app.stats.snapshot()["endpoints"] == {LOGIN: 1, BATCH: 1}
    assert connector.catalog.describes == 0
    assert connector.reader.first_pages.used == 12  # every object's first page was used
    changed = {rid for crm, _, rid, _ in report.changes if crm == "salesforce"}
    got: set[str] = set()
    for stream, (_, objects) in STREAMS.items():
        ids = {r.remote_id for r in records(pages[stream])}
        expected = set()
        for obj in objects:
            expected |= _window_ids(sb, obj, before[stream][obj]["cursor"], signpost)
        assert ids == expected, stream
        got |= ids
    live_or_binned = {rid for t in sb.world.salesforce.values() for rid in t.rows}
    assert changed & live_or_binned <= got
    # the run's login also took the signpost (its issued_at): the streams spent one call
    assert sum(p.api_calls for ps in pages.values() for p in ps) == 1
    assert connector.api_usage().calls == 2


def test_a_stream_left_behind_reads_on_its_own(
    sb: Sandbox, connect: Connect, states: dict[str, Any]
) -> None:
    behind = dict(states["leads"])
    _advance(sb, 60)
    _run(connect(), states)  # every stream but leads moves on
    states["leads"] = behind
    _advance(sb, 60)
    sb.churn(20, seed=6)
    _advance(sb, 2)
    app = sb.apps["salesforce"]
    app.stats.reset()
    connector = connect()
    signpost, pages = _run(connector, states)
    # leads' window starts earlier than the others': its guessed first page is not used
    assert app.stats.snapshot()["endpoints"] == {LOGIN: 1, BATCH: 1, QUERY: 1}
    leads = {r.remote_id for r in records(pages["leads"])}
    assert leads == _window_ids(sb, "Lead", behind["objects"]["Lead"]["cursor"], signpost)


def test_a_first_page_that_is_not_done_pages_on(
    sb: Sandbox, connect: Connect, states: dict[str, Any]
) -> None:
    writer = connect()
    made: list[str] = []
    for _ in range(11):  # 2,200 new tasks: more than one 2,000-row page
        body = {
            "allOrNone": True,
            "records": [{"attributes": {"type": "Task"}, "Subject": "Bulk"}] * 200,
        }
        saved = writer.http.call(
            "create", lambda sf, b=body: sf.restful("composite/sobjects", method="POST", json=b)
        )
        made += [r["id"] for r in saved]
    _advance(sb, 2)
    app = sb.apps["salesforce"]
    app.stats.reset()
    connector = connect()
    _, pages = _run(connector, states)
    assert app.stats.snapshot()["endpoints"] == {LOGIN: 1, BATCH: 1, MORE: 1}
    assert set(made) <= {r.remote_id for r in records(pages["activities"])}


def test_describes_expire_after_a_day_on_the_server_clock(
    sb: Sandbox, connect: Connect, states: dict[str, Any]
) -> None:
    _advance(sb, 11 * 60)
    _run(connect(), states)  # past the lookback of the 2,200 tasks (one page more)
    _advance(sb, 24 * 3600 + 1)
    app = sb.apps["salesforce"]
    app.stats.reset()
    connector = connect()
    _run(connector, states)
    # one batch of describes, one of first pages and the (now due) delete logs
    assert app.stats.snapshot()["endpoints"] == {LOGIN: 1, BATCH: 2}
    assert connector.catalog.describes == 12
    assert connector.reader.first_pages.used == 12 + 11  # User has no delete log


def test_hard_deletes_come_from_the_delete_log_every_six_hours(
    sb: Sandbox, connect: Connect
) -> None:
    connector = connect()
    state = read_all(connector, "leads")[-1].state
    checked = state["objects"]["Lead"]["deletes_at"]
    table = sb.world.salesforce["Lead"]
    victim = next(iter(table.live()))["Id"]
    sb.clock.advance(5)  # type: ignore[attr-defined]
    with sb.world.lock:
        table.purge(victim, sb.clock.now())
    sb.clock.advance(2)  # type: ignore[attr-defined]
    app = sb.apps["salesforce"]
    soon = read_all(connector, "leads", state)
    assert soon[-1].deleted_ids == []  # the log was read less than 6 h ago (the full read)
    assert soon[-1].state["objects"]["Lead"]["deletes_at"] == checked
    sb.clock.advance(6 * 3600)  # type: ignore[attr-defined]
    app.stats.reset()
    # a new connector, as the next scheduled run (the old session died on the server)
    pages = read_all(connect(), "leads", soon[-1].state)
    deleted = pages[-1].deleted_ids
    assert victim in deleted  # soft deletes inside the window are listed too
    assert set(deleted) <= set(table.deleted_at) | set(table.purged)
    assert victim not in {r.remote_id for r in records(pages)}
    # the first page and the delete log came in one batch (plus the login, which also
    # gave the server's time)
    assert app.stats.snapshot()["endpoints"] == {
        "POST /services/oauth2/token": 1,
        "POST /services/data/<version>/composite/batch": 1,
    }
    assert pages[-1].state["objects"]["Lead"]["deletes_at"] > checked
