"""An admin's edit in the CRM (made through the official client) is a conflict, settled per
target policy: Salesforce overwrite, HubSpot skip_and_flag, Zoho only_if_empty."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from push_support import PushWorld, live_ids, publish_values, push_world, sync_all, utc_now

from sync.push.write_back import push


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushWorld]:
    with push_world(tmp_path_factory.mktemp("conflicts"), seed=8, scale="tiny") as world:
        yield world


def _publish(world: PushWorld, ids: dict[str, list[str]], value: Decimal) -> None:
    publish_values(
        world.engine,
        "audit",
        [(crm, "deals", r, "dq_score", value) for crm, rids in ids.items() for r in rids],
    )


def test_admin_edits_are_conflicts_settled_per_policy(world: PushWorld) -> None:
    ids = {
        crm: live_ids(world.engine, crm, "deals")[:2] for crm in ("salesforce", "hubspot", "zoho")
    }
    _publish(world, ids, Decimal(10))
    first = push(world.engine, world.config, utc_now)
    assert first.ok and first.plan.conflicts == []
    zoho_field = next(s for s in first.sources if s.source == "zoho").created_fields[0]
    zoho_api = zoho_field.split(".", 1)[1]

    # an admin edits the first deal of each CRM, and empties the second Zoho deal
    sf = world.salesforce()
    sf.Opportunity.update(ids["salesforce"][0], {"crmsync_dq_score__c": 77})
    from hubspot.crm.deals import SimplePublicObjectInput

    world.hubspot().crm.deals.basic_api.update(
        ids["hubspot"][0], SimplePublicObjectInput(properties={"crmsync_dq_score": "77"})
    )
    zoho = world.zoho()
    body = {"data": [{"id": ids["zoho"][0], zoho_api: 77}, {"id": ids["zoho"][1], zoho_api: None}]}
    with zoho.put(f"{world.base('zoho')}/crm/v8/Deals", json=body) as answer:
        assert answer.status_code == 200, answer.text
    # the pull that precedes every push refreshes the store (full: re-read the new fields)
    sync_all(world, streams=("deals",), full=True)

    _publish(world, ids, Decimal(20))
    second = push(world.engine, world.config, utc_now)

    seen = {(c.source, c.remote_id): (c.crm_value, c.resolution) for c in second.plan.conflicts}
    assert seen == {
        ("salesforce", ids["salesforce"][0]): ("77.00", "overwritten"),
        ("hubspot", ids["hubspot"][0]): ("77.00", "skipped"),
        ("zoho", ids["zoho"][0]): ("77.00", "kept"),
        ("zoho", ids["zoho"][1]): (None, "written_empty"),
    }
    got = sf.query_all(
        "SELECT Id, crmsync_dq_score__c FROM Opportunity WHERE Id IN "
        f"('{ids['salesforce'][0]}', '{ids['salesforce'][1]}')"
    )["records"]
    assert {r["Id"]: r["crmsync_dq_score__c"] for r in got} == {
        ids["salesforce"][0]: 20,
        ids["salesforce"][1]: 20,
    }
    hs = {
        r: world.hubspot()
        .crm.deals.basic_api.get_by_id(r, properties=["crmsync_dq_score"])
        .properties["crmsync_dq_score"]
        for r in ids["hubspot"]
    }
    assert {r: Decimal(v) for r, v in hs.items()} == {ids["hubspot"][0]: 77, ids["hubspot"][1]: 20}
    with zoho.get(
        f"{world.base('zoho')}/crm/v8/Deals",
        params={"fields": zoho_api, "ids": ",".join(ids["zoho"])},
    ) as answer:
        values = {r["id"]: r.get(zoho_api) for r in answer.json()["data"]}
    assert values == {ids["zoho"][0]: 77, ids["zoho"][1]: 20}

    # skip_and_flag keeps flagging until someone resolves it; the rest is settled
    sync_all(world, streams=("deals",), full=True)
    third = push(world.engine, world.config, utc_now)
    assert [(c.source, c.resolution) for c in third.plan.conflicts] == [
        ("hubspot", "skipped"),
        ("zoho", "kept"),
    ]
    assert third.plan.counts()["write_calls"] == 0

    # values that stop being published are emptied in the CRM (clear_when_missing)
    _publish(world, {"salesforce": ids["salesforce"]}, Decimal(20))
    fourth = push(world.engine, world.config, utc_now)
    assert fourth.ok, [s.as_dict() for s in fourth.sources]
    cleared = {(c.source, c.remote_id) for c in fourth.plan.changes if c.action == "clear"}
    assert cleared == {("hubspot", ids["hubspot"][1]), ("zoho", ids["zoho"][1])}
    hs_value = (
        world.hubspot()
        .crm.deals.basic_api.get_by_id(ids["hubspot"][1], properties=["crmsync_dq_score"])
        .properties.get("crmsync_dq_score")
    )
    assert hs_value in (None, "")
    with zoho.get(
        f"{world.base('zoho')}/crm/v8/Deals", params={"fields": zoho_api, "ids": ids["zoho"][1]}
    ) as answer:
        assert answer.json()["data"][0].get(zoho_api) is None
