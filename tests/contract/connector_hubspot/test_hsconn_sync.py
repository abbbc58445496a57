"""Incremental reads after churn (burst, deletes, merges), faults, expiry and quota.

Tests run in file order on one module sandbox that they change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from hsconn_support import live_ids, read_all, records, reset_stats, stats

from connectors.core.errors import QuotaExhausted
from connectors.hubspot import HubSpotConnector
from sandbox import Sandbox

Connect = Callable[..., HubSpotConnector]
STREAMS = ("users", "contacts", "accounts", "deals", "activities", "cases")
_states: dict[str, Any] = {}


def _modified_after(sb: Sandbox, objects: tuple[str, ...], since: datetime) -> set[str]:
    out = set()
    for name in objects:
        field = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        out |= {r["id"] for r in sb.world.hubspot[name].live() if r[field] >= since}
    return out


def test_first_sync_then_incremental_picks_up_exactly_the_changes(
    connect: Connect, sb: Sandbox
) -> None:
    connector = connect()
    for stream in STREAMS:
        _states[stream] = read_all(connector, stream, None)[1]
    before = _states["t0"] = sb.clock.now()
    report = sb.churn(60, seed=3, burst=10_050)
    sb.clock.advance(5)
    connector = connect()
    boundary = _at_cursor(sb, _states["contacts"])
    pages, state = read_all(connector, "contacts", _states["contacts"], lookback=_zero())
    got = records(pages, "contact")
    changed = _modified_after(sb, ("contacts",), before) | boundary
    assert len(changed) > 10_000  # the burst shares one lastmodifieddate
    assert {r.remote_id for r in got if not r.deleted} == changed
    merged = {
        rid
        for crm, obj, rid, op in report.changes
        if (crm, obj, op) == ("hubspot", "contacts", "merge")
    }
    assert merged <= {i for p in pages for i in p.deleted_ids}
    archived = {r["id"] for r in sb.world.hubspot["contacts"].deleted()}
    assert {r.remote_id for r in got if r.deleted} == archived
    assert state is not None and state["objects"]["contacts"]["cursor"] >= int(
        report.burst_at.timestamp() * 1000
    )
    _states["contacts"] = state


def _relinked(sb: Sandbox, objects: tuple[str, ...], since: datetime) -> set[str]:
    """Live records linked to a contact or company merged into since ``since``."""
    out = set()
    links = sb.world.hubspot_associations
    for source in ("contacts", "companies"):
        field = "lastmodifieddate" if source == "contacts" else "hs_lastmodifieddate"
        for winner in sb.world.hubspot[source].live():
            if not winner.get("hs_merged_object_ids") or winner[field] < since:
                continue
            for name in objects:
                table = sb.world.hubspot[name]
                out |= {i for i in links.get(source, winner["id"], name) if table.get(i)}
    return out


def _at_cursor(sb: Sandbox, state: dict[str, Any]) -> set[str]:
    out = set()
    for name, saved in state["objects"].items():
        field = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        out |= {
            r["id"]
            for r in sb.world.hubspot[name].live()
            if int(r[field].timestamp() * 1000) == saved["cursor"]
        }
    return out


_LINKED = ("contacts", "companies", "deals", "tickets")  # what engagements link to


def _relisted(sb: Sandbox, objects: tuple[str, ...], state: dict[str, Any]) -> set[str]:
    """Every live record of the types that link to a record archived since their cursor
    (archiving hides links without moving the linked records' dates: they are re-listed)."""
    out: set[str] = set()
    for name in objects:
        cursor = state["objects"][name]["cursor"]
        targets = ("contacts", "companies") if name == "deals" else _LINKED
        archived = [
            sb.world.hubspot[t].deleted_at[r["id"]]
            for t in targets
            for r in sb.world.hubspot[t].deleted()
        ]
        if any(int(at.timestamp() * 1000) >= cursor for at in archived):
            out |= {r["id"] for r in sb.world.hubspot[name].live()}
    return out


def _zero() -> timedelta:
    return timedelta(0)


def test_incremental_streams_return_changes_and_deletes(connect: Connect, sb: Sandbox) -> None:
    connector = connect()
    before = _states["t0"]  # these streams last synced before the first churn
    sb.churn(40, seed=4)
    sb.clock.advance(5)
    for stream, objects in (
        ("deals", ("deals",)),
        ("activities", ("calls", "emails", "meetings", "notes", "tasks")),
    ):
        boundary = _at_cursor(sb, _states[stream])
        pages, state = read_all(connector, stream, _states[stream], lookback=_zero())
        kind = "deal" if stream == "deals" else "activity"
        got = records(pages, kind)
        # the closed lower bound re-reads the records sitting exactly on the old cursor
        expected = _modified_after(sb, objects, before) | boundary
        # records whose links moved to a merge winner are read again with fresh links
        relinked = _relinked(sb, objects, before)
        if stream == "activities":  # some activities only had their links moved
            assert relinked - _modified_after(sb, objects, before)
        expected |= relinked | _relisted(sb, objects, _states[stream])
        assert {r.remote_id for r in got if not r.deleted} == expected
        archived = {r["id"] for o in objects for r in sb.world.hubspot[o].deleted()}
        assert {r.remote_id for r in got if r.deleted} == archived
        _states[stream] = state


def test_lookback_rereads_behind_the_cursor(connect: Connect, sb: Sandbox) -> None:
    cursor = _states["deals"]["objects"]["deals"]["cursor"]
    pages, _ = read_all(connect(), "deals", _states["deals"], lookback=_days(3650))
    ids = {r.remote_id for r in records(pages, "deal") if not r.deleted}
    assert ids == live_ids(sb, "deals")  # a ten-year lookback re-reads everything
    assert cursor is not None


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def test_flaky_profile_gives_the_same_records_as_a_clean_read(
    connect: Connect, sb: Sandbox
) -> None:
    clean = {s: _snapshot(read_all(connect(), s, None)[0]) for s in ("deals", "activities")}
    sb.apps["hubspot"].faults.configure("flaky", 0.2)
    try:
        flaky_connector = connect()
        flaky = {s: _snapshot(read_all(flaky_connector, s, None)[0]) for s in clean}
    finally:
        sb.apps["hubspot"].faults.configure("none")
    assert flaky == clean
    assert flaky_connector.http.retry.retries > 0


def _snapshot(pages: list) -> dict[str, Any]:
    return {(r.kind, r.remote_id): (r.remote_updated_at, r.deleted) for r in records(pages)}


def test_oauth_token_expiry_mid_read_is_survived(connect: Connect, sb: Sandbox) -> None:
    connector = connect(oauth=True, list_page_size=10)
    reader = connector.read("activities", None, _options())
    first = next(reader)
    sb.clock.advance(1801)  # the access token expires on the sandbox clock
    rest = list(reader)
    ids = {r.remote_id for r in records([first, *rest]) if not r.deleted}
    assert ids == live_ids(sb, "activities")
    assert connector.tokens.refreshes == 2


def _options() -> Any:
    from connectors.core.contract import ReadOptions

    return ReadOptions()


def test_daily_limit_raises_quota_exhausted_with_resumable_state(
    connect: Connect, sb: Sandbox
) -> None:
    connector = connect(list_page_size=5)
    app = sb.apps["hubspot"]
    used = app.limiter.usage("private-app")
    app.limits.daily = used.daily - used.daily_remaining + 6
    pages = []
    try:
        with pytest.raises(QuotaExhausted):
            for page in connector.read("activities", None, _options()):
                pages.append(page)
    finally:
        app.limits.daily = 250_000
    assert pages and "run" in str(pages[-1].state)
    rest, _ = read_all(connect(list_page_size=5), "activities", pages[-1].state)
    ids = {r.remote_id for r in records(pages + rest) if not r.deleted}
    assert ids == live_ids(sb, "activities")


def test_write_batches_at_100_with_per_record_results(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    from connectors.core.contract import FieldUpdate

    ids = sorted(live_ids(sb, "contacts"))[:149]
    updates = [FieldUpdate(i, {"jobtitle": f"Title {n}"}) for n, i in enumerate(ids)]
    updates.append(FieldUpdate("999", {"jobtitle": "nobody"}))
    reset_stats(admin, sb)
    results = connect().write("contacts", updates)
    assert [r.remote_id for r in results] == [u.remote_id for u in updates]
    assert [r.ok for r in results] == [True] * 149 + [False]
    assert stats(admin, sb) == {"POST /crm/v3/objects/<type>/batch/update": 2}
    assert sb.world.hubspot["contacts"].rows[ids[7]]["jobtitle"] == "Title 7"


def test_ensure_fields_reports_then_creates_custom_properties(
    connect: Connect, sb: Sandbox
) -> None:
    from connectors.core.contract import FieldSpec, FieldUpdate

    connector = connect()
    spec = FieldSpec("crmsync_incentive", "crmsync incentive", "currency")
    [missing] = connector.ensure_fields("deals", [spec], create=False)
    assert (missing.exists, missing.created) == (False, False)
    assert missing.instructions is not None and "crmsync_incentive" in missing.instructions
    [made] = connector.ensure_fields("deals", [spec], create=True)
    assert (made.exists, made.created) == (True, True)
    deal_id = sorted(live_ids(sb, "deals"))[0]
    [result] = connector.write("deals", [FieldUpdate(deal_id, {"crmsync_incentive": 12.5})])
    assert result.ok
    deals = {d.remote_id: d for d in records(read_all(connector, "deals", None)[0], "deal")}
    assert deals[deal_id].custom_fields == {"crmsync_incentive": "12.5"}
