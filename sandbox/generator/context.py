"""The generator's working state and the one place records get their system fields."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.generator.corruption import HARD, CorruptionRates, Corruptor
from sandbox.store import Record
from sandbox.world import World

__all__ = ["Employee", "Gen", "iso"]

STORY_DAYS = 548  # the 18 months before the anchor


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass
class Employee:
    """One member of staff and their user accounts in each CRM."""

    employee_id: str
    first: str
    last: str
    email: str
    team: str
    role: str
    manager_id: str | None
    habits: list[str]
    left_at: datetime | None = None
    sf_user: str | None = None
    hs_owner: str | None = None
    zoho_user: str | None = None
    crms: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def active_at(self, when: datetime) -> bool:
        return self.left_at is None or when < self.left_at

    def has(self, habit: str) -> bool:
        return habit in self.habits


class Gen:
    """Shared state of one generation run: world, RNG, staff and record factories."""

    def __init__(
        self,
        world: World,
        rng: random.Random,
        anchor: datetime,
        corruption: CorruptionRates = HARD,
        names: random.Random | None = None,
    ) -> None:
        self.world = world
        self.rng = rng
        # Customers' names and every draw that depends on a name (a typo's place, which
        # nickname) come from a stream of their own, so that ``rng`` draws the same
        # whatever the names are.
        self.names = (
            names if names is not None else random.Random(f"names:{world.seed}:{world.scale}")
        )
        # Its own stream: the corruption profile never changes which records exist.
        seed = f"corruption:{world.seed}:{world.scale}:{anchor.isoformat()}"
        self.corruption = Corruptor(corruption, random.Random(seed), random.Random(f"{seed}:names"))
        self.anchor = anchor
        self.start = anchor - timedelta(days=STORY_DAYS)
        self.staff: list[Employee] = []
        self._pools: dict[tuple[str, str | None], list[Employee]] = {}
        self.zoho_deals_by_org: dict[str, list[str]] = {}
        self._hs_users: dict[str, int] = {}  # HubSpot owner id -> user id

    # -- time ---------------------------------------------------------------------------
    def at_between(self, low: datetime, high: datetime) -> datetime:
        span = max(1, int((high - low).total_seconds()))
        return low + timedelta(seconds=self.rng.randrange(span))

    def later(self, when: datetime, min_hours: float, max_hours: float) -> datetime:
        seconds = self.rng.uniform(min_hours * 3600, max_hours * 3600)
        return when + timedelta(seconds=int(seconds))

    # -- staff --------------------------------------------------------------------------
    def _pool(self, team: str, crm: str | None) -> list[Employee]:
        key = (team, crm)
        pool = self._pools.get(key)
        if pool is None:
            pool = [e for e in self.staff if e.team == team and (crm is None or crm in e.crms)] or [
                e for e in self.staff if crm is None or crm in e.crms
            ]
            self._pools[key] = pool
        return pool

    def pick(self, team: str, when: datetime, crm: str | None = None) -> Employee:
        """A member of ``team`` with a user in ``crm`` who still works here at ``when``."""
        pool = self._pool(team, crm)
        for _ in range(8):  # most staff never leave: a few draws beat filtering every time
            chosen = self.rng.choice(pool)
            if chosen.active_at(when):
                return chosen
        active = [e for e in pool if e.active_at(when)]
        return self.rng.choice(active or pool)

    # -- records ------------------------------------------------------------------------
    def sf(self, obj: str, values: dict[str, Any], at: datetime, by: Employee) -> Record:
        table = self.world.salesforce[obj]
        record: Record = dict.fromkeys(table.schema.field_names)
        record.update(values)
        user = by.sf_user
        record.update(
            Id=self.world.mint("salesforce", obj),
            CreatedDate=at,
            CreatedById=user,
            LastModifiedDate=at,
            LastModifiedById=user,
            SystemModstamp=at,
        )
        if obj != "User":
            record["IsDeleted"] = False
            if "OwnerId" in record and record["OwnerId"] is None:
                record["OwnerId"] = user
        if obj in ("Lead", "Contact", "User"):
            record["Name"] = " ".join(p for p in (record["FirstName"], record["LastName"]) if p)
        return table.insert(record)

    def hs(self, obj: str, values: dict[str, Any], at: datetime, owner: Employee | None) -> Record:
        table = self.world.hubspot[obj]
        record: Record = dict.fromkeys(table.schema.field_names)
        record.update(values)
        rid = self.world.mint("hubspot", obj)
        record["id"] = rid
        record["hs_object_id"] = int(rid)
        record[table.schema.created_fields[0]] = at
        record[table.schema.modified_fields[0]] = at
        record["hubspot_owner_id"] = owner.hs_owner if owner else None
        # The synthetic records are entered by their owner, in the CRM's UI.
        record["hs_created_by_user_id"] = self._hs_user_id(owner)
        return table.insert(record)

    def _hs_user_id(self, owner: Employee | None) -> int | None:
        """The HubSpot user id behind an employee's owner id."""
        if owner is None or owner.hs_owner is None:
            return None
        if owner.hs_owner not in self._hs_users:  # owners are added as staff is hired
            self._hs_users = {o["id"]: int(o["userId"]) for o in self.world.hubspot_owners}
        return self._hs_users.get(owner.hs_owner)

    def zo(self, obj: str, values: dict[str, Any], at: datetime, by: Employee) -> Record:
        table = self.world.zoho[obj]
        record: Record = dict.fromkeys(table.schema.field_names)
        record.update(values)
        user = by.zoho_user
        record.update(
            id=self.world.mint("zoho", obj),
            Created_Time=at,
            Created_By=user,
            Modified_Time=at,
            Modified_By=user,
        )
        if record.get("Owner") is None:
            record["Owner"] = user
        if obj in ("Leads", "Contacts"):
            record["Full_Name"] = " ".join(
                p for p in (record["First_Name"], record["Last_Name"]) if p
            )
        return table.insert(record)

    def bump(self, crm: str, obj: str, record: Record, at: datetime, by: Employee) -> None:
        """Record a later edit: move the modified stamps forward (never back)."""
        table = getattr(self.world, crm)[obj]
        for name in table.schema.modified_fields:
            if record[name] is None or record[name] < at:
                record[name] = at
        if crm == "salesforce" and by.sf_user:
            record["LastModifiedById"] = by.sf_user
        elif crm == "zoho" and by.zoho_user:
            record["Modified_By"] = by.zoho_user

    # -- ground truth -------------------------------------------------------------------
    def identity(self, crm: str, obj: str, rid: str, kind: str, identity: str) -> None:
        self.world.truth.add(
            "identities", {"crm": crm, "object": obj, "id": rid, "kind": kind, "identity": identity}
        )

    def problem(
        self, who: Employee, problem: str, crm: str, obj: str, rid: str, detail: str
    ) -> None:
        self.world.truth.add(
            "usage_problems",
            {
                "employee_id": who.employee_id,
                "problem": problem,
                "crm": crm,
                "object": obj,
                "id": rid,
                "detail": detail,
            },
        )
