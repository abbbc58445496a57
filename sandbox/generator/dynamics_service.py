"""The DACH subsidiary's service cases, campaign responses and activities (see
``dynamics_company``): drawn from the same random stream, right after its deals."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.store import Record

if TYPE_CHECKING:
    from sandbox.generator.dynamics_company import _Builder

__all__ = ["add_service_and_activities"]

_ACTIVITY_TABLES = ("phonecall", "email", "appointment", "task")


def add_service_and_activities(
    b: _Builder,
    budget: int,
    leads: list[Record],
    contacts: list[Record],
    opportunities: list[Record],
    campaigns: list[Record],
) -> None:
    """Cases by origin channel, responses to campaigns, then activities up to ``budget``."""
    from sandbox.generator.dynamics_company import stamp

    world, rng, anchor = b.world, b.rng, b.anchor
    cases = []
    for i in range(max(3, budget // 40)):
        contact = contacts[(i * 3) % len(contacts)]
        agent = rng.choice(b.agents)
        opened = b.at(contact["createdon"])
        state = rng.choice([0, 1, 1])
        case = stamp(
            world,
            "incident",
            {
                "title": rng.choice(
                    [
                        "Kalibrierung fehlgeschlagen",
                        "Ersatzteil benötigt",
                        "Softwarefehler",
                        "Wartungstermin",
                    ]
                ),
                "ticketnumber": f"CAS-{1000 + i:05d}-D7X2",
                "customerid": contact["contactid"],
                "customerid$table": "contact",
                "primarycontactid": contact["contactid"],
                "caseorigincode": rng.choice([1, 1, 2, 2, 3, 2483]),
                "statecode": state,
                "prioritycode": rng.choice([1, 2, 2, 3]),
                "ownerid": agent,
                "resolvedon": opened + timedelta(hours=rng.randint(2, 200)) if state else None,
            },
            opened,
            agent,
        )
        cases.append(case)
    for campaign in campaigns:
        for lead in leads:
            if lead.get("campaignid") == campaign["campaignid"]:
                stamp(
                    world,
                    "campaignresponse",
                    {
                        "subject": f"Antwort: {campaign['name']}",
                        "regardingobjectid": campaign["campaignid"],
                        "regardingobjectid$table": "campaign",
                        "originatingactivityid": lead["leadid"],
                        "responsecode": 1,
                        "receivedon": lead["createdon"],
                        "statecode": 1,
                        "ownerid": lead["ownerid"],
                    },
                    lead["createdon"],
                    lead["ownerid"],
                )
    targets = (
        [("lead", r["leadid"], r) for r in leads]
        + [("opportunity", r["opportunityid"], r) for r in opportunities]
        + [("contact", r["contactid"], r) for r in contacts]
        + [("incident", r["incidentid"], r) for r in cases]
    )
    made = sum(len(t.rows) for t in world.dynamics.values())
    for i in range(max(budget - made, 10)):
        table = _ACTIVITY_TABLES[i % len(_ACTIVITY_TABLES)]
        target_table, target_id, target = targets[rng.randrange(len(targets))]
        owner = target["ownerid"]
        when = b.at(target["createdon"])
        done = when < anchor - timedelta(days=1) and rng.random() < 0.85
        values: dict[str, Any] = {
            "subject": {
                "phonecall": "Anruf",
                "email": "E-Mail",
                "appointment": "Besuch",
                "task": "Angebot nachfassen",
            }[table]
            + f" #{i + 1}",
            "regardingobjectid": target_id,
            "regardingobjectid$table": target_table,
            "statecode": 1 if done else 0,
            "scheduledstart": when,
            "scheduledend": when + timedelta(minutes=30),
            "actualend": when if done else None,
            "actualdurationminutes": rng.choice([5, 10, 15, 30, 60]),
            "ownerid": owner,
        }
        if table in ("phonecall", "email"):
            values["directioncode"] = rng.random() < 0.7
        stamp(world, table, values, when, owner)
