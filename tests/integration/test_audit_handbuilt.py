"""Six hand-built reps in a sandbox Salesforce org, written through simple-salesforce,
synced, reconciled and audited: every finding and the ordering of the reps are written
here by hand from docs/audit.md and the default configuration.

The reps (team field_sales, profile sales) and their habits:

- Dana Diligent: documents everything (deal entered a month before it closes, activity
  on every deal, source on every record).
- Leo Late: enters his deal on the day it closes.
- Nora Nolog: logs no activity on her won deal.
- Stan Stale: his open deal has had no activity since he entered it.
- Bea Blank: leaves the lead source blank on her lead and deals.
- Dee Departed: deactivated, still owns an open deal nobody works.

Every rep logs each call with its outcome (tests/unit/audit/test_audit_outcomes.py pairs
reps who do not).

Bad input: a HubSpot lead whose owner id is no HubSpot owner. Every Salesforce record is
written by the integration user (the API user the client logs in as);
``audit.integration_users`` names it, so each record is answered for by its owner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from simple_salesforce import Salesforce
from sqlalchemy import Engine
from sync_support import salesforce_client, write_config

from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.world import World
from sync.audit import AuditConfig, AuditResult, run_audit
from sync.audit.snapshot import load_snapshot
from sync.config import load_config
from sync.config.reconcile import ReconcileConfig
from sync.pull import SyncOptions, sync_source
from sync.reconcile.reconciling import reconcile
from sync.reports.figures import usage_report
from sync.sources import build_connector
from sync.store import open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
START = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)  # inside the 90-day window (from 08-02)
INTEGRATION = "integration@sandbox.crmsync.example"
REPS = {
    "dana": ("Dana", "Diligent", True),
    "leo": ("Leo", "Late", True),
    "nora": ("Nora", "Nolog", True),
    "stan": ("Stan", "Stale", True),
    "bea": ("Bea", "Blank", True),
    "dee": ("Dee", "Departed", False),
}


def _world() -> World:
    world = World.empty(11, "tiny", AS_OF)
    users = world.salesforce["User"]
    born = datetime(2025, 1, 1, tzinfo=UTC)
    people = [("it", "Api", "Integration", True, INTEGRATION)] + [
        (key, first, last, active, f"{key}@acme.example")
        for key, (first, last, active) in REPS.items()
    ]
    for key, first, last, active, username in people:
        rid = world.mint("salesforce", "User")
        users.insert(
            {
                "Id": rid,
                "CreatedDate": born,
                "CreatedById": rid,
                "LastModifiedDate": born,
                "LastModifiedById": rid,
                "SystemModstamp": born,
                "Username": username,
                "Email": f"{key}@acme.example",
                "FirstName": first,
                "LastName": last,
                "Name": f"{first} {last}",
                "IsActive": active,
                "Department": "it" if key == "it" else "field_sales",
            }
        )
    return world


@dataclass
class Org:
    login: Callable[[], Salesforce]
    clock: ManualClock
    users: dict[str, str]
    sf: Salesforce | None = None

    def at(self, when: datetime) -> None:
        """Move the org's clock; log in again (a session lives two hours of that clock)."""
        self.clock.set(when)
        self.sf = self.login()

    def create(self, obj: str, **fields: Any) -> str:
        return str(getattr(self.sf, obj).create(fields)["id"])

    def update(self, obj: str, rid: str, **fields: Any) -> None:
        getattr(self.sf, obj).update(rid, fields)


def _customer(org: Org, key: str, owner: str, source: str | None) -> tuple[str, str]:
    """An account, a contact and a lead for one rep (all required fields filled), and a
    call on the lead."""
    n = list(REPS).index(key) + 1
    account = org.create("Account", Name=f"{key.title()} Industries", OwnerId=owner)
    contact = org.create(
        "Contact",
        FirstName="Carla",
        LastName=f"Client{n}",
        Email=f"carla{n}@client{n}.example",
        Phone=f"+3491555000{n}",
        Title="Buyer",
        AccountId=account,
        OwnerId=owner,
    )
    lead: dict[str, Any] = {
        "FirstName": "Luis",
        "LastName": f"Prospect{n}",
        "Company": f"Prospect {n} SL",
        "Email": f"luis{n}@prospect{n}.example",
        "Phone": f"+3491666000{n}",
        "Title": "Director",
        "OwnerId": owner,
    }
    if source:
        lead["LeadSource"] = source
    prospect = org.create("Lead", **lead)
    # every rep calls their new lead the day it comes in (an untouched lead is a finding)
    org.create(
        "Task",
        Subject="Call",
        Status="Completed",
        TaskSubtype="Call",
        CallType="Outbound",
        CallDisposition="Connected",
        WhoId=prospect,
        OwnerId=owner,
    )
    return account, contact


def _deal(
    org: Org, name: str, owner: str, account: str, close: str, stage: str, source: str | None
) -> str:
    fields: dict[str, Any] = {
        "Name": name,
        "StageName": stage,
        "CloseDate": close,
        "Amount": 12000,
        "AccountId": account,
        "OwnerId": owner,
    }
    if source:
        fields["LeadSource"] = source
    return org.create("Opportunity", **fields)


def _call(org: Org, owner: str, deal: str) -> None:
    org.create(
        "Task",
        Subject="Call",
        Status="Completed",
        TaskSubtype="Call",
        CallType="Outbound",
        CallDisposition="Connected",
        WhatId=deal,
        OwnerId=owner,
    )


def _build(org: Org) -> None:
    u = org.users
    accounts: dict[str, tuple[str, str]] = {}
    org.at(START)  # 08-03: every rep's customers; Bea leaves the lead source blank
    for key in ("dana", "leo", "nora", "stan", "bea"):
        accounts[key] = _customer(org, key, u[key], None if key == "bea" else "Web")
    org.at(datetime(2026, 8, 5, 9, 0, tzinfo=UTC))  # Dee's open deal, never worked
    _deal(org, "Dee open", u["dee"], accounts["dana"][0], "2026-12-15", "Prospecting", "Web")
    won: dict[str, str] = {}
    org.at(datetime(2026, 8, 10, 9, 0, tzinfo=UTC))  # deals entered a month before closing
    for key in ("dana", "nora", "stan", "bea"):
        source = None if key == "bea" else "Web"
        won[key] = _deal(
            org, f"{key} won", u[key], accounts[key][0], "2026-09-10", "Prospecting", source
        )
    org.at(datetime(2026, 8, 15, 9, 0, tzinfo=UTC))  # Stan's open deal, never touched again
    _deal(org, "stan open", u["stan"], accounts["stan"][0], "2026-12-15", "Prospecting", "Web")
    org.at(datetime(2026, 8, 20, 9, 0, tzinfo=UTC))  # calls on the deals (not Nora's)
    for key in ("dana", "stan", "bea"):
        _call(org, u[key], won[key])
    org.at(datetime(2026, 9, 10, 9, 0, tzinfo=UTC))  # closing day
    for key in ("dana", "nora", "stan", "bea"):
        org.update("Opportunity", won[key], StageName="Closed Won")
    won["leo"] = _deal(
        org, "leo won", u["leo"], accounts["leo"][0], "2026-09-10", "Closed Won", "Web"
    )
    org.at(datetime(2026, 9, 10, 11, 0, tzinfo=UTC))
    _call(org, u["leo"], won["leo"])
    for key, deal in won.items():
        org.create("OpportunityContactRole", OpportunityId=deal, ContactId=accounts[key][1])
    org.at(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))  # next quarter's pipeline
    open_deals = {
        key: _deal(
            org,
            f"{key} open",
            u[key],
            accounts[key][0],
            "2026-12-15",
            "Prospecting",
            None if key == "bea" else "Web",
        )
        for key in ("dana", "nora", "bea")
    }
    org.at(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))
    for key, deal in open_deals.items():
        _call(org, u[key], deal)
    org.at(AS_OF)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    workdir = tmp_path_factory.mktemp("audit-handbuilt")
    clock = ManualClock(START)
    world = _world()
    options = SandboxOptions(
        seed=11, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options, clock=clock, world=world) as sandbox:
        info = sandbox.info

        def login() -> Salesforce:
            return salesforce_client(info)

        users = {
            u["Username"].split("@")[0]: u["Id"]
            for u in world.salesforce["User"].live()
            if u["Username"] != INTEGRATION
        }
        _build(Org(login, clock, users))
        # Bad input: a HubSpot lead whose owner id is no HubSpot owner.
        clock.set(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
        hubspot = HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        )
        props = {
            "firstname": "Hana",
            "lastname": "Orphan",
            "email": "hana@orphan.example",
            "phone": "+34917770001",
            "jobtitle": "Owner",
            "company": "Orphan SL",
            "lifecyclestage": "lead",
            "hubspot_owner_id": "99999999",
        }
        hubspot.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=props))
        clock.set(AS_OF)
        store = f"sqlite:///{workdir / 'store.sqlite'}"
        config = load_config(
            write_config(sandbox, workdir, store, sources=("salesforce", "hubspot"))
        )
        engine = open_store(store)
        for source in config.sources:
            connector = build_connector(source)
            try:
                report = sync_source(engine, source, connector, SyncOptions(), clock.now)
                assert report.status == "succeeded", report.error
            finally:
                connector.close()
    reconcile(engine, ReconcileConfig(), AS_OF, "full")
    snapshot = load_snapshot(engine)
    label = {
        row["remote_id"]: row.get("name") or row.get("last_name")
        for table in ("leads", "contacts", "deals")
        for row in snapshot.rows(table)
    }
    rep_of = {u["remote_id"]: u["email"].split("@")[0] for u in snapshot.rows("users")}
    yield Audited(engine, label, rep_of)
    engine.dispose()


@dataclass
class Audited:
    engine: Engine
    label: dict[str, str]  # record id -> deal name or lead last name
    rep_of: dict[str, str]  # Salesforce user id -> rep key

    def run(self, config: AuditConfig) -> AuditResult:
        return run_audit(self.engine, config, AS_OF, persist=False)

    def findings(self, result: AuditResult) -> list[tuple[str, str, str | None, str]]:
        return sorted(
            (
                f.rule,
                self.label.get(f.remote_id, f.remote_id),
                self.rep_of.get(f.user_id or ""),
                f.message,
            )
            for f in result.findings
        )


CONFIG = AuditConfig(integration_users={"salesforce": [INTEGRATION]})


def test_every_expected_finding_and_nothing_else(audited: Audited) -> None:
    found = audited.findings(audited.run(CONFIG))
    assert found == [
        # Leo entered his deal on 09-10, the day it closed
        (
            "deal_created_at_close",
            "leo won",
            "leo",
            "created 2026-09-10, closed 2026-09-10: not in the CRM before it closed",
        ),
        # ...already won: the org's history has his deal's creation and no stage change
        (
            "deal_entered_at_won",
            "leo won",
            "leo",
            "created 2026-09-10 09:00 already won (won 2026-09-10 09:00) [history "
            "0175g000000000FAAQ]",
        ),
        # the HubSpot lead of an owner id HubSpot does not know: findings, blamed on nobody;
        # created 10-05 09:00 and never called: 25 days 15 h at 10-31 00:00
        (
            "lead_never_contacted",
            "Orphan",
            None,
            "created 2026-10-05, not contacted in the 615 h since (SLA 24 h)",
        ),
        # (no missing source: HubSpot sets the original source of what its API creates)
        # Bea left the source blank on her lead and both her deals
        ("missing_source_channel", "Prospect5", "bea", "lead without a source channel"),
        ("missing_source_channel", "bea open", "bea", "deal without a source channel"),
        ("missing_source_channel", "bea won", "bea", "deal without a source channel"),
        # Dee's deal entered 08-05 09:00, untouched: 86 days 15 h at 10-31 00:00
        ("open_deal_stale", "Dee open", "dee", "open, no activity for 86 days"),
        # Stan's open deal entered 08-15 09:00, untouched: 76 days 15 h
        ("open_deal_stale", "stan open", "stan", "open, no activity for 76 days"),
        ("owned_by_inactive_user", "Dee open", "dee", "owned by an inactive user"),
        ("unknown_user", "Orphan", None, "owner 99999999 is not a user of hubspot"),
        ("won_deal_no_activity", "nora won", "nora", "won with no activity logged by its owner"),
    ]
    assert all(f.employee is None for f in audited.run(CONFIG).findings if f.user_id == "99999999")


def test_the_reps_rank_as_the_documented_rules_say(audited: Audited) -> None:
    result = audited.run(CONFIG)
    scores = {audited.rep_of[s.users[0][1]]: s for s in result.scores}
    # The integration user owns nothing and answers for nothing, and HubSpot owner
    # 99999999 is no employee: neither has a score, and there is no "(no team)" team.
    assert sorted(scores) == ["bea", "dana", "dee", "leo", "nora", "stan"]
    assert [t.name for t in result.teams] == ["field_sales"]
    parts = {
        rep: {c.name: (c.numerator, c.denominator, c.value) for c in s.components}
        for rep, s in scores.items()
    }
    # Team field_sales, pooled over the six reps:
    #   activity_coverage 7/10 = 0.7 (Dana 2/2, Leo 1/1, Nora 1/2, Stan 1/2, Bea 2/2, Dee 0/1)
    #   freshness         7/10 = 0.7 (Dana 2/2, Leo 0/1, Nora 2/2, Stan 1/2, Bea 2/2, Dee 0/1)
    #   completeness     22/25 = 0.88 (Bea 2/5: her lead and deals have no source)
    # Below the team a ratio on n < m = 5 records is lifted by (5 - n)/5 of the gap:
    # 0/1 -> 0.8 x 0.7 = 0.56, 1/2 -> 0.5 + 0.6 x 0.2 = 0.62; Bea's 2/5 is evidence enough
    # (n = m) and is kept, as is a ratio at or above the team's.
    assert parts["leo"]["freshness"] == (0, 1, D("0.56"))
    assert parts["nora"]["activity_coverage"] == (1, 2, D("0.62"))
    assert parts["stan"]["activity_coverage"] == (1, 2, D("0.62"))
    assert parts["stan"]["freshness"] == (1, 2, D("0.62"))
    assert parts["bea"]["completeness"] == (2, 5, D("0.4"))
    assert parts["dana"]["uniqueness"] == (0, 3, D("1.0"))  # reconciled: no duplicates
    # Sales weights; responsiveness has n = 0 everywhere (Salesforce leads are not timed),
    # so the weights counted are 0.25 + 0.20 + 0.20 + 0.10 + 0.10 = 0.85:
    #   Dana 100 x 0.85/0.85                                              = 100.0
    #   Leo  100 x (0.25 + 0.20 x 0.56 + 0.20 + 0.10 + 0.10) / 0.85       =  89.6
    #   Nora 100 x (0.25 x 0.62 + 0.20 + 0.20 + 0.10 + 0.10) / 0.85       =  88.8
    #   Bea  100 x (0.25 + 0.20 + 0.20 x 0.4 + 0.10 + 0.10) / 0.85        =  85.9
    #   Stan 100 x (0.25 x 0.62 + 0.20 x 0.62 + 0.20 + 0.10 + 0.10) / 0.85 = 79.9
    #   Dee (no records created in the window but her deal: no uniqueness, / 0.75)
    #        100 x (0.25 x 0.56 + 0.20 x 0.56 + 0.20 + 0.10) / 0.75       =  73.6
    assert {rep: s.score for rep, s in scores.items()} == {
        "dana": D("100.0"),
        "leo": D("89.6"),
        "nora": D("88.8"),
        "bea": D("85.9"),
        "stan": D("79.9"),
        "dee": D("73.6"),
    }
    board = usage_report(result, {})
    # Dee is deactivated: on no leaderboard.
    ranked = [row[2] for row in board["rows"]]
    assert ranked == ["Dana Diligent", "Leo Late", "Nora Nolog", "Bea Blank", "Stan Stale"]


def test_an_unlisted_integration_user_is_recognised_by_what_it_writes(
    audited: Audited,
) -> None:
    def blamed(config: AuditConfig) -> dict[tuple[str, str], str | None]:
        return {
            (rule, record): rep for rule, record, rep, _ in audited.findings(audited.run(config))
        }

    # Not listed, the API user is still recognised: it created every Salesforce record
    # (5 or more) and owns none of them, so each record is answered for by its owner.
    assert blamed(AuditConfig())[("missing_source_channel", "Prospect5")] == "bea"
    # With detection off, the CRM's creator field names the API user.
    off = blamed(AuditConfig(detect_integration_users=False))
    assert off[("missing_source_channel", "Prospect5")] == "it"
    assert off[("deal_created_at_close", "leo won")] == "leo"  # owner-blamed rules: unchanged
