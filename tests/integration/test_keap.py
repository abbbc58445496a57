"""The Keap emulator answers as Keap's REST v1 does, and the connector's sign-in with
rotating refresh tokens, offset reads, quota handling, delete guard and custom-field
write-back (the connector's and crmsync push's) work against it (real HTTP, the tiny
sandbox)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
import yaml

from connectors.core.contract import FieldSpec, FieldUpdate, ReadOptions
from connectors.core.errors import QuotaExhausted
from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.push.write_back import push
from sync.sources import build_connector
from sync.store import open_store
from sync.store.view.published import DesiredValue, publish
from tests import cli_process
from tests.integration.sync_support import expected_live_ids, opened, store_live_ids, write_config


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[requests.Session]:
    session = pinned_session(sandbox.info.ca_bundle)
    yield session
    session.close()


def _url(sandbox: Sandbox, path: str) -> str:
    return f"{sandbox.info.keap.base_url}/crm/rest/v1/{path}"


def _refresh(sandbox: Sandbox, http: requests.Session, token: str) -> requests.Response:
    info = sandbox.info.keap
    return http.post(
        f"{info.base_url}/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=(info.client_id, info.client_secret),
    )


def _bearer(sandbox: Sandbox, http: requests.Session) -> dict[str, str]:
    app: Any = sandbox.apps["keap"]
    token = app._mint("test-access")
    app.access[token] = float("inf")
    return {"Authorization": f"Bearer {token}"}


def _connector(sandbox: Sandbox, tmp_path: Path, **settings: Any) -> Any:
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("keap",)))
    source = config.source("keap")
    if settings:
        source = source.model_copy(update={"settings": source.settings.model_copy(update=settings)})
    return build_connector(source)


def test_refresh_tokens_rotate_and_keap_error_bodies(
    sandbox: Sandbox, http: requests.Session
) -> None:
    app: Any = sandbox.apps["keap"]
    first = app._mint("test-refresh")
    app.refresh[first] = float("inf")  # a refresh token of this test's own, spent here
    token = _refresh(sandbox, http, first).json()
    assert (token["token_type"], token["expires_in"]) == ("bearer", 86_400)
    again = _refresh(sandbox, http, first)  # the refresh token was used: it is gone
    assert (again.status_code, again.json()) == (
        400,
        {"error": "invalid_request", "error_description": "Invalid Refresh Token"},
    )
    wrong = http.post(
        f"{sandbox.info.keap.base_url}/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=("nobody", "x"),
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    anonymous = http.get(_url(sandbox, "contacts"))
    assert (anonymous.status_code, anonymous.json()["fault"]["detail"]["errorcode"]) == (
        401,
        "keymanagement.service.invalid_access_token",
    )
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    missing = http.get(_url(sandbox, "contacts/999999"), headers=headers)
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": "Contact with id 999999 not found"},
    )
    app.refresh.pop(token["refresh_token"], None)


def test_lists_page_by_offset_with_count_and_filter_on_last_updated(
    sandbox: Sandbox, http: requests.Session
) -> None:
    headers = _bearer(sandbox, http)
    seen: list[int] = []
    counts = set()
    offset = 0
    while True:
        params: dict[str, Any] = {"limit": 7, "offset": offset}
        page = http.get(_url(sandbox, "contacts"), headers=headers, params=params).json()
        seen += [r["id"] for r in page["contacts"]]
        counts.add(page["count"])
        offset += 7
        if offset >= page["count"]:
            break
    live = expected_live_ids(sandbox, "keap", "contacts")
    assert {str(i) for i in seen} == live and len(seen) == len(live)
    assert seen == sorted(seen) and counts == {len(live)}
    assert "custom_fields" not in page["contacts"][0]  # only with optional_properties
    everything = http.get(_url(sandbox, "contacts"), headers=headers).json()["contacts"]
    middle = sorted(r["last_updated"] for r in everything)[len(everything) // 2]
    window = http.get(_url(sandbox, "contacts"), headers=headers, params={"since": middle}).json()
    assert window["count"] == sum(r["last_updated"] >= middle for r in everything)
    until = http.get(_url(sandbox, "contacts"), headers=headers, params={"until": middle}).json()
    assert window["count"] + until["count"] == len(everything)
    notes = http.get(_url(sandbox, "notes"), headers=headers, params={"since": middle}).json()
    assert notes["count"] == len(expected_live_ids(sandbox, "keap", "activities")) - len(
        list(sandbox.world.keap["tasks"].live())  # type: ignore[union-attr]
    ) - len(list(sandbox.world.keap["appointments"].live()))  # type: ignore[union-attr]


def test_the_access_token_may_come_as_a_query_parameter(
    sandbox: Sandbox, http: requests.Session
) -> None:
    token = _bearer(sandbox, http)["Authorization"].removeprefix("Bearer ")
    page = http.get(_url(sandbox, "users"), params={"access_token": token, "limit": 2})
    assert page.status_code == 200
    assert page.headers["x-keap-product-quota-limit"] == "150000"
    # the token is not echoed into the paging links
    assert "access_token" not in page.json()["next"] and "limit=2" in page.json()["next"]
    wrong = http.get(_url(sandbox, "users"), params={"access_token": "nope"})
    assert (wrong.status_code, wrong.json()["fault"]["faultstring"]) == (
        401,
        "Invalid Access Token",
    )
    # the Bearer header wins over the parameter
    both = http.get(
        _url(sandbox, "users"),
        params={"access_token": token},
        headers={"Authorization": "Bearer nope"},
    )
    assert both.status_code == 401


def test_quota_headers_throttle_and_a_spent_daily_quota(
    sandbox: Sandbox, http: requests.Session, tmp_path: Path
) -> None:
    app: Any = sandbox.apps["keap"]
    headers = _bearer(sandbox, http)
    answer = http.get(_url(sandbox, "users"), headers=headers)
    assert answer.headers["x-keap-product-quota-limit"] == "150000"
    assert answer.headers["x-keap-product-quota-time-unit"] == "day"
    used = int(answer.headers["x-keap-product-quota-used"])
    assert int(answer.headers["x-keap-product-quota-available"]) == 150_000 - used
    assert answer.headers["x-keap-tenant-throttle-limit"] == "1500"
    app.per_minute = 1
    try:
        throttled = [http.get(_url(sandbox, "users"), headers=headers) for _ in range(2)][-1]
    finally:
        app.per_minute = 1500
    assert throttled.status_code == 429
    assert throttled.json()["fault"]["detail"]["errorcode"] == (
        "policies.ratelimit.SpikeArrestViolation"
    )
    connector = _connector(sandbox, tmp_path)
    app.daily_quota = 1
    try:
        with pytest.raises(QuotaExhausted) as spent:
            list(connector.read("users", None, ReadOptions(full=True)))
    finally:
        app.daily_quota = 150_000
        connector.close()
    assert "Keap's daily API quota is spent; it refills in" in str(spent.value)


def test_write_back_creates_the_custom_field_and_answers_once_per_record(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    connector = _connector(sandbox, tmp_path)
    try:
        (status,) = connector.ensure_fields("deals", [FieldSpec("crmsync_payout", "Payout")], False)
        assert (status.exists, status.object, status.field) == (
            False,
            "opportunities",
            "crmsync_payout",
        )
        assert "Custom fields > Add a field: type DecimalNumber" in (status.instructions or "")
        spec = FieldSpec("crmsync_payout", "Payout", "currency")
        (status,) = connector.ensure_fields("deals", [spec], True)
        assert (status.exists, status.created) == (True, True)
        deals = sorted(i for i in expected_live_ids(sandbox, "keap", "deals") if i.isdigit())[:2]
        calls = connector.api_usage().calls
        results = connector.write(
            "opportunities",
            [
                FieldUpdate(deals[0], {"crmsync_payout": Decimal("1250.50")}),
                FieldUpdate("999999", {"crmsync_payout": Decimal("1")}),
                FieldUpdate(deals[1], {"crmsync_payout": Decimal("80")}),
            ],
        )
        assert connector.api_usage().calls == calls + 3  # one PATCH per record
        assert [(r.remote_id, r.ok, r.retriable) for r in results] == [
            (deals[0], True, False),
            ("999999", False, False),
            (deals[1], True, False),
        ]
        assert results[1].error == (
            "Keap refused PATCH opportunities/999999: HTTP 404: "
            "Opportunitie with id 999999 not found"
        )
        values = {
            r.remote_id: r.custom_fields["crmsync_payout"]
            for page in connector.read("deals", None, ReadOptions(full=True))
            for r in page.records
            if r.remote_id in deals
        }
        assert values == {deals[0]: 1250.5, deals[1]: 80.0}
        (order,) = connector.write("deals", [FieldUpdate("order-1", {"crmsync_payout": 1})])
        assert (order.ok, order.error) == (False, _ORDERS)
    finally:
        connector.close()


def test_the_rotated_refresh_token_is_kept_for_the_next_process(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    app: Any = sandbox.apps["keap"]
    token_file = Path(sandbox.info.config_path.parent / "keap-tokens.json")
    first = _connector(sandbox, tmp_path)
    try:
        assert first.check().ok
    finally:
        first.close()
    saved = orjson.loads(token_file.read_bytes())
    assert saved["refresh_token"] in app.refresh  # the newest, still valid
    assert sandbox.credentials.keap_refresh_token not in app.refresh  # spent long ago
    assert token_file.stat().st_mode & 0o777 == 0o600
    second = _connector(sandbox, tmp_path)
    try:
        assert second.check().ok  # the saved access token: no refresh
        assert orjson.loads(token_file.read_bytes()) == saved
        app.access.clear()  # every access token expires
        assert second.server_time() == DEFAULT_ANCHOR
        rotated = orjson.loads(token_file.read_bytes())
        assert rotated["refresh_token"] != saved["refresh_token"]
        assert saved["refresh_token"] not in app.refresh
    finally:
        second.close()


def test_a_window_that_shrinks_mid_read_is_read_again(sandbox: Sandbox, tmp_path: Path) -> None:
    connector = _connector(sandbox, tmp_path, page_size=10)
    world: Any = sandbox.world
    try:
        pages = connector.read("contacts", None, ReadOptions(full=True))
        first = next(pages)
        gone = first.records[0].remote_id
        with world.lock:  # deleted while the read pages on: every later record moves up
            world.keap["contacts"].purge(gone, sandbox.clock.now())
        ids = [r.remote_id for r in first.records]
        ids += [r.remote_id for page in pages for r in page.records]
        assert set(ids) - {gone} == expected_live_ids(sandbox, "keap", "contacts")
    finally:
        connector.close()


def test_v2_lists_filter_companies_by_time_and_order_opportunities_by_update(
    sandbox: Sandbox, http: requests.Session
) -> None:
    headers = _bearer(sandbox, http)
    v2 = f"{sandbox.info.keap.base_url}/crm/rest/v2"
    every = http.get(_url(sandbox, "companies"), headers=headers).json()["companies"]
    middle = sorted(r["last_updated"] for r in every)[len(every) // 2]
    params = {"filter": f"since_time=={middle}", "page_size": 3}
    seen: list[dict[str, Any]] = []
    token = ""
    while True:
        page = http.get(f"{v2}/companies", headers=headers, params={**params, "page_token": token})
        seen += page.json()["companies"]
        token = page.json()["next_page_token"]
        if not token:
            break
    # v2's shape: string ids; the address, the times and the rest only when asked for
    assert [r["id"] for r in seen] == [str(r["id"]) for r in every if r["last_updated"] >= middle]
    assert set(seen[0]) == {"id", "company_name", "website"}
    asked = {"filter": f"since_time=={middle}", "fields": "address,update_time,custom_fields"}
    first = http.get(f"{v2}/companies", headers=headers, params=asked).json()["companies"][0]
    assert set(first) == {"id", "company_name", "website", "address", "update_time"} | {
        "custom_fields"
    }
    newest = http.get(
        f"{v2}/opportunities", headers=headers, params={"order_by": "update_time desc"}
    ).json()["opportunities"]
    assert {type(r["id"]) for r in newest} == {type(r["contact"]["id"]) for r in newest} == {str}
    assert "estimated_close_time" in newest[0] and "estimated_close_date" not in newest[0]
    stamps = [r["last_updated_time"] for r in newest]
    assert stamps == sorted(stamps, reverse=True) and len(newest) == len(
        list(sandbox.world.keap["opportunities"].live())  # type: ignore[union-attr]
    )
    refused = http.get(
        f"{v2}/opportunities", headers=headers, params={"filter": f"since_time=={middle}"}
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"message": f"Invalid filter: since_time=={middle}"},
    )


def test_companies_and_opportunities_read_incrementally_through_rest_v2(tmp_path: Path) -> None:
    clock = ManualClock(DEFAULT_ANCHOR)
    options = SandboxOptions(seed=10, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=clock) as sandbox:
        connector = _connector(sandbox, tmp_path, page_size=5)
        world: Any = sandbox.world
        try:
            start = connector.server_time()
            states = {}
            for stream in ("accounts", "deals"):
                *_, last = connector.read(stream, None, ReadOptions(full=True, signpost=start))
                states[stream] = last.state
            clock.advance(3600)
            changed = {}
            with world.lock:
                for stream, obj, key in (
                    ("accounts", "companies", "company_name"),
                    ("deals", "opportunities", "opportunity_title"),
                ):
                    rid = sorted((r["id"] for r in world.keap[obj].live()), key=int)[1]
                    world.keap[obj].update(rid, {key: "Renamed"}, clock.now())
                    changed[stream] = [rid]
            clock.advance(60)
            later = connector.server_time()
            calls = connector.api_usage().calls
            options = ReadOptions(lookback=timedelta(0), signpost=later)
            read = {
                stream: [
                    r.remote_id for p in connector.read(stream, state, options) for r in p.records
                ]
                for stream, state in states.items()
            }
            assert read == changed
            # one v2 call for companies, one for opportunities (the newest page reaches back
            # past the window), one v1 call for the orders' window
            assert connector.api_usage().calls - calls == 3
        finally:
            connector.close()


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run(
        [sys.executable, "-m", "sync", "sync", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_hard_deletes_are_found_by_the_id_comparison_and_guarded(tmp_path: Path) -> None:
    options = SandboxOptions(seed=8, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        config = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.sqlite", ("keap",))
        assert _cli(config).returncode == 0
        url = load_config(config).store.url
        with opened(url) as engine:
            before = store_live_ids(engine, "keap", "contacts")
        chosen = sorted(before)[:12]  # more than 10 and more than 5%
        world: Any = sandbox.world
        with world.lock:
            for rid in chosen:
                world.keap["contacts"].purge(rid, sandbox.clock.now())
        sandbox.clock.advance(60)  # type: ignore[attr-defined]
        # an incremental run within the day compares no ids: the deletes stay unseen
        quiet = _cli(config)
        assert quiet.returncode == 0, quiet.stderr
        assert "deleted" not in quiet.stdout
        with opened(url) as engine:
            assert store_live_ids(engine, "keap", "contacts") == before
        refused = _cli(config, "--check-deletes")  # the id-check run
        assert refused.returncode == 1
        total = len(before)
        share = f"{12 / total:.1%}"
        assert (
            f"keap/contacts: refused to mark 12 of {total} contacts deleted in one run "
            f"({share} > the 5% guard)"
        ) in refused.stderr
        forced = _cli(config, "--check-deletes", "--force")
        assert forced.returncode == 0, forced.stderr
        assert (
            "keap/contacts: deleted 12: 12 missing from a full read of the CRM\n" in forced.stdout
        )
        with opened(url) as engine:
            assert store_live_ids(engine, "keap", "contacts") == before - set(chosen)


def test_push_writes_incentives_into_keap_custom_fields_once(tmp_path: Path) -> None:
    options = SandboxOptions(seed=9, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        url = f"sqlite:///{tmp_path / 's.sqlite'}"
        path = write_config(sandbox, tmp_path, url, ("keap",))
        raw = yaml.safe_load(path.read_text())
        target = {"source": "keap", "object": "deals", "type": "currency"}
        raw["push"] = {
            "create_fields": True,
            "targets": [{"key": "incentive_total", "field": "crmsync_incentive_total", **target}],
        }
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
        config = load_config(path)
        engine = open_store(url)
        try:
            connector = build_connector(config.source("keap"))
            try:
                synced = sync_source(engine, config.source("keap"), connector, SyncOptions(), _now)
            finally:
                connector.close()
            assert synced.status == "succeeded"
            deals = sorted(expected_live_ids(sandbox, "keap", "deals"))
            opportunities = [d for d in deals if d.isdigit()]
            rows = [
                ("keap", "deals", d, "incentive_total", Decimal(i) + Decimal("0.5"))
                for i, d in enumerate(opportunities)
            ]
            orders = [d for d in deals if d.startswith("order-")][:3]
            rows += [("keap", "deals", d, "incentive_total", Decimal("7")) for d in orders]
            with engine.begin() as conn:
                publish(conn, "compute", [DesiredValue(*row) for row in rows])
            report = push(engine, config, _now)
            (outcome,) = report.sources
            assert (outcome.status, outcome.written, outcome.failed) == (
                "succeeded",
                len(opportunities),
                0,
            )
            assert outcome.created_fields == ["opportunities.crmsync_incentive_total"]
            assert report.failures == []
            (plan,) = report.plan.objects
            assert plan.unwritable == {_ORDERS: set(orders)}
            assert report.as_dict()["objects"][0]["unwritable_reasons"] == {_ORDERS: 3}
            # every push says it again, once, and fails nothing
            shown = cli_process.run(
                [sys.executable, "-m", "sync", "push", "--config", str(path)],
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "COLUMNS": "200"},
            )
            assert shown.returncode == 0, shown.stderr
            assert f"keap deals: 3 record(s) left out: {_ORDERS}\n" in shown.stdout
            again = push(engine, config, _now)  # nothing changed: no write
            assert again.sources[0].written == 0
            world: Any = sandbox.world
            table = world.keap["opportunities"]
            (key,) = [f.name for f in table.schema.fields if f.custom]
            assert {rid: table.get(rid)[key] for rid in opportunities} == {
                d: float(i) + 0.5 for i, d in enumerate(opportunities)
            }
        finally:
            engine.dispose()


_ORDERS = "Keap's REST v1 cannot write custom fields on orders"


def _now() -> datetime:
    return datetime.now(UTC)
