"""The DACH subsidiary's Dynamics teams: the business unit's default team and the sales
and service owner teams, with their members (``teammembership``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sandbox.dynamics.schema import VERSION_SEQUENCE

if TYPE_CHECKING:
    from sandbox.generator.dynamics_company import _Builder

__all__ = ["add_teams"]


def add_teams(b: _Builder, app_id: str) -> None:
    """The business unit's default team (every user, as Dataverse keeps it) and the sales
    and service owner teams. Drawn last and without the random stream, so every other row
    is the same with or without them; the two group managers are only in the default team
    (their team is the one their other CRMs give them)."""
    from sandbox.generator.dynamics_company import stamp  # (it imports this module)

    world = b.world
    users = [r["systemuserid"] for r in world.dynamics["systemuser"].live()]
    plan = (
        ("Altamira DACH", True, users),
        ("DACH Sales", False, b.sellers),
        ("DACH Service", False, b.agents),
    )
    members = world.dynamics["teammembership"]
    for name, default, people in plan:
        team = stamp(
            world,
            "team",
            {"name": name, "teamtype": 0, "isdefault": default},
            b.start - timedelta(days=30),
            app_id,
        )
        for user in people:
            world.sequences[VERSION_SEQUENCE] += 1
            members.insert(
                {
                    "teammembershipid": world.mint("dynamics", "teammembership"),
                    "versionnumber": world.sequences[VERSION_SEQUENCE],
                    "teamid": team["teamid"],
                    "systemuserid": user,
                }
            )
