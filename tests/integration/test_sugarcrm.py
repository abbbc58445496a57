"""The SugarCRM emulator answers as Sugar's REST v11 does, and the connector's sign-in,
keyset reads and bulk write-back work against it (real HTTP, the tiny sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests

from connectors.core.contract import FieldSpec, FieldUpdate, ReadOptions
from connectors.core.errors import ConnectorFatalError
from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from tests.integration.contract_suite import assert_store_matches_world, utc_now
from tests.integration.sync_support import expected_live_ids, opened, write_config


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
    return f"{sandbox.info.sugarcrm.site_url}/rest/v11/{path}"


def _sign_in(sandbox: Sandbox, http: requests.Session, **extra: str) -> dict[str, Any]:
    info = sandbox.info.sugarcrm
    form = {
        "grant_type": "password",
        "client_id": "sugar",
        "client_secret": "",
        "username": info.username,
        "password": info.password,
        "platform": "crmsync",
        **extra,
    }
    return dict(http.post(_url(sandbox, "oauth2/token"), json=form).json())


def _connector(sandbox: Sandbox, tmp_path: Path) -> Any:
    config = load_config(
        write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("sugarcrm",))
    )
    return build_connector(config.source("sugarcrm"))


def test_password_and_refresh_grants_and_sugar_error_bodies(
    sandbox: Sandbox, http: requests.Session
) -> None:
    token = _sign_in(sandbox, http)
    assert token["expires_in"] == 3600 and token["refresh_expires_in"] == 1_209_600
    wrong = http.post(
        _url(sandbox, "oauth2/token"),
        json={
            "grant_type": "password",
            "client_id": "sugar",
            "platform": "crmsync",
            "username": "nobody",
            "password": "x",
        },
    )
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"error": "invalid_grant", "error_message": "Your username or password was incorrect."},
    )
    refreshed = http.post(
        _url(sandbox, "oauth2/token"),
        json={
            "grant_type": "refresh_token",
            "client_id": "sugar",
            "platform": "crmsync",
            "refresh_token": token["refresh_token"],
        },
    ).json()
    assert refreshed["access_token"] != token["access_token"]
    again = http.post(  # a refresh token is used once
        _url(sandbox, "oauth2/token"),
        json={
            "grant_type": "refresh_token",
            "client_id": "sugar",
            "platform": "crmsync",
            "refresh_token": token["refresh_token"],
        },
    )
    assert again.status_code == 401 and again.json()["error"] == "invalid_grant"
    anonymous = http.get(_url(sandbox, "me"))
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_grant")
    me = http.get(_url(sandbox, "me"), headers={"OAuth-Token": refreshed["access_token"]})
    assert me.json()["current_user"]["user_name"] == "crmsync.integration"
    missing = http.get(
        _url(sandbox, "Leads/no-such-id"), headers={"OAuth-Token": refreshed["access_token"]}
    )
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "error": "not_found",
            "error_message": "Could not find record: no-such-id in module: Leads",
        },
    )


def test_sign_in_takes_sugars_platforms_and_registered_ones_only(
    sandbox: Sandbox, http: requests.Session
) -> None:
    app: Any = sandbox.apps["sugarcrm"]
    for platform in ("base", "mobile", "portal", "crmsync", ""):  # none given: base
        assert "access_token" in _sign_in(sandbox, http, platform=platform)
    info = sandbox.info.sugarcrm
    form = {
        "grant_type": "password",
        "client_id": "sugar",
        "client_secret": "",
        "username": info.username,
        "password": info.password,
    }
    assert "access_token" in http.post(_url(sandbox, "oauth2/token"), json=form).json()
    # Sugar refuses a platform no administrator registered, before it looks at the grant
    for body in ({**form, "platform": "zucker"}, {**form, "platform": "zucker", "password": ""}):
        refused = http.post(_url(sandbox, "oauth2/token"), json=body)
        assert (refused.status_code, refused.json()) == (
            422,
            {"error": "invalid_parameter", "error_message": "EXCEPTION_INVALID_PLATFORM"},
        )
    app.platforms.add("zucker")  # Admin > Configure API Platforms
    try:
        assert "access_token" in _sign_in(sandbox, http, platform="zucker")
    finally:
        app.platforms.discard("zucker")


def test_the_connector_names_a_refused_platform(sandbox: Sandbox, tmp_path: Path) -> None:
    app: Any = sandbox.apps["sugarcrm"]
    connector = _connector(sandbox, tmp_path)
    app.platforms.discard("crmsync")
    try:
        with pytest.raises(ConnectorFatalError) as refused:
            connector.server_time()
        assert str(refused.value) == (
            "SugarCRM refused the API platform 'crmsync': an administrator registers it "
            "under Admin > Configure API Platforms (or set auth.platform to a registered one)"
        )
    finally:
        app.platforms.add("crmsync")
        connector.close()


def test_records_carry_their_acl_in_lists_records_links_and_bulk(
    sandbox: Sandbox, http: requests.Session
) -> None:
    headers = {"OAuth-Token": _sign_in(sandbox, http)["access_token"]}
    acl = {"fields": {}}  # the API user may read and write every field
    listed = http.get(_url(sandbox, "Opportunities"), headers=headers, params={"max_num": 2})
    assert [r["_acl"] for r in listed.json()["records"]] == [acl, acl]
    projected = http.post(
        _url(sandbox, "Opportunities/filter"), headers=headers, json={"fields": "name"}
    ).json()["records"][0]
    assert (projected["_acl"], projected["_module"]) == (acl, "Opportunities")
    opp = sorted(
        {r["opportunity_id"] for r in sandbox.world.sugarcrm["opportunities_contacts"].live()}
    )[0]
    record = http.get(_url(sandbox, f"Opportunities/{opp}"), headers=headers).json()
    assert record["_acl"] == acl
    linked = http.get(_url(sandbox, f"Opportunities/{opp}/link/contacts"), headers=headers)
    assert linked.json()["records"] and all(r["_acl"] == acl for r in linked.json()["records"])
    bulk = http.post(
        _url(sandbox, "bulk"),
        headers=headers,
        json={"requests": [{"url": f"/v11/Opportunities/{opp}", "method": "GET"}]},
    ).json()
    assert bulk[0]["contents"]["_acl"] == acl


def test_filter_pages_with_next_offset_and_keyset(sandbox: Sandbox, http: requests.Session) -> None:
    headers = {"OAuth-Token": _sign_in(sandbox, http)["access_token"]}
    body: dict[str, Any] = {"filter": [], "max_num": 7, "order_by": "date_modified:asc,id:asc"}
    seen: list[str] = []
    offsets = []
    while True:
        page = http.post(_url(sandbox, "Contacts/filter"), headers=headers, json=body).json()
        seen += [r["id"] for r in page["records"]]
        offsets.append(page["next_offset"])
        if page["next_offset"] == -1:
            break
        body["offset"] = page["next_offset"]
    live = expected_live_ids(sandbox, "sugarcrm", "contacts")
    assert set(seen) == live and len(seen) == len(live)
    assert offsets == [*range(7, len(live), 7), -1]
    first = http.post(_url(sandbox, "Contacts/filter"), headers=headers, json={"max_num": 2}).json()
    a, b = first["records"]
    after = {
        "$or": [
            {"date_modified": {"$gt": a["date_modified"]}},
            {"$and": [{"date_modified": a["date_modified"]}, {"id": {"$gt": a["id"]}}]},
        ]
    }
    rest = http.post(
        _url(sandbox, "Contacts/filter"), headers=headers, json={"filter": [after], "max_num": 1}
    ).json()
    assert rest["records"][0]["id"] == b["id"]
    bad = http.post(
        _url(sandbox, "Contacts/filter"), headers=headers, json={"filter": [{"nope": 1}]}
    )
    assert (bad.status_code, bad.json()["error"]) == (422, "invalid_parameter")


def test_minor_version_paths_module_lists_counts_and_bracketed_filters(
    sandbox: Sandbox, http: requests.Session
) -> None:
    info = sandbox.info.sugarcrm
    versioned = f"{info.site_url}/rest/v11_5"
    form = {
        "grant_type": "password",
        "client_id": "sugar",
        "client_secret": "",
        "username": info.username,
        "password": info.password,
        "platform": "crmsync",
    }
    token = http.post(f"{versioned}/oauth2/token/", data=form).json()  # form, trailing /
    headers = {"OAuth-Token": token["access_token"]}
    live = expected_live_ids(sandbox, "sugarcrm", "accounts")
    count = http.get(f"{versioned}/Accounts/count", headers=headers).json()
    assert count == {"record_count": len(live)}
    listed = http.get(_url(sandbox, "Accounts"), headers=headers, params={"max_num": 3}).json()
    assert (len(listed["records"]), listed["next_offset"]) == (3, 3)
    assert {r["_module"] for r in listed["records"]} == {"Accounts"}
    named = http.get(_url(sandbox, "Accounts"), headers=headers, params={"fields": "name"})
    assert set(named.json()["records"][0]) == {"id", "date_modified", "_acl", "_module", "name"}
    first = listed["records"][0]
    bracketed = {"filter[0][id][$equals]": first["id"], "max_num": "5"}
    one = http.get(_url(sandbox, "Accounts"), headers=headers, params=bracketed).json()
    assert [r["id"] for r in one["records"]] == [first["id"]]
    either = {
        "filter[0][$or][0][id]": first["id"],
        "filter[0][$or][1][id][$in][0]": listed["records"][1]["id"],
    }
    counted = http.get(_url(sandbox, "Accounts/filter/count"), headers=headers, params=either)
    assert counted.json() == {"record_count": 2}
    posted = http.post(
        _url(sandbox, "Accounts/filter/count"),
        headers=headers,
        json={"filter": [{"id": {"$in": [first["id"]]}}]},
    )
    assert posted.json() == {"record_count": 1}


def test_rate_limit_answers_429_with_retry_after(sandbox: Sandbox, http: requests.Session) -> None:
    app: Any = sandbox.apps["sugarcrm"]
    headers = {"OAuth-Token": _sign_in(sandbox, http)["access_token"]}
    app.requests_per_minute = 2
    try:
        answers = [http.get(_url(sandbox, "ping"), headers=headers) for _ in range(3)]
    finally:
        app.requests_per_minute = 0
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["error"] == "too_many_requests"
    assert int(answers[2].headers["Retry-After"]) >= 1


def test_write_back_creates_the_custom_field_and_answers_once_per_record(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    connector = _connector(sandbox, tmp_path)
    try:
        (status,) = connector.ensure_fields("deals", [FieldSpec("crmsync_payout", "Payout")], False)
        assert (status.exists, status.field) == (False, "crmsync_payout_c")
        assert "Studio > Opportunities > Fields" in (status.instructions or "")
        (status,) = connector.ensure_fields("deals", [FieldSpec("crmsync_payout", "Payout")], True)
        assert (status.exists, status.created, status.field) == (True, True, "crmsync_payout_c")
        deals = sorted(expected_live_ids(sandbox, "sugarcrm", "deals"))[:2]
        calls = connector.api_usage().calls
        results = connector.write(
            "Opportunities",
            [
                FieldUpdate(deals[0], {"crmsync_payout_c": Decimal("1250.50")}),
                FieldUpdate("00000000-0000-0000-0000-000000000009", {"crmsync_payout_c": 1}),
                FieldUpdate(deals[1], {"crmsync_payout_c": Decimal("80")}),
            ],
        )
        assert connector.api_usage().calls == calls + 1  # one bulk call
        assert [(r.remote_id, r.ok, r.retriable) for r in results] == [
            (deals[0], True, False),
            ("00000000-0000-0000-0000-000000000009", False, False),
            (deals[1], True, False),
        ]
        assert results[1].error == (
            "SugarCRM answered 404: Could not find record: "
            "00000000-0000-0000-0000-000000000009 in module: Opportunities"
        )
        values = {
            r.remote_id: r.custom_fields["crmsync_payout_c"]
            for page in connector.read("deals", None, ReadOptions(full=True))
            for r in page.records
            if r.remote_id in deals
        }
        assert values == {deals[0]: 1250.5, deals[1]: 80.0}
    finally:
        connector.close()


def test_an_expired_token_is_refreshed_without_signing_in_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    connector = _connector(sandbox, tmp_path)
    app: Any = sandbox.apps["sugarcrm"]
    try:
        assert connector.check().ok
        refresh_before = set(app.refresh)
        app.access.clear()  # every access token expires
        assert connector.server_time() == DEFAULT_ANCHOR
        assert refresh_before - set(app.refresh)  # the refresh token was used up
    finally:
        connector.close()


def test_contact_roles_are_read_through_bulk_link_reads(sandbox: Sandbox, tmp_path: Path) -> None:
    connector = _connector(sandbox, tmp_path)
    try:
        assert connector.check().ok  # signed in
        calls = connector.api_usage().calls
        ids = {
            r.remote_id
            for page in connector.read("deal_contacts", None, ReadOptions(full=True))
            for r in page.records
        }
        # the opportunities' one filter page, and one bulk call for all their links
        assert connector.api_usage().calls - calls == 2
        assert ids == expected_live_ids(sandbox, "sugarcrm", "deal_contacts")
    finally:
        connector.close()


def test_a_bulk_call_answers_filter_queries_as_the_filter_endpoint_does(
    sandbox: Sandbox, http: requests.Session
) -> None:
    headers = {"OAuth-Token": _sign_in(sandbox, http)["access_token"]}
    query = {"filter": [], "max_num": 3, "order_by": "date_modified:asc,id:asc"}
    alone = [
        http.post(_url(sandbox, f"{module}/filter"), headers=headers, json=query).json()
        for module in ("Contacts", "Leads")
    ]
    data = orjson.dumps(query).decode()
    parts = [
        {"url": f"/v11/{module}/filter", "method": "POST", "data": data}
        for module in ("Contacts", "Leads")
    ]
    answers = http.post(_url(sandbox, "bulk"), headers=headers, json={"requests": parts}).json()
    assert [a["status"] for a in answers] == [200, 200]
    assert [a["contents"] for a in answers] == alone


def test_an_incremental_run_reads_every_module_s_first_page_in_one_bulk_call(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """After the ping that gives the signpost, one bulk call carries the first filter
    query of every module read before; the streams then make no call of their own (the
    opportunities' contact links aside, read as ever)."""
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("sugarcrm",))
    config = load_config(path)
    source = config.source("sugarcrm")

    def sync() -> tuple[Any, int]:
        connector = build_connector(source)
        try:
            with opened(config.store.url) as engine:
                report = sync_source(engine, source, connector, SyncOptions(), now=utc_now)
            return report, connector.api_usage().calls
        finally:
            connector.close()

    sync()
    clock = sandbox.clock
    assert isinstance(clock, ManualClock)
    clock.advance(60)
    sandbox.churn(changes=20, seed=5, crms=("sugarcrm",))
    clock.advance(60)
    report, calls = sync()
    assert report.status == "succeeded"
    per_stream = {s.stream: s.api_calls for s in report.streams}
    links = per_stream.pop("deal_contacts")
    assert per_stream == {stream: 0 for stream in per_stream}
    assert calls == 3 + links  # the sign-in, the ping and the bulk call
    assert sum(s.counts.fetched for s in report.streams) > 0
    assert_store_matches_world(sandbox, path, "sugarcrm")
