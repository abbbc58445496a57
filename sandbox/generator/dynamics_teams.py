"""The DACH subsidiary's Dynamics teams: the business unit's default team and the sales
and service owner teams, with their members (``teammembership``); and each user's settings
(``usersettings``), whose UI language is German for the subsidiary's own staff."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sandbox.dynamics.schema import VERSION_SEQUENCE

if TYPE_CHECKING:
    from sandbox.generator.dynamics_company import _Builder

__all__ = ["add_teams", "add_user_settings"]

# LCIDs: Dataverse keeps a user's languages as Windows locale ids
GERMAN, SWISS_GERMAN, ENGLISH = 1031, 2055, 1033


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


def add_user_settings(b: _Builder, app_id: str) -> None:
    """Every user's settings row, as Dataverse keeps one per user, keyed by the user's id:
    the subsidiary's sellers and agents work in German (every fourth of them in Swiss
    German), the group's two managers and the integration user in English. Drawn last and
    without the random stream."""
    world = b.world
    staff = b.sellers + b.agents
    german = {user: SWISS_GERMAN if n % 4 == 3 else GERMAN for n, user in enumerate(staff)}
    settings = world.dynamics["usersettings"]
    at = b.start - timedelta(days=30)
    for user in world.dynamics["systemuser"].live():
        language = german.get(user["systemuserid"], ENGLISH)
        world.sequences[VERSION_SEQUENCE] += 1
        settings.insert(
            {
                "systemuserid": user["systemuserid"],
                "versionnumber": world.sequences[VERSION_SEQUENCE],
                "createdon": at,
                "modifiedon": at,
                "createdby": app_id,
                "modifiedby": app_id,
                "uilanguageid": language,
                "helplanguageid": language,
                "localeid": language,
            }
        )
