"""Pairs of reps one behaviour apart, seen only in the CRM's history: written through
simple-salesforce into a sandbox org with its clock moved between writes, synced (the
``history`` stream reads the org's field history), reconciled and audited.

Every rep has one deal of the same shape (an account, a contact role, a call with its
outcome, the lead source), so the pair differs in that one behaviour only:

- Ann (reference): enters her deal on 09-01, wins it on 10-20 with close date 10-20.
- Max: like Ann, then raises the amount five days after the deal closed.
- Ivy: like Ann, corrects the amount the morning after (within the grace): equal to Ann.
- Wes: enters his deal on 10-20 already won.
- Cal: wins on 10-20, but leaves the close date at 10-10.
- Ona (open-deal reference): moves her open deal's close date once.
- Pia: moves hers three times.
- Lou (loss reference): loses her own deal on 10-20.
- Rex: hands his deal to Gus on 10-15; it is lost on 10-20: the loss is Rex's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from sqlalchemy import Engine, text
from sync_support import salesforce_client, write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.world import World
from sync.audit import AuditConfig, AuditResult, run_audit
from sync.audit.explain import explain_score
from sync.config import load_config
from sync.config.reconcile import ReconcileConfig
from sync.pull import SyncOptions, sync_source
from sync.reconcile.reconciling import reconcile
from sync.sources import build_connector
from sync.store import open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
INTEGRATION = "integration@sandbox.crmsync.example"
REPS = ("ann", "max", "ivy", "wes", "cal", "ona", "pia", "lou", "rex", "gus")
CONFIG = AuditConfig(integration_users={"salesforce": [INTEGRATION]})


def _day(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _world() -> World:
    world = World.empty(17, "tiny", AS_OF)
    users = world.salesforce["User"]
    born = datetime(2025, 1, 1, tzinfo=UTC)
    for key in ("it", *REPS):
        rid = world.mint("salesforce", "User")
        users.insert(
            {
                "Id": rid,
                "CreatedDate": born,
                "CreatedById": rid,
                "LastModifiedDate": born,
                "LastModifiedById": rid,
                "SystemModstamp": born,
                "Username": INTEGRATION if key == "it" else f"{key}@acme.example",
                "Email": f"{key}@acme.example",
                "FirstName": key.title(),
                "LastName": "Rep",
                "Name": f"{key.title()} Rep",
                "IsActive": True,
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
        self.clock.set(when)
        self.sf = self.login()

    def create(self, obj: str, **fields: Any) -> str:
        return str(getattr(self.sf, obj).create(fields)["id"])

    def update(self, obj: str, rid: str, **fields: Any) -> None:
        getattr(self.sf, obj).update(rid, fields)


def _deal(org: Org, key: str, close: str, stage: str = "Prospecting") -> str:
    """A rep's deal with its account, contact role and an outcome-logged call."""
    owner = org.users[key]
    account = org.create("Account", Name=f"{key.title()} Industries", OwnerId=owner)
    contact = org.create(
        "Contact",
        FirstName=key.title() + "na",
        LastName=f"Client{key.title()}",
        Email=f"carla@{key}.example",
        Phone=f"+3491555{REPS.index(key):04d}",
        Title="Buyer",
        AccountId=account,
        OwnerId=owner,
        LeadSource="Web",
    )
    deal = org.create(
        "Opportunity",
        Name=f"{key} deal",
        StageName=stage,
        CloseDate=close,
        Amount=12000,
        Probability=60,
        NextStep="Send the quotation",
        AccountId=account,
        OwnerId=owner,
        LeadSource="Web",
    )
    org.create("OpportunityContactRole", OpportunityId=deal, ContactId=contact)
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
    return deal


def _build(org: Org) -> dict[str, str]:
    deals: dict[str, str] = {}
    org.at(_day(9, 1))
    for key in ("ann", "max", "ivy", "cal", "lou", "rex"):
        deals[key] = _deal(org, key, "2026-10-10" if key == "cal" else "2026-10-20")
    for key in ("ona", "pia"):
        deals[key] = _deal(org, key, "2026-10-31")
    for n, (month, day) in enumerate(((10, 10), (10, 11), (10, 12))):
        org.at(_day(month, day))
        pushed = ("2026-11-15", "2026-11-30", "2026-12-15")[n]
        org.update("Opportunity", deals["pia"], CloseDate=pushed)
        if n == 0:
            org.update("Opportunity", deals["ona"], CloseDate=pushed)
    org.at(_day(10, 15))
    org.update("Opportunity", deals["rex"], OwnerId=org.users["gus"])
    org.at(_day(10, 20, 15))
    for key in ("ann", "max", "ivy", "cal"):
        org.update("Opportunity", deals[key], StageName="Closed Won")
    for key in ("lou", "rex"):
        org.update("Opportunity", deals[key], StageName="Closed Lost")
    deals["wes"] = _deal(org, "wes", "2026-10-20", stage="Closed Won")
    org.at(_day(10, 21))
    org.update("Opportunity", deals["ivy"], Amount=12500)
    org.at(_day(10, 25))
    org.update("Opportunity", deals["max"], Amount=15000)
    org.at(_day(10, 26))  # the open deals are worked
    for key in ("ona", "pia"):
        org.create(
            "Task",
            Subject="Call",
            Status="Completed",
            TaskSubtype="Call",
            CallType="Outbound",
            CallDisposition="Connected",
            WhatId=deals[key],
            OwnerId=org.users[key],
        )
    org.at(AS_OF)
    return deals


@dataclass
class Audited:
    engine: Engine
    deals: dict[str, str]
    users: dict[str, str]
    result: AuditResult

    def key(self, rep: str) -> str:
        """The rep's employee key (reconcile names employees across CRMs)."""
        wanted = ("salesforce", self.users[rep])
        return next(s.subject for s in self.result.scores if wanted in s.users)

    def score(self, rep: str) -> float:
        found = next(s for s in self.result.scores if s.subject == self.key(rep))
        assert found.score is not None
        return found.score

    def rules(self, rep: str) -> list[str]:
        return sorted(f.rule for f in self.result.findings if f.employee == self.key(rep))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    workdir = tmp_path_factory.mktemp("audit-history")
    clock = ManualClock(_day(9, 1))
    world = _world()
    options = SandboxOptions(
        seed=17, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
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
        deals = _build(Org(login, clock, users))
        store = f"sqlite:///{workdir / 'store.sqlite'}"
        config = load_config(write_config(sandbox, workdir, store, sources=("salesforce",)))
        engine = open_store(store)
        for source in config.sources:
            connector = build_connector(source)
            try:
                report = sync_source(engine, source, connector, SyncOptions(), clock.now)
                assert report.status == "succeeded", report.error
            finally:
                connector.close()
    reconcile(engine, ReconcileConfig(), AS_OF, "full")
    yield Audited(engine, deals, users, run_audit(engine, CONFIG, AS_OF, persist=False))
    engine.dispose()


def test_the_reference_reps_have_no_finding(audited: Audited) -> None:
    for rep in ("ann", "ona", "lou", "ivy"):
        assert audited.rules(rep) == [], rep
    assert not any(f.user_id == audited.users["gus"] for f in audited.result.findings)


def test_each_behaviour_is_its_finding_and_scores_below_its_reference(audited: Audited) -> None:
    pairs = {
        "max": ("ann", ["deal_changed_after_close"]),
        "wes": ("ann", ["deal_created_at_close", "deal_entered_at_won"]),
        "cal": ("ann", ["close_date_not_won_day"]),
        "pia": ("ona", ["close_date_pushed"]),
        "rex": ("lou", ["lost_after_reassignment"]),
    }
    for worse, (better, rules) in pairs.items():
        assert audited.rules(worse) == rules, worse
        assert audited.score(worse) < audited.score(better), (worse, better)


def test_an_equal_pair_scores_the_same(audited: Audited) -> None:
    # Ivy's correction the morning after closing is within the 24 h grace
    assert audited.score("ivy") == audited.score("ann")
    assert audited.score("ona") == audited.score("ann")


def test_each_finding_names_the_history_row_it_rests_on(audited: Audited) -> None:
    with audited.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT remote_id, record_id, field, old_value, new_value FROM field_changes "
                "WHERE source = 'salesforce' ORDER BY changed_at, remote_id"
            )
        ).all()

    def row_id(rep: str, field: str, new: str) -> str:
        return next(
            r.remote_id
            for r in rows
            if r.record_id == audited.deals[rep] and r.field == field and r.new_value == new
        )

    moved = row_id("max", "amount", "15000")
    handed = row_id("rex", "owner_id", audited.users["gus"])
    found = {f.rule: f for f in audited.result.findings}
    assert found["deal_changed_after_close"].message == (
        f"closed 2026-10-20, then amount 12000 -> 15000 on 2026-10-25 09:00 [history {moved}]"
    )
    assert found["lost_after_reassignment"].message == (
        f"reassigned {audited.users['rex']} -> {audited.users['gus']} on 2026-10-15 09:00, "
        f"lost 2026-10-20: the loss is {audited.users['rex']}'s [history {handed}]"
    )
    scores = {s.subject: s for s in audited.result.scores}
    explained = explain_score(
        scores, audited.key("max"), 5.0, 0.1, findings=audited.result.findings
    )
    fresh = next(c for c in explained["components"] if c["component"] == "freshness")
    assert [f["message"] for f in fresh["findings"]] == [found["deal_changed_after_close"].message]


def test_an_incremental_sync_reads_only_new_history(audited: Audited) -> None:
    with audited.engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM field_changes")).scalar_one()
        fields = conn.execute(
            text("SELECT field, COUNT(*) FROM field_changes GROUP BY field ORDER BY field")
        ).all()
    # 9 deals created; 4 pushes (3 Pia, 1 Ona); 1 owner change; 6 stage changes; 2 amounts
    assert [tuple(r) for r in fields] == [
        ("amount", 2),
        ("close_date", 4),
        ("created", 9),
        ("owner_id", 1),
        ("stage", 6),
    ]
    assert count == 22


def test_a_deleted_deals_history_is_known_not_unreadable(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A deal deleted in the CRM keeps its history rows (the store marks the deal deleted):
    they are neither judged nor reported as history of an unknown record."""
    workdir = tmp_path_factory.mktemp("audit-history-deleted")
    clock = ManualClock(_day(9, 1))
    world = _world()
    options = SandboxOptions(
        seed=17, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options, clock=clock, world=world) as sandbox:
        info = sandbox.info
        token = requests.post(
            info.salesforce.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": info.salesforce.client_id,
                "client_secret": info.salesforce.client_secret,
            },
            verify=str(info.ca_bundle),
            timeout=30,
        ).json()["access_token"]
        sf = Salesforce(
            instance_url=info.salesforce.instance_url,
            session_id=token,
            session=pinned_session(info.ca_bundle),
            version="59.0",
        )
        owner = next(
            u["Id"] for u in world.salesforce["User"].live() if u["Username"] != INTEGRATION
        )
        kept = sf.Opportunity.create(
            {
                "Name": "kept",
                "StageName": "Prospecting",
                "CloseDate": "2026-12-01",
                "OwnerId": owner,
            }
        )["id"]
        gone = sf.Opportunity.create(
            {
                "Name": "gone",
                "StageName": "Prospecting",
                "CloseDate": "2026-12-01",
                "OwnerId": owner,
            }
        )["id"]
        sf.Opportunity.update(gone, {"Amount": 500})
        sf.Opportunity.delete(gone)
        clock.set(AS_OF)
        store = f"sqlite:///{workdir / 'store.sqlite'}"
        config = load_config(write_config(sandbox, workdir, store, sources=("salesforce",)))
        engine = open_store(store)
        for source in config.sources:
            connector = build_connector(source)
            try:
                report = sync_source(engine, source, connector, SyncOptions(), clock.now)
                assert report.status == "succeeded", report.error
            finally:
                connector.close()
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT record_id, field FROM field_changes ORDER BY record_id, field")
        ).all()
    assert [tuple(r) for r in rows] == [(kept, "created"), (gone, "amount"), (gone, "created")]
    result = run_audit(engine, CONFIG, AS_OF, persist=False)
    engine.dispose()
    assert [f for f in result.findings if f.rule == "history_unreadable"] == []
