"""Incremental reads, late commits, deletes, faults, token expiry and the daily limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sfconn_support import read_all, records, world_ids

from connectors.core.contract import ReadOptions
from connectors.core.errors import QuotaExhausted
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.reader import STREAMS
from sandbox import Sandbox

Connect = Callable[..., SalesforceConnector]
LOOKBACK = timedelta(minutes=10)


def test_incremental_read_returns_changes_late_commits_and_deletes(
    sb: Sandbox, connect: Connect
) -> None:
    connector = connect()
    # recent stamps on the objects that get late commits, so their cursors sit at the clock
    for obj in ("Contact", "Account", "Opportunity"):
        rid = next(iter(sb.world.salesforce[obj].live()))["Id"]
        connector.http.call("touch", lambda sf, o=obj, r=rid: getattr(sf, o).update(r, {}))
    sb.churn(150, seed=3)
    sb.clock.advance(2)  # type: ignore[attr-defined]
    states: dict[str, Any] = {}
    for stream in STREAMS:
        states[stream] = read_all(connector, stream)[-1].state
    sb.clock.advance(30)  # type: ignore[attr-defined]
    report = sb.churn(60, seed=4, late_commits=4)
    sb.clock.advance(2)  # type: ignore[attr-defined]  # the Date header has whole seconds
    signpost = connector.server_time()
    changed = {(obj, rid) for crm, obj, rid, _ in report.changes if crm == "salesforce"}
    late = [(obj, rid) for crm, obj, rid, op in report.changes if op == "late_update"]
    assert late
    for stream, (_, objects) in STREAMS.items():
        pages = read_all(connector, stream, states[stream], ReadOptions(signpost=signpost))
        got = {r.remote_id: r for r in records(pages)}
        expected: set[str] = set()
        for obj in objects:
            cursor = states[stream]["objects"][obj]["cursor"]
            table = sb.world.salesforce[obj]
            since = None if cursor is None else datetime.fromisoformat(cursor) - LOOKBACK
            expected |= {
                r["Id"]
                for r in table.all()
                if since is None or since <= r["SystemModstamp"] <= signpost
            }
            # every change made since the full read is in the incremental read
            assert {rid for o, rid in changed if o == obj and rid in table.rows} <= set(got)
        assert set(got) == expected, stream
        for rid, record in got.items():
            obj = next(o for o in objects if rid in sb.world.salesforce[o].rows)
            assert record.deleted is sb.world.salesforce[obj].is_deleted(rid)
    # the late commits were stamped behind the saved cursor: only the lookback finds them
    for obj, rid in late:
        stream = next(s for s, (_, objs) in STREAMS.items() if obj in objs)
        cursor = states[stream]["objects"][obj]["cursor"]
        assert sb.world.salesforce[obj].rows[rid]["SystemModstamp"].isoformat() < cursor


def test_flaky_profile_gives_the_same_records_as_a_clean_read(
    sb: Sandbox, connect: Connect
) -> None:
    signpost = connect().server_time()
    opts = ReadOptions(signpost=signpost, page_size=200)
    clean = {s: records(read_all(connect(), s, options=opts)) for s in STREAMS}
    app = sb.apps["salesforce"]
    app.faults.configure("flaky", 0.2)
    try:
        flaky = connect()
        noisy = {s: records(read_all(flaky, s, options=opts)) for s in STREAMS}
    finally:
        app.faults.configure("none")
    assert flaky.http.retry.retries > 0
    for stream in STREAMS:
        assert sorted((r.remote_id, r.remote_updated_at) for r in noisy[stream]) == sorted(
            (r.remote_id, r.remote_updated_at) for r in clean[stream]
        )


def test_token_expiry_mid_query_restarts_after_the_last_page(sb: Sandbox, connect: Connect) -> None:
    connector = connect(page_size=200)
    pages = connector.read("activities", None, ReadOptions(signpost=connector.server_time()))
    first = next(pages)
    assert len(first.records) == 200
    sb.apps["salesforce"].tokens.revoke(connector.tokens.current().access_token)
    rest = list(pages)
    ids = [r.remote_id for r in first.records] + [r.remote_id for p in rest for r in p.records]
    assert len(ids) == len(set(ids))
    assert set(ids) == world_ids(sb, "activities") | world_ids(sb, "activities", deleted=True)
    assert connector.reader.restarts == 1
    assert connector.tokens.refreshes == 2


def test_daily_limit_raises_quota_exhausted_and_the_state_resumes(
    sb: Sandbox, connect: Connect
) -> None:
    connector = connect(page_size=200)
    signpost = connector.server_time()
    app = sb.apps["salesforce"]
    used, _ = app.api_usage()
    app.limits.daily = used + 3  # login is free: describe, two pages, then the budget stops it
    seen: list[str] = []
    state = None
    try:
        with pytest.raises(QuotaExhausted, match="API quota reached"):
            for page in connector.read("activities", None, ReadOptions(signpost=signpost)):
                seen += [r.remote_id for r in page.records]
                state = page.state
    finally:
        app.limits.daily = None
    assert state is not None and len(seen) == 400
    resumed = connect(page_size=200)
    pages = read_all(resumed, "activities", state, ReadOptions(signpost=signpost))
    seen += [r.remote_id for r in records(pages)]
    assert len(seen) == len(set(seen))
    assert set(seen) == world_ids(sb, "activities") | world_ids(sb, "activities", deleted=True)


@pytest.mark.parametrize("flow", ["refresh_token", "password", "jwt", "access_token"])
def test_every_auth_flow_logs_in(sb: Sandbox, connect: Connect, flow: str) -> None:
    creds = sb.credentials
    auth: dict[str, Any] = {"flow": flow, "client_id": creds.salesforce_client_id}
    if flow == "refresh_token":
        auth |= {"client_secret": creds.salesforce_client_secret,
                 "refresh_token": creds.salesforce_refresh_token}  # fmt: skip
    elif flow == "password":
        auth |= {"client_secret": creds.salesforce_client_secret,
                 "username": creds.salesforce_username, "password": creds.salesforce_password,
                 "security_token": creds.salesforce_security_token}  # fmt: skip
    elif flow == "jwt":
        pem = sb.apps["salesforce"].jwt_private_key_pem().decode()  # type: ignore[attr-defined]
        auth |= {"username": creds.salesforce_username, "private_key": pem}
    else:
        auth = {"flow": flow, "access_token": sb.info.salesforce.access_token}
    connector = connect(auth=auth)
    assert connector.check().ok is True
    assert len(records(read_all(connector, "users"))) == len(world_ids(sb, "users"))


def test_a_record_that_cannot_be_mapped_is_quarantined(sb: Sandbox, connect: Connect) -> None:
    table = sb.world.salesforce["Opportunity"]
    good = dict(next(iter(table.live())))
    bad = good | {"Id": sb.world.mint("salesforce", "Opportunity"), "CloseDate": "someday"}
    with sb.world.lock:
        table.insert(bad)
    pages = read_all(connect(), "deals")
    quarantined = [q for p in pages for q in p.quarantined]
    assert [q.remote_id for q in quarantined] == [bad["Id"]]
    assert "someday" in quarantined[0].reason
    assert quarantined[0].raw["CloseDate"] == "someday"
    assert {r.remote_id for r in records(pages)} == world_ids(sb, "deals") - {bad["Id"]}


def test_a_refused_call_at_the_daily_limit_is_quota_exhausted(
    sb: Sandbox, connect: Connect
) -> None:
    app = sb.apps["salesforce"]
    app.limits.daily = app.api_usage()[0]  # the next REST call is refused with 403
    try:
        with pytest.raises(QuotaExhausted, match="daily API limit"):
            read_all(connect(), "leads")
    finally:
        app.limits.daily = None
