"""The Oracle emulator answers as Fusion's CX Sales REST API (11.13.18.05) does, and the
connector's sign-in, keyset reads, id scans for deletes and batch write-back work against
it (real HTTP, the tiny sandbox)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from connectors.core.contract import FieldSpec, FieldUpdate, ReadOptions
from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SourceReport, SyncOptions, sync_source
from sync.sources import build_connector
from tests.integration.sync_support import (
    expected_live_ids,
    opened,
    store_live_ids,
    write_config,
)

ROOT = "crmRestApi/resources/11.13.18.05"


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
    return f"{sandbox.info.oracle.site_url}/{ROOT}/{path}"


def _basic(sandbox: Sandbox) -> tuple[str, str]:
    return sandbox.info.oracle.username, sandbox.info.oracle.password


def _config(sandbox: Sandbox, tmp_path: Path, oauth: bool = False) -> Path:
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", ("oracle",))
    if oauth:
        data = yaml.safe_load(path.read_text())
        info = sandbox.info.oracle
        data["sources"][0]["auth"] = {
            "flow": "client_credentials",
            "token_url": info.token_url,
            "client_id": info.client_id,
            "client_secret": info.client_secret,
        }
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _connector(sandbox: Sandbox, tmp_path: Path, oauth: bool = False) -> Any:
    return build_connector(load_config(_config(sandbox, tmp_path, oauth)).source("oracle"))


def test_basic_auth_oauth_tokens_and_rest_framework_error_bodies(
    sandbox: Sandbox, http: requests.Session
) -> None:
    info = sandbox.info.oracle
    anonymous = http.get(_url(sandbox, "contacts"))
    assert (anonymous.status_code, anonymous.content) == (401, b"")
    wrong = http.get(_url(sandbox, "contacts"), auth=(info.username, "nope"))
    assert wrong.status_code == 401
    scope = f"{info.site_url}:443urn:opc:resource:consumer::all"
    refused = http.post(
        info.token_url,
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(info.client_id, "wrong"),
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    token = http.post(
        info.token_url,
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(info.client_id, info.client_secret),
    ).json()
    assert (token["token_type"], token["expires_in"]) == ("Bearer", 3600)
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    users = http.get(_url(sandbox, "resourceUsers"), headers=bearer, params={"limit": 1}).json()
    assert users["items"][0]["Username"] == "crmsync.integration"
    missing = http.get(_url(sandbox, "opportunities/CDRM_999999"), auth=_basic(sandbox))
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/vnd.oracle.adf.error+json"
    assert missing.json()["o:errorDetails"] == [
        {"detail": "The resource opportunities/CDRM_999999 was not found.", "o:errorCode": "27002"}
    ]
    bad = http.get(_url(sandbox, "contacts"), params={"q": "Nope = 1"}, auth=_basic(sandbox))
    assert bad.status_code == 400
    assert bad.json()["o:errorDetails"][0]["detail"] == (
        "URL request parameter q with value Nope = 1 is not valid: the attribute Nope is not valid"
    )


def test_collections_page_with_has_more_and_a_keyset_query(
    sandbox: Sandbox, http: requests.Session
) -> None:
    params: dict[str, Any] = {
        "limit": 7,
        "onlyData": "true",
        "totalResults": "true",
        "orderBy": "LastUpdateDate:asc,PartyId:asc",
        "fields": "PartyId,LastUpdateDate",
    }
    seen: list[str] = []
    more = []
    while True:
        page = http.get(_url(sandbox, "contacts"), params=params, auth=_basic(sandbox)).json()
        seen += [str(r["PartyId"]) for r in page["items"]]
        more.append(page["hasMore"])
        assert set(page["items"][0]) == {"PartyId", "LastUpdateDate"}
        if not page["hasMore"]:
            break
        params["offset"] = params.get("offset", 0) + 7
    live = expected_live_ids(sandbox, "oracle", "contacts")
    assert set(seen) == live and len(seen) == len(live) == page["totalResults"] == 18
    assert more == [True, True, False]
    a, b = http.get(
        _url(sandbox, "contacts"), params={**params, "offset": 0, "limit": 2}, auth=_basic(sandbox)
    ).json()["items"]
    when = a["LastUpdateDate"]
    after = f"LastUpdateDate > '{when}' or (LastUpdateDate = '{when}' and PartyId > {a['PartyId']})"
    rest = http.get(
        _url(sandbox, "contacts"),
        params={**params, "offset": 0, "limit": 1, "q": after},
        auth=_basic(sandbox),
    ).json()
    assert rest["items"][0]["PartyId"] == b["PartyId"]


def test_rate_limit_answers_429_with_retry_after(sandbox: Sandbox, http: requests.Session) -> None:
    app: Any = sandbox.apps["oracle"]
    app.requests_per_minute = 2
    try:
        answers = [
            http.get(_url(sandbox, "resourceUsers"), params={"limit": 1}, auth=_basic(sandbox))
            for _ in range(3)
        ]
    finally:
        app.requests_per_minute = 0
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1


def test_batch_writes_are_all_or_none_and_a_bad_part_fails_alone(
    sandbox: Sandbox, http: requests.Session, tmp_path: Path
) -> None:
    connector = _connector(sandbox, tmp_path)
    try:
        (status,) = connector.ensure_fields("deals", [FieldSpec("crmsync_payout", "Payout")], True)
        assert (status.exists, status.created, status.field) == (False, False, "crmsync_payout_c")
        assert "Application Composer > Objects > Standard Objects > Opportunity" in (
            status.instructions or ""
        )
        http.post(
            f"{sandbox.info.oracle.site_url}/_sandbox/oracle_field",
            json={"resource": "opportunities", "name": "crmsync_payout_c", "type": "number"},
        ).raise_for_status()
        (status,) = connector.ensure_fields("deals", [FieldSpec("crmsync_payout", "Payout")], True)
        assert (status.exists, status.field) == (True, "crmsync_payout_c")
        deals = sorted(expected_live_ids(sandbox, "oracle", "deals"))[:3]
        calls = connector.api_usage().calls
        results = connector.write(
            "opportunities",
            [
                FieldUpdate(deals[0], {"crmsync_payout_c": Decimal("1250.50")}),
                FieldUpdate("300000000000009", {"crmsync_payout_c": 1}),
                FieldUpdate(deals[1], {"crmsync_payout_c": "not a number"}),
                FieldUpdate(deals[2], {"crmsync_payout_c": Decimal("80")}),
            ],
        )
        # the numbers' lookup, the batch Fusion refused as a whole, the batch without it
        assert connector.api_usage().calls == calls + 3
        assert [(r.remote_id, r.ok, r.retriable) for r in results] == [
            (deals[0], True, False),
            ("300000000000009", False, False),
            (deals[1], False, False),
            (deals[2], True, False),
        ]
        assert results[1].error == "Oracle has no opportunities record 300000000000009"
        assert (
            results[2].error == "Oracle answered 400: The value of crmsync_payout_c is not valid."
        )
        values = {
            r.remote_id: r.custom_fields.get("crmsync_payout_c")
            for page in connector.read("deals", None, ReadOptions(full=True))
            for r in page.records
            if r.remote_id in deals
        }
        assert values == {deals[0]: 1250.5, deals[1]: None, deals[2]: 80.0}
    finally:
        connector.close()


def test_an_expired_bearer_token_is_fetched_again(sandbox: Sandbox, tmp_path: Path) -> None:
    connector = _connector(sandbox, tmp_path, oauth=True)
    app: Any = sandbox.apps["oracle"]
    try:
        assert connector.check().message.endswith(
            f"as the application {app.credentials.oracle_client_id}"
        )
        before = set(app.access)
        app.access.clear()  # every access token expires
        assert connector.server_time() == DEFAULT_ANCHOR
        assert set(app.access) - before  # a new token
    finally:
        connector.close()


@pytest.mark.parametrize("stream", ["deal_contacts", "deal_products", "deal_splits"])
def test_child_rows_come_inline_with_the_opportunities(
    sandbox: Sandbox, tmp_path: Path, stream: str
) -> None:
    connector = _connector(sandbox, tmp_path)
    try:
        calls = connector.api_usage().calls
        records = [
            r for page in connector.read(stream, None, ReadOptions(full=True)) for r in page.records
        ]
        assert connector.api_usage().calls - calls == 1  # one page, the child expanded
        ids = {r.remote_id for r in records}
        assert ids == expected_live_ids(sandbox, "oracle", stream)
        assert set(connector.list_ids(stream)) == ids
    finally:
        connector.close()
    if stream == "deal_products":  # each deal's amount rolls up from its one revenue line
        world = sandbox.world
        assert world is not None
        amounts = {str(o["OptyId"]): o["Revenue"] for o in world.oracle["opportunities"].live()}
        assert {r.deal_id: float(r.amount) for r in records} == amounts  # type: ignore[attr-defined]
        assert {r.product_code for r in records} <= {  # type: ignore[attr-defined]
            "LIMS-ENT",
            "ANL-FLEET",
            "SVC-PREM",
            "INT-CONN",
        }
    if stream == "deal_splits":  # the team members, each deal's owner among them, and
        # the revenue lines' sales credits: revenue (QUOTA) and overlay (NONQUOTA)
        world = sandbox.world
        assert world is not None
        truth = {
            r["id"]: (r["deal"], r["user_id"], r["role"], r["owner"])
            for r in world.truth.files["deal_team"]
        }
        got = {
            r.remote_id: (r.deal_id, r.user_id, r.note, r.split_type, r.percent)  # type: ignore[attr-defined]
            for r in records
        }
        users = {r["employee_id"]: r["user_id"] for r in world.truth.files["oracle_employees"]}
        credits = [r for r in world.truth.files["deal_splits"] if r["crm"] == "oracle"]
        codes = {"revenue": "QUOTA", "overlay": "NONQUOTA"}
        assert got == {
            **{
                rid: (deal, user, "owner" if owner else role, "team", None)
                for rid, (deal, user, role, owner) in truth.items()
            },
            **{
                c["id"]: (
                    c["deal"],
                    users[c["employee_id"]],
                    codes[c["type"]],
                    c["type"],
                    Decimal(c["percent"]),
                )
                for c in credits
            },
        }
        assert {c["type"] for c in credits} == {"revenue", "overlay"}
        assert any(c["object"] == "ChildSplitRevenue" for c in credits)
        owners = {
            str(o["OptyId"]): o["OwnerResourcePartyId"]
            for o in world.oracle["opportunities"].live()
        }
        assert {d: u for d, u, _, owner in truth.values() if owner} == owners


def _sync(config: Path, **options: Any) -> SourceReport:
    cfg = load_config(config)
    source = cfg.source("oracle")
    connector = build_connector(source)
    try:
        with opened(cfg.store.url) as engine:
            return sync_source(
                engine, source, connector, SyncOptions(**options), now=lambda: datetime.now(UTC)
            )
    finally:
        connector.close()


def test_deletes_are_found_by_the_id_scan_and_guarded(tmp_path: Path) -> None:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        world, clock = sandbox.world, sandbox.clock
        assert world is not None
        config = _config(sandbox, tmp_path)
        _sync(config)
        activities = world.oracle["activities"]
        live = [r["ActivityId"] for r in activities.live()]
        clock.advance(60)  # type: ignore[attr-defined]
        with world.lock:
            for rid in live[:2]:
                activities.purge(rid, clock.now())
        report = _sync(config)
        (stream,) = [s for s in report.streams if s.stream == "activities"]
        # the lookback reads the newest activity again; the deletes come from the id scan
        assert (stream.status, stream.counts.deleted_missing, stream.counts.fetched) == (
            "succeeded",
            2,
            1,
        )
        with world.lock:
            for rid in live[2:14]:
                activities.purge(rid, clock.now())
        refused = _sync(config)
        (stream,) = [s for s in refused.streams if s.stream == "activities"]
        assert stream.status == "partial"
        total = len(live) - 2
        assert (stream.error or "").startswith(
            f"refused to mark 12 of {total} activities deleted in one run "
            f"({12 / total:.1%} > the 5% guard)"
        )
        forced = _sync(config, force_deletes=True)
        (stream,) = [s for s in forced.streams if s.stream == "activities"]
        assert (stream.status, stream.counts.deleted_missing) == ("succeeded", 12)
        with opened(load_config(config).store.url) as engine:
            assert store_live_ids(engine, "oracle", "activities") == expected_live_ids(
                sandbox, "oracle", "activities"
            )


def test_basic_auth_header_is_what_requests_sends(sandbox: Sandbox) -> None:
    """The sandbox checks the same header Fusion does (``Authorization: Basic``)."""
    user, password = _basic(sandbox)
    header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    with pinned_session(sandbox.info.ca_bundle) as http:
        answer = http.get(
            _url(sandbox, "resourceUsers"), params={"limit": 1}, headers={"Authorization": header}
        )
    assert answer.status_code == 200 and answer.headers["REST-Framework-Version"] == "4"


def test_the_demo_syncs_the_division_when_named_and_meets_the_ground_truth(
    tmp_path: Path,
) -> None:
    from sync.config.steps import STEP_NAMES
    from sync.demo import run_demo

    result = run_demo(
        tmp_path,
        seed=1,
        scale="tiny",
        anchor=DEFAULT_ANCHOR,
        steps=STEP_NAMES,
        sources=("salesforce", "oracle"),
    )
    assert result.ok, [t for t in result.truth if not t.ok]
    oracle = {c.stream: (c.in_store, c.ground_truth) for c in result.checks if c.source == "oracle"}
    assert oracle == {
        "accounts": (10, 10),
        "activities": (49, 49),
        "cases": (6, 6),
        "contacts": (18, 18),
        "deal_contacts": (15, 15),
        "deal_products": (15, 15),
        # the 26 team members (each owner, and some others), the 15 revenue lines' own
        # credits and their 7 split rows (revenue and overlay credits)
        "deal_splits": (48, 48),
        "deals": (15, 15),
        "leads": (15, 15),
        # the custom objects StoreVisit_c and Order_c, mapped in the demo's YAML
        "orders": (8, 8),
        "store_visits": (5, 5),
        "users": (7, 7),
    }
    assert [t.name for t in result.truth] == [
        "person identities (pairwise)",
        "organisation identities (pairwise)",
        "employee identities (pairwise)",
        "credited revenue = won revenue",
    ]
