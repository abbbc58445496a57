"""A custom object (``Store_Visit__c``) as the real API serves one: listed by describeGlobal
with ``custom: true`` and its key prefix, described with ``__c`` fields, queried by SOQL,
deleted rows seen by ``queryAll`` (soft) and by the ``/deleted`` log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from conftest import Org
from simple_salesforce import Salesforce

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.faults import FaultPlan
from sandbox.generator import generate
from sandbox.http import EmulatorServer
from sandbox.salesforce import SalesforceEmulator
from sandbox.tls import ensure_tls_files
from sandbox.world import World


@pytest.fixture
def org_with_visits(org: Org) -> Iterator[tuple[Salesforce, World, ManualClock]]:
    world = generate(7, "tiny", DEFAULT_ANCHOR)
    clock = ManualClock(DEFAULT_ANCHOR)
    app = SalesforceEmulator(world, clock, FaultPlan(), org.credentials)
    server = EmulatorServer(app, ensure_tls_files(org.ca_bundle.parent))
    base = server.start()
    session = requests.Session()
    session.verify = str(org.ca_bundle)
    session.trust_env = False
    try:
        sf = Salesforce(
            instance_url=base, session_id=app.issue_token(), session=session, version="59.0"
        )
        yield sf, world, clock
    finally:
        server.stop()
        session.close()


def test_describe_global_lists_the_custom_object(org_with_visits):
    sf, _, _ = org_with_visits
    (visit,) = [o for o in sf.describe()["sobjects"] if o["name"] == "Store_Visit__c"]
    assert (visit["custom"], visit["keyPrefix"], visit["queryable"]) == (True, "a0V", True)
    assert not any(o["custom"] for o in sf.describe()["sobjects"] if o["name"] == "Contact")


def test_describe_shows_custom_fields_and_lookups(org_with_visits):
    sf, _, _ = org_with_visits
    fields = {f["name"]: f for f in sf.Store_Visit__c.describe()["fields"]}
    assert {n for n, f in fields.items() if f["custom"]} == {
        "Contact__c",
        "Account__c",
        "Visit_Date__c",
        "Store__c",
        "Visit_Type__c",
        "Amount_Spent__c",
    }
    contact = fields["Contact__c"]
    assert (contact["type"], contact["referenceTo"], contact["relationshipName"]) == (
        "reference",
        ["Contact"],
        "Contact__r",
    )
    assert fields["Visit_Date__c"]["type"] == "datetime"
    assert {"Id", "IsDeleted", "SystemModstamp", "OwnerId", "Name"} <= set(fields)


def test_soql_reads_visits_with_their_lookups(org_with_visits):
    sf, world, _ = org_with_visits
    truth = [v for v in world.truth.files["store_visits"] if v["crm"] == "salesforce"]
    result = sf.query_all(
        "SELECT Id, Contact__c, Account__c, Store__c, Visit_Date__c FROM Store_Visit__c ORDER BY Id"
    )
    got = [(r["Id"], r["Contact__c"], r["Account__c"], r["Store__c"]) for r in result["records"]]
    assert got == [(v["id"], v["contact"], v["account"], v["store"]) for v in truth]
    assert result["records"][0]["Visit_Date__c"].endswith("+0000")
    names = sf.query("SELECT Contact__r.LastName FROM Store_Visit__c LIMIT 1")["records"]
    assert names[0]["Contact__r"]["LastName"]


def test_deletes_show_in_query_all_and_the_delete_log(org_with_visits):
    sf, world, clock = org_with_visits
    table = world.salesforce["Store_Visit__c"]
    soft, hard = [r["Id"] for r in table.live()][:2]
    clock.advance(60)
    when = clock.now()
    with world.lock:
        table.update(soft, {"IsDeleted": True}, when)
        table.soft_delete(soft, when)
        table.purge(hard, when)
    live = {r["Id"] for r in sf.query_all("SELECT Id FROM Store_Visit__c")["records"]}
    assert soft not in live and hard not in live
    every = sf.query_all("SELECT Id, IsDeleted FROM Store_Visit__c", include_deleted=True)
    assert {r["Id"]: r["IsDeleted"] for r in every["records"]}[soft] is True
    start, end = when - timedelta(minutes=5), when + timedelta(minutes=5)
    deleted = sf.Store_Visit__c.deleted(start, end)["deletedRecords"]
    # the delete log lists records in the recycle bin and purged ones alike
    assert sorted(d["id"] for d in deleted) == sorted([soft, hard])
