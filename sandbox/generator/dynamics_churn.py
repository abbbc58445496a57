"""Churn in the DACH subsidiary's Dynamics 365: updates, creates and deletes.

Asked for explicitly (``apply_churn(..., crms=("dynamics", ...))``), so churn of the other
three CRMs stays what it was for a seed. Every change bumps the row's ``versionnumber``
(what change tracking lists) and stamps ``modifiedon``; a delete keeps the row as deleted
with its ``$deletedversion``, as change tracking reports it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from sandbox.dynamics.schema import DELETED_VERSION, VERSION_SEQUENCE
from sandbox.generator.dynamics_company import stamp
from sandbox.world import World

__all__ = ["churn_dynamics"]

Change = tuple[str, str, str, str]  # (crm, table, id, op)
_EDITS: dict[str, Callable[[random.Random], dict[str, object]]] = {
    "lead": lambda r: {"jobtitle": r.choice(["Laborleiter", "Einkauf", "CTO"])},
    "contact": lambda r: {"telephone1": f"+49 30 {r.randint(1000000, 9999999)}"},
    "account": lambda r: {"numberofemployees": r.randint(20, 5000)},
    "opportunity": lambda r: {"closeprobability": r.choice([20, 40, 60, 80])},
    "phonecall": lambda r: {"actualdurationminutes": r.choice([5, 10, 20])},
    "incident": lambda r: {"prioritycode": r.choice([1, 2, 3])},
}
_DELETABLE = ("lead", "contact", "phonecall", "email", "task")


def churn_dynamics(
    world: World, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[Change]:
    """Apply ``changes`` edits (60% updates, 25% creates, 15% deletes); returns them."""
    rng = random.Random(f"dynamics-churn:{seed}")
    tables = world.dynamics
    done: list[Change] = []
    for _ in range(changes):
        when = next_at()
        roll = rng.random()
        if roll < 0.6:
            name = rng.choice(sorted(_EDITS))
            live = [r for r in tables[name].live()]
            if not live:
                continue
            row = rng.choice(live)
            world.sequences[VERSION_SEQUENCE] += 1
            rid = row[tables[name].schema.id_field]
            tables[name].update(
                rid,
                {**_EDITS[name](rng), "versionnumber": world.sequences[VERSION_SEQUENCE]},
                when=when,
            )
            done.append(("dynamics", name, rid, "update"))
        elif roll < 0.85:
            accounts = list(tables["account"].live())
            account = rng.choice(accounts)
            owner = account["ownerid"]
            row = stamp(
                world,
                "contact",
                {
                    "firstname": "Neu",
                    "lastname": f"Kontakt{rng.randint(1, 99999)}",
                    "fullname": "Neu Kontakt",
                    "emailaddress1": f"neu{rng.randint(1, 99999)}@kunde.example",
                    "parentcustomerid": account["accountid"],
                    "parentcustomerid$table": "account",
                    "ownerid": owner,
                },
                when,
                owner,
            )
            done.append(("dynamics", "contact", row["contactid"], "create"))
        else:
            name = rng.choice(_DELETABLE)
            live = list(tables[name].live())
            if not live:
                continue
            row = rng.choice(live)
            rid = row[tables[name].schema.id_field]
            world.sequences[VERSION_SEQUENCE] += 1
            row[DELETED_VERSION] = world.sequences[VERSION_SEQUENCE]
            tables[name].soft_delete(rid, when)
            done.append(("dynamics", name, rid, "delete"))
    return done
