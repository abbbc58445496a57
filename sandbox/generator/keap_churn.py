"""Churn in the web shop's Keap: updates, new contacts and orders, deletes.

Asked for explicitly (``apply_churn(..., crms=("keap", ...))``), so churn of the other
CRMs stays what it was for a seed. Keap deletes for good (no recycle bin, no deleted-records
list): a delete purges the record, and only a comparison of ids finds it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from sandbox.generator.keap_company import STAGES, keap_stamp
from sandbox.world import World

__all__ = ["churn_keap"]

Change = tuple[str, str, str, str]  # (crm, object, id, op)
_EDITS: dict[str, Callable[[random.Random], dict[str, object]]] = {
    "contacts": lambda r: {"phone": f"+44 7700 {r.randint(100000, 999999)}"},
    "companies": lambda r: {"phone": f"+44 117 {r.randint(100000, 999999)}"},
    "opportunities": lambda r: dict(
        zip(("stage_id", "stage_name", "probability"), r.choice(STAGES), strict=True)
    ),
    "notes": lambda r: {"body": f"Called back ({r.randint(1, 99)})."},
    "tasks": lambda r: {"completed": True},
    "orders": lambda r: {"status": r.choice(["PAID", "UNPAID"])},
}
_DELETABLE = ("contacts", "notes", "tasks", "appointments", "opportunities")


def churn_keap(
    world: World, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[Change]:
    """Apply ``changes`` edits (60% updates, 25% creates, 15% deletes)."""
    rng = random.Random(f"keap-churn:{seed}")
    tables = world.keap
    done: list[Change] = []
    for _ in range(changes):
        when = next_at().replace(microsecond=0)
        roll = rng.random()
        if roll < 0.6:
            name = rng.choice(sorted(_EDITS))
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                tables[name].update(row["id"], _EDITS[name](rng), when)
                done.append(("keap", name, row["id"], "update"))
        elif roll < 0.85:
            contacts = list(tables["contacts"].live())
            number = rng.randint(1, 99999)
            if rng.random() < 0.5 or not contacts:
                owner = rng.choice(list(tables["users"].live()))["id"]
                values = {
                    "given_name": "New",
                    "family_name": f"Buyer{number}",
                    "email": f"buyer{number}@mail.example",
                    "owner_id": owner,
                    "source_type": "WEBFORM",
                }
                row = keap_stamp(world, "contacts", values, when)
                done.append(("keap", "contacts", row["id"], "create"))
            else:
                contact = rng.choice(contacts)
                values = {
                    "title": f"Web order {contact['family_name']}",
                    "status": "PAID",
                    "total": float(rng.randint(20, 900)),
                    "contact_id": contact["id"],
                    "order_date": when,
                    "source_type": "ONLINE",
                }
                row = keap_stamp(world, "orders", values, when)
                done.append(("keap", "orders", row["id"], "create"))
        else:
            name = rng.choice(_DELETABLE)
            live = list(tables[name].live())
            if live:
                row = rng.choice(live)
                tables[name].purge(row["id"], when)
                done.append(("keap", name, row["id"], "delete"))
    return done
