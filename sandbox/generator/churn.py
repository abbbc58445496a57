"""``apply_churn``: the company keeps working after the snapshot.

Roughly 40% updates, 35% creates, 15% deletes and 10% merges spread over the three CRMs,
each stamped from the sandbox clock at least 1 ms after the previous one; then an optional
HubSpot bulk edit (``burst``) sharing one ``lastmodifieddate``, and optional Salesforce late
commits whose ``SystemModstamp`` lies 1-5 minutes in the past of the clock.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.clock import Clock
from sandbox.generator.churn_ops import Change, ChurnContext
from sandbox.generator.context import Employee, Gen, iso
from sandbox.generator.customers import person_record
from sandbox.generator.population import new_org, new_person
from sandbox.generator.store_visit_churn import StoreVisitChurn
from sandbox.world import World

__all__ = ["ChurnReport", "apply_churn"]

_OPS = (("update", 0.40), ("create", 0.35), ("delete", 0.15), ("merge", 0.10))
_CRMS = (("salesforce", 0.4), ("hubspot", 0.4), ("zoho", 0.2))
_LATE_OBJECTS = ("Contact", "Account", "Opportunity")


@dataclass
class ChurnReport:
    """What one ``apply_churn`` call changed.

    ``counts[(crm, object, op)]`` counts operations (``update``, ``create``, ``delete``,
    ``merge``, plus ``bulk_update``/``bulk_create`` for the burst and ``late_update``);
    ``changes`` lists every touched record as ``(crm, object, id, op)``; a merge lists the
    loser (``merge``) and the winner (``merge_winner``).
    """

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)
    burst_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for the ``/_sandbox/churn`` admin endpoint)."""
        return {
            "changes": self.total("update", "create", "delete", "merge"),
            "counts": [
                {"crm": crm, "object": obj, "op": op, "count": n}
                for (crm, obj, op), n in sorted(self.counts.items())
            ],
            "changed": [
                {"crm": crm, "object": obj, "id": rid, "op": op}
                for crm, obj, rid, op in self.changes
            ],
            "burst_at": iso(self.burst_at),
        }

    def total(self, *ops: str) -> int:
        return sum(n for (_, _, op), n in self.counts.items() if not ops or op in ops)


class _Ticker:
    """Hands out strictly increasing, millisecond-precise instants from the clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.last: datetime | None = None

    def next(self) -> datetime:
        advance = getattr(self.clock, "advance", None)
        if callable(advance):
            advance(0.001)
        now = self.clock.now()
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if self.last is not None and now <= self.last:
            now = self.last + timedelta(milliseconds=1)
        self.last = now
        return now


def _staff(world: World) -> list[Employee]:
    staff = []
    for row in world.truth.files.get("employees", []):
        first, _, last = row["name"].partition(" ")
        accounts = {a["crm"]: a["user_id"] for a in row["accounts"]}
        left = row.get("left_at")
        staff.append(
            Employee(
                employee_id=row["employee_id"],
                first=first,
                last=last,
                email=row["email"],
                team=row["team"],
                role=row["role"],
                manager_id=row["manager_id"],
                habits=list(row["habits"]),
                left_at=datetime.fromisoformat(left) if left else None,
                sf_user=accounts.get("salesforce"),
                hs_owner=accounts.get("hubspot"),
                zoho_user=accounts.get("zoho"),
                crms=tuple(accounts),
            )
        )
    return staff


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def apply_churn(
    world: World,
    clock: Clock,
    changes: int,
    seed: int,
    burst: int = 0,
    late_commits: int = 0,
    crms: tuple[str, ...] | None = None,
    store_visits: int = 0,
) -> ChurnReport:
    """Apply ``changes`` realistic edits (plus burst and late commits); see the module doc.

    ``crms`` limits the edits to some CRMs (default: the first three, weighted by their
    size); Dynamics, SugarCRM, Keap and Oracle are churned only when named (all the changes
    if alone, else a quarter each). ``store_visits`` more changes go to the store-visit
    custom objects, from their own random stream (``store_visit_churn.py``); with Oracle
    named, a quarter of them (all, if it is named alone) go to its ``StoreVisit_c``; and as
    many again to each named Dynamics or SugarCRM part's, last (``custom_table_churn.py``).
    """
    weights = tuple((c, w) for c, w in _CRMS if crms is None or c in crms)
    named = [
        c for c in ("dynamics", "sugarcrm", "keap", "oracle") if crms is not None and c in crms
    ]
    if not weights and not named:
        raise ValueError(
            f"no known CRM in {crms}: use salesforce, hubspot, zoho, dynamics, sugarcrm, keap "
            "or oracle"
        )
    # Dynamics and SugarCRM are churned only when named, so the others' churn stays as it was.
    share = {c: changes // len(named) if not weights else changes // 4 for c in named}
    dynamics_changes, sugarcrm_changes = share.get("dynamics", 0), share.get("sugarcrm", 0)
    keap_changes, oracle_changes = share.get("keap", 0), share.get("oracle", 0)
    changes -= dynamics_changes + sugarcrm_changes + keap_changes + oracle_changes
    rng = random.Random(f"churn:{seed}")
    ticker = _Ticker(clock)
    report = ChurnReport()
    with world.lock:
        gen = Gen(world, rng, clock.now(), names=random.Random(f"churn:{seed}:names"))
        gen.staff = _staff(world)
        ctx = ChurnContext(gen, rng)
        for _ in range(changes):
            _change_one(ctx, ticker, weights, report)
        if burst:
            _burst(ctx, ticker.next(), burst, report)
        for _ in range(late_commits):
            _late_commit(ctx, ticker.next(), report)
        if dynamics_changes:
            from sandbox.generator.dynamics_churn import churn_dynamics

            done = churn_dynamics(world, dynamics_changes, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
        oracle_visits = 0
        if "oracle" in named and store_visits:
            oracle_visits = store_visits // 4 if weights else store_visits
        visits = StoreVisitChurn(gen, seed)
        for _ in range(store_visits - oracle_visits):
            when = ticker.next()
            done_visits = visits.change(when)
            for crm, obj, _, op in done_visits:
                report.counts[(crm, obj, op)] += 1
            _record(world, report, done_visits, when)
        if sugarcrm_changes:  # last: the store visits' times stay as they were
            from sandbox.generator.sugarcrm_churn import churn_sugarcrm

            done = churn_sugarcrm(world, sugarcrm_changes, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
        if keap_changes:  # after SugarCRM's: their times stay as they were
            from sandbox.generator.keap_churn import churn_keap

            done = churn_keap(world, keap_changes, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
        if oracle_changes:  # after Keap's: their times stay as they were
            from sandbox.generator.oracle_churn import churn_oracle

            done = churn_oracle(world, oracle_changes, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
        if oracle_visits:  # last of all: every other change keeps its time
            from sandbox.generator.shop_keap_oracle import churn_oracle_visits

            done = churn_oracle_visits(world, oracle_visits, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
        for crm in [c for c in ("dynamics", "sugarcrm") if c in named and store_visits]:
            from sandbox.generator.custom_table_churn import churn_custom_visits

            done = churn_custom_visits(world, crm, store_visits, seed, ticker.next)
            _record_each(world, report, done, ticker, clock)
    return report


def _change_one(
    ctx: ChurnContext, ticker: _Ticker, weights: tuple[tuple[str, float], ...], report: ChurnReport
) -> None:
    """One update, create, delete or merge in one of the first three CRMs."""
    when = ticker.next()
    op = _weighted(ctx.rng, _OPS)
    crm = _weighted(ctx.rng, weights)
    done = getattr(ctx, op)(crm, when)
    if not done:  # nothing fitted (no duplicates left to merge): edit instead
        op = "update"
        done = ctx.update(crm, when) or ctx.create(crm, when)
        op = done[0][3]
    report.counts[(done[0][0], done[0][1], op)] += 1
    _record(ctx.world, report, done, when)


def _record_each(
    world: World, report: ChurnReport, done: Iterable[Change], ticker: _Ticker, clock: Clock
) -> None:
    """Count and record the changes of another CRM's churn, each at the ticker's last
    instant as it hands them out."""
    for change in done:
        report.counts[(change[0], change[1], change[3])] += 1
        _record(world, report, [change], ticker.last or clock.now())


def _record(world: World, report: ChurnReport, done: list[Change], when: datetime) -> None:
    for crm, obj, rid, op in done:
        report.changes.append((crm, obj, rid, op))
        world.truth.add("churn", {"crm": crm, "object": obj, "id": rid, "op": op, "at": iso(when)})


def _burst(ctx: ChurnContext, when: datetime, size: int, report: ChurnReport) -> None:
    """A bulk import or list edit: every touched contact gets the same modified date."""
    world, rng = ctx.world, ctx.rng
    table = world.hubspot["contacts"]
    live = list(ctx._live("hubspot", "contacts"))
    chosen = rng.sample(live, min(size, len(live)))
    done: list[Change] = []
    for rid in chosen:
        table.update(rid, {"hs_lead_status": "OPEN"}, when)
        done.append(("hubspot", "contacts", rid, "bulk_update"))
    marketer = next((e for e in ctx.gen.staff if e.team == "marketing" and e.hs_owner), None)
    for _ in range(size - len(chosen)):
        world.sequences["identity:P"] += 1
        world.sequences["identity:O"] += 1
        org = new_org(rng, world.sequences["identity:O"])
        person = new_person(rng, world.sequences["identity:P"], org, names=ctx.gen.names)
        extra = {"hs_analytics_source": "OFFLINE", "hs_latest_source": "OFFLINE"}
        owner = marketer or ctx._actor("hubspot", when)
        record = person_record(ctx.gen, person, "hubspot", "contacts", when, owner, extra, False)
        done.append(("hubspot", "contacts", record["id"], "bulk_create"))
    for _, _, _, op in done:
        report.counts[("hubspot", "contacts", op)] += 1
    report.burst_at = when
    _record(world, report, done, when)


def _late_commit(ctx: ChurnContext, now: datetime, report: ChurnReport) -> None:
    """An update whose transaction started minutes ago and commits only now."""
    rng = ctx.rng
    obj = rng.choice([o for o in _LATE_OBJECTS if ctx._live("salesforce", o)])
    rid = rng.choice(ctx._live("salesforce", obj))
    stamp = now - timedelta(milliseconds=rng.randrange(60_000, 300_001))
    table = ctx.world.salesforce[obj]
    table.update(rid, {}, stamp)
    report.counts[("salesforce", obj, "late_update")] += 1
    _record(ctx.world, report, [("salesforce", obj, rid, "late_update")], stamp)
