"""Churn in the Benelux distributor's SugarCRM: updates, creates, deletes, role changes.

Asked for explicitly (``apply_churn(..., crms=("sugarcrm", ...))``), so churn of the other
CRMs stays what it was for a seed. Sugar stamps ``date_modified`` to the second, so
several changes share one: the connector's keyset on (date_modified, id) is what keeps
them apart. A delete sets ``deleted`` and stamps ``date_modified``, as Sugar's
``mark_deleted`` does; deleting a contact leaves its opportunity untouched (Sugar marks
the contact's links deleted on their own). A contact role added or removed from the
opportunity's record stamps the opportunity, as saving it there does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from sandbox.generator.sugarcrm_company import sugar_stamp
from sandbox.sugarcrm.schema import RELATIONSHIP
from sandbox.world import World

__all__ = ["churn_sugarcrm"]

Change = tuple[str, str, str, str]  # (crm, module, id, op)
_EDITS: dict[str, Callable[[random.Random], dict[str, object]]] = {
    "Leads": lambda r: {"status": r.choice(["Assigned", "In Process", "Dead"])},
    "Contacts": lambda r: {"phone_work": f"+31 10 {r.randint(1000000, 9999999)}"},
    "Accounts": lambda r: {"employees": str(r.randint(10, 3000))},
    "Opportunities": lambda r: {"sales_stage": r.choice(["Negotiation/Review", "Closed Won"])},
    "Calls": lambda r: {"duration_minutes": r.choice([5, 10, 45])},
    "Cases": lambda r: {"status": r.choice(["Closed", "Pending Input"])},
}
_DELETABLE = ("Leads", "Contacts", "Calls", "Tasks", "Opportunities")


def churn_sugarcrm(
    world: World, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[Change]:
    """Apply ``changes`` edits (55% updates, 20% creates, 15% deletes, 10% contact roles)."""
    rng = random.Random(f"sugarcrm-churn:{seed}")
    tables = world.sugarcrm
    done: list[Change] = []
    for _ in range(changes):
        when = next_at().replace(microsecond=0)
        roll = rng.random()
        if roll < 0.55:
            name = rng.choice(sorted(_EDITS))
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                tables[name].update(row["id"], {**_EDITS[name](rng), "modified_user_id": "1"}, when)
                done.append(("sugarcrm", name, row["id"], "update"))
        elif roll < 0.75:
            account = rng.choice(list(tables["Accounts"].live()))
            owner = account["assigned_user_id"]
            number = rng.randint(1, 99999)
            row = sugar_stamp(
                world,
                "Contacts",
                {
                    "first_name": "Nieuw",
                    "last_name": f"Contact{number}",
                    "email1": f"nieuw{number}@klant.example",
                    "account_id": account["id"],
                    "assigned_user_id": owner,
                },
                when,
                owner,
            )
            done.append(("sugarcrm", "Contacts", row["id"], "create"))
        elif roll < 0.9:
            name = rng.choice(_DELETABLE)
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                tables[name].update(row["id"], {}, when)
                tables[name].soft_delete(row["id"], when)
                done.append(("sugarcrm", name, row["id"], "delete"))
        else:
            done += _role_change(world, rng, when)
    return done


def _role_change(world: World, rng: random.Random, when: datetime) -> list[Change]:
    """Add a contact role to an opportunity, or remove one, from the opportunity's record."""
    tables = world.sugarcrm
    roles = list(tables[RELATIONSHIP].live())
    if roles and rng.random() < 0.5:
        role = rng.choice(roles)
        tables[RELATIONSHIP].update(role["id"], {}, when)
        tables[RELATIONSHIP].soft_delete(role["id"], when)
        opp = role["opportunity_id"]
    else:
        opps = list(tables["Opportunities"].live())
        contacts = list(tables["Contacts"].live())
        if not opps or not contacts:
            return []
        opp, contact = rng.choice(opps)["id"], rng.choice(contacts)["id"]
        if any(r["opportunity_id"] == opp and r["contact_id"] == contact for r in roles):
            return []
        role = sugar_stamp(
            world,
            RELATIONSHIP,
            {"opportunity_id": opp, "contact_id": contact, "contact_role": "Influencer"},
            when,
            "1",
        )
    if tables["Opportunities"].get(opp) is None:
        return []
    tables["Opportunities"].update(opp, {}, when)
    return [("sugarcrm", RELATIONSHIP, role["id"], "update")]
