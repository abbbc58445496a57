"""Churn in the strategic accounts division's Oracle CX Sales: updates, creates, deletes,
contact role changes.

Asked for explicitly (``apply_churn(..., crms=("oracle", ...))``), so churn of the other
CRMs stays what it was for a seed. Fusion stamps ``LastUpdateDate`` to the millisecond.
A delete removes the record for good (the REST API keeps no recycle bin and lists no
deletes); deleting an opportunity removes its contact rows, revenue lines (with their
sales credits) and team with it,
deleting a contact its contact rows, stamping nothing else. A contact role added or
removed from the opportunity's page stamps the opportunity, as saving it there does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from sandbox.generator.oracle_company import INTEGRATION_USER, oracle_stamp
from sandbox.oracle.schema import CHILD, REVENUE, SPLIT, TEAM
from sandbox.world import World

__all__ = ["churn_oracle"]

Change = tuple[str, str, str, str]  # (crm, resource, id, op)
_EDITS: dict[str, Callable[[random.Random], dict[str, object]]] = {
    "leads": lambda r: {"StatusCode": r.choice(["QUALIFIED", "RETIRED"])},
    "contacts": lambda r: {"WorkPhoneNumber": f"+1 415 {r.randint(1000000, 9999999)}"},
    "accounts": lambda r: {"EmployeesTotal": r.randint(500, 40_000)},
    "opportunities": lambda r: {"SalesStage": r.choice(["04 - Negotiate", "05 - Close"])},
    "activities": lambda r: {"StatusCode": r.choice(["COMPLETE", "IN_PROGRESS"])},
    "serviceRequests": lambda r: {"StatusCd": r.choice(["ORA_SVC_CLOSED", "ORA_SVC_RESOLVED"])},
}
_DELETABLE = ("leads", "contacts", "activities", "opportunities")


def _delete(world: World, resource: str, rid: str, when: datetime) -> list[Change]:
    tables = world.oracle
    done = [("oracle", resource, rid, "delete")]
    column = {"opportunities": "OptyId", "contacts": "PartyId"}.get(resource, "")
    kids = {"opportunities": (CHILD, REVENUE, SPLIT, TEAM), "contacts": (CHILD,)}
    children = kids.get(resource, ())
    for child in children:
        key = tables[child].schema.id_field
        for rel in [r for r in tables[child].live() if r[column] == rid]:
            tables[child].purge(rel[key], when)
            done.append(("oracle", child, rel[key], "delete"))
    tables[resource].purge(rid, when)
    return done


def churn_oracle(
    world: World, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[Change]:
    """Apply ``changes`` edits (55% updates, 20% creates, 15% deletes, 10% contact roles)."""
    rng = random.Random(f"oracle-churn:{seed}")
    tables = world.oracle
    done: list[Change] = []
    for _ in range(changes):
        when = next_at()
        roll = rng.random()
        if roll < 0.55:
            name = rng.choice(sorted(_EDITS))
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                rid = row[tables[name].schema.id_field]
                values = {**_EDITS[name](rng), "LastUpdatedBy": INTEGRATION_USER}
                tables[name].update(rid, values, when)
                done.append(("oracle", name, rid, "update"))
        elif roll < 0.75:
            account = rng.choice(list(tables["accounts"].live()))
            number = rng.randint(1, 99999)
            row = oracle_stamp(
                world,
                "contacts",
                {
                    "FirstName": "New",
                    "LastName": f"Contact{number}",
                    "EmailAddress": f"new{number}@customer.example",
                    "AccountPartyId": account["PartyId"],
                    "OwnerPartyId": account["OwnerPartyId"],
                },
                when,
                INTEGRATION_USER,
            )
            done.append(("oracle", "contacts", row["PartyId"], "create"))
        elif roll < 0.9:
            name = rng.choice(_DELETABLE)
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                done += _delete(world, name, row[tables[name].schema.id_field], when)
        else:
            done += _role_change(world, rng, when)
    return done


def _role_change(world: World, rng: random.Random, when: datetime) -> list[Change]:
    """Add a contact role to an opportunity, or remove one, from the opportunity's page."""
    tables = world.oracle
    roles = list(tables[CHILD].live())
    if roles and rng.random() < 0.5:
        role = rng.choice(roles)
        tables[CHILD].purge(role["OptyConId"], when)
        opp, op = role["OptyId"], "delete"
    else:
        opps, contacts = list(tables["opportunities"].live()), list(tables["contacts"].live())
        if not opps or not contacts:
            return []
        opp, contact = rng.choice(opps)["OptyId"], rng.choice(contacts)["PartyId"]
        if any(r["OptyId"] == opp and r["PartyId"] == contact for r in roles):
            return []
        role = oracle_stamp(
            world,
            CHILD,
            {"OptyId": opp, "PartyId": contact, "RoleCd": "INFLUENCER", "PrimaryFlag": False},
            when,
            INTEGRATION_USER,
        )
        op = "create"
    tables["opportunities"].update(opp, {"LastUpdatedBy": INTEGRATION_USER}, when)
    return [("oracle", CHILD, role["OptyConId"], op)]
