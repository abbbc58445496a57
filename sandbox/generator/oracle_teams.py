"""The opportunity teams of the strategic accounts division (``OpportunityResource``).

Fusion puts an opportunity's owner on its team (``OwnerFlag``) the moment it is created;
the division then adds a second seller as sales engineer to half of its opportunities,
and the service agent to a fifth, when the deal is about a service contract. Drawn after
the division's other records from a random stream of its own, so they stay the same.
Ground truth: ``deal_team`` rows (crm, deal, id, user_id, employee, role, owner).
"""

from __future__ import annotations

import random
from datetime import datetime

from sandbox.generator.oracle_company import oracle_stamp
from sandbox.oracle.schema import TEAM
from sandbox.store import Record
from sandbox.world import World

__all__ = ["add_oracle_deal_teams"]

_FULL, _EDIT = "300", "200"  # Fusion's access levels: full, edit


def _member(
    world: World, opportunity: Record, user: Record, role: str, owner: bool, by: str
) -> None:
    row = oracle_stamp(
        world,
        TEAM,
        {
            "OptyId": opportunity["OptyId"],
            "ResourceId": user["ResourcePartyId"],
            "PartyName": user["PartyName"],
            "OwnerFlag": owner,
            "MemberFunctionCode": role,
            "AccessLevelCode": _FULL if owner else _EDIT,
        },
        opportunity["CreationDate"],
        by,
    )
    employees = {r["user_id"]: r["employee_id"] for r in world.truth.files["oracle_employees"]}
    world.truth.add(
        "deal_team",
        {
            "crm": "oracle",
            "deal": opportunity["OptyId"],
            "id": row["OptyResourceId"],
            "user_id": user["ResourcePartyId"],
            "employee": employees.get(user["ResourcePartyId"]),
            "role": role,
            "owner": owner,
        },
    )


def add_oracle_deal_teams(world: World, anchor: datetime) -> None:
    """Each opportunity's owner, and the members added to some (see the module docstring)."""
    rng = random.Random(f"oracle:{world.seed}:{world.scale}:teams")
    users = {u["ResourcePartyId"]: u for u in world.oracle["resourceUsers"].live()}
    sellers = [u for u in users.values() if u["JobTitle"] != "Service Agent" and u["JobTitle"]]
    agents = [u for u in users.values() if u["JobTitle"] == "Service Agent"]
    for opportunity in sorted(world.oracle["opportunities"].live(), key=lambda r: r["OptyId"]):
        owner = users[opportunity["OwnerResourcePartyId"]]
        by = owner["Username"]
        _member(world, opportunity, owner, "SALES_REPRESENTATIVE", True, by)
        others = [u for u in sellers if u["ResourcePartyId"] != owner["ResourcePartyId"]]
        if others and rng.random() < 0.5:
            _member(world, opportunity, rng.choice(others), "SALES_ENGINEER", False, by)
        if agents and rng.random() < 0.2:
            _member(world, opportunity, agents[0], "SERVICE_REPRESENTATIVE", False, by)
