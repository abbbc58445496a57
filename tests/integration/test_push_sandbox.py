"""Write-back against the sandbox: batch call counts, free re-runs, read-back through the
official clients, per-record failures retried alone, dry run, quota and faults."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from push_support import (
    SF_BATCH,
    PushWorld,
    ceil_div,
    faults,
    live_ids,
    publish_values,
    push_world,
    utc_now,
    write_calls,
)

from sync.config import load_config
from sync.push.write_back import push
from sync.sources import build_connector


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushWorld]:
    with push_world(tmp_path_factory.mktemp("push"), seed=5, scale="small") as world:
        yield world


def _push(world: PushWorld, **options: object):  # type: ignore[no-untyped-def]
    return push(world.engine, world.config, utc_now, **options)  # type: ignore[arg-type]


def test_changed_values_cost_one_call_per_batch_and_a_rerun_costs_none(world: PushWorld) -> None:
    sf_deals = live_ids(world.engine, "salesforce", "deals")
    sf_users = live_ids(world.engine, "salesforce", "users")
    hs_deals = live_ids(world.engine, "hubspot", "deals")
    hs_contacts = live_ids(world.engine, "hubspot", "contacts")
    hs_owners = live_ids(world.engine, "hubspot", "users")
    zo_deals = live_ids(world.engine, "zoho", "deals")
    rows = [
        ("salesforce", "deals", r, "incentive_total", Decimal(i) + Decimal("0.125"))
        for i, r in enumerate(sf_deals)
    ]
    rows += [
        ("hubspot", "deals", r, "incentive_total", Decimal(i * 3)) for i, r in enumerate(hs_deals)
    ]
    rows += [
        ("zoho", "deals", r, "incentive_total", Decimal(i) / 4) for i, r in enumerate(zo_deals)
    ]
    rows += [
        ("salesforce", "users", r, "usage_score", Decimal(40 + i)) for i, r in enumerate(sf_users)
    ]
    rows += [
        ("hubspot", "users", r, "usage_score", Decimal(60 + i)) for i, r in enumerate(hs_owners)
    ]
    rows += [
        ("hubspot", "contacts", r, "engagement_score", Decimal(i % 97))
        for i, r in enumerate(hs_contacts)
    ]
    publish_values(world.engine, "compute", rows)
    world.reset()

    report = _push(world)

    assert report.ok, [s.as_dict() for s in report.sources]
    assert report.failures == []
    owned = {p.object: len(p.records) for p in report.plan.objects if p.source == "hubspot"}
    assert owned["deals"] == len(hs_deals)  # incentive and the owner's score in one update
    assert write_calls(world) == {
        "salesforce": ceil_div(len(sf_deals), SF_BATCH) + ceil_div(len(sf_users), SF_BATCH),
        "hubspot": ceil_div(len(hs_deals), 100) + ceil_div(len(hs_contacts), 100),
        "zoho": ceil_div(len(zo_deals), 100),
    }
    assert len(hs_contacts) > 100 and len(sf_deals) > SF_BATCH  # several batches really ran

    world.reset()
    again = _push(world)
    assert again.plan.counts()["write_calls"] == 0
    assert {crm: sum(world.stats(crm).values()) for crm in ("salesforce", "hubspot", "zoho")} == {
        "salesforce": 0,
        "hubspot": 0,
        "zoho": 0,
    }

    # read back through the official clients
    sf = world.salesforce()
    got = sf.query_all("SELECT Id, crmsync_incentive_total__c FROM Opportunity")["records"]
    by_id = {r["Id"]: r["crmsync_incentive_total__c"] for r in got}
    assert {r: Decimal(str(by_id[r])) for r in sf_deals} == {
        r: (Decimal(i) + Decimal("0.13")) for i, r in enumerate(sf_deals)
    }
    users = sf.query_all("SELECT Id, crmsync_usage_score__c FROM User")["records"]
    scores = {u["Id"]: u["crmsync_usage_score__c"] for u in users}
    assert [scores[r] for r in sf_users] == [40 + i for i in range(len(sf_users))]
    hs = world.hubspot()
    from hubspot.crm.objects import BatchReadInputSimplePublicObjectId

    answer = hs.crm.deals.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": r} for r in hs_deals],
            properties=["crmsync_incentive_total", "crmsync_owner_usage_score", "hubspot_owner_id"],
            properties_with_history=[],
        )
    )
    owner_score = {r: Decimal(60 + i) for i, r in enumerate(hs_owners)}
    for deal in answer.results:
        props = deal.properties
        assert Decimal(props["crmsync_incentive_total"]) == hs_deals.index(deal.id) * 3
        owner = props.get("hubspot_owner_id")
        if owner:
            assert Decimal(props["crmsync_owner_usage_score"]) == owner_score[owner]
    zoho = world.zoho()
    names = next(s for s in report.sources if s.source == "zoho").created_fields
    api = names[0].split(".", 1)[1]
    with zoho.get(
        f"{world.base('zoho')}/crm/v8/Deals", params={"fields": api, "per_page": 200}
    ) as response:
        data = {r["id"]: r.get(api) for r in response.json()["data"]}
    assert {r: Decimal(str(data[r])) for r in zo_deals} == {
        r: (Decimal(i) / 4).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        for i, r in enumerate(zo_deals)
    }


def test_a_record_that_fails_is_the_only_one_sent_again(world: PushWorld) -> None:
    deals = {crm: live_ids(world.engine, crm, "deals") for crm in ("salesforce", "zoho")}
    bad = {crm: set(ids[5:8]) for crm, ids in deals.items()}
    rows = [
        (crm, "deals", r, "estimated_commission", "n/a" if r in bad[crm] else Decimal(i))
        for crm, ids in deals.items()
        for i, r in enumerate(ids)
    ]
    publish_values(world.engine, "forecast", rows)
    world.reset()
    first = _push(world, sources=["salesforce", "zoho"])
    errors = {"salesforce": "INVALID_TYPE_ON_FIELD_IN_RECORD", "zoho": "INVALID_DATA"}
    for outcome in first.sources:
        crm = outcome.source
        assert (outcome.written, outcome.failed, outcome.status) == (
            len(deals[crm]) - 3,
            3,
            "partial",
        )
        failed = [f for f in first.failures if f.source == crm]
        assert {f.remote_id for f in failed} == bad[crm]
        assert all(errors[crm] in f.error and not f.retriable for f in failed)
    assert write_calls(world) == {
        "salesforce": ceil_div(len(deals["salesforce"]), SF_BATCH),
        "hubspot": 0,
        "zoho": ceil_div(len(deals["zoho"]), 100),
    }

    world.reset()
    fixed = [(s, o, r, k, Decimal(7) if r in bad[s] else v) for s, o, r, k, v in rows]
    publish_values(world.engine, "forecast", fixed)
    second = _push(world, sources=["salesforce", "zoho"])
    assert second.plan.counts()["records_to_write"] == 6
    assert [(s.written, s.failed) for s in second.sources] == [(3, 0), (3, 0)]
    assert write_calls(world) == {"salesforce": 1, "hubspot": 0, "zoho": 1}


def test_dry_run_shows_the_plan_and_writes_nothing(world: PushWorld) -> None:
    deals = live_ids(world.engine, "salesforce", "deals")
    publish_values(
        world.engine,
        "crediting",
        [("salesforce", "deals", r, "share_close", Decimal("33.333")) for r in deals],
    )
    world.reset()
    plan = _push(world, sources=["salesforce"], dry_run=True)
    assert write_calls(world)["salesforce"] == 0
    assert plan.plan.counts()["create"] == len(deals)
    assert plan.plan.counts()["write_calls"] == ceil_div(len(deals), SF_BATCH)
    sample = next(s for s in plan.samples if s["object"] == "deals")
    assert sample["method"] == "PATCH"
    assert sample["path"] == "/services/data/vXX.X/composite/sobjects"
    assert sample["body"]["records"][0] == {  # type: ignore[index]
        "attributes": {"type": "Opportunity"},
        "crmsync_share_close__c": 33.33,
        "Id": deals[0],
    }
    real = _push(world, sources=["salesforce"])
    assert real.sources[0].written == len(deals)


def test_the_quota_shared_with_pulls_stops_the_push_cleanly(world: PushWorld) -> None:
    contacts = live_ids(world.engine, "salesforce", "contacts")
    publish_values(
        world.engine,
        "touches",
        [("salesforce", "contacts", r, "touch_score", Decimal(3)) for r in contacts],
    )
    source = world.config.source("salesforce")
    connector = build_connector(source)
    connector.budget.observe(used=900, limit=1000)  # type: ignore[attr-defined]
    connector.budget.share = 0.9  # type: ignore[attr-defined]  # the pull used crmsync's share
    world.reset()
    try:
        stopped = _push(world, sources=["salesforce"], connectors={"salesforce": connector})
    finally:
        connector.close()
    assert (stopped.sources[0].status, stopped.sources[0].not_attempted) == (
        "quota",
        len(contacts),
    )
    assert sum(world.stats("salesforce").values()) == 0
    resumed = _push(world, sources=["salesforce"])
    assert resumed.ok and resumed.sources[0].written == len(contacts)


def test_rate_limits_and_server_errors_are_waited_out_not_failed(world: PushWorld) -> None:
    contacts = live_ids(world.engine, "salesforce", "contacts")
    publish_values(
        world.engine,
        "touches",
        [("salesforce", "contacts", r, "touch_score", Decimal(9)) for r in contacts],
    )
    with faults(world, "salesforce", "flaky", 0.5):
        report = _push(world, sources=["salesforce"])
    assert report.ok and report.failures == []
    assert report.sources[0].written == len(contacts)
    assert _push(world, sources=["salesforce"]).plan.counts()["write_calls"] == 0


def test_config_for_users_without_custom_fields_is_refused(tmp_path: Path) -> None:
    import yaml

    from sync.errors import UsageError
    from sync.push.write_back import source_infos

    raw = {
        "sources": [
            {
                "name": "hubspot",
                "kind": "hubspot",
                "base_url": "https://x",
                "auth": {"flow": "private_app", "access_token": "t"},
            }
        ],
        "push": {
            "targets": [
                {
                    "key": "usage_score",
                    "source": "hubspot",
                    "object": "users",
                    "field": "crmsync_usage",
                }
            ]
        },
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(UsageError, match="via: owned_records"):
        source_infos(load_config(path), None)


def test_locked_records_are_retried_alone_within_the_run(world: PushWorld) -> None:
    accounts = live_ids(world.engine, "salesforce", "accounts")
    locks = world.sandbox.apps["salesforce"].record_locks  # type: ignore[attr-defined]
    locks[accounts[1]] = 1  # busy once: the second attempt in this run gets through
    locks[accounts[2]] = 1
    locks[accounts[3]] = 5  # busy for longer than the run tries (max_attempts 3)
    publish_values(
        world.engine,
        "locks",
        [("salesforce", "accounts", r, "lock_score", Decimal(i)) for i, r in enumerate(accounts)],
    )
    world.reset()
    first = _push(world, sources=["salesforce"])
    outcome = first.sources[0]
    assert (outcome.written, outcome.failed) == (len(accounts) - 1, 1)
    # one pass over all accounts, then the 3 locked ones, then the one still locked
    assert write_calls(world)["salesforce"] == ceil_div(len(accounts), SF_BATCH) + 2
    [failure] = first.failures
    assert (failure.remote_id, failure.retriable, failure.attempts) == (accounts[3], True, 3)
    assert failure.error.startswith("UNABLE_TO_LOCK_ROW")

    world.reset()
    locks[accounts[3]] = 0
    second = _push(world, sources=["salesforce"])
    assert second.plan.counts()["records_to_write"] == 1
    assert (second.sources[0].written, write_calls(world)["salesforce"]) == (1, 1)


def test_a_second_push_while_one_runs_is_refused(world: PushWorld) -> None:
    from sync.errors import OperationFailed
    from sync.locks import acquire_run_lock, run_lock

    held = run_lock(world.engine, "_push")
    assert acquire_run_lock(held, 0.0)
    try:
        with pytest.raises(OperationFailed, match="another push is running"):
            _push(world)
        assert _push(world, dry_run=True).dry_run  # a dry run writes nothing: allowed
    finally:
        held.release()
