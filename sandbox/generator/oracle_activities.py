"""The strategic accounts division's activities and service requests (Oracle CX Sales).

Calls and to-dos are activities of function ``TASK`` (types ``CALL`` and ``TODO``),
meetings are ``APPOINTMENT``s (type ``MEETING``); each points at what it is about
(``AccountId``, ``PrimaryContactId``, ``OpportunityId``). Service requests are worked
by the division's service agent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sandbox.generator.oracle_company import oracle_stamp
from sandbox.store import Record

if TYPE_CHECKING:
    from sandbox.generator.oracle_company import _Division

__all__ = ["add_activities"]


def add_activities(
    d: _Division, contacts: list[Record], opportunities: list[Record], budget: int
) -> None:
    """Fill the rest of the division's budget with activities and service requests."""
    world, rng = d.world, d.rng
    agent = d.agent
    assert agent is not None
    remaining = budget - sum(len(t) for t in world.oracle.values())
    for _ in range(max(6, remaining)):
        con = rng.choice(contacts)
        owner = rng.choice(d.sellers)
        when = d.at(con["CreationDate"])
        roll = rng.random()
        about = {"AccountId": con["AccountPartyId"], "PrimaryContactId": con["PartyId"]}
        if roll < 0.4:
            minutes = rng.choice([5, 15, 30])
            values = {
                **about,
                "Subject": f"Call {con['LastName']}",
                "ActivityFunctionCode": "TASK",
                "ActivityTypeCode": "CALL",
                "ActivityStartDate": when,
                "ActivityEndDate": when + timedelta(minutes=minutes),
                "StatusCode": "COMPLETE",
                "DirectionCode": rng.choice(["INBOUND", "OUTBOUND"]),
            }
        elif roll < 0.65:
            opp = rng.choice(opportunities)
            values = {
                "AccountId": opp["TargetPartyId"],
                "OpportunityId": opp["OptyId"],
                "Subject": f"Site visit {opp['Name']}",
                "ActivityFunctionCode": "APPOINTMENT",
                "ActivityTypeCode": "MEETING",
                "ActivityStartDate": when,
                "ActivityEndDate": when + timedelta(hours=1),
                "StatusCode": "COMPLETE",
            }
        elif roll < 0.88:
            values = {
                **about,
                "Subject": "Send the proposal",
                "ActivityFunctionCode": "TASK",
                "ActivityTypeCode": "TODO",
                "DueDate": (when + timedelta(days=5)).date(),
                "StatusCode": rng.choice(["COMPLETE", "NOT_STARTED"]),
            }
        else:
            closed = rng.random() < 0.6
            oracle_stamp(
                world,
                "serviceRequests",
                {
                    "Title": rng.choice(["Analyzer offline", "Calibration drift", "Portal login"]),
                    "StatusCd": "ORA_SVC_CLOSED" if closed else "ORA_SVC_IN_PROGRESS",
                    "ChannelTypeCd": rng.choice(["ORA_SVC_EMAIL", "ORA_SVC_PHONE", "ORA_SVC_WEB"]),
                    "SeverityCd": rng.choice(["ORA_SVC_SEV1", "ORA_SVC_SEV2", "ORA_SVC_SEV3"]),
                    "AccountPartyId": con["AccountPartyId"],
                    "PrimaryContactPartyId": con["PartyId"],
                    "AssigneeResourceId": agent["ResourcePartyId"],
                },
                when,
                agent["Username"],
            )
            continue
        oracle_stamp(
            world,
            "activities",
            {**values, "OwnerId": owner["ResourcePartyId"]},
            when,
            owner["Username"],
        )
